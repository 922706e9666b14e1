"""Bulk upserts of records inside one transaction: the path every import and sync takes.

Rows are merged, never duplicated: orders by order id, lines by (order id, SKU), returns by
(order id, RMA id, SKU). A record with a newer last update wins the fields it states; an older
one, or one that does not say when it is from, only fills fields still empty; a field a source
does not state (None) never erases what the store knows. Re-importing changes nothing.

Speed (bench/import_orders.py) comes from executemany on the driver's cursor with statements
compiled once for the columns a batch states (on PostgreSQL, COPY for large batches:
bot/store/pg_copy.py), and values converted a column at a time by a per-dialect row maker
(bot/store/driver_rows.py) instead of per-value SQLAlchemy bind processing.
"""

from datetime import datetime
from functools import cache

from sqlalchemy import Connection, Table, bindparam, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Dialect

from bot.domain.records import Order, OrderItem, ReturnRequest
from bot.errors import StoreError
from bot.store.driver_rows import RowMaker, RowMakers, Rows, converter
from bot.store.merge import merged_values
from bot.store.models import ORDER_ITEMS, ORDERS, RETURNS
from bot.store.pg_copy import COPY_FROM_ROWS, CopyUpsert
from bot.store.rows import field_types

# Rows per executemany: large enough to amortise the call, small enough to keep memory flat.
BATCH_SIZE = 5000


class _Upsert:
    """One compiled upsert statement for the columns a batch states."""

    def __init__(self, dialect: type[Dialect], table: Table, key: tuple[str, ...],
                 extra: tuple[str, ...], columns: tuple[str, ...]) -> None:
        insert = postgresql.insert if dialect.name == "postgresql" else sqlite.insert
        statement = insert(table).values({name: bindparam(name) for name in columns})
        updated = [name for name in columns if name not in key]
        merged = merged_values(table, updated, extra, statement.excluded)
        statement = statement.on_conflict_do_update(index_elements=list(key), set_=merged)
        # Positional parameters, so rows can be plain tuples for the driver's executemany.
        positional = dialect(paramstyle="qmark" if dialect.name == "sqlite" else "format")
        compiled = statement.compile(dialect=positional)
        assert tuple(compiled.positiontup or ()) == columns, "parameters in the rows' order"
        self.sql = str(compiled)
        # PostgreSQL takes large batches by COPY (bot/store/pg_copy.py), in the same row shape.
        self.copy = (CopyUpsert(table, list(columns), key, extra)
                     if dialect.name == "postgresql" else None)


_TABLES: dict[type, tuple[Table, tuple[str, ...], tuple[str, ...]]] = {
    Order: (ORDERS, ("order_id",), ("is_demo",)),
    OrderItem: (ORDER_ITEMS, ("order_id", "sku"), ()),
    ReturnRequest: (RETURNS, ("order_id", "amazon_rma_id", "sku"), ("is_demo",)),
}


@cache
def _upsert(dialect: type[Dialect], record: type, columns: tuple[str, ...]) -> _Upsert:
    table, key, extra = _TABLES[record]
    return _Upsert(dialect, table, key, extra, columns)


def row_makers(dialect: str, *, demo: bool = False) -> RowMakers:
    """What turns a batch of each kind of record into Rows for `dialect` ("sqlite" or
    "postgresql"); picklable, so that a parser in another process can make rows without
    loading SQLAlchemy (bot/usecases/import_pipeline.py)."""
    makers: RowMakers = {}
    for record, (table, key, extra) in _TABLES.items():
        types = field_types(record)
        fields = [name for name in types if name in table.c]
        # Writer reads the records' order ids from their first column.
        assert fields[: len(key)] == list(key) and fields[0] == "order_id"
        # The write's own columns: is_demo, the only one there is.
        plain = converter(dialect, bool)
        extras = {name: demo if plain is None else plain(demo) for name in extra}
        makers[record] = RowMaker(fields, [converter(dialect, types[name]) for name in fields],
                                  extras)
    return makers


class Writer:
    """Upserts records in batches on one connection's open transaction: orders before lines."""

    def __init__(self, conn: Connection, *, demo: bool = False, seen: datetime | None = None,
                 batch_size: int = BATCH_SIZE) -> None:
        self._conn = conn
        self._batch_size = batch_size
        self._dialect = type(conn.dialect)
        self.makers = row_makers(self._dialect.name, demo=demo)
        # The moment of this write (an import's, a sync's), kept on the orders it adds. Added
        # here, not by the row makers as is_demo is: those are handed to an import's parser
        # process before the import's moment is known, and must equal the writer's own.
        self._seen: object = seen
        if seen is not None and (to_driver := converter(self._dialect.name, datetime)):
            self._seen = to_driver(seen)
        self._pending: dict[type, list] = {record: [] for record in _TABLES}
        self.written = dict.fromkeys(_TABLES, 0)
        # Orders looked out for (a sync's left-out ones: bot/store/sync_state.py), and those
        # of them this write stored: no set of every order written is kept.
        self.watched: frozenset[str] = frozenset()
        self.seen_watched: set[str] = set()

    def add(self, record: Order | OrderItem | ReturnRequest) -> None:
        """Queue one record; a full batch is written at once."""
        pending = self._pending[type(record)]
        pending.append(record)
        if len(pending) >= self._batch_size:
            self.flush()

    def flush(self) -> None:
        """Write every queued record: orders before their lines."""
        made = {kind: self.makers[kind](records)
                for kind, records in self._pending.items() if records}
        for records in self._pending.values():
            records.clear()
        self.add_rows(made)

    def add_rows(self, rows: dict[type, Rows]) -> None:
        """Write rows made by `row_makers` (with this writer's `demo`): orders before lines."""
        written_orders = set(rows[Order].columns[0]) if Order in rows else set()
        if self.watched:
            self.seen_watched |= written_orders & self.watched
        for record in _TABLES:
            made = rows.get(record)
            if not made:
                continue
            if record is Order and self._seen is not None:
                made = made.with_column("first_seen", self._seen)
            upsert = _upsert(self._dialect, record, made.names)
            if record is OrderItem:
                self._check_parents(set(made.columns[0]) - written_orders)
            if upsert.copy is not None and len(made) >= COPY_FROM_ROWS:
                upsert.copy.write(self._conn, made.tuples())
            else:
                self._conn.exec_driver_sql(upsert.sql, made.tuples())
            self.written[record] += len(made)

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
