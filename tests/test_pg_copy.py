"""PostgreSQL's COPY path stores exactly what executemany stores, merges included (issue 18)."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from bot.store import Database
from bot.store import writer as store_writer
from bot.usecases.imports import import_file
from tests.conftest import SAMPLES, stored

NOW = datetime(2026, 11, 25, 16, 0, tzinfo=UTC)


def repeated_report(tmp_path) -> list:
    """The sample reports, and an All Orders report whose every order comes twice, later and
    changed the second time: rows of one key in one batch must merge in their order."""
    header, *rows = (SAMPLES / "all-orders.txt").read_text().splitlines()
    later = []
    for row in rows:
        cells = row.split("\t")
        cells[3] = "2026-11-30T12:00:00+00:00"  # last-updated-date
        cells[4] = cells[12] = "Shipped"  # order-status, item-status
        later.append("\t".join(cells))
    twice = tmp_path / "twice.txt"
    twice.write_text("\n".join([header, *rows, *later, *rows[:5]]) + "\n")
    return [SAMPLES / "all-orders.txt", SAMPLES / "unshipped-orders.txt",
            SAMPLES / "returns.txt", twice]


def stored_after_imports(db: Database, seller, files) -> dict:
    with db.begin() as conn:
        conn.execute(text("TRUNCATE orders, order_items, returns, imports CASCADE"))
    for path in files:
        import_file(db, path, seller, now=NOW)
    return stored(db)


@pytest.mark.postgres
def test_copy_stores_what_executemany_stores(postgres_url, seller, tmp_path, monkeypatch):
    db = Database.open(postgres_url)
    files = repeated_report(tmp_path)
    monkeypatch.setattr(store_writer, "COPY_FROM_ROWS", 10**9)
    one_by_one = stored_after_imports(db, seller, files)
    copied = []
    monkeypatch.setattr(store_writer, "COPY_FROM_ROWS", 1)
    original = store_writer.CopyUpsert.write

    def counted(self, conn, rows):
        copied.append(len(rows))
        return original(self, conn, rows)

    monkeypatch.setattr(store_writer.CopyUpsert, "write", counted)
    by_copy = stored_after_imports(db, seller, files)
    db.close()
    assert copied and sum(copied) > 100  # the COPY path ran, for every batch
    assert by_copy == one_by_one
    # The newer copy of each order won, and the older one after it changed nothing.
    assert {o["status"] for o in by_copy["orders"]} == {"Shipped"}


@pytest.mark.postgres
def test_a_failed_copy_leaves_nothing_behind(postgres_url, seller, tmp_path, monkeypatch):
    db = Database.open(postgres_url)
    monkeypatch.setattr(store_writer, "COPY_FROM_ROWS", 1)
    stored_after_imports(db, seller, [SAMPLES / "all-orders.txt"])
    before = stored(db)

    def stop(*_progress):  # Ctrl-C after the file's rows went through COPY
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        import_file(db, repeated_report(tmp_path)[-1], seller, now=NOW, progress=stop)
    assert stored(db) == before
    with db.begin() as conn:  # the staging tables went with their transactions
        assert conn.scalar(text("SELECT count(*) FROM pg_tables WHERE tablename LIKE "
                                "'sellerbot_stage%'")) == 0
    db.close()
