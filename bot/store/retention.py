"""Retention: imported orders, their lines and returns are kept RETENTION_DAYS, then deleted."""

from datetime import datetime

from sqlalchemy import and_, delete, or_, select

from bot.store.database import Database
from bot.store.models import ImportRow, OrderItemRow, OrderRow, ReturnRow

# Orders still waiting to ship are kept whatever their age: the team must still act on them.
_OPEN = ("Pending", "Unshipped", "PartiallyShipped")


def forget_before(db: Database, cutoff: datetime) -> int:
    """Delete orders placed before `cutoff` (not open ones), their lines, returns requested
    before it, and the import log's older entries; how many rows went."""
    old_orders = select(OrderRow.order_id).where(and_(
        OrderRow.purchase_date < cutoff,
        or_(OrderRow.status.is_(None), OrderRow.status.not_in(_OPEN))))
    with db.begin() as conn:
        deleted = conn.execute(delete(OrderItemRow).where(
            OrderItemRow.order_id.in_(old_orders))).rowcount
        deleted += conn.execute(delete(ReturnRow).where(
            ReturnRow.request_date < cutoff.date())).rowcount
        deleted += conn.execute(delete(OrderRow).where(
            OrderRow.order_id.in_(old_orders))).rowcount
        deleted += conn.execute(delete(ImportRow).where(
            ImportRow.imported_at < cutoff)).rowcount
    return deleted
