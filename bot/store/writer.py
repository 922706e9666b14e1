"""Bulk upserts of records inside one transaction: the path every import and sync takes.

Rows are merged, never duplicated: orders by order id, lines by (order id, SKU), returns by
(order id, RMA id, SKU). A record with a newer (or unknown) last update wins the fields it
states; an older one only fills fields still empty; a field a source does not state (None)
never erases what the store knows. Re-importing a file therefore changes nothing.

Speed (bench/import_orders.py) comes from executemany on the driver's cursor with statements
compiled once, and values converted by a per-dialect row builder instead of per-value
SQLAlchemy bind processing.
"""

from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum
from functools import cache
from typing import Any, get_args, get_type_hints

from sqlalchemy import Connection, Table, and_, bindparam, case, func, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Dialect

from bot.domain.records import Order, OrderItem, ReturnRequest
from bot.errors import StoreError
from bot.store.models import OrderItemRow, OrderRow, ReturnRow

# Rows per executemany: large enough to amortise the call, small enough to keep memory flat.
BATCH_SIZE = 5000


def _sqlite_time(value: datetime | None) -> str | None:
    # The exact text SQLAlchemy's SQLite DATETIME type writes and reads back (naive UTC).
    if value is None:
        return None
    if value.tzinfo is not UTC:
        if value.tzinfo is None:
            raise ValueError("naive datetime: sellerbot stores only timezone-aware times")
        value = value.astimezone(UTC)
    text = value.isoformat(" ")
    return text[:26] if value.microsecond else text[:19] + ".000000"


def _sqlite_date(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def _enum_value(value: Enum | None) -> str | None:
    # StrEnum members go in as their plain value (psycopg would otherwise write the name).
    return None if value is None else value.value


def _decimal_text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _converter(dialect: str, python_type: type) -> Callable[[Any], Any] | None:
    """How a value of `python_type` goes to the driver; None when it goes as it is."""
    if issubclass(python_type, Enum):
        return _enum_value
    if dialect != "sqlite":
        return None  # psycopg takes aware datetimes, dates and Decimals natively
    if issubclass(python_type, datetime):
        return _sqlite_time
    if issubclass(python_type, date):
        return _sqlite_date
    if issubclass(python_type, Decimal):
        return _decimal_text
    return None


def _field_types(record: type) -> dict[str, type]:
    types = {}
    for name, hint in get_type_hints(record).items():
        args = [a for a in get_args(hint) if a is not type(None)]
        types[name] = args[0] if args else hint
    return types


class _Upsert:
    """One compiled upsert statement and the function turning a record into its parameters."""

    def __init__(self, dialect: type[Dialect], table: Table, record: type, key: tuple[str, ...],
                 extra: tuple[str, ...]) -> None:
        types = _field_types(record)
        columns = [name for name in types if name in table.c] + list(extra)
        insert = postgresql.insert if dialect.name == "postgresql" else sqlite.insert
        statement = insert(table).values({name: bindparam(name) for name in columns})
        new = statement.excluded
        updated = [name for name in columns if name not in key and name not in extra]
        if "last_update" in table.c:
            newer = or_(
                new.last_update.is_(None),
                table.c.last_update.is_(None),
                new.last_update >= table.c.last_update,
            )
            merged: dict[str, Any] = {
                name: case(
                    (newer, func.coalesce(new[name], table.c[name])),
                    else_=func.coalesce(table.c[name], new[name]),
                )
                for name in updated
            }
        else:
            merged = {name: func.coalesce(new[name], table.c[name]) for name in updated}
        if "is_demo" in extra:
            # Real data about a demo order makes it real.
            merged["is_demo"] = and_(table.c.is_demo, new.is_demo)
        statement = statement.on_conflict_do_update(index_elements=list(key), set_=merged)

        # Positional parameters, so rows can be plain tuples for the driver's executemany.
        positional = dialect(paramstyle="qmark" if dialect.name == "sqlite" else "format")
        compiled = statement.compile(dialect=positional)
        self.sql = str(compiled)
        self.extra = extra
        self._dialect = dialect.name
        self.row = self._row_builder(dialect.name, list(compiled.positiontup or ()), types, extra)

    def extras(self, values: dict[str, Any]) -> tuple:
        """The extra columns' values (same for every row of a write), converted for the driver."""
        converted = []
        for name in self.extra:
            convert = _converter(self._dialect, type(values[name]))
            converted.append(convert(values[name]) if convert else values[name])
        return tuple(converted)

    @staticmethod
    def _row_builder(dialect: str, order: list[str], types: dict[str, type],
                     extra: tuple[str, ...]) -> Callable[[Any, tuple], tuple]:
        # Generated once per statement: one attribute read and at most one conversion per value,
        # which is what makes a million rows a few seconds of Python (bench/import_orders.py).
        namespace: dict[str, Any] = {}
        parts = []
        for name in order:
            if name in extra:
                parts.append(f"x[{extra.index(name)}]")
                continue
            convert = _converter(dialect, types[name])
            if convert is None:
                parts.append(f"r.{name}")
            else:
                namespace[f"c_{name}"] = convert
                parts.append(f"c_{name}(r.{name})")
        return eval(f"lambda r, x: ({', '.join(parts)},)", namespace)  # noqa: S307 - our names


_TABLES: dict[type, tuple[Table, tuple[str, ...], tuple[str, ...]]] = {
    Order: (OrderRow.__table__, ("order_id",), ("first_seen_at", "is_demo")),
    OrderItem: (OrderItemRow.__table__, ("order_id", "sku"), ()),
    ReturnRequest: (ReturnRow.__table__, ("order_id", "amazon_rma_id", "sku"), ("is_demo",)),
}


@cache
def _upsert(dialect: type[Dialect], record: type) -> _Upsert:
    table, key, extra = _TABLES[record]
    return _Upsert(dialect, table, record, key, extra)


class Writer:
    """Collects records and upserts them in batches on one connection's open transaction."""

    def __init__(self, conn: Connection, *, now: datetime, demo: bool = False,
                 batch_size: int = BATCH_SIZE) -> None:
        self._conn = conn
        self._batch_size = batch_size
        extras = {"first_seen_at": now, "is_demo": demo}
        self._upserts = {}
        for record in _TABLES:
            upsert = _upsert(type(conn.dialect), record)
            self._upserts[record] = (upsert, upsert.extras(extras))
        self._pending: dict[type, list] = {record: [] for record in _TABLES}
        self.written = dict.fromkeys(_TABLES, 0)

    def add(self, record: Order | OrderItem | ReturnRequest) -> None:
        """Queue one record; a full batch is written at once."""
        pending = self._pending[type(record)]
        pending.append(record)
        if len(pending) >= self._batch_size:
            self.flush()

    def flush(self) -> None:
        """Write every queued record: orders before their lines."""
        for record, pending in self._pending.items():
            if not pending:
                continue
            if record is OrderItem:
                self._check_parents(pending, {o.order_id for o in self._pending[Order]})
            upsert, extras = self._upserts[record]
            row = upsert.row
            self._conn.exec_driver_sql(upsert.sql, [row(r, extras) for r in pending])
            self.written[record] += len(pending)
            pending.clear()

    def _check_parents(self, items: list[OrderItem], written: set[str]) -> None:
        # Lines of a saved getOrderItems response need their order stored first; say which.
        wanted = {item.order_id for item in items} - written
        if not wanted:
            return
        found = set(
            self._conn.scalars(
                select(OrderRow.order_id).where(OrderRow.order_id.in_(sorted(wanted)))
            )
        )
        missing = sorted(wanted - found)
        if missing:
            raise StoreError("orphan_items", order_ids=missing)
