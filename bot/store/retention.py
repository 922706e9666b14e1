"""Retention: imported orders, their lines and returns, and what is known of buyer messages,
are kept RETENTION_DAYS, then deleted."""

from datetime import datetime

from sqlalchemy import and_, delete, or_, select

from bot.domain.records import OrderStatus
from bot.store.database import Database
from bot.store.models import (
    BUYER_MESSAGES,
    IMPORTS,
    ORDER_ITEMS,
    ORDERS,
    RETURNS,
    REVIEW_REQUESTS,
)

# Orders still waiting to ship are kept whatever their age: the team must still act on them.
# A pre-order waits for its release date, months after it was placed.
_OPEN = tuple(status.value for status in (
    OrderStatus.PENDING, OrderStatus.PENDING_AVAILABILITY, OrderStatus.UNSHIPPED,
    OrderStatus.PARTIALLY_SHIPPED))


def forget_before(db: Database, cutoff: datetime, orders_cutoff: datetime | None = None) -> int:
    """Delete orders placed before `orders_cutoff` (`cutoff` when None; not open ones), their
    lines and returns requested before it, the review requests of orders gone, buyer messages
    received before `cutoff`, and the import log's older entries; how many rows went."""
    orders_cutoff = cutoff if orders_cutoff is None else min(cutoff, orders_cutoff)
    old_orders = select(ORDERS.c.order_id).where(and_(
        ORDERS.c.purchase_date < orders_cutoff,
        or_(ORDERS.c.status.is_(None), ORDERS.c.status.not_in(_OPEN))))
    with db.begin() as conn:
        deleted = conn.execute(delete(ORDER_ITEMS).where(
            ORDER_ITEMS.c.order_id.in_(old_orders))).rowcount
        deleted += conn.execute(delete(RETURNS).where(
            RETURNS.c.request_date < orders_cutoff.date())).rowcount
        deleted += conn.execute(delete(ORDERS).where(
            ORDERS.c.order_id.in_(old_orders))).rowcount
        # A review request's record (Amazon's words when it refused) goes with its order: the
        # order can no longer be asked about, so the once-per-order guard has nothing to guard.
        deleted += conn.execute(delete(REVIEW_REQUESTS).where(
            REVIEW_REQUESTS.c.claimed_at < cutoff,
            ~select(ORDERS.c.order_id).where(
                ORDERS.c.order_id == REVIEW_REQUESTS.c.order_id).exists())).rowcount
        deleted += conn.execute(delete(BUYER_MESSAGES).where(
            BUYER_MESSAGES.c.received_at < cutoff)).rowcount
        deleted += conn.execute(delete(IMPORTS).where(
            IMPORTS.c.imported_at < cutoff)).rowcount
    return deleted
