"""Sync speed: orders from the local fake SP-API (tests/fake_sp_api.py, in its own process),
100 a page with its rate limits off, and how much of the time is sellerbot's own.

Figure (issue 8 target): syncing 10,000 orders, sellerbot's own time (parsing the pages and
storing the orders) under 10% of the total; the rest is the API's (the HTTP calls and the
client library reading the answers). The fake answers as fast as it can, far faster than
Amazon (about a second a page), so the share measured here is an upper bound.

    python bench/sync.py [--orders 10000] [--version 2026-01-01|v0] [--database URL]
"""

import argparse
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=10_000)
    parser.add_argument("--version", default="2026-01-01", choices=("2026-01-01", "v0"))
    parser.add_argument("--database", help="DATABASE_URL (default: a new SQLite file)")
    args = parser.parse_args()

    from bot import syncs
    from bot.config import load_settings
    from bot.sources.sp_api import OrdersApi
    from bot.store import Database
    from bot.store.writer import Writer

    fake = subprocess.Popen([sys.executable, "-c", FAKE, str(args.orders)], cwd=REPO,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert fake.stdout is not None
        url = fake.stdout.readline().strip()
        with tempfile.TemporaryDirectory() as folder:
            database = args.database or f"sqlite:///{Path(folder) / 'sync.db'}"
            settings = load_settings(
                database_url=database, lwa_app_id="bench", lwa_client_secret="bench",
                sp_api_refresh_token="bench", sp_api_endpoint=url,
                lwa_token_url=url + "/auth/o2/token", orders_api_version=args.version,
                sync_first_days=60)
            db = Database.open(database)
            # Once a process, not once a sync: the scheduler keeps one OrdersApi (TLS
            # certificates, the library's clients) and the upsert statements compiled.
            setup = time.perf_counter()
            api = OrdersApi(settings)
            with db.begin() as conn:
                Writer(conn)
            setup = time.perf_counter() - setup
            started = time.perf_counter()
            result = syncs.sync(db, api, settings, now=datetime.now(UTC))
            total = time.perf_counter() - started
            db.close()
    finally:
        fake.kill()
        fake.wait()

    own = total - result.calls.seconds
    print(f"synced {result.orders:,} orders ({result.items:,} lines) in {result.pages} pages, "
          f"{result.calls.count:,} API calls, Orders API {args.version}")
    each = own / max(result.orders, 1) * 1e6
    print(f"total {total:.2f} s: API {result.calls.seconds:.2f} s, sellerbot's own {own:.2f} s "
          f"= {own / total:.1%} of the total (target < 10%), {each:.0f} microseconds an order")
    print(f"once a process before it: {setup:.2f} s (API clients, compiling the upserts); "
          f"counted in, sellerbot's own share would be {(own + setup) / (total + setup):.1%}")


if __name__ == "__main__":
    main()
