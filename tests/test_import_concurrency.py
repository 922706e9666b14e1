"""Imports at the same time (two terminals, a cron job and a person, an import during a sync):
they take turns, the one that waits says so, none fails or deadlocks, the newer data wins and
each counts its new orders right."""

import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.domain.records import OrderStatus
from bot.store import database
from bot.usecases.imports import import_file
from tests.conftest import stored, write_lock_held
from tests.test_import import NOW

HEADER = ("amazon-order-id", "merchant-order-id", "purchase-date", "last-updated-date",
          "order-status", "fulfillment-channel", "sales-channel", "order-channel",
          "ship-service-level", "product-name", "sku", "asin", "item-status", "quantity",
          "currency", "item-price")


def report(path: Path, count: int, *, status: str, updated: datetime, reverse: bool) -> Path:
    """An All Orders report of `count` one-line orders, all last updated at `updated`."""
    bought = datetime(2026, 11, 20, 9, 0, tzinfo=UTC).isoformat()
    rows = [
        "\t".join((f"111-{n:07d}-0000001", "", bought, updated.isoformat(), status, "Merchant",
                   "Amazon.com", "", "Standard", f"Book {n}", f"SKU-{n}", f"B0{n:08d}",
                   "Shipped" if status == "Shipped" else "Unshipped", "1", "USD", "9.99"))
        for n in range(count)
    ]
    if reverse:
        rows.reverse()
    path.write_text("\t".join(HEADER) + "\n" + "\n".join(rows) + "\n")
    return path


def together(*work):
    """Run each callable in its own thread, released at once; their results (or errors)."""
    barrier = threading.Barrier(len(work))
    results: list[object] = [None] * len(work)

    def go(index: int, job) -> None:
        barrier.wait()
        try:
            results[index] = job()
        except Exception as exc:  # the test reports it
            results[index] = exc

    threads = [threading.Thread(target=go, args=(i, w)) for i, w in enumerate(work)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    return results


def test_overlapping_imports_take_turns_and_the_newer_data_wins(db, seller, tmp_path):
    count = 30_000
    older = report(tmp_path / "older.txt", count, status="Unshipped",
                   updated=NOW - timedelta(days=1), reverse=False)
    newer = report(tmp_path / "newer.txt", count, status="Shipped", updated=NOW, reverse=True)
    waited: list[str] = []
    first, second = together(
        lambda: import_file(db, older, seller, now=NOW, on_wait=lambda: waited.append("older")),
        lambda: import_file(db, newer, seller, now=NOW, on_wait=lambda: waited.append("newer")))
    assert not isinstance(first, Exception), first
    assert not isinstance(second, Exception), second
    assert sorted([first.new_orders, second.new_orders]) == [0, count]
    assert len(waited) == 1  # they overlapped: one waited for the other, and said so
    statuses = {row["status"] for row in stored(db)["orders"]}
    assert statuses == {OrderStatus.SHIPPED.value}


def test_an_import_waits_for_a_long_writer_and_says_so(db, seller, tmp_path, monkeypatch):
    # Another import or sync holds the write lock longer than a database's own patience.
    monkeypatch.setattr(database, "BUSY_TIMEOUT_MS", 300)
    path = report(tmp_path / "one.txt", 10, status="Unshipped", updated=NOW, reverse=False)
    waited: list[bool] = []
    with write_lock_held(db, for_seconds=1.5):  # five times the patience
        result = import_file(db, path, seller, now=NOW, on_wait=lambda: waited.append(True))
    assert waited == [True]
    assert result.new_orders == 10


def test_the_terminal_says_it_is_waiting(settings, cli, tmp_path):
    from bot.store import Database

    db = Database.open(settings.database_url)
    path = report(tmp_path / "one.txt", 3, status="Unshipped", updated=NOW, reverse=False)
    with write_lock_held(db, for_seconds=0.5):
        ran = cli("import", str(path), env={"DATABASE_URL": settings.database_url})
    assert ran.returncode == 0, ran.stderr
    assert "another import or sync is writing to the database; waiting" in ran.stderr
    assert "3 orders (3 new)" in ran.stdout
