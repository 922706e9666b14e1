"""Column types that keep times timezone-aware in UTC on every database."""

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, Float
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator, TypeEngine

from bot.store.driver_rows import aware_time, sqlite_time


class UTCDateTime(TypeDecorator[datetime]):
    """A point in time: stored in UTC, read back UTC-aware, refused when naive."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        """PostgreSQL has timestamptz; SQLite keeps the epoch seconds of sqlite_time."""
        if dialect.name == "sqlite":
            return dialect.type_descriptor(Float())
        return dialect.type_descriptor(DateTime(timezone=True))

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        """Convert to UTC (to epoch seconds on SQLite); refuse naive times."""
        if dialect.name == "sqlite":
            return sqlite_time(value)
        return None if value is None else aware_time(value).astimezone(UTC)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        """A UTC-aware datetime, whatever the database returned."""
        if value is None:
            return None
        if isinstance(value, float | int):
            # fromtimestamp rounds to the microsecond, which undoes the double's rounding.
            return datetime.fromtimestamp(value, UTC)
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)
