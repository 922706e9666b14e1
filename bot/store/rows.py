"""Driver rows into records, without per-value SQLAlchemy processing: the read side of writer.

A report reads thousands of orders; SQLAlchemy's result processing (two Python calls per time
value) was half of `orders at-risk` at a million orders (bench/digest.py). The functions here
are generated once per record type and dialect and convert a raw row in one call.
"""

from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum
from functools import cache, lru_cache
from typing import Any, get_args, get_type_hints

from sqlalchemy import Table


def _sqlite_time(value: float) -> datetime:
    # fromtimestamp rounds to the microsecond, undoing the double's rounding (store/types.py).
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


def _expression(dialect: str, python_type: type, operand: str) -> str:
    if issubclass(python_type, Enum):
        return f"{python_type.__name__}_[{operand}]"  # a dict that maps None to None
    if dialect == "sqlite":
        if issubclass(python_type, datetime):
            convert = "sqlite_time({v})"
        elif issubclass(python_type, date):
            convert = "date_({v})"
        elif issubclass(python_type, Decimal):
            convert = "money({v})"
        elif issubclass(python_type, bool):
            convert = "bool({v})"
        else:
            return operand
    elif issubclass(python_type, datetime):
        convert = "pg_time({v})"
    else:
        return operand
    return f"(None if {operand} is None else {convert.format(v=operand)})"


@cache
def reader(dialect: str, record: type, table: Table) -> tuple[list[Any], Callable[[tuple], Any]]:
    """The columns to select for `record` (in its field order) and a function from a raw row
    of them to the record. Fields the table lacks (an Order's `items`) keep their default."""
    types = field_types(record)
    names = [name for name in types if name in table.c]
    namespace: dict[str, Any] = {
        "record": record, "sqlite_time": _sqlite_time, "pg_time": _pg_time,
        "money": _sqlite_money, "date_": date.fromisoformat,
    }
    for python_type in types.values():
        if isinstance(python_type, type) and issubclass(python_type, Enum):
            namespace[f"{python_type.__name__}_"] = {None: None} | {m.value: m for m in python_type}
    parts = [_expression(dialect, types[name], f"row[{n}]") for n, name in enumerate(names)]
    function = eval(f"lambda row: record({', '.join(parts)})", namespace)  # noqa: S307
    return [table.c[name] for name in names], function
