"""Sync speed: orders from the local fake SP-API (tests/fake_sp_api.py, in its own process),
100 a page with its rate limits off, and how much of the time is sellerbot's own.

Figure (issue 8 target): syncing 10,000 orders, sellerbot's own time under 10% of the total:
the time the sync takes beyond its API calls (the HTTP calls and the client library reading
the answers). Checked a second way, against fetching the same pages with nothing read or
stored just before each sync; that difference of two runs is noisier. Its own work, reading
the pages and storing the orders, is printed too: most of it is done while the next page is
on its way.
The fake answers as fast as it can, far faster than Amazon (about a second a page), so the
shares measured here are upper bounds.

    python bench/sync.py [--orders 10000] [--version 2026-01-01|v0] [--rounds 3]
                         [--database URL]
"""

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from unittest.mock import patch

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

FAKE = """
import sys
from datetime import UTC, datetime, timedelta
from tests.fake_sp_api import FakeSpApi
fake = FakeSpApi()
now = datetime.now(UTC)
for n in range(int(sys.argv[1])):
    fake.add_order(f"111-{n:07d}-0000001", created=now - timedelta(minutes=n % 40000 + 10),
                   sample=n)
print(fake.url, flush=True)
sys.stdin.read()
"""


def fetch_only(api, days: int) -> float:
    """Seconds to fetch the pages a first sync fetches, with nothing read or stored: the API's
    time alone, read-ahead included (v0's getOrderItems calls too)."""
    from bot.sources import sp_api
    from bot.usecases import syncs

    now = datetime.now(UTC)
    with (patch.object(sp_api, "order_from_v2026", lambda obj: (None, [])),
          patch.object(sp_api, "order_from_v0", lambda obj: SimpleNamespace(
              order_id=obj["AmazonOrderId"])),
          patch.object(sp_api, "item_from_v0", lambda order_id, obj: None)):
        started = time.perf_counter()
        for _page in api.changed(now - timedelta(days=days), now - syncs.LAG, created=True):
            pass
        return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=10_000)
    parser.add_argument("--version", default="2026-01-01", choices=("2026-01-01", "v0"))
    parser.add_argument("--rounds", type=int, default=3,
                        help="fetch-alone and sync pairs, each sync into a new SQLite file")
    parser.add_argument("--database", help="DATABASE_URL (one round; default: SQLite files)")
    args = parser.parse_args()

    from bot.config import load_settings
    from bot.sources.sp_api import OrdersApi
    from bot.store import Database
    from bot.store.writer import Writer
    from bot.usecases import syncs
    from bot.wiring import seller_of

    fake = subprocess.Popen([sys.executable, "-c", FAKE, str(args.orders)], cwd=REPO,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    rounds, cpu = [], []
    try:
        assert fake.stdout is not None
        url = fake.stdout.readline().strip()
        with tempfile.TemporaryDirectory() as folder:
            settings = load_settings(
                database_url="sqlite://", lwa_app_id="bench", lwa_client_secret="bench",
                sp_api_refresh_token="bench", sp_api_endpoint=url,
                lwa_token_url=url + "/auth/o2/token", orders_api_version=args.version,
                sync_first_days=60)
            # Once a process, not once a sync: the scheduler keeps one OrdersApi (TLS
            # certificates, the library's clients) and the upsert statements compiled.
            setup = time.perf_counter()
            api = OrdersApi(settings)
            seller = seller_of(settings)
            setup = time.perf_counter() - setup
            for number in range(1 if args.database else args.rounds):
                db = Database.open(args.database or f"sqlite:///{Path(folder) / f'{number}.db'}")
                with db.begin() as conn:
                    Writer(conn)
                # The fake and the machine drift by several percent from one run to the
                # next: each sync is paired with a fetch of the same pages just before it.
                alone = fetch_only(api, settings.sync_first_days)
                started, started_cpu = time.perf_counter(), time.process_time()
                result = syncs.sync(db, api, seller, settings.sync_first_days,
                                    now=datetime.now(UTC))
                # CPU of this process: the sync, its read-ahead thread and the client library
                # (the fake Amazon runs in a process of its own).
                cpu.append(time.process_time() - started_cpu)
                rounds.append((time.perf_counter() - started, alone, result.calls.seconds,
                               result))
                db.close()
    finally:
        fake.kill()
        fake.wait()

    first = rounds[0][3]
    print(f"synced {first.orders:,} orders ({first.items:,} lines) in {first.pages} pages, "
          f"Orders API {args.version}; setup once a process {setup:.2f} s (API clients)")
    for (total, alone, calls, result), used in zip(rounds, cpu, strict=True):
        print(f"  sync {total:.2f} s ({used:.2f} s CPU), its API calls {calls:.2f} s, own "
              f"{total - calls:.2f} s = {(total - calls) / total:.1%}; the same pages fetched "
              f"alone {alone:.2f} s, own {(total - alone) / total:+.1%}; its work "
              f"{result.work:.2f} s")

    def spread(values: list[float], form: str) -> str:
        return (f"median {format(statistics.median(values), form)} (min "
                f"{format(min(values), form)}, max {format(max(values), form)})")

    own = [(total - calls) / total for total, _alone, calls, _result in rounds]
    paired = [(total - alone) / total for total, alone, _calls, _result in rounds]
    print(f"sync: {spread([r[0] for r in rounds], '.2f')} s, CPU {spread(cpu, '.2f')} s")
    print(f"sellerbot's own time, beyond the sync's API calls: {spread(own, '.1%')} of the "
          f"total (target < 10%); beyond fetching the same pages alone: {spread(paired, '+.1%')}")
    # The work itself is not gone: v2026 reads a page ahead, so most of it is done while the
    # next page is on its way and adds little to the time a sync takes.
    work = [r.work / r.orders * 1e6 for _total, _alone, _calls, r in rounds]
    serial = [r.work / (calls + r.work) for _total, _alone, calls, r in rounds]
    print(f"sellerbot's own work (reading the pages, storing the orders): {spread(work, '.0f')} "
          f"microseconds an order; {spread(serial, '.1%')} of the total if it were done "
          "between the pages")

if __name__ == "__main__":
    main()
