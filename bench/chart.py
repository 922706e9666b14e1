"""Chart speed: the weekly shipping-health chart over 1,000,000 orders (issue 21).

Builds (or reuses, --keep) the same two years of orders as bench/digest.py, then times, each
round in one fresh process where sellerbot is loaded as `serve` has it, what the Monday digest
does for its chart: read the eight weeks' figures, import the plotting library (the first
chart of a process pays for it) and draw the PNG. Target: under 1 s. The rounds' medians are
printed with their min-max, CPU time beside wall time, and the whole process's time too.

    python bench/chart.py [--orders N] [--runs R] [--keep FILE] [--shape report --open N]
    python bench/chart.py --database-url postgresql+psycopg://postgres@127.0.0.1/bench
"""

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

from digest import AS_OF, prepared

# One round, in a process of its own: matplotlib is imported inside it, as in `serve`.
ROUND = """
import json, sys, time
from datetime import datetime
started = time.perf_counter()
from bot.render.chart import chart_png
from bot.store import Database
from bot.usecases.shipping_health import shipping_health
from digest import _settings
settings = _settings(sys.argv[1], sys.argv[2])
from bot.wiring import seller_of
seller = seller_of(settings)
db = Database.open(settings.database_url)
loaded, cpu_loaded = time.perf_counter(), time.process_time()
health = shipping_health(db, seller, datetime.fromisoformat(sys.argv[3]))
figures = time.perf_counter()
png = chart_png(health)
done = time.perf_counter()
print(json.dumps({"build": done - loaded, "cpu": time.process_time() - cpu_loaded,
                  "process": done - started,
                  "figures": figures - loaded, "draw": done - figures, "bytes": len(png),
                  "orders": sum(d.orders for d in health.days),
                  "rate": health.current.rate}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--keep", type=Path, help="build the database here once and reuse it")
    parser.add_argument("--database-url", help="a PostgreSQL database to build in and time")
    parser.add_argument("--shape", choices=("sp-api", "report"), default="sp-api")
    parser.add_argument("--open", type=int, default=30_000,
                        help="open orders, with --shape report")
    args = parser.parse_args()
    url = prepared(args)
    here = str(Path(__file__).resolve().parent)
    rounds = [json.loads(subprocess.run(
        [sys.executable, "-c", f"import sys; sys.path.insert(0, {here!r})\n{ROUND}", url,
         args.shape, AS_OF.isoformat()], check=True, capture_output=True, text=True).stdout)
        for _ in range(args.runs)]
    first = rounds[0]
    rate = "n/a" if first["rate"] is None else f"{first['rate']:.2%}"
    print(f"data: {first['orders']:,} orders in the 8 weeks; LSR now {rate}; "
          f"PNG {first['bytes']:,} bytes")
    for name in ("build", "cpu", "figures", "draw", "process"):
        values = [r[name] * 1000 for r in rounds]
        print(f"{name}: median {statistics.median(values):.0f} ms "
              f"(min {min(values):.0f}, max {max(values):.0f}) over {args.runs} rounds")
    median = statistics.median(r["build"] for r in rounds)
    print(f"chart for {args.orders:,} orders: {median * 1000:.0f} ms median, target under "
          f"1000 ms: {'met' if median < 1 else 'MISSED'}")


if __name__ == "__main__":
    main()
