"""Return look-up speed: 10,000 `/can-return` answers against 1,000,000 stored orders.

Uses the million orders of bench/digest.py (built once, or reused with --keep), picks order ids
at random, and times returns.can_return for each: the order and its lines, its return
requests, and the decision.

Target (issue 5): median under 5 ms per look-up. Each round times every look-up; the summary
gives the median of the rounds' medians with their spread, and the CPU time a look-up takes.

    python bench/can_return.py [--lookups 10000] [--orders N] [--keep FILE] [--rounds R]
"""

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from digest import build

from bot.config import load_settings
from bot.store import Database
from bot.usecases.returns import can_return
from bot.wiring import seller_of


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lookups", type=int, default=10_000)
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--keep", type=Path, help="build the database here once and reuse it")
    parser.add_argument("--rounds", type=int, default=3, help="times every look-up is timed")
    args = parser.parse_args()
    path = args.keep or Path(tempfile.mkdtemp(prefix="sellerbot-bench-")) / "orders.db"
    if not path.exists():
        started = time.perf_counter()
        build(f"sqlite:///{path}", args.orders)
        print(f"built {args.orders:,} orders in {time.perf_counter() - started:.0f} s")
    Database(f"sqlite:///{path}").upgrade()  # a kept file may predate the newest schema
    settings = load_settings(database_url=f"sqlite:///{path}")
    db = Database.open(settings.database_url)
    seller = seller_of(settings)
    with db.begin() as conn:
        stored = conn.exec_driver_sql("SELECT count(*) FROM orders").scalar()
        rowids = random.Random(5).sample(range(1, stored + 1), args.lookups)
        ids = [conn.exec_driver_sql("SELECT order_id FROM orders WHERE rowid = ?", (r,)).scalar()
               for r in rowids]
    today = date(2026, 11, 25)
    medians, p99s, cpu_per, verdicts = [], [], [], {}
    for round_number in range(1, args.rounds + 1):
        times = []
        started_cpu = time.process_time()
        for order_id in ids:
            started = time.perf_counter()
            answer = can_return(db, seller, order_id, today)
            times.append((time.perf_counter() - started) * 1000)
            if round_number == 1:
                verdicts[answer.decision.verdict] = verdicts.get(answer.decision.verdict, 0) + 1
        cpu_per.append((time.process_time() - started_cpu) * 1000 / len(ids))
        times.sort()
        medians.append(statistics.median(times))
        p99s.append(times[int(len(times) * 0.99)])
        print(f"round {round_number}: median {medians[-1]:.2f} ms, p99 {p99s[-1]:.2f} ms, "
              f"max {times[-1]:.2f} ms, CPU {cpu_per[-1]:.2f} ms a look-up")
    median = statistics.median(medians)
    print(f"{args.lookups:,} look-ups among {stored:,} orders, {args.rounds} rounds: median "
          f"{median:.2f} ms (rounds {min(medians):.2f}-{max(medians):.2f}), p99 median "
          f"{statistics.median(p99s):.2f} ms, CPU median {statistics.median(cpu_per):.2f} ms "
          f"(target median under 5 ms: {'met' if median < 5 else 'MISSED'})")
    print("verdicts: " + ", ".join(f"{v.value} {n:,}" for v, n in sorted(verdicts.items())))


if __name__ == "__main__":
    main()
