"""Driver rows into records, without per-value SQLAlchemy processing: the read side of writer.

A report reads thousands of orders; SQLAlchemy's result processing (two Python calls per time
value) was half of `orders at-risk` at a million orders (bench/digest.py). A reader, made once
per record type and dialect, converts only the values that need it (times, money, enums) and
builds the record from the row in its field order.
"""

from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum
from functools import cache, lru_cache
from typing import Any, get_args, get_type_hints

from sqlalchemy import Table


def _sqlite_time(value: float) -> datetime:
    # fromtimestamp rounds to the microsecond, undoing the double's rounding (driver_rows.py).
    return datetime.fromtimestamp(value, UTC)


def _pg_time(value: datetime) -> datetime:
    return value.astimezone(UTC)


@lru_cache(maxsize=4096)
def _sqlite_money(value: float | int) -> Decimal:
    # A REAL from a NUMERIC(12, 2) column: exact once rounded to the cent, as SQLAlchemy does.
    # Cached: a store holds a few thousand distinct prices, read again and again.
    return Decimal(f"{value:.2f}")


def field_types(record: type) -> dict[str, type]:
    """A record's fields and their types, Optional unwrapped: what the row functions convert."""
    types = {}
    for name, hint in get_type_hints(record).items():
        args = [a for a in get_args(hint) if a is not type(None)]
        types[name] = args[0] if args else hint
    return types


def _converter(dialect: str, python_type: type) -> Callable[[Any], Any] | None:
    """The function turning a driver's value (never None) into a `python_type`; None when the
    driver's value is one already."""
    if isinstance(python_type, type) and issubclass(python_type, Enum):
        return {member.value: member for member in python_type}.__getitem__
    if dialect == "sqlite":
        if issubclass(python_type, datetime):
            return _sqlite_time
        if issubclass(python_type, date):
            return date.fromisoformat
        if issubclass(python_type, Decimal):
            return _sqlite_money
        if issubclass(python_type, bool):
            return bool
        return None
    return _pg_time if issubclass(python_type, datetime) else None


class _Reader:
    """A raw row of a record's columns (in its field order) as the record."""

    def __init__(self, record: type, conversions: list[tuple[int, Callable[[Any], Any]]]) -> None:
        self.record, self.conversions = record, conversions

    def __call__(self, row: tuple) -> Any:
        """The record `row` holds."""
        values = list(row)
        for i, convert in self.conversions:
            value = values[i]
            if value is not None:
                values[i] = convert(value)
        return self.record(*values)


@cache
def reader(dialect: str, record: type, table: Table) -> tuple[list[Any], Callable[[tuple], Any]]:
    """The columns to select for `record` (in its field order) and a function from a raw row
    of them to the record. Fields the table lacks (an Order's `items`) keep their default."""
    types = field_types(record)
    names = [name for name in types if name in table.c]
    # Rows become records by position: the stored fields must come first (an Order's `items`,
    # which no column holds, after them).
    assert names == list(types)[: len(names)], f"{record.__name__}: stored fields first"
    conversions = [(n, convert) for n, name in enumerate(names)
                   if (convert := _converter(dialect, types[name])) is not None]
    return [table.c[name] for name in names], _Reader(record, conversions)
