"""One sellerbot process running the real scheduler from a moved clock (tests/test_jobs.py starts
two of these against one database to show that a digest is posted once).

Usage: python tests/scheduler_process.py START_ISO; settings come from the environment. It
prints "ready", waits for a line on stdin (so that several processes start their clocks
together), runs its scheduler from START with the clock ticking, and once the digest job has
run prints each outcome's status as JSON.
"""

import json
import sys
import threading
from datetime import datetime

import time_machine

from bot import jobs
from bot.app import web_client
from bot.config import load_settings
from bot.store import Database


def main() -> None:
    """Run the scheduler until its digest jobs have fired once each."""
    start = datetime.fromisoformat(sys.argv[1])
    settings = load_settings()
    db = Database.open(settings.database_url)
    digests = jobs.Digests(settings, db, web_client(settings))
    outcomes: list[str] = []
    done = threading.Event()

    def run(schedule: object) -> None:
        outcomes.append(digests.run(schedule).status)  # type: ignore[arg-type]
        if len(outcomes) == len(settings.digests):
            done.set()

    print("ready", flush=True)
    sys.stdin.readline()
    with time_machine.travel(start, tick=True):
        scheduler = jobs.scheduler(settings, db, run)
        scheduler.start()
        fired = done.wait(30)
        scheduler.shutdown(wait=True)
    print(json.dumps(outcomes if fired else ["did not fire"]), flush=True)


if __name__ == "__main__":
    main()
