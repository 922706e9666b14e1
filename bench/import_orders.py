"""Import speed: `sellerbot import` of an All Orders report against sqlite3's own `.import`.

Generates an All Orders report of N rows (default 1,000,000) in Amazon's 32-column format
(GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL, ../shared/spec/reports.md §3), times
`sellerbot import` of it into a fresh SQLite file and prints rows/s and peak memory, then times
the sqlite3 shell loading the same file into one table (the physical reference). Each round
runs the two one after the other and prints both their ratios, wall and CPU time (the import's
parser process included); the summary gives the median with its min and max over the rounds,
never the best of one side against the best of the other.

Targets: peak memory under 200 MB, at most 3x sqlite3 (issue 18; issue 2 asked 6x).

    python bench/import_orders.py [--rows N] [--rounds R] [--keep DIR]
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

PRODUCTS = [
    ("BK-0141439513-U-VG", "0141439513", "Pride and Prejudice (Penguin Classics)", "8.99"),
    ("BK-0743273567-U-G", "0743273567", "The Great Gatsby", "10.99"),
    ("CD-HARBOR-NC-U", "B00004T9QK", "Northern Crossing [Audio CD] Harbor Lights", "11.98"),
    ("DVD-FRONTIER-S1", "B01M7Y2R8D", "Frontier Town: The Complete First Season [DVD]", "19.99"),
    ("BV-65W-2P-WHT", "B0C4X9R2LM", "Bright Volt 65W USB-C Wall Charger, 2-Port, Foldable Plug",
     "29.99"),
    ("RS-MUG12-SLT", "B0BZ7T4N6W", "Riverside Ceramic Travel Mug with Lid, 12 oz, Slate Blue",
     "18.50"),
    ("KV-BX200-BLK", "B0B6T2VQ9H", "Kelvo BX-200 Portable Bluetooth Speaker, Water Resistant",
     "45.00"),
    ("CT-100-ASST", "B07QW3JH2N", "Nylon Cable Ties, Assorted Sizes, 100 Pack", "7.49"),
]
CITIES = [("Providence", "RI", "02906"), ("COLUMBUS", "OH", "43215"),
          ("Pittsburgh", "PA", "15213-3890"), ("Boise", "ID", "83702")]


def generate(path: Path, rows: int) -> None:
    """Write an All Orders report of `rows` lines: 1 to 3 lines per order, orders in time order."""
    rng = random.Random(2)
    start = datetime(2025, 1, 1, tzinfo=UTC)
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write("\t".join(HEADER) + "\n")
        written = order = 0
        while written < rows:
            order += 1
            order_id = f"{111 + order % 4}-{order:07d}-{rng.randrange(10**7):07d}"
            purchased = start + timedelta(seconds=order * 31)
            updated = purchased + timedelta(hours=rng.randint(2, 40))
            status = rng.choice(("Shipped", "Shipped", "Shipped", "Unshipped", "Cancelled"))
            channel = "Amazon" if rng.random() < 0.1 else "Merchant"
            city, state, postal = rng.choice(CITIES)
            lines = 1 if rng.random() < 0.8 else rng.randint(2, 3)
            for product in rng.sample(PRODUCTS, lines):
                if written == rows:
                    break
                sku, asin, title, price = product
                quantity = 1 if rng.random() < 0.9 else 2
                out.write("\t".join((
                    order_id, "", purchased.isoformat(), updated.isoformat(), status, channel,
                    "Amazon.com", "", "Standard", title, sku, asin,
                    status if status != "Cancelled" else "Cancelled", str(quantity), "USD",
                    price, "0.65", "3.99", "0.00", "0.00", "0.00", "0.00", "0.00",
                    city, state, postal, "US", "", "", "false", "", "",
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=3,
                        help="rounds of the two imports, one after the other")
    parser.add_argument("--keep", type=Path, help="leave the report and databases here")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="sellerbot-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    report = work / "all-orders.txt"
    try:
        started = time.perf_counter()
        generate(report, args.rows)
        size = report.stat().st_size
        print(f"report: {args.rows:,} rows, {size / 1e6:.0f} MB, "
              f"generated in {time.perf_counter() - started:.1f} s")
        ratios, cpu_ratios, ours, peaks = [], [], [], []
        for round_number in range(1, args.rounds + 1):
            for old in work.glob("*.db*"):
                old.unlink()
            env = {**os.environ, "DATABASE_URL": f"sqlite:///{work / 'sellerbot.db'}"}
            elapsed, cpu, peak = run_measured(
                [sys.executable, "-m", "bot", "import", str(report)], env)
            reference, reference_cpu, _ = run_measured(
                ["sqlite3", str(work / "reference.db"), "-cmd", ".mode tabs",
                 f".import {report} all_orders"], dict(os.environ))
            # The two imports of a round run one after the other: the same moment of a shared
            # machine weighs on both, so the ratio is taken within the round.
            ratios.append(elapsed / reference)
            cpu_ratios.append(cpu / reference_cpu)
            ours.append(elapsed)
            peaks.append(peak)
            print(f"round {round_number}: sellerbot import {elapsed:.2f} s wall, {cpu:.2f} s CPU "
                  f"({args.rows / elapsed:,.0f} rows/s, peak {peak:.0f} MB); sqlite3 .import "
                  f"{reference:.2f} s wall, {reference_cpu:.2f} s CPU; ratio {ratios[-1]:.2f}x "
                  f"wall, {cpu_ratios[-1]:.2f}x CPU")
        print(f"sellerbot import: {_spread(ours, ' s')}, peak memory {max(peaks):.0f} MB "
              "(import and parser processes together)")
        print(f"ratio to the sqlite3 shell's .import, round by round: wall {_spread(ratios, 'x')};"
              f" CPU {_spread(cpu_ratios, 'x')}")
    finally:
        if args.keep is None:
            shutil.rmtree(work)


if __name__ == "__main__":
    main()
