"""Records as the driver's rows: the write side of bot/store/rows.py, without SQLAlchemy.

An import's parser process (bot/usecases/import_pipeline.py) makes rows with this module and
the domain alone: started without SQLAlchemy, it has its first batch ready 0.2 s sooner and
holds 23 MB less (bench/import_orders.py).
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import Enum, StrEnum
from functools import lru_cache
from operator import attrgetter
from typing import Any


def sqlite_time(value: datetime | None) -> float | None:
    """How SQLite stores a time: Unix epoch seconds (UTC by definition), e.g. 1795710317.115549.

    A double keeps microseconds exactly for centuries to come, compares and sorts as a number,
    and costs a fifth of formatting ISO text at a million rows (bench/import_orders.py).
    In the sqlite3 shell, datetime(column, 'unixepoch') shows it as a date and time.
    """
    if value is None:
        return None
    if value.tzinfo is None:
        raise ValueError("naive datetime: sellerbot stores only timezone-aware times")
    return value.timestamp()


@lru_cache(maxsize=4096)
def sqlite_amount(value: Decimal) -> float:
    """How SQLite stores an amount: what it makes of '12.99' in a NUMERIC column. SQLAlchemy's
    Numeric reads the REAL back rounded to the column's scale, so the Decimal survives exactly.

    Cached: a report repeats the same prices, taxes and charges line after line, and float()
    reads a Decimal through its text: a quarter of the row makers' time for the lines of
    bench/import_orders.py's report (timed in one process), where nine amounts in ten are found
    here.
    """
    return float(value)


def aware_time(value: datetime) -> datetime:
    """A time for PostgreSQL's timestamptz: it must say which instant it is."""
    if value.tzinfo is None:
        # psycopg would read a naive time in the session's zone: refuse, as on SQLite.
        raise ValueError("naive datetime: sellerbot stores only timezone-aware times")
    return value


def converter(dialect: str, python_type: type) -> Callable[[Any], Any] | None:
    """The function turning a value (never None) of `python_type` into what the driver of
    `dialect` ("sqlite" or "postgresql") takes best; None when it takes it as it is.

    sqlite3 binds exact str, int and float directly, but sends anything else (bool, StrEnum,
    Decimal, date, even None) through its adapter lookup, which costs more than converting here.
    """
    if dialect == "sqlite":
        if issubclass(python_type, datetime):
            return sqlite_time
        if issubclass(python_type, bool):
            return int
        if issubclass(python_type, StrEnum):
            # A StrEnum member is a str whose text is its value: str() makes it a plain one.
            return str
        if issubclass(python_type, Decimal):
            return sqlite_amount
        if issubclass(python_type, date):
            return date.isoformat
        return None
    # psycopg takes aware datetimes, dates and Decimals natively, but writes an Enum's name.
    if issubclass(python_type, datetime):
        return aware_time
    return enum_value if issubclass(python_type, Enum) else None


def enum_value(member: Enum) -> Any:
    """What an Enum member stands for, as PostgreSQL stores it."""
    return member.value


@dataclass(frozen=True)
class Rows:
    """Records of one kind as the driver takes them: the columns they state, and the values of
    each column. Kept by column: a batch's pickle, from the parser process to the writer,
    costs 40 % less so than as rows (bot/usecases/import_pipeline.py)."""

    names: tuple[str, ...]
    columns: list[Sequence]

    def __len__(self) -> int:
        """How many records."""
        return len(self.columns[0])

    def tuples(self) -> list[tuple]:
        """A tuple per record, for the driver's executemany."""
        return list(zip(*self.columns, strict=True))

    def with_column(self, name: str, value: Any) -> "Rows":
        """These rows with one more column, `value` in every row."""
        return Rows((*self.names, name), [*self.columns, [value] * len(self)])


@dataclass
class RowMaker:
    """Turns a batch of records of one kind into Rows, column by column; two are equal when
    they make the same rows.

    A column no record of the batch states (all None) is left out, so the write leaves it as
    the store has it, exactly as a None would (bot/store/merge.py): sqlite3 binds a None
    through an adapter lookup (bot/store/database.py), which, failing, made a third of an
    import's write. Converting a batch a column at a time costs one comprehension per
    column, not a call per record.
    """

    fields: list[str]
    converters: list[Callable[[Any], Any] | None]
    extras: dict[str, Any]

    def __post_init__(self) -> None:
        self.readers = [attrgetter(name) for name in self.fields]

    def __call__(self, records: Sequence) -> Rows:
        """The rows of `records` (at least one), in their order; `extras` are the write's own
        columns."""
        names: list[str] = []
        columns: list[Sequence] = []
        for name, read, convert in zip(self.fields, self.readers, self.converters, strict=True):
            # A field of every record at once: 12 % less than reading records whole and
            # turning rows into columns (bench/import_orders.py).
            column = list(map(read, records))
            # Most columns are stated by every record or by none: the first value tells the
            # first kind, and count() finds the second ten times faster than all() would.
            if column[0] is None and column.count(None) == len(column):
                continue
            if convert is not None:
                column = [None if value is None else convert(value) for value in column]
            names.append(name)
            columns.append(column)
        for name, value in self.extras.items():
            names.append(name)
            columns.append([value] * len(records))
        return Rows(tuple(names), columns)


RowMakers = dict[type, RowMaker]
"""The RowMaker of each kind of record (bot/store/writer.py, row_makers)."""
