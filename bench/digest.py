"""Report speed: the morning digest and `orders at-risk` over 1,000,000 orders in SQLite (or
PostgreSQL with --database-url).

Builds a SQLite file with N orders (default 1,000,000) spread over two years, one or two lines
each, then times the digest report and the at-risk list, and prints each query's plan. The
orders are shaped as a seller who syncs from the SP-API would have them (--shape sp-api:
Amazon's ship-by, confirmation times; most confirmed within the two days, 2 % late, 0.3 %
forgotten), or one who imports Seller Central reports (--shape report: no ship-by, so
sellerbot computes each deadline when it stores the order; --open of them still open).

Targets (issues 3 and 18): digest under 150 ms median, `orders at-risk` under 50 ms median,
for either shape. Timed as `sellerbot serve` runs them: in a process whose start-up objects are
frozen out of the garbage collector's walks (bot/server.py's settle), and the digest as the
morning job builds it for Slack (each list's first DIGEST_LISTED orders read with their lines,
the rest counted); the digest `sellerbot digest` prints, every order with its lines, is timed
beside it.

    python bench/digest.py [--orders N] [--runs R] [--keep FILE] [--shape report --open N]
    python bench/digest.py --database-url postgresql+psycopg://postgres@127.0.0.1/bench

With --database-url the orders are written there when it holds none (an empty database of
its own: the bench does not delete anything), and SQLite's query plans are not printed.
"""

import argparse
import random
import statistics
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from sqlalchemy import event

from bot import server
from bot.config import Settings, load_settings
from bot.domain.records import Channel, Order, OrderItem, OrderStatus
from bot.render.blocks import DIGEST_LISTED
from bot.store import Database
from bot.store.writer import Writer
from bot.usecases.digests import digest
from bot.usecases.orders import View, orders_report
from bot.usecases.stamps import stamped
from bot.wiring import seller_of

AS_OF = datetime(2026, 11, 25, 16, 0, tzinfo=UTC)
DAYS = 730
# The handling time of the seller in --shape report: 30,000 open orders out of a million over
# two years are three weeks of orders, which only a seller who makes to order has open
# without most of them being late: here the oldest open ones are due today.
REPORT_HANDLING_DAYS = 15
PRODUCTS = [("BK-0141439513", "0141439513", "Pride and Prejudice", "8.99"),
            ("CD-HARBOR-NC-U", "B00004T9QK", "Northern Crossing [Audio CD]", "11.98"),
            ("BV-65W-2P-WHT", "B0C4X9R2LM", "Bright Volt 65W USB-C Wall Charger", "29.99"),
            ("RS-MUG12-SLT", "B0BZ7T4N6W", "Riverside Ceramic Travel Mug, 12 oz", "18.50"),
            ("CT-100-ASST", "B07QW3JH2N", "Nylon Cable Ties, 100 Pack", "7.49")]


def build(url: str, count: int, shape: str = "sp-api", open_orders: int = 0,
          as_of: datetime = AS_OF) -> None:
    """Write `count` orders placed over the two years before `as_of` to the database at `url`,
    each with its deadline as an import or a sync stores it."""
    rng = random.Random(3)
    db = Database.open(url)
    seller = seller_of(_settings(url, shape))
    orders = sp_api_orders(rng, count, as_of) if shape == "sp-api" else report_orders(
        rng, count, open_orders, as_of)
    with db.begin_bulk() as conn:
        writer = Writer(conn)
        for record in stamped(orders, seller):
            writer.add(record)
        writer.flush()
    db.analyze()  # as an import of this size does (bot/usecases/imports.py)
    db.close()


def _lines(rng: random.Random, order_id: str, shipped: bool, products: list = PRODUCTS
           ) -> list[OrderItem]:
    return [OrderItem(order_id, sku, asin=asin, title=title, quantity_ordered=1,
                      quantity_shipped=1 if shipped else 0, item_price=Decimal(price))
            for sku, asin, title, price in rng.sample(products, 1 if rng.random() < 0.85 else 2)]


def sp_api_orders(rng: random.Random, count: int, as_of: datetime) -> Iterator:
    """Orders as the SP-API gives them: Amazon's ship-by, confirmation times; most confirmed
    within the two days, 2 % late, 0.3 % forgotten."""
    step = timedelta(days=DAYS) / count
    for n in range(count):
        placed = as_of - timedelta(days=DAYS) + step * n
        ship_by = placed + timedelta(days=2)
        roll = rng.random()
        # Most parcels are confirmed within the two days, some late, a few forgotten.
        if roll < 0.02:
            confirmed = None
        elif roll < 0.04:
            confirmed = ship_by + timedelta(hours=rng.uniform(1, 30))
        elif roll < 0.043:
            confirmed = ship_by + timedelta(days=30)  # still unconfirmed at AS_OF if recent
        else:
            confirmed = placed + timedelta(hours=rng.uniform(4, 44))
        if roll < 0.02:
            status, shipped = OrderStatus.CANCELED, None
        elif confirmed > as_of:
            status, shipped = OrderStatus.UNSHIPPED, None
        else:
            status, shipped = OrderStatus.SHIPPED, confirmed
        order_id = f"{111 + n % 4}-{n:07d}-{rng.randrange(10**7):07d}"
        lines = _lines(rng, order_id, status is OrderStatus.SHIPPED)
        yield Order(
            order_id, purchase_date=placed, last_update=placed + timedelta(hours=1),
            status=status, fulfillment_channel=Channel.MERCHANT, marketplace_id="ATVPDKIKX0DER",
            ship_service_level="Standard", is_prime=rng.random() < 0.2, is_business=False,
            earliest_ship_date=placed, latest_ship_date=ship_by,
            earliest_delivery_date=ship_by + timedelta(days=2),
            latest_delivery_date=ship_by + timedelta(days=5), shipped_at=shipped,
            order_total=sum(line.item_price for line in lines), currency="USD",
            ship_country="US")
        yield from lines


def report_orders(rng: random.Random, count: int, open_orders: int, as_of: datetime
                  ) -> Iterator:
    """Orders as Seller Central's All Orders report gives them: no ship-by, no confirmation
    time. The newest `open_orders` are not shipped yet (made to order: REPORT_HANDLING_DAYS),
    and 0.3 % of the older ones were forgotten (late); the rest shipped or, 2 %, cancelled."""
    step = timedelta(days=DAYS) / count
    for n in range(count):
        placed = as_of - timedelta(days=DAYS) + step * n
        roll = rng.random()
        if n >= count - open_orders or roll < 0.003:
            status = OrderStatus.UNSHIPPED
        else:
            status = OrderStatus.CANCELED if roll < 0.023 else OrderStatus.SHIPPED
        order_id = f"{111 + n % 4}-{n:07d}-{rng.randrange(10**7):07d}"
        yield Order(order_id, purchase_date=placed, last_update=placed + timedelta(hours=1),
                    status=status, fulfillment_channel=Channel.MERCHANT,
                    marketplace_id="ATVPDKIKX0DER", ship_service_level="Standard",
                    is_business=False, currency="USD", ship_country="US")
        # No book: Amazon's 2 days for media would make a made-to-order seller's books late.
        yield from _lines(rng, order_id, status is OrderStatus.SHIPPED, PRODUCTS[2:])


def _settings(url: str, shape: str) -> Settings:
    handling = {"default_handling_days": REPORT_HANDLING_DAYS} if shape == "report" else {}
    return load_settings(database_url=url, **handling)


def _empty(url: str) -> bool:
    """Whether the database at `url` holds no order (opened, so a new one gets its tables)."""
    with Database.open(url).begin() as conn:
        return conn.exec_driver_sql("SELECT count(*) FROM orders").scalar() == 0


def prepared(args: argparse.Namespace) -> str:
    """The URL of the database the bench's options name, with the orders built in it when it
    has none (--database-url, else --keep FILE or a new temporary file)."""
    if args.database_url:
        url, empty = args.database_url, _empty(args.database_url)
    else:
        path = args.keep or Path(tempfile.mkdtemp(prefix="sellerbot-bench-")) / "orders.db"
        url, empty = f"sqlite:///{path}", not path.exists()
    if empty:
        started = time.perf_counter()
        build(url, args.orders, args.shape, args.open)
        print(f"built {args.orders:,} orders in {time.perf_counter() - started:.0f} s: {url}")
    return url


def timed(call, runs: int) -> tuple[list[float], list[float]]:
    """Wall and CPU milliseconds of each of `runs` calls (CPU: this process's, so a database
    server's own work shows only in the wall time)."""
    times, cpu = [], []
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        call()
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    return times, cpu


def plans(db: Database, call) -> list[tuple[str, list[str]]]:
    """Run `call` once, catching each SELECT it sends, and return SQLite's plan for each."""
    seen: list[tuple[str, object]] = []

    def catch(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("SELECT") and "EXPLAIN" not in statement:
            seen.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", catch)
    call()
    event.remove(db.engine, "before_cursor_execute", catch)
    found = []
    with db.engine.connect() as conn:
        for statement, parameters in seen:
            rows = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters).all()
            found.append((" ".join(statement.split())[:160], [row[-1] for row in rows]))
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=21)
    parser.add_argument("--keep", type=Path, help="build the database here once and reuse it")
    parser.add_argument("--database-url", help="a PostgreSQL database to build in and time")
    parser.add_argument("--shape", choices=("sp-api", "report"), default="sp-api",
                        help="orders synced from the SP-API (Amazon's ship-by) or imported "
                             "from reports (none: sellerbot computes each deadline)")
    parser.add_argument("--open", type=int, default=30_000,
                        help="open orders, with --shape report")
    args = parser.parse_args()
    url = prepared(args)
    settings = _settings(url, args.shape)
    db = Database.open(settings.database_url)
    seller = seller_of(settings)
    # The digest runs in `sellerbot serve`'s jobs, which settle the heap once started: what
    # start-up made is left out of the garbage collector's walks (bot/server.py).
    server.settle()

    report = digest(db, seller, AS_OF)
    at_risk = orders_report(db, seller, View.AT_RISK, AS_OF)
    print(f"data: {len(report.late)} late, {len(report.due_today)} due today, "
          f"{len(report.due_next)} due next; {len(at_risk.entries)} at risk; "
          f"{report.new_orders} new; LSR windows "
          + ", ".join(f"{r.days} d: {r.late}/{r.orders}" for r in report.shipment_rates))
    for name, call, target in (
        # As the morning job and App Home ask for it: each list's first DIGEST_LISTED orders
        # with their lines, the rest counted (what a Slack message can show).
        ("digest", lambda: digest(db, seller, AS_OF, listed=DIGEST_LISTED), 150),
        # As `sellerbot digest` prints it: every order listed, with its lines.
        ("digest, every order listed", lambda: digest(db, seller, AS_OF), None),
        ("orders at-risk", lambda: orders_report(db, seller, View.AT_RISK, AS_OF), 50),
    ):
        times, cpu = timed(call, args.runs)
        median = statistics.median(times)
        verdict = ("no target" if target is None else
                   f"target under {target} ms: {'met' if median < target else 'MISSED'}")
        print(f"{name}: median {median:.1f} ms (min {min(times):.1f}, max {max(times):.1f}) "
              f"over {args.runs} runs, CPU median {statistics.median(cpu):.1f} ms ({verdict})")
        for statement, plan in (plans(db, call) if db.dialect == "sqlite" else []):
            print(f"  {statement}")
            for step in plan:
                print(f"      {step}")


if __name__ == "__main__":
    main()
