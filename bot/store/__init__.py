"""The store: SQLite by default, PostgreSQL via DATABASE_URL. Tables never leave this package.

`Database` loads when first asked for (a module `__getattr__`, PEP 562), not with the package:
an import's parser process needs only bot/store/driver_rows.py, and starts without SQLAlchemy.
"""

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.store.database import Database

__all__ = ["Database"]


def __getattr__(name: str) -> object:
    """`Database`, imported on first use."""
    if name == "Database":
        from bot.store.database import Database

        return Database
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
