"""The database: engine, connections and the schema version check."""

import logging
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, OperationalError

from bot.errors import StoreError
from bot.store import schema

log = logging.getLogger(__name__)

# PostgreSQL: seconds to wait for a connection before saying the database cannot be reached.
CONNECT_TIMEOUT_SECONDS = 10
# How long a SQLite statement waits for another writer before "database is locked".
BUSY_TIMEOUT_MS = 10_000
# Imports and syncs take turns (begin_bulk): one waits this long for the other at most. A
# million-row import takes under a minute (bench/import_orders.py).
BULK_WAIT_SECONDS = 30 * 60
# How long the first try at the write lock waits before saying it waits.
QUICK_TRY_MS = 200
# The PostgreSQL advisory lock that imports and syncs take turns on (any fixed number).
BULK_LOCK_KEY = 0x5E11E6B07
# SQLite page cache sizes in KiB: SQLite's default, and the one for bulk writes.
DEFAULT_CACHE_KIB = 2000
BULK_CACHE_KIB = 32 * 1024


def _null(value: None) -> None:
    return value


# sqlite3 binds None as NULL, but first looks for an adapter for it, and fails the slow way
# (an AttributeError made and dropped for every None). Registered, the lookup finds one that
# hands None back: the write of bench/import_orders.py's report, whose orders mostly leave a
# deadline and a merchant order id empty, does 6 % less work (instructions counted). The table
# is the process's: None stays NULL for every user of sqlite3.
sqlite3.register_adapter(type(None), _null)


def _sqlite_pragmas(dbapi_connection: object, _record: object) -> None:
    cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
    # Wait for a writer instead of failing at once with "database is locked": first, as
    # turning a new file to WAL below needs the lock another process building it holds.
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    # SQLite ignores foreign keys unless asked, per connection.
    cursor.execute("PRAGMA foreign_keys=ON")
    # WAL lets Slack requests read while an import or sync writes.
    _wal(cursor)
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _wal(cursor: sqlite3.Cursor) -> None:
    """Turn the file to WAL, once for good. Two processes opening one new file at the same
    moment both try: SQLite tells the second "locked" at once, without its busy timeout, so
    it waits its turn here, as long as that timeout."""
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def safe_url(url: str) -> str:
    """`url` with any password hidden, fit for messages."""
    return make_url(url).render_as_string(hide_password=True)


def dialect_of(url: str) -> str:
    """The database kind `url` names, "sqlite" or "postgresql", without connecting."""
    return make_url(url).get_backend_name()


def make_engine(url: str, statement_timeout: float | None = None) -> Engine:
    """Create an engine for `url`; parameters never reach logs or error messages (buyer data).

    PostgreSQL gives up connecting after CONNECT_TIMEOUT_SECONDS (a server that accepts and
    never answers would hang every command) unless the URL sets its own connect_timeout, and
    with `statement_timeout` (seconds) ends any statement that runs longer.
    """
    parsed = make_url(url)
    kwargs: dict = {"hide_parameters": True}
    if parsed.get_backend_name() == "postgresql":
        kwargs["pool_pre_ping"] = True
        connect_args: dict = {}
        if "connect_timeout" not in parsed.query:
            connect_args["connect_timeout"] = CONNECT_TIMEOUT_SECONDS
        # sellerbot's queries are short index scans: PostgreSQL's JIT compiles each for longer
        # than it runs (the digest over a million orders: 480 ms with it, bench/digest.py).
        # Times are handed over in UTC whatever the server's own TimeZone: sellerbot turns them
        # into the seller's zone itself, and psycopg converts each time into a zone other than
        # UTC one by one (four times of each of 32,933 open orders: 78 ms to fetch with
        # Debian's Etc/UTC, 39 ms with UTC).
        own = "-c jit=off -c timezone=UTC"
        if statement_timeout is not None:
            own += f" -c statement_timeout={int(statement_timeout * 1000)}"
        # Beside any options the URL already sets (a search_path): connect_args would replace
        # them, not add to them.
        given = parsed.query.get("options")
        given = " ".join(given) if isinstance(given, tuple) else given
        connect_args["options"] = f"{given} {own}" if given else own
        kwargs["connect_args"] = connect_args
    engine = create_engine(parsed, **kwargs)
    if parsed.get_backend_name() == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


class Database:
    """One database: hands out transactions and keeps its schema current."""

    def __init__(self, url: str, statement_timeout: float | None = None) -> None:
        self.url = url
        self.engine = make_engine(url, statement_timeout)

    @classmethod
    def open(cls, url: str, statement_timeout: float | None = None) -> "Database":
        """Open the database at `url`: a new one gets its tables, an outdated one is refused.
        `statement_timeout` (seconds, PostgreSQL) bounds every statement: for the server."""
        db = cls(url, statement_timeout)
        state = db.schema_state()
        db.refuse_taken(state)
        if state.is_new:
            log.info("new database: creating the tables")
            schema.create(db.engine)
        elif not state.is_current:
            code = "db_ahead" if state.is_ahead else "db_behind"
            raise StoreError(code, current=state.current, head=state.head)
        return db

    def schema_state(self) -> schema.SchemaState:
        """Where this database's schema stands; raises StoreError when it cannot be reached."""
        try:
            return schema.state(self.engine)
        except DBAPIError as exc:  # unreachable, or not a database ("file is not a database")
            reason = str(exc.orig).strip().splitlines()[0] if exc.orig else type(exc).__name__
            raise StoreError("db_unreachable", url=self.safe_url, reason=reason) from None

    def refuse_taken(self, state: schema.SchemaState) -> None:
        """StoreError when another program's tables hold the names of sellerbot's: this is
        not sellerbot's database, and creating its tables would fail halfway."""
        if state.is_new and state.taken:
            raise StoreError("db_not_sellerbots", url=self.safe_url, tables=list(state.taken))

    def upgrade(self) -> None:
        """Build the tables of a new database, or apply the migrations an older one lacks."""
        state = self.schema_state()
        self.refuse_taken(state)
        if state.is_new:
            schema.create(self.engine)
        elif state.is_ahead:  # no migration of this version knows it, or goes back
            raise StoreError("db_ahead", current=state.current, head=state.head)
        else:
            schema.upgrade(self.engine)

    @property
    def safe_url(self) -> str:
        """The URL with any password hidden, fit for messages."""
        return safe_url(self.url)

    @property
    def dialect(self) -> str:
        """"sqlite" or "postgresql"."""
        return self.engine.dialect.name

    @contextmanager
    def begin(self) -> Iterator[Connection]:
        """A connection in a transaction: committed on success, rolled back on any error."""
        with self.engine.begin() as conn:
            yield conn

    @contextmanager
    def begin_bulk(self, on_wait: Callable[[], None] | None = None) -> Iterator[Connection]:
        """A transaction for writing many rows (an import, a sync), taken one at a time: when
        another holds it, `on_wait` is called once and this one waits its turn (at most
        BULK_WAIT_SECONDS). On SQLite the transaction is tuned for bulk writes.

        Taking turns is what keeps two imports of the same orders from deadlocking each other
        on PostgreSQL (row locks taken in different orders) and from failing after SQLite's
        busy timeout; each then counts its new orders against the other's committed ones.
        The caller must check that order lines have their order (store.writer does), since
        SQLite's own foreign-key check is off for the transaction.
        """
        if self.dialect != "sqlite":
            with self.begin() as conn:
                # Writing many rows, or waiting for another writer, may take longer than the
                # server's statement timeout allows a Slack request: bulk work has its own.
                conn.exec_driver_sql(f"SET LOCAL statement_timeout = '{BULK_WAIT_SECONDS}s'")
                _advisory_lock(conn, on_wait)
                yield conn
            return
        with self.engine.connect() as conn:
            # SQLite's default cache of 2 MB thrashes once the order tables outgrow it, which
            # nearly doubles the time of a million-row import; 32 MB holds their upper levels.
            # Foreign-key checks cost a lookup per line that the writer's own check makes
            # once per batch. Both pragmas must be set outside a transaction.
            conn.exec_driver_sql(f"PRAGMA cache_size=-{BULK_CACHE_KIB}")
            conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
            conn.commit()  # ends SQLAlchemy's autobegun (empty) transaction
            try:
                with conn.begin():
                    _write_lock(conn, on_wait)
                    yield conn
            finally:
                conn.exec_driver_sql(f"PRAGMA cache_size=-{DEFAULT_CACHE_KIB}")
                conn.exec_driver_sql("PRAGMA foreign_keys=ON")
                conn.exec_driver_sql(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
                conn.commit()

    def analyze(self) -> None:
        """After a large write: PostgreSQL's planner statistics of the order tables, now.
        Autovacuum notices a big import only minutes later, and until then plans by guesses
        (bench/digest.py). SQLite keeps no statistics sellerbot's queries need."""
        if self.dialect == "postgresql":
            with self.begin() as conn:
                conn.exec_driver_sql("ANALYZE orders, order_items, returns")

    def close(self) -> None:
        """Release every pooled connection."""
        self.engine.dispose()


def _advisory_lock(conn: Connection, on_wait: Callable[[], None] | None) -> None:
    """PostgreSQL: this transaction's turn at bulk writing, held until it ends."""
    if conn.scalar(text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": BULK_LOCK_KEY}):
        return
    if on_wait is not None:
        on_wait()
    conn.exec_driver_sql(f"SET LOCAL lock_timeout = '{BULK_WAIT_SECONDS}s'")
    try:
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": BULK_LOCK_KEY})
    except OperationalError:
        raise StoreError("db_busy", minutes=BULK_WAIT_SECONDS // 60) from None
    conn.exec_driver_sql("SET LOCAL lock_timeout TO DEFAULT")


def _write_lock(conn: Connection, on_wait: Callable[[], None] | None) -> None:
    """SQLite: the database's write lock, now (BEGIN IMMEDIATE), held until the transaction
    ends; a deferred transaction that reads first fails with "database is locked" if another
    writer commits before it writes."""
    # A short first try: a Slack click's one-row write is over by then; an import is not. Then
    # short tries until the deadline, not one long one: SQLite waits inside C, where Ctrl-C
    # would go unheard for as long as the wait.
    conn.exec_driver_sql(f"PRAGMA busy_timeout={QUICK_TRY_MS}")
    deadline = time.monotonic() + BULK_WAIT_SECONDS
    while True:
        try:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
            return
        except OperationalError as exc:
            if "locked" not in str(exc.orig):
                raise
        if on_wait is not None:
            on_wait()
            on_wait = None  # said once
        if time.monotonic() > deadline:
            raise StoreError("db_busy", minutes=BULK_WAIT_SECONDS // 60)
