"""Reading the store (and noting imports): queries return domain records, never rows.

Core selects, not ORM objects: a report reads thousands of orders in well under a tenth of a
second (bench/digest.py), and builds records straight from result tuples.
"""

from collections.abc import Iterator, Sequence
from datetime import datetime
from decimal import Decimal

from sqlalchemy import Connection, and_, delete, func, or_, select, text

from bot.domain.records import Channel, Order, OrderItem, OrderStatus, ReturnRequest
from bot.domain.shipping import Shipment
from bot.store.models import OPEN_ORDER, ImportRow, OrderItemRow, OrderRow, ReturnRow

_ORDERS = OrderRow.__table__
_ITEMS = OrderItemRow.__table__
_RETURNS = ReturnRow.__table__
_ORDER_COLUMNS = [_ORDERS.c[name] for name in Order.__dataclass_fields__ if name != "items"]
_ITEM_COLUMNS = [_ITEMS.c[name] for name in OrderItem.__dataclass_fields__]
_RETURN_COLUMNS = [_RETURNS.c[name] for name in ReturnRequest.__dataclass_fields__]
_STATUS = {s.value: s for s in OrderStatus} | {None: None}
_CHANNEL = {c.value: c for c in Channel} | {None: None}
_STATUS_POS = list(Order.__dataclass_fields__).index("status")
_CHANNEL_POS = list(Order.__dataclass_fields__).index("fulfillment_channel")
# SQLite caps bound parameters per statement; IN lists are sent in chunks.
_CHUNK = 500
_OPEN = text(OPEN_ORDER)


def _orders(conn: Connection, rows: Sequence[Sequence]) -> list[Order]:
    """Orders from result rows, each with its lines."""
    if not rows:
        return []
    lines: dict[str, list[OrderItem]] = {row[0]: [] for row in rows}
    ids = list(lines)
    for start in range(0, len(ids), _CHUNK):
        statement = select(*_ITEM_COLUMNS).where(_ITEMS.c.order_id.in_(ids[start:start + _CHUNK]))
        for item in conn.execute(statement.order_by(_ITEMS.c.order_id, _ITEMS.c.sku)):
            lines[item[0]].append(OrderItem(*item))
    orders = []
    for row in rows:
        values = list(row)
        values[_STATUS_POS] = _STATUS.get(values[_STATUS_POS])
        values[_CHANNEL_POS] = _CHANNEL.get(values[_CHANNEL_POS])
        orders.append(Order(*values, items=tuple(lines[row[0]])))
    return orders


def get_order(conn: Connection, order_id: str) -> Order | None:
    """The order with this id and its lines, or None."""
    rows = conn.execute(select(*_ORDER_COLUMNS).where(_ORDERS.c.order_id == order_id)).all()
    return _orders(conn, rows)[0] if rows else None


def open_orders(conn: Connection, *, placed_by: datetime, due_by: datetime | None = None
                ) -> list[Order]:
    """Merchant-fulfilled orders awaiting shipment confirmation, placed by `placed_by`.

    With `due_by`, only those whose Amazon ship-by is no later (and those without one, whose
    deadline the domain computes).
    """
    statement = select(*_ORDER_COLUMNS).where(
        _OPEN, or_(_ORDERS.c.purchase_date.is_(None), _ORDERS.c.purchase_date <= placed_by)
    )
    if due_by is not None:
        statement = statement.where(
            or_(_ORDERS.c.latest_ship_date.is_(None), _ORDERS.c.latest_ship_date <= due_by)
        )
    return _orders(conn, conn.execute(statement).all())


def orders_placed(conn: Connection, after: datetime, until: datetime) -> list[Order]:
    """Orders placed in (after, until], with their lines."""
    statement = select(*_ORDER_COLUMNS).where(
        _ORDERS.c.purchase_date > after, _ORDERS.c.purchase_date <= until
    ).order_by(_ORDERS.c.purchase_date)
    return _orders(conn, conn.execute(statement).all())


def new_orders(conn: Connection, after: datetime, until: datetime
               ) -> list[tuple[str | None, int, int, Decimal | None]]:
    """Orders placed in (after, until] and not cancelled, per currency: count, units, revenue.

    Revenue is Amazon's order total, or the sum of the lines' money where Amazon gave none.
    """
    lines = select(
        _ITEMS.c.order_id,
        func.sum(_ITEMS.c.quantity_ordered).label("units"),
        func.sum(
            func.coalesce(_ITEMS.c.item_price, 0) + func.coalesce(_ITEMS.c.item_tax, 0)
            + func.coalesce(_ITEMS.c.shipping_price, 0) + func.coalesce(_ITEMS.c.shipping_tax, 0)
            - func.coalesce(_ITEMS.c.promotion_discount, 0)
        ).label("money"),
    ).group_by(_ITEMS.c.order_id).subquery()
    placed = and_(_ORDERS.c.purchase_date > after, _ORDERS.c.purchase_date <= until,
                  _ORDERS.c.status != OrderStatus.CANCELED.value)
    statement = (
        select(
            _ORDERS.c.currency,
            func.count(),
            func.coalesce(func.sum(lines.c.units), 0),
            func.sum(func.coalesce(_ORDERS.c.order_total, lines.c.money)),
        )
        .select_from(_ORDERS.outerjoin(lines, lines.c.order_id == _ORDERS.c.order_id))
        .where(placed)
        .group_by(_ORDERS.c.currency)
        .order_by(func.count().desc())
    )
    return [
        (currency, count, int(units), None if revenue is None else Decimal(str(revenue)).quantize(
            Decimal("0.01")))
        for currency, count, units, revenue in conn.execute(statement)
    ]


def shipments(conn: Connection, ship_by_from: datetime, ship_by_until: datetime
              ) -> Iterator[Shipment]:
    """Merchant-fulfilled orders whose Amazon ship-by falls in the window, for the LSR."""
    statement = select(
        _ORDERS.c.latest_ship_date, _ORDERS.c.shipped_at, _ORDERS.c.status
    ).where(
        _ORDERS.c.fulfillment_channel == Channel.MERCHANT.value,
        _ORDERS.c.latest_ship_date >= ship_by_from,
        _ORDERS.c.latest_ship_date <= ship_by_until,
    )
    for ship_by, shipped_at, status in conn.execute(statement):
        yield Shipment(ship_by=ship_by, confirmed_at=shipped_at, status=_STATUS.get(status))


def record_import(conn: Connection, *, file_name: str, kind: str, rows: int, checksum: str,
                  imported_at: datetime, skipped_rows: int = 0) -> None:
    """Note that data came in: one file, or the demo seller."""
    conn.execute(ImportRow.__table__.insert().values(
        file_name=file_name, kind=kind, rows=rows, skipped_rows=skipped_rows, checksum=checksum,
        imported_at=imported_at,
    ))


def last_import(conn: Connection) -> datetime | None:
    """When data last came in by import."""
    return conn.scalar(select(func.max(ImportRow.imported_at)))


def count_orders(conn: Connection, *, since: datetime | None = None) -> int:
    """How many orders are stored (placed after `since`, when given)."""
    statement = select(func.count()).select_from(_ORDERS)
    if since is not None:
        statement = statement.where(_ORDERS.c.purchase_date > since)
    return conn.scalar(statement) or 0


def count_by_status(conn: Connection) -> dict[str, int]:
    """Order counts by status (unknown statuses under "")."""
    rows = conn.execute(select(_ORDERS.c.status, func.count()).group_by(_ORDERS.c.status))
    return {status or "": number for status, number in rows}


def returns_for(conn: Connection, order_id: str) -> list[ReturnRequest]:
    """The return requests known for one order."""
    rows = conn.execute(
        select(*_RETURN_COLUMNS).where(_RETURNS.c.order_id == order_id)
        .order_by(_RETURNS.c.request_date, _RETURNS.c.sku)
    )
    return [ReturnRequest(*row) for row in rows]


def count_returns(conn: Connection, *, statuses: Sequence[str]) -> int:
    """How many return requests have one of `statuses`."""
    return conn.scalar(
        select(func.count()).select_from(_RETURNS).where(_RETURNS.c.status.in_(list(statuses)))
    ) or 0


def delete_demo(conn: Connection) -> None:
    """Remove the demo seller's orders (their lines go with them) and returns."""
    conn.execute(delete(_RETURNS).where(_RETURNS.c.is_demo))
    conn.execute(delete(_ORDERS).where(_ORDERS.c.is_demo))
