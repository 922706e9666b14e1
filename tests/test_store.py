"""The store: times stay UTC-aware and exact, schema versions are checked, demo rows go cleanly."""

import subprocess
import sys
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import event, inspect, text

from bot.domain.records import Order, OrderItem, OrderStatus
from bot.errors import StoreError
from bot.store import Database, queries, schema
from bot.store.models import metadata
from bot.store.writer import Writer, row_makers

NOW = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)

MOMENTS = [
    datetime(2026, 11, 26, 7, 59, 59, tzinfo=UTC),
    datetime(2026, 3, 8, 9, 59, 59, 999999, tzinfo=UTC),  # the microsecond before US DST starts
    datetime(1999, 12, 31, 23, 59, 59, 1, tzinfo=UTC),
    datetime(2099, 7, 1, 0, 0, 0, 123457, tzinfo=UTC),
    # Not UTC on the way in: stored as the same instant, read back in UTC.
    datetime(2026, 11, 25, 23, 59, 59, tzinfo=timezone(timedelta(hours=-8))),
]


def test_times_round_trip_exactly_and_in_utc(db):
    with db.begin() as conn:
        writer = Writer(conn)
        for n, moment in enumerate(MOMENTS):
            writer.add(Order(order_id=f"111-000000{n}-0000000", purchase_date=moment,
                             latest_ship_date=moment, order_total=Decimal("1234567.89")))
        writer.flush()
    with db.begin() as conn:
        for n, moment in enumerate(MOMENTS):
            order = queries.get_order(conn, f"111-000000{n}-0000000")
            assert order.purchase_date == moment
            assert order.purchase_date.tzinfo is UTC
            assert order.latest_ship_date == moment
            assert order.order_total == Decimal("1234567.89")


def test_naive_times_are_refused(db):
    with db.begin() as conn, pytest.raises(ValueError, match="naive"):
        writer = Writer(conn)
        writer.add(Order(order_id="111-0000000-0000000", purchase_date=datetime(2026, 1, 1)))
        writer.flush()


def test_a_batch_binds_only_the_columns_its_records_state_as_plain_values():
    # sqlite3 binds exact str, int and float directly; a None or a subclass costs it a failed
    # adapter lookup each (bot/store/driver_rows.py).
    rows = row_makers("sqlite")[Order]([
        Order("111-0000000-0000001", status=OrderStatus.SHIPPED, is_business=True),
        Order("111-0000000-0000002", order_total=Decimal("12.30")),
    ])
    assert rows.names == ("order_id", "status", "is_business", "order_total", "is_demo")
    assert rows.tuples() == [("111-0000000-0000001", "Shipped", 1, None, 0),
                             ("111-0000000-0000002", None, None, 12.3, 0)]
    assert {type(value) for row in rows.tuples() for value in row} == {
        str, int, float, type(None)}


def test_a_none_binds_as_null_through_an_adapter_that_hands_it_back():
    # bot/store/database.py: sqlite3's failed adapter lookup for None (an AttributeError per
    # value) is a lookup that finds one; what it binds stays NULL, in every column type.
    import sqlite3

    import bot.store.database  # noqa: F401 - registers it

    assert sqlite3.adapters[(type(None), sqlite3.PrepareProtocol)](None) is None
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE t (amount NUMERIC(12, 2), name TEXT, at FLOAT, n INTEGER)")
    conn.execute("INSERT INTO t VALUES (?, ?, ?, ?)", (None, None, None, None))
    assert conn.execute("SELECT typeof(amount), typeof(name), typeof(at), typeof(n) FROM t"
                        ).fetchone() == ("null", "null", "null", "null")
    conn.close()


def test_an_order_that_comes_again_is_updated_not_duplicated(db):
    for when, status in ((NOW, OrderStatus.UNSHIPPED), (NOW + timedelta(days=1), OrderStatus.SHIPPED)):
        with db.begin() as conn:
            writer = Writer(conn)
            writer.add(Order(order_id="111-0000000-0000001", status=status, last_update=when,
                             purchase_date=NOW))
            writer.flush()
    with db.begin() as conn:
        assert queries.count_orders(conn) == 1
        assert queries.count_orders(conn, since=NOW - timedelta(seconds=1)) == 1
        assert queries.count_orders(conn, since=NOW) == 0
        assert queries.get_order(conn, "111-0000000-0000001").status is OrderStatus.SHIPPED


def test_demo_rows_are_removed_with_their_lines_and_real_ones_stay(db):
    with db.begin() as conn:
        for demo, order_id in ((True, "111-0000000-0000001"), (False, "111-0000000-0000002")):
            writer = Writer(conn, demo=demo)
            writer.add(Order(order_id=order_id, status=OrderStatus.UNSHIPPED))
            writer.add(OrderItem(order_id=order_id, sku="SKU-1", quantity_ordered=1))
            writer.flush()
    with db.begin() as conn:
        queries.delete_demo(conn)
    with db.begin() as conn:
        assert queries.get_order(conn, "111-0000000-0000001") is None
        assert conn.execute(text("SELECT count(*) FROM order_items")).scalar() == 1
        assert len(queries.get_order(conn, "111-0000000-0000002").items) == 1


def test_finding_the_demo_orders_reads_no_whole_table(tmp_path):
    # Every import and sync removes them: on a store of a million orders, a full read each time.
    db = Database.open(f"sqlite:///{tmp_path / 'plan.db'}")
    seen: list[str] = []
    event.listen(db.engine, "before_cursor_execute",
                 lambda conn, cursor, statement, *_: seen.append(statement))
    with db.begin() as conn:
        queries.delete_demo(conn)
        queries.demo_order_ids(conn)
        plans = {statement: " ".join(row[-1] for row in conn.exec_driver_sql(
            f"EXPLAIN QUERY PLAN {statement}").all()) for statement in list(seen)}
    assert len(plans) == 4, plans
    for statement, plan in plans.items():
        if "returns" not in statement:  # a table of its own size, not the orders'
            assert "SCAN orders USING INDEX ix_orders_demo" in plan or "SCAN" not in plan, plan


def test_a_new_database_gets_its_tables(tmp_path):
    db = Database.open(f"sqlite:///{tmp_path / 'new.db'}")
    state = db.schema_state()
    assert state.is_current and state.current == state.head


def test_the_migrations_build_the_tables_the_models_describe(new_database):
    engine = Database(new_database()).engine
    schema.upgrade(engine)  # every migration, from the first
    with engine.connect() as conn:
        # SQLite reflects its own type names (REAL for a time, VARCHAR without a length check);
        # PostgreSQL's types are compared too.
        context = MigrationContext.configure(
            conn, opts={"compare_type": conn.dialect.name != "sqlite"})
        differences = compare_metadata(context, metadata)
    assert differences == []
    engine.dispose()


def _affinity(declared: str) -> str:
    """What SQLite makes of a column's declared type (sqlite.org/datatype3.html §3.1): all it
    keeps of it. VARCHAR(64) and TEXT are both TEXT; SQLite checks no length (migration 0004
    left SQLite's VARCHARs as they were for that reason)."""
    declared = declared.upper()
    for part, affinity in (("INT", "INTEGER"), ("CHAR", "TEXT"), ("CLOB", "TEXT"),
                           ("TEXT", "TEXT"), ("BLOB", "BLOB"), ("REAL", "REAL"),
                           ("FLOA", "REAL"), ("DOUB", "REAL")):
        if part in declared:
            return affinity
    return "BLOB" if not declared else "NUMERIC"


def _schema(url: str) -> dict:
    """Everything a database's schema says, table by table, in a form that compares: columns
    by name (migrations add columns at the end), their types (on SQLite, what it makes of
    them), keys, indexes and constraints."""
    def words(clause: object) -> str:
        return " ".join(str(clause).split())

    engine = Database(url).engine
    kind = str if engine.dialect.name == "postgresql" else lambda t: _affinity(str(t))
    found = {}
    with engine.connect() as conn:
        look = inspect(conn)
        for table in look.get_table_names():
            found[table] = {
                "columns": {c["name"]: (kind(c["type"]), c["nullable"], words(c["default"]))
                            for c in look.get_columns(table)},
                "key": look.get_pk_constraint(table),
                "foreign": sorted(map(repr, look.get_foreign_keys(table))),
                "indexes": sorted((i["name"], i["column_names"], bool(i["unique"]),
                                   {k: words(v) for k, v in i["dialect_options"].items()})
                                  for i in look.get_indexes(table)),
                "unique": sorted(map(repr, look.get_unique_constraints(table))),
                "checks": sorted((c["name"], words(c["sqltext"]))
                                 for c in look.get_check_constraints(table)),
            }
        found["alembic_version rows"] = conn.execute(
            text("SELECT version_num FROM alembic_version")).all()
    engine.dispose()
    return found


def test_a_new_database_is_built_as_its_migrations_build_it(new_database):
    built, migrated = new_database(), new_database()
    schema.create(Database(built).engine)
    schema.upgrade(Database(migrated).engine)
    assert _schema(built) == _schema(migrated)
    # Alembic reads the built one at the head: its next migration will apply to it.
    engine = Database(built).engine
    with engine.connect() as conn:
        assert MigrationContext.configure(conn).get_current_revision() == schema.head()
    schema.upgrade(engine)
    assert _schema(built) == _schema(migrated)
    engine.dispose()


def test_opening_a_new_database_loads_no_alembic(tmp_path):
    # Alembic, with Mako and Pygments, costs a first import or `sellerbot demo` 0.1 s to load.
    code = ("import sys; from bot.store import Database; "
            f"Database.open('sqlite:///{tmp_path / 'new.db'}'); "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('alembic', 'mako')))")
    shown = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           check=True)
    assert shown.stdout.strip() == "[]"
    assert Database.open(f"sqlite:///{tmp_path / 'new.db'}").schema_state().is_current


def test_a_table_of_another_program_is_not_taken_for_ours(new_database):
    url = new_database()
    other = Database(url)
    with other.begin() as conn:
        conn.execute(text("CREATE TABLE orders (id INTEGER PRIMARY KEY, total TEXT)"))
    # Refused by name before anything is created (it was the driver's "orders already
    # exists", which the CLI could only call something gone wrong).
    with pytest.raises(StoreError) as refused:
        Database.open(url)
    assert (refused.value.code, refused.value.params["tables"]) == ("db_not_sellerbots",
                                                                   ["orders"])
    assert other.schema_state().is_new
    with pytest.raises(StoreError):
        other.upgrade()
    assert other.schema_state().taken == ("orders",)
    other.close()


def test_a_build_stopped_halfway_leaves_nothing_behind(new_database, monkeypatch):
    from bot.store import schema

    # Ctrl-C (or a full disk) between the tables and their version: SQLite kept the tables
    # (pysqlite runs DDL outside a transaction), and every later command refused the file.
    url = new_database()

    def stopped(*_args, **_kwargs):
        raise KeyboardInterrupt

    with monkeypatch.context() as patch:
        patch.setattr(schema.VERSIONS, "create", stopped)
        with pytest.raises(KeyboardInterrupt):
            Database.open(url)
    probe = Database(url)
    assert probe.schema_state().is_new and probe.schema_state().taken == ()
    probe.close()
    assert Database.open(url).schema_state().is_current


def test_two_processes_opening_one_new_database_at_once_both_open_it(new_database):
    import threading

    # The second failed "table orders already exists" while the first built it.
    url = new_database()
    start, opened, failed = threading.Barrier(4), [], []

    def open_it() -> None:
        start.wait()
        try:
            opened.append(Database.open(url))
        except Exception as exc:  # what went wrong is the assertion's message
            failed.append(exc)

    threads = [threading.Thread(target=open_it) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert failed == [] and len(opened) == 4
    assert all(db.schema_state().is_current for db in opened)
    for db in opened:
        db.close()


def at_revision(path, revision: str) -> str:
    """The URL of a new SQLite database at `path`, its schema said to be at `revision`."""
    Database.open(f"sqlite:///{path}").close()
    with Database(f"sqlite:///{path}").begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = :r"), {"r": revision})
    return f"sqlite:///{path}"


def test_an_older_schema_is_refused_with_the_fix(tmp_path):
    url = at_revision(tmp_path / "old.db", "0000")
    with pytest.raises(StoreError) as error:
        Database.open(url)
    assert error.value.code == "db_behind"
    assert error.value.params == {"current": "0000", "head": Database("sqlite://").schema_state().head}


def test_a_schema_a_newer_sellerbot_made_is_refused_with_the_fix_and_not_upgraded(tmp_path, cli):
    # After going back to an older release: 'run sellerbot db upgrade' was the advice, and
    # that command then failed with 'something went wrong (CommandError)'.
    url = at_revision(tmp_path / "newer.db", "9999")
    with pytest.raises(StoreError) as error:
        Database.open(url)
    assert error.value.code == "db_ahead"
    ran = cli("db", "upgrade", env={"DATABASE_URL": url})
    said = ran.stdout + ran.stderr
    assert ran.returncode != 0 and "a newer sellerbot upgraded the database" in said
    assert "something went wrong" not in said


def test_an_unreachable_database_is_a_store_error():
    with pytest.raises(StoreError) as error:
        Database.open("postgresql+psycopg://nobody:secret@127.0.0.1:9/none")
    assert error.value.code == "db_unreachable"
    assert "secret" not in error.value.params["url"]


def test_each_revision_is_numbered_like_its_file_and_the_head_is_alembics():
    # bot/store/schema.py reads the head from the file names, without importing Alembic.
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from bot.store import schema

    config = Config()
    config.set_main_option("script_location", str(schema.MIGRATIONS))
    scripts = ScriptDirectory.from_config(config)
    for revision in scripts.walk_revisions():
        assert revision.path is not None
        assert Path(revision.path).name[:4] == revision.revision
    assert scripts.get_current_head() == schema.head()
