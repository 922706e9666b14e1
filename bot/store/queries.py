"""Reading the store: every query returns domain records, never rows."""

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Connection, delete, func, select
from sqlalchemy.orm import Session

from bot.domain.records import Channel, Order, OrderItem, OrderStatus, ReturnRequest
from bot.store.models import OrderItemRow, OrderRow, ReturnRow

_ORDER_FIELDS = tuple(
    name for name in Order.__dataclass_fields__ if name != "items"
)
_ITEM_FIELDS = tuple(OrderItem.__dataclass_fields__)
_RETURN_FIELDS = tuple(ReturnRequest.__dataclass_fields__)


def _status(value: str | None) -> OrderStatus | None:
    return OrderStatus(value) if value else None


def _order(row: OrderRow, items: Sequence[OrderItemRow] = ()) -> Order:
    values = {name: getattr(row, name) for name in _ORDER_FIELDS}
    values["status"] = _status(row.status)
    channel = row.fulfillment_channel
    values["fulfillment_channel"] = Channel(channel) if channel else None
    return Order(**values, items=tuple(
        OrderItem(**{name: getattr(item, name) for name in _ITEM_FIELDS}) for item in items
    ))


def _with_items(conn: Connection, rows: Sequence[OrderRow]) -> list[Order]:
    if not rows:
        return []
    by_order: dict[str, list[OrderItemRow]] = {row.order_id: [] for row in rows}
    session = Session(bind=conn)
    for chunk_start in range(0, len(rows), 500):
        # IN lists are chunked: SQLite allows only so many bound parameters per statement.
        ids = [row.order_id for row in rows[chunk_start:chunk_start + 500]]
        statement = select(OrderItemRow).where(OrderItemRow.order_id.in_(ids)).order_by(
            OrderItemRow.order_id, OrderItemRow.sku
        )
        for item in session.scalars(statement):
            by_order[item.order_id].append(item)
    return [_order(row, by_order[row.order_id]) for row in rows]


def get_order(conn: Connection, order_id: str) -> Order | None:
    """The order with this id and its lines, or None."""
    session = Session(bind=conn)
    row = session.get(OrderRow, order_id)
    return _with_items(conn, [row])[0] if row is not None else None


def open_orders(conn: Connection) -> list[Order]:
    """Merchant-fulfilled orders still waiting for a shipment confirmation, with their lines."""
    session = Session(bind=conn)
    rows = session.scalars(
        select(OrderRow).where(
            OrderRow.fulfillment_channel == Channel.MERCHANT.value,
            OrderRow.status.in_([OrderStatus.UNSHIPPED.value, OrderStatus.PARTIALLY_SHIPPED.value]),
        )
    ).all()
    return _with_items(conn, rows)


def count_orders(conn: Connection, *, since: datetime | None = None) -> int:
    """How many orders are stored (placed after `since`, when given)."""
    statement = select(func.count()).select_from(OrderRow)
    if since is not None:
        statement = statement.where(OrderRow.purchase_date > since)
    return conn.scalar(statement) or 0


def count_by_status(conn: Connection) -> dict[str, int]:
    """Order counts by status (unknown statuses under "")."""
    rows = conn.execute(select(OrderRow.status, func.count()).group_by(OrderRow.status))
    return {status or "": number for status, number in rows}


def returns_for(conn: Connection, order_id: str) -> list[ReturnRequest]:
    """The return requests known for one order."""
    session = Session(bind=conn)
    rows = session.scalars(
        select(ReturnRow).where(ReturnRow.order_id == order_id).order_by(ReturnRow.request_date)
    )
    return [ReturnRequest(**{name: getattr(r, name) for name in _RETURN_FIELDS}) for r in rows]


def count_returns(conn: Connection, *, statuses: Sequence[str]) -> int:
    """How many return requests have one of `statuses`."""
    return conn.scalar(
        select(func.count()).select_from(ReturnRow).where(ReturnRow.status.in_(list(statuses)))
    ) or 0


def delete_demo(conn: Connection) -> None:
    """Remove the demo seller's orders (their lines go with them) and returns."""
    conn.execute(delete(ReturnRow).where(ReturnRow.is_demo))
    conn.execute(delete(OrderRow).where(OrderRow.is_demo))

