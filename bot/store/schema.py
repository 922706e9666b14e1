"""Schema versions: Alembic migrations shipped inside the package.

Every command checks the schema before it starts, so the check reads what it needs without
Alembic (about 80 ms to import): the head is the newest migration file, since each revision is
numbered like its file (0001_initial.py is "0001"; tests/test_store.py holds that), and the
database's revision is the row Alembic keeps in alembic_version. Alembic itself loads only to
upgrade.

A new database is built from the models in one step and recorded at the head, as Alembic's
cookbook advises ("Building an Up to Date Database from Scratch"), not by replaying every
migration: that imports Alembic with Mako and Pygments and replays thirteen steps, 0.13 s of a
first import or `sellerbot demo` (bench/import_orders.py). tests/test_store.py holds that both
ways build the same tables, indexes and constraints, on SQLite and on PostgreSQL.
"""

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Column, Engine, MetaData, PrimaryKeyConstraint, String, Table, inspect, text

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).resolve().parent / "migrations"

# The table where Alembic keeps a database's revision, as Alembic itself creates it.
VERSIONS = Table(
    "alembic_version", MetaData(),
    Column("version_num", String(32), nullable=False),
    PrimaryKeyConstraint("version_num", name="alembic_version_pkc"),
)


@dataclass(frozen=True)
class SchemaState:
    """Where a database's schema stands against this sellerbot's migrations."""

    current: str | None
    head: str
    # For a database no migration was applied to: the tables of sellerbot's names it holds
    # already (another program's), which creating sellerbot's would collide with.
    taken: tuple[str, ...] = ()

    @property
    def is_new(self) -> bool:
        """No migration was ever applied."""
        return self.current is None

    @property
    def is_current(self) -> bool:
        """The schema is what this sellerbot expects."""
        return self.current == self.head

    @property
    def is_ahead(self) -> bool:
        """A newer sellerbot upgraded it (revisions are numbered in order, 0001 on)."""
        return self.current is not None and self.current > self.head


def _config(engine: Engine) -> "Config":
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def head() -> str:
    """This sellerbot's newest schema revision: the number of its newest migration file."""
    return max(path.name[:4] for path in (MIGRATIONS / "versions").glob("[0-9]" * 4 + "_*.py"))


def state(engine: Engine) -> SchemaState:
    """Read the database's schema revision."""
    with engine.connect() as conn:
        current, taken = None, ()
        if inspect(conn).has_table("alembic_version"):
            current = conn.scalar(text("SELECT version_num FROM alembic_version"))
        else:
            # Loaded here: only a database without a version needs the tables' names.
            from bot.store.models import metadata

            present = set(inspect(conn).get_table_names())
            taken = tuple(sorted(name for name in metadata.tables if name in present))
    return SchemaState(current=current, head=head(), taken=taken)


# The advisory lock a new PostgreSQL database's build holds (a number sellerbot's own).
_BUILD_LOCK = 0x5E11E7B07


def create(engine: Engine) -> None:
    """Build a new database's tables as the models describe them, at the head revision."""
    # Loaded here: only a new database needs the tables' definitions to open (wiring, and so
    # every command, imports this module).
    from bot.store.models import metadata

    with engine.begin() as conn:
        # One process builds it, whole or not at all. SQLite: pysqlite runs DDL outside any
        # transaction unless one is begun, so a build stopped halfway (Ctrl-C) left tables
        # without their version; the write lock also makes a second process starting on the
        # same new file wait. PostgreSQL: DDL is transactional; a lock of the transaction's
        # makes a second process wait. The one that waited finds it built.
        if engine.dialect.name == "sqlite":
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _BUILD_LOCK})
        if inspect(conn).has_table(VERSIONS.name):
            return
        # Not checkfirst: a table of that name already there (another program's, in a shared
        # PostgreSQL database) fails the build, as the first migration would, not taken as ours.
        metadata.create_all(conn, checkfirst=False)
        VERSIONS.create(conn)
        conn.execute(VERSIONS.insert().values(version_num=head()))


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Apply every migration up to `revision`."""
    from alembic import command

    command.upgrade(_config(engine), revision)
