"""A database that will not answer, or answers too slowly: a command says which one, in time,
instead of hanging; the server's statements are bounded."""

import socket
import threading
import time
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from bot.store import Database, database


@pytest.fixture
def silent_server():
    """A TCP port that accepts connections and never says a word (a firewall, a hung proxy)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join(2)
    for conn in accepted:
        conn.close()
    server.close()


def test_a_database_that_never_answers_is_named_within_the_timeout(silent_server, cli,
                                                                   monkeypatch):
    monkeypatch.setattr(database, "CONNECT_TIMEOUT_SECONDS", 1)
    url = f"postgresql+psycopg://seller:hunter2@127.0.0.1:{silent_server}/shop"
    done: list[object] = []
    worker = threading.Thread(target=lambda: done.append(
        cli("orders", "today", env={"DATABASE_URL": url})), daemon=True)
    started = time.monotonic()
    worker.start()
    worker.join(20)
    assert done, "sellerbot orders today hung on a database that never answers"
    ran = done[0]
    assert time.monotonic() - started < 10
    assert ran.returncode == 1
    assert f"cannot open the database postgresql+psycopg://seller:***@127.0.0.1:{silent_server}/shop" in ran.stderr
    assert "hunter2" not in ran.stderr


@pytest.mark.postgres
def test_the_servers_statements_are_bounded(postgres_url):
    db = Database(postgres_url, statement_timeout=0.5)
    try:
        with pytest.raises(OperationalError, match="statement timeout"), db.begin() as conn:
            conn.execute(text("SELECT pg_sleep(3)"))
        with db.begin_bulk() as conn:  # bulk work (an import in the server) has its own bound
            conn.execute(text("SELECT pg_sleep(0.8)"))
    finally:
        db.close()


@pytest.mark.postgres
def test_the_servers_timeout_keeps_the_urls_own_options(postgres_url):
    url = postgres_url + "?options=-csearch_path%3Dshop"
    db = Database(url, statement_timeout=0.5)
    try:
        with db.begin() as conn:
            assert conn.scalar(text("SHOW search_path")) == "shop"
            assert conn.scalar(text("SHOW statement_timeout")) == "500ms"
            assert conn.scalar(text("SHOW jit")) == "off"
    finally:
        db.close()


@pytest.mark.postgres
def test_postgresql_compiles_no_query_just_in_time(postgres_url):
    # sellerbot's queries are short: JIT compiled the digest's for longer than it ran
    # (bench/digest.py over a million orders: 480 ms with JIT, 170 ms without).
    db = Database(postgres_url)
    try:
        with db.begin() as conn:
            assert conn.scalar(text("SHOW jit")) == "off"
    finally:
        db.close()


@pytest.mark.postgres
def test_postgresql_hands_times_over_in_utc_whatever_its_own_zone(postgres_url):
    # A server set to local time (here by the URL's options) still hands sellerbot its times
    # in UTC: psycopg would otherwise convert each one into the server's zone.
    db = Database(postgres_url + "?options=-ctimezone%3DAmerica/Los_Angeles")
    placed = datetime(2026, 11, 25, 23, 30, tzinfo=ZoneInfo("America/Los_Angeles"))
    try:
        with db.begin() as conn:
            assert conn.scalar(text("SHOW timezone")) == "UTC"
            read = conn.scalar(text("SELECT CAST(:placed AS timestamptz)"), {"placed": placed})
            assert read == placed and read.tzinfo is UTC
    finally:
        db.close()
