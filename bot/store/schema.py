"""Schema versions: Alembic migrations shipped inside the package."""

from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


@dataclass(frozen=True)
class SchemaState:
    """Where a database's schema stands against this sellerbot's migrations."""

    current: str | None
    head: str

    @property
    def is_new(self) -> bool:
        """No migration was ever applied."""
        return self.current is None

    @property
    def is_current(self) -> bool:
        """The schema is what this sellerbot expects."""
        return self.current == self.head


def _config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def state(engine: Engine) -> SchemaState:
    """Read the database's schema revision."""
    head = ScriptDirectory.from_config(_config(engine)).get_current_head()
    assert head is not None
    with engine.connect() as conn:
        current = MigrationContext.configure(conn).get_current_revision()
    return SchemaState(current=current, head=head)


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Apply every migration up to `revision`."""
    command.upgrade(_config(engine), revision)
