"""Import speed: `sellerbot import` of an All Orders report against sqlite3's own `.import`.

Generates an All Orders report of N rows (default 200,000) in Amazon's 32-column format
(GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL, ../shared/spec/reports.md §3), as varied
as a real seller's (20,000 products, long Unicode titles, 1 to 4 lines an order, the buyer's
city, state and postal code, promotions, every status: `generate`), times
`sellerbot import` of it into a fresh SQLite file and prints rows/s and peak memory, then times
the sqlite3 shell loading the same file into one table (the physical reference). Each round
runs the two one after the other and prints both their ratios, wall and CPU time (the import's
parser process included); the summary gives the median with its min and max over the rounds,
never the best of one side against the best of the other.

Targets: peak memory under 200 MB, at most 3x sqlite3 (issue 18; issue 2 asked 6x).

    python bench/import_orders.py [--rows N] [--rounds R] [--keep DIR]
    python bench/import_orders.py --database-url postgresql+psycopg://postgres@127.0.0.1/bench

With --database-url, the import goes to that PostgreSQL database (one of the bench's own: it
is emptied every round) and is compared with psql's `\\copy` of the same file.
"""

import argparse
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

# The 32 columns of GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL, in order (reports.md §3.1).
HEADER = (
    "amazon-order-id", "merchant-order-id", "purchase-date", "last-updated-date", "order-status",
    "fulfillment-channel", "sales-channel", "order-channel", "ship-service-level",
    "product-name", "sku", "asin", "item-status", "quantity", "currency", "item-price",
    "item-tax", "shipping-price", "shipping-tax", "gift-wrap-price", "gift-wrap-tax",
    "item-promotion-discount", "ship-promotion-discount", "ship-city", "ship-state",
    "ship-postal-code", "ship-country", "promotion-ids", "cpf", "is-business-order",
    "purchase-order-number", "price-designation",
)

# Words for product titles, some of them beyond ASCII as real catalogues are (accents, marks,
# CJK), so that the parser and the store handle multi-byte text as they will in production.
_TITLE_WORDS = (
    "Premium Stainless Steel Insulated Travel Mug Lid Wireless Charger Bluetooth Speaker "
    "Waterproof Portable Organic Cotton Bath Towel Set Vintage Leather Journal Notebook "
    "Ceramic Plant Pot Drainage Kids Puzzle Pieces Hardcover Edition Paperback Classic Novel "
    "Audio CD Remastered Complete Season DVD Blu-ray Kitchen Knife Sharpener Yoga Mat Non-Slip "
    "Crème Brûlée Torch Café Größe Zürich Señor Ærø Smørrebrød Façade Naïve Jalapeño Ω™ — "
    "日本製 한국어 Élégance Über Fjällräven-style Piñata Mañana Crêpe Déjà-vu"
)
WORDS = _TITLE_WORDS.split()
CITIES = ("Providence", "COLUMBUS", "Pittsburgh", "Boise", "San José", "Coeur d'Alene",
          "Española", "St. Louis", "Winston-Salem", "Honolulu", "Anchorage", "Brooklyn")
STATES = ("RI", "OH", "PA", "ID", "CA", "NM", "MO", "NC", "HI", "AK", "NY", "TX", "WA")
STATUSES = (("Shipped", "Shipped", 70), ("Unshipped", "Unshipped", 10),
            ("Pending", "Unshipped", 5), ("Cancelled", "Cancelled", 8),
            ("Shipped", "Unshipped", 2), ("PartiallyShipped", "Shipped", 5))


def _isbn10(rng: random.Random) -> str:
    digits = [rng.randrange(10) for _ in range(9)]
    check = (11 - sum((10 - i) * d for i, d in enumerate(digits)) % 11) % 11
    return "".join(map(str, digits)) + ("X" if check == 10 else str(check))


def catalogue(rng: random.Random, size: int) -> list[tuple[str, str, str, str]]:
    """`size` products (SKU, ASIN, title, price): a tenth books with their ISBN as ASIN, titles
    of 5 to 30 words, prices from 0.99 to 300."""
    letters = "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789"
    products = []
    for n in range(size):
        book = rng.random() < 0.1
        asin = _isbn10(rng) if book else "B0" + "".join(rng.choices(letters, k=8))
        sku = f"{rng.choice(('BK', 'HM', 'EL', 'TY', 'KT', 'GD'))}-{n:05d}-" + rng.choice(
            ("NEW", "U-VG", "U-G", "BLK", "WHT", "12OZ", "XL"))
        title = " ".join(rng.choices(WORDS, k=rng.randint(5, 30)))
        products.append((sku, asin, title, f"{rng.uniform(0.99, 300):.2f}"))
    return products


def generate(path: Path, rows: int) -> None:
    """Write an All Orders report of `rows` lines, orders in time order whose ids are in no
    order (as Amazon's): 1.2 lines per order on average (1 to 4), popular products recurring
    among 20,000, the buyer's city, state and postal code Amazon includes, promotions, gift
    wrap, business orders and every status."""
    rng = random.Random(2)
    products = catalogue(rng, 20_000)
    start = datetime(2025, 1, 1, tzinfo=UTC)
    statuses = [(order, item) for order, item, weight in STATUSES for _ in range(weight)]
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write("\t".join(HEADER) + "\n")
        written = order = 0
        while written < rows:
            order += 1
            # Amazon's ids are not in time order: a report by purchase date holds them at
            # random, and each lands anywhere in the store's key index (../shared/samples).
            order_id = (f"{rng.choice(('111', '112', '113', '114'))}-"
                        f"{rng.randrange(10**7):07d}-{rng.randrange(10**7):07d}")
            purchased = start + timedelta(seconds=order * 31 + rng.randrange(31))
            updated = purchased + timedelta(hours=rng.randint(2, 40))
            status, item_status = rng.choice(statuses)
            channel = "Amazon" if rng.random() < 0.1 else "Merchant"
            business = rng.random() < 0.04
            postal = f"{rng.randrange(100000):05d}" + (f"-{rng.randrange(10000):04d}"
                                                         if rng.random() < 0.3 else "")
            place = (rng.choice(CITIES), rng.choice(STATES), postal)
            lines = 1 if rng.random() < 0.9 else rng.randint(2, 4)
            for _ in range(lines):
                if written == rows:
                    break
                # Pareto: a few products sell again and again, most now and then.
                sku, asin, title, price = products[
                    min(int(rng.paretovariate(1.2)) - 1, len(products) - 1) if rng.random() < 0.5
                    else rng.randrange(len(products))]
                quantity = 1 if rng.random() < 0.9 else rng.randint(2, 5)
                promo = rng.random() < 0.15
                gift = rng.random() < 0.02
                out.write("\t".join((
                    order_id, f"SO-{order:08d}" if rng.random() < 0.2 else "",
                    purchased.isoformat(), updated.isoformat(), status, channel,
                    "Amazon.com", "", rng.choice(("Standard", "Expedited", "SecondDay")), title,
                    sku, asin, item_status, str(quantity), "USD",
                    f"{float(price) * quantity:.2f}", f"{float(price) * quantity * 0.07:.2f}",
                    rng.choice(("0.00", "3.99", "5.99")), "0.00",
                    "4.99" if gift else "0.00", "0.35" if gift else "0.00",
                    f"-{rng.uniform(1, 10):.2f}" if promo else "0.00",
                    "-3.99" if promo and rng.random() < 0.3 else "0.00",
                    *place, "US",
                    f"US Core Free Shipping Promotion {rng.randrange(10**8)}" if promo else "",
                    "", "true" if business else "false",
                    f"PO-{rng.randrange(10**6)}" if business else "", "",
                )) + "\n")
                written += 1


def _tree_rss_mb(pid: int) -> float:
    """Resident memory of a process and all its descendants, in MB (Linux /proc)."""
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
        stack.extend(int(child) for child in children)
    return total / 1024


def run_measured(command: list[str], env: dict) -> tuple[float, float, float]:
    """Run `command`; return its wall time, the CPU time of its whole process tree (user and
    system) and the tree's peak memory."""
    peak = 0.0
    before = _children_cpu()
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)
    while process.poll() is None:
        # The import runs a parser process beside itself: count both, at the same moment.
        peak = max(peak, _tree_rss_mb(process.pid))
        time.sleep(0.02)
    elapsed = time.perf_counter() - started
    if process.returncode:
        raise SystemExit(f"{' '.join(command)} failed with exit status {process.returncode}")
    return elapsed, _children_cpu() - before, peak


def _children_cpu() -> float:
    # Every finished child and the children it waited for (the import's parser process).
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def _spread(values: list[float], unit: str = "") -> str:
    return (f"median {statistics.median(values):.2f}{unit} "
            f"(min {min(values):.2f}, max {max(values):.2f})")


def _reference(work: Path, report: Path, database_url: str | None) -> list[str]:
    """The command loading `report` into one plain table: sqlite3's `.import`, or psql's
    `\\copy` into an empty table of the report's 32 columns as text."""
    if database_url is None:
        return ["sqlite3", str(work / "reference.db"), "-cmd", ".mode tabs",
                f".import {report} all_orders"]
    columns = ", ".join(f'"{name}" text' for name in HEADER)
    return ["psql", "-q", "-v", "ON_ERROR_STOP=1", _libpq(database_url),
            "-c", f"CREATE TABLE all_orders ({columns})",
            "-c", f"\\copy all_orders FROM '{report}' WITH (FORMAT text, HEADER true)"]


def _libpq(database_url: str) -> str:
    """`database_url` as psql takes it (no SQLAlchemy driver name, no password: that goes in
    PGPASSWORD, out of sight of `ps`)."""
    from sqlalchemy.engine import make_url

    return make_url(database_url).set(drivername="postgresql", password=None).render_as_string()


def _psql_env(database_url: str | None) -> dict[str, str]:
    """This process's environment, with the database's password for psql when it has one."""
    if database_url is None:
        return dict(os.environ)
    from sqlalchemy.engine import make_url

    password = make_url(database_url).password
    return {**os.environ, **({"PGPASSWORD": str(password)} if password else {})}


def _empty(work: Path, database_url: str | None) -> None:
    """Start a round from nothing: no database file, or an empty PostgreSQL schema."""
    for old in work.glob("*.db*"):
        old.unlink()
    if database_url is not None:
        subprocess.run(["psql", "-q", "-v", "ON_ERROR_STOP=1", _libpq(database_url), "-c",
                        "SET client_min_messages TO warning; DROP SCHEMA public CASCADE; "
                        "CREATE SCHEMA public"], check=True, env=_psql_env(database_url))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--rounds", type=int, default=3,
                        help="rounds of the two imports, one after the other")
    parser.add_argument("--keep", type=Path, help="leave the report and databases here")
    parser.add_argument("--database-url", help="a PostgreSQL database of the bench's own, "
                        "emptied every round: import there, and compare with psql's \\copy")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="sellerbot-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    report = work / "all-orders.txt"
    shell = "psql \\copy" if args.database_url else "the sqlite3 shell's .import"
    try:
        started = time.perf_counter()
        generate(report, args.rows)
        size = report.stat().st_size
        print(f"report: {args.rows:,} rows, {size / 1e6:.0f} MB, "
              f"generated in {time.perf_counter() - started:.1f} s")
        ratios, cpu_ratios, ours, peaks = [], [], [], []
        for round_number in range(1, args.rounds + 1):
            _empty(work, args.database_url)
            url = args.database_url or f"sqlite:///{work / 'sellerbot.db'}"
            elapsed, cpu, peak = run_measured(
                [sys.executable, "-m", "bot", "import", str(report)],
                {**os.environ, "DATABASE_URL": url})
            reference, reference_cpu, _ = run_measured(
                _reference(work, report, args.database_url), _psql_env(args.database_url))
            # The two imports of a round run one after the other: the same moment of a shared
            # machine weighs on both, so the ratio is taken within the round. CPU is this
            # machine's processes only: a PostgreSQL server's own work shows in the wall time.
            ratios.append(elapsed / reference)
            cpu_ratios.append(cpu / reference_cpu)
            ours.append(elapsed)
            peaks.append(peak)
            print(f"round {round_number}: sellerbot import {elapsed:.2f} s wall, {cpu:.2f} s CPU "
                  f"({args.rows / elapsed:,.0f} rows/s, peak {peak:.0f} MB); {shell} "
                  f"{reference:.2f} s wall, {reference_cpu:.2f} s CPU; ratio {ratios[-1]:.2f}x "
                  f"wall, {cpu_ratios[-1]:.2f}x CPU")
        print(f"sellerbot import: {_spread(ours, ' s')}, peak memory {max(peaks):.0f} MB "
              "(import and parser processes together)")
        print(f"ratio to {shell}, round by round: wall {_spread(ratios, 'x')};"
              f" CPU {_spread(cpu_ratios, 'x')}")
    finally:
        if args.keep is None:
            shutil.rmtree(work)


if __name__ == "__main__":
    main()
