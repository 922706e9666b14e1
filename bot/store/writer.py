"""Bulk upserts of records inside one transaction: the path every import and sync takes.

Rows are merged, never duplicated: orders by order id, lines by (order id, SKU), returns by
(order id, RMA id, SKU). A record with a newer last update wins the fields it states; an older
one, or one that does not say when it is from, only fills fields still empty; a field a source
does not state (None) never erases what the store knows. Re-importing changes nothing.

Speed (bench/import_orders.py) comes from executemany on the driver's cursor with statements
compiled once (on PostgreSQL, COPY for large batches: bot/store/pg_copy.py), and values
converted by a per-dialect row builder (only the values that need it: times, enums, money)
instead of per-value SQLAlchemy bind processing.
"""

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from functools import cache, partial
from operator import attrgetter
from typing import Any

from sqlalchemy import Connection, Table, bindparam, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Dialect

from bot.domain.records import Channel, Order, OrderItem, OrderStatus, ReturnRequest
from bot.errors import StoreError
from bot.store.merge import merged_values
from bot.store.models import ORDER_ITEMS, ORDERS, RETURNS
from bot.store.pg_copy import COPY_FROM_ROWS, CopyUpsert
from bot.store.rows import field_types
from bot.store.types import aware_time, sqlite_time

# Rows per executemany: large enough to amortise the call, small enough to keep memory flat.
BATCH_SIZE = 5000


def _converter(dialect: str, python_type: type) -> Callable[[Any], Any] | None:
    """The function turning a value (never None) of `python_type` into what the driver takes
    best; None when the driver takes it as it is.

    sqlite3 binds exact str, int, float and None directly, but sends anything else (bool,
    StrEnum, Decimal, date) through its adapter lookup, which costs more than converting here.
    """
    if dialect == "sqlite":
        if issubclass(python_type, datetime):
            return sqlite_time
        if issubclass(python_type, Enum | bool):
            return _PLAIN.__getitem__
        if issubclass(python_type, Decimal):
            # What SQLite does with '12.99' in a NUMERIC column; SQLAlchemy's Numeric reads
            # the REAL back rounded to the column's scale, so the Decimal survives exactly.
            return float
        if issubclass(python_type, date):
            return date.isoformat
        return None
    # psycopg takes aware datetimes, dates and Decimals natively, but writes an Enum's name.
    if issubclass(python_type, datetime):
        return aware_time
    return attrgetter("value") if issubclass(python_type, Enum) else None


# Exact values for bools and enum members: a dict lookup is the cheapest conversion there is.
_PLAIN: dict[Any, Any] = {
    True: 1, False: 0,
    **{member: member.value for enum in (OrderStatus, Channel) for member in enum},
}


class _Row:
    """A record as its upsert's parameters: its values in the statement's order, each
    converted for the driver, and the write's extra columns (is_demo) in their places."""

    def __init__(self, dialect: str, order: list[str], types: dict[str, type],
                 extra: tuple[str, ...]) -> None:
        fields = [name for name in order if name not in extra]
        self.values = attrgetter(*fields)
        self.conversions = [(i, convert) for i, name in enumerate(fields)
                            if (convert := _converter(dialect, types[name])) is not None]
        self.extras = sorted((order.index(name), extra.index(name)) for name in extra)

    def __call__(self, record: Any, x: tuple) -> tuple:
        """The parameters for `record`; `x` holds the extra columns' values."""
        values = list(self.values(record))
        for i, convert in self.conversions:
            value = values[i]
            if value is not None:
                values[i] = convert(value)
        for at, k in self.extras:
            values.insert(at, x[k])
        return tuple(values)


class _Upsert:
    """One compiled upsert statement and the function turning a record into its parameters."""

    def __init__(self, dialect: type[Dialect], table: Table, record: type, key: tuple[str, ...],
                 extra: tuple[str, ...]) -> None:
        types = field_types(record)
        columns = [name for name in types if name in table.c] + list(extra)
        insert = postgresql.insert if dialect.name == "postgresql" else sqlite.insert
        statement = insert(table).values({name: bindparam(name) for name in columns})
        updated = [name for name in columns if name not in key]
        merged = merged_values(table, updated, extra, statement.excluded)
        statement = statement.on_conflict_do_update(index_elements=list(key), set_=merged)

        # Positional parameters, so rows can be plain tuples for the driver's executemany.
        positional = dialect(paramstyle="qmark" if dialect.name == "sqlite" else "format")
        compiled = statement.compile(dialect=positional)
        self.sql = str(compiled)
        self.extra = extra
        self._dialect = dialect.name
        order = list(compiled.positiontup or ())
        # Writer reads a row's order id from its first value.
        assert order[0] == "order_id"
        self.row = _Row(dialect.name, order, types, extra)
        # PostgreSQL takes large batches by COPY (bot/store/pg_copy.py), in the same row shape.
        self.copy = CopyUpsert(table, order, key, extra) if dialect.name == "postgresql" else None

    def extras(self, values: dict[str, Any]) -> tuple:
        """The extra columns' values (same for every row of a write), converted for the driver."""
        converted = []
        for name in self.extra:
            value, convert = values[name], _converter(self._dialect, type(values[name]))
            converted.append(value if value is None or convert is None else convert(value))
        return tuple(converted)


_TABLES: dict[type, tuple[Table, tuple[str, ...], tuple[str, ...]]] = {
    Order: (ORDERS, ("order_id",), ("is_demo",)),
    OrderItem: (ORDER_ITEMS, ("order_id", "sku"), ()),
    ReturnRequest: (RETURNS, ("order_id", "amazon_rma_id", "sku"), ("is_demo",)),
}


@cache
def _upsert(dialect: type[Dialect], record: type) -> _Upsert:
    table, key, extra = _TABLES[record]
    return _Upsert(dialect, table, record, key, extra)


RowBuilders = dict[type, Callable[[Any], tuple]]


def row_builders(dialect: type[Dialect], *, demo: bool = False) -> RowBuilders:
    """Functions turning each kind of record into a row for `dialect`'s upsert.

    Picklable inputs only, so a parser in another process can build rows
    (bot/usecases/import_pipeline.py).
    """
    builders: RowBuilders = {}
    extras = {"is_demo": demo}
    for record in _TABLES:
        upsert = _upsert(dialect, record)
        builders[record] = partial(upsert.row, x=upsert.extras(extras))
    return builders


class Writer:
    """Upserts rows in batches on one connection's open transaction: orders before lines."""

    def __init__(self, conn: Connection, *, demo: bool = False,
                 batch_size: int = BATCH_SIZE) -> None:
        self._conn = conn
        self._batch_size = batch_size
        dialect = type(conn.dialect)
        self._upserts = {record: _upsert(dialect, record) for record in _TABLES}
        self.builders = row_builders(dialect, demo=demo)
        self._pending: dict[type, list[tuple]] = {record: [] for record in _TABLES}
        self.written = dict.fromkeys(_TABLES, 0)

    def add(self, record: Order | OrderItem | ReturnRequest) -> None:
        """Queue one record; a full batch is written at once."""
        kind = type(record)
        pending = self._pending[kind]
        pending.append(self.builders[kind](record))
        if len(pending) >= self._batch_size:
            self.flush()

    def add_rows(self, rows: dict[type, list[tuple]]) -> None:
        """Queue rows made by `row_builders` (with this writer's `demo`), then write."""
        for kind, built in rows.items():
            self._pending[kind].extend(built)
        self.flush()

    def flush(self) -> None:
        """Write every queued row: orders before their lines."""
        written_orders = {row[0] for row in self._pending[Order]}
        for record, pending in self._pending.items():
            if not pending:
                continue
            upsert = self._upserts[record]
            if record is OrderItem:
                self._check_parents({row[0] for row in pending} - written_orders)
            if upsert.copy is not None and len(pending) >= COPY_FROM_ROWS:
                upsert.copy.write(self._conn, pending)
            else:
                self._conn.exec_driver_sql(upsert.sql, pending)
            self.written[record] += len(pending)
            pending.clear()

    def _check_parents(self, wanted: set[str]) -> None:
        # Lines of a saved getOrderItems response need their order stored first; say which.
        if not wanted:
            return
        found = set(
            self._conn.scalars(
                select(ORDERS.c.order_id).where(ORDERS.c.order_id.in_(sorted(wanted)))
            )
        )
        missing = sorted(wanted - found)
        if missing:
            raise StoreError("orphan_items", order_ids=missing)
