"""Shared fixtures: the real databases (SQLite and PostgreSQL), the sample files, settings."""

import io
import itertools
import os
import shutil
import sys
import tempfile
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sp_api.auth import access_token_client
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from bot.config import Settings, load_settings
from bot.sources.context import SellerContext
from bot.store import Database
from bot.wiring import seller_of
from tests.fake_sp_api import FakeSpApi

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
# The invented seller's files (tests/fixtures/seller/README.md): its Seller Central reports and
# its Orders API v0 responses.
SAMPLES = FIXTURES / "seller" / "reports"
SP_API_V0 = FIXTURES / "seller" / "sp-api-v0"

# Where the PostgreSQL tests run: a server URL; each test session makes its own database there.
DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
_USER_HOME = pytest.StashKey[str]()
TABLES = ("order_items", "orders", "returns", "imports", "slack_posts", "reply_checks", "job_runs",
          "sync_state", "derived", "review_requests", "buyer_messages", "mailbox_state")


def pytest_configure(config: pytest.Config) -> None:
    """Keep the default database (bot/paths.py) of this run, and of the processes it starts, in
    a folder of its own rather than the developer's ~/.local/share."""
    config.stash[_USER_HOME] = tempfile.mkdtemp(prefix="sellerbot-test-home-")
    os.environ["XDG_DATA_HOME"] = os.path.join(config.stash[_USER_HOME], "data")


def pytest_unconfigure(config: pytest.Config) -> None:
    """Remove this run's folder."""
    if _USER_HOME in config.stash:
        shutil.rmtree(config.stash[_USER_HOME], ignore_errors=True)


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Default settings, isolated from the developer's environment and .env."""
    for name in Settings.model_fields:
        monkeypatch.delenv(name.upper(), raising=False)
    monkeypatch.chdir(tmp_path)
    return load_settings(database_url=f"sqlite:///{tmp_path / 'settings.db'}")


@pytest.fixture
def ctx(settings: Settings) -> SellerContext:
    """The default seller: America/Los_Angeles on amazon.com."""
    return seller_of(settings).context


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file with its tables, copied for each test (building it once is the slow part)."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    Database.open(f"sqlite:///{path}").close()
    return path


@contextmanager
def postgres_databases() -> Iterator[Callable[[], str]]:
    """Makes new, empty PostgreSQL databases on the server TEST_DATABASE_URL names, dropped
    on leaving; skips the test when the server cannot be reached."""
    server = make_url(os.environ.get("TEST_DATABASE_URL", DEFAULT_POSTGRES))
    if server.drivername in ("postgres", "postgresql"):
        server = server.set(drivername="postgresql+psycopg")
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text("SELECT 1"))
    except OperationalError as exc:
        admin.dispose()
        pytest.skip(
            f"PostgreSQL is not reachable at {server.render_as_string()} "
            f"({str(exc.orig).strip().splitlines()[0]}); set TEST_DATABASE_URL to run these"
        )
    made: list[str] = []

    def make() -> str:
        made.append(f"sellerbot_test_{uuid.uuid4().hex[:10]}")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{made[-1]}"'))
        return server.set(database=made[-1]).render_as_string(hide_password=False)

    try:
        yield make
    finally:
        with admin.connect() as conn:
            for name in made:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database with its tables for this test session, dropped at its end."""
    with postgres_databases() as make:
        url = make()
        Database.open(url).close()
        yield url


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def new_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Callable[[], str]]:
    """Makes URLs of new, empty databases (no tables): SQLite files, then the same test on
    PostgreSQL."""
    if request.param == "sqlite":
        files = itertools.count()
        yield lambda: f"sqlite:///{tmp_path / f'new-{next(files)}.db'}"
        return
    with postgres_databases() as make:
        yield make


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """An empty database with its tables: a SQLite file, then the same test on PostgreSQL."""
    if request.param == "sqlite":
        path = tmp_path / "sellerbot.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        database = Database.open(f"sqlite:///{path}")
    else:
        database = Database.open(request.getfixturevalue("postgres_url"))
        with database.begin() as conn:
            conn.execute(text(f"TRUNCATE {', '.join(TABLES)} CASCADE"))
    try:
        yield database
    finally:
        database.close()


@pytest.fixture
def now() -> datetime:
    """The samples' moment: 2026-11-25, the day before US Thanksgiving, 15:00 UTC."""
    return datetime(2026, 11, 25, 15, 0, tzinfo=UTC)


def stored(database: Database) -> dict[str, list[dict]]:
    """Every stored row of every table, as column -> value, in a stable order."""
    from bot.store.models import metadata

    rows = {}
    with database.begin() as conn:
        for table in metadata.sorted_tables:
            if table.name in ("imports", "slack_posts", "reply_checks", "job_runs", "sync_state",
                              "derived", "review_requests", "buyer_messages",
                              "mailbox_state"):
                continue
            # Surrogate ids differ between runs; natural keys give the order.
            columns = [c for c in table.columns if c.name != "id"]
            result = conn.execute(table.select().with_only_columns(*columns).order_by(*columns))
            rows[table.name] = [dict(row._mapping) for row in result]
    return rows


@pytest.fixture
def seller(settings):
    """The default seller as the reports see it."""
    return seller_of(settings)


@pytest.fixture
def amazon():
    """The local fake of Amazon's SP-API and token endpoint (tests/fake_sp_api.py)."""
    server = FakeSpApi()
    # python-amazon-sp-api caches access tokens per process (sp-api.md §9).
    access_token_client.cache.clear()
    yield server
    server.close()
    access_token_client.cache.clear()


@pytest.fixture
def slack():
    """The local fake of Slack's Web API and response_url (tests/fake_slack.py)."""
    from tests.fake_slack import FakeSlack

    fake = FakeSlack()
    yield fake
    fake.close()


@pytest.fixture
def live(settings, amazon):
    """Settings for a seller with SP-API credentials, pointed at the fake SP-API."""
    def make(**overrides):
        values = {"database_url": "sqlite://", "lwa_app_id": "amzn1.application-oa2-client.test",
                  "lwa_client_secret": "not-a-secret", "sp_api_refresh_token": "Atzr|test",
                  "sp_api_endpoint": amazon.url, "lwa_token_url": amazon.token_url} | overrides
        return load_settings(**values)
    return make


@dataclass
class Ran:
    """What a `sellerbot` command did: its exit status and what it printed."""

    returncode: int
    stdout: str
    stderr: str


@pytest.fixture
def cli(settings: Settings, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> Callable[..., Ran]:
    """Run `sellerbot ARGS` in this process, as its console script does (bot.cli.main), with
    `env` on top of the isolated settings (the database is theirs unless `env` names another);
    for tests where the process boundary is not the point."""
    from bot.cli import main

    def run(*args: str, env: dict[str, str | None] | None = None,
            stdin: bytes | None = None) -> Ran:
        for name, value in {"DATABASE_URL": settings.database_url, **(env or {})}.items():
            if value is None:  # unset: the default applies
                monkeypatch.delenv(name, raising=False)
            else:
                monkeypatch.setenv(name, value)
        if stdin is not None:
            monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin)))
        monkeypatch.setattr(sys, "argv", ["sellerbot", *args])
        capsys.readouterr()
        try:
            main()
            code = 0
        except SystemExit as done:
            code = done.code if isinstance(done.code, int) else (0 if done.code is None else 1)
        said = capsys.readouterr()
        return Ran(code, said.out, said.err)

    return run


@contextmanager
def write_lock_held(database: Database, *, for_seconds: float | None = None
                    ) -> Iterator[threading.Event]:
    """Another import holding `database`'s bulk-write turn (begin_bulk) in a thread of its own,
    until the block ends, or `for_seconds` have passed; the event it waits on, to end it sooner.
    """
    holding, release = threading.Event(), threading.Event()

    def writer() -> None:
        with database.begin_bulk():
            holding.set()
            release.wait(30)

    other = threading.Thread(target=writer)
    other.start()
    assert holding.wait(10), "the other import never got the write lock"
    timer = threading.Timer(for_seconds, release.set) if for_seconds is not None else None
    if timer is not None:
        timer.start()
    try:
        yield release
    finally:
        release.set()
        other.join(10)
        if timer is not None:
            timer.cancel()
