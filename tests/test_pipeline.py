"""The parser process gives exactly what in-process parsing gives, and its failures surface."""

import pickle
import subprocess
import sys
from datetime import UTC, datetime

import pytest

from bot.errors import ImportRejected
from bot.store import Database
from bot.store.writer import row_makers
from bot.usecases import import_pipeline
from bot.usecases.imports import import_file
from tests.conftest import SAMPLES, stored

NOW = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)


@pytest.mark.parametrize("name", ["all-orders.txt", "unshipped-orders.txt", "returns.txt"])
def test_parser_process_matches_in_process(db, seller, tmp_path, monkeypatch, name):
    reference = Database.open(f"sqlite:///{tmp_path / 'in-process.db'}")
    import_file(reference, SAMPLES / name, seller, now=NOW)
    monkeypatch.setattr(import_pipeline, "MIN_BYTES", 0)
    assert import_pipeline.worthwhile(1) or pytest.skip("one CPU: the parser process is never used")
    result = import_file(db, SAMPLES / name, seller, now=NOW)
    assert result.rows > 0
    assert stored(db) == stored(reference)


def test_parser_process_reports_bad_rows(db, seller, monkeypatch):
    monkeypatch.setattr(import_pipeline, "MIN_BYTES", 0)
    with pytest.raises(ImportRejected) as rejected:
        import_file(db, SAMPLES / "broken-orders.txt", seller, now=NOW)
    assert [p.where for p in rejected.value.params["problems"]] == [4, 7, 10]
    assert stored(db)["orders"] == []


def test_a_failing_parser_process_is_an_error(seller, tmp_path):
    batches = import_pipeline.parsed_batches(tmp_path / "gone.txt", "utf-8", seller,
                                             row_makers("sqlite"))
    with pytest.raises(import_pipeline.ParserFailed, match="FileNotFoundError"):
        next(batches)


@pytest.mark.parametrize("dialect", ["sqlite", "postgresql"])
def test_the_parser_process_starts_without_sqlalchemy(seller, dialect):
    # Its first batch is ready sooner, and it holds less memory (bot/store/driver_rows.py).
    task = pickle.dumps((SAMPLES / "all-orders.txt", "utf-8", seller, row_makers(dialect)))
    check = ("import pickle, sys; import bot.usecases.import_pipeline; "
             "pickle.load(sys.stdin.buffer); print(sorted(m for m in sys.modules "
             "if m.split('.')[0] in ('sqlalchemy', 'psycopg', 'alembic')))")
    loaded = subprocess.run([sys.executable, "-c", check], input=task, capture_output=True,
                            check=True)
    assert loaded.stdout.decode().strip() == "[]"
