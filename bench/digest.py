"""Report speed: the morning digest and `orders at-risk` over 1,000,000 orders in SQLite (or
PostgreSQL with --database-url).

Builds a SQLite file with N orders (default 1,000,000) spread over two years, as a seller who
syncs from the SP-API would have them (Amazon's ship-by, confirmation times, one or two lines
each; most confirmed within the two days, 2 % late, 0.3 % forgotten), then times the digest
report and the at-risk list, and prints each query's plan.

Targets (issue 3): digest under 150 ms median, `orders at-risk` under 50 ms median.

    python bench/digest.py [--orders N] [--runs R] [--keep FILE]
    python bench/digest.py --database-url postgresql+psycopg://postgres@127.0.0.1/bench

With --database-url the orders are written there when it holds none (an empty database of
its own: the bench does not delete anything), and SQLite's query plans are not printed.
"""

import argparse
import random
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from sqlalchemy import event

from bot.config import load_settings
from bot.domain.records import Channel, Order, OrderItem, OrderStatus
from bot.store import Database
from bot.store.writer import Writer
from bot.usecases.digests import digest
from bot.usecases.orders import View, orders_report
from bot.wiring import seller_of

AS_OF = datetime(2026, 11, 25, 16, 0, tzinfo=UTC)
DAYS = 730
PRODUCTS = [("BK-0141439513", "0141439513", "Pride and Prejudice", "8.99"),
            ("CD-HARBOR-NC-U", "B00004T9QK", "Northern Crossing [Audio CD]", "11.98"),
            ("BV-65W-2P-WHT", "B0C4X9R2LM", "Bright Volt 65W USB-C Wall Charger", "29.99"),
            ("RS-MUG12-SLT", "B0BZ7T4N6W", "Riverside Ceramic Travel Mug, 12 oz", "18.50"),
            ("CT-100-ASST", "B07QW3JH2N", "Nylon Cable Ties, 100 Pack", "7.49")]


def build(url: str, count: int, as_of: datetime = AS_OF) -> None:
    """Write `count` orders placed over the two years before `as_of` to the database at `url`."""
    rng = random.Random(3)
    db = Database.open(url)
    step = timedelta(days=DAYS) / count
    with db.begin_bulk() as conn:
        writer = Writer(conn)
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
            lines = rng.sample(PRODUCTS, 1 if rng.random() < 0.85 else 2)
            writer.add(Order(
                order_id, None, placed, placed + timedelta(hours=1), status, Channel.MERCHANT,
                "ATVPDKIKX0DER", "Standard", rng.random() < 0.2, False, placed, ship_by,
                ship_by + timedelta(days=2), ship_by + timedelta(days=5), shipped, None,
                sum(Decimal(p[3]) for p in lines), "USD", "US",
            ))
            for sku, asin, title, price in lines:
                writer.add(OrderItem(order_id, sku, None, asin, title, 1,
                                     1 if status is OrderStatus.SHIPPED else 0, Decimal(price)))
        writer.flush()
    db.close()


def _empty(url: str) -> bool:
    """Whether the database at `url` holds no order (opened, so a new one gets its tables)."""
    with Database.open(url).begin() as conn:
        return conn.exec_driver_sql("SELECT count(*) FROM orders").scalar() == 0


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
    args = parser.parse_args()
    if args.database_url:
        url = args.database_url
        empty = _empty(url)
    else:
        path = args.keep or Path(tempfile.mkdtemp(prefix="sellerbot-bench-")) / "orders.db"
        url, empty = f"sqlite:///{path}", not path.exists()
    if empty:
        started = time.perf_counter()
        build(url, args.orders)
        print(f"built {args.orders:,} orders in {time.perf_counter() - started:.0f} s: {url}")
    settings = load_settings(database_url=url)
    db = Database.open(settings.database_url)
    seller = seller_of(settings)

    report = digest(db, seller, AS_OF)
    at_risk = orders_report(db, seller, View.AT_RISK, AS_OF)
    print(f"data: {len(report.late)} late, {len(report.due_today)} due today, "
          f"{len(report.due_next)} due next; {len(at_risk.entries)} at risk; "
          f"{report.new_orders} new; LSR windows "
          + ", ".join(f"{r.days} d: {r.late}/{r.orders}" for r in report.shipment_rates))
    for name, call, target in (
        ("digest", lambda: digest(db, seller, AS_OF), 150),
        ("orders at-risk", lambda: orders_report(db, seller, View.AT_RISK, AS_OF), 50),
    ):
        times, cpu = timed(call, args.runs)
        median = statistics.median(times)
        print(f"{name}: median {median:.1f} ms (min {min(times):.1f}, max {max(times):.1f}) "
              f"over {args.runs} runs, CPU median {statistics.median(cpu):.1f} ms "
              f"(target under {target} ms: {'met' if median < target else 'MISSED'})")
        for statement, plan in (plans(db, call) if db.dialect == "sqlite" else []):
            print(f"  {statement}")
            for step in plan:
                print(f"      {step}")


if __name__ == "__main__":
    main()
