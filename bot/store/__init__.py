"""The store: SQLite by default, PostgreSQL via DATABASE_URL. Tables never leave this package."""

from bot.store.database import Database

__all__ = ["Database"]
