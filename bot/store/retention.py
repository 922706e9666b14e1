"""Retention: imported orders, their lines and returns, and what is known of buyer messages,
are kept RETENTION_DAYS, then deleted."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, delete, false, func, or_, select

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
# Orders with a ship-by, which Amazon cancels when it passes unconfirmed for long. Pending is
# a payment not yet authorised (shipping.md §6), which Amazon cancels too; a pre-order waits
# in PendingAvailability.
_DUE = (OrderStatus.PENDING.value, OrderStatus.UNSHIPPED.value,
        OrderStatus.PARTIALLY_SHIPPED.value)


@dataclass(frozen=True)
class Returnable:
    """Orders whose return may still be asked about: delivered at or after `delivered`, due to
    ship or shipped at or after `shipped`, or bought at or after `bought`."""

    delivered: datetime
    shipped: datetime
    bought: datetime


def forget_before(db: Database, cutoff: datetime, orders_cutoff: datetime | None = None,
                  returnable: Returnable | None = None,
                  messages_cutoff: datetime | None = None,
                  cancelled_before: datetime | None = None) -> int:
    """Delete orders placed before `orders_cutoff` (`cutoff` when None) that are neither open
    nor `returnable`, and open ones due before `cancelled_before` (Amazon has cancelled them
    if they were not shipped), their lines, the returns requested before it of orders not
    kept, the review requests of orders gone, buyer messages received before
    `messages_cutoff` (or `cutoff`), and the import log's older entries; how many rows
    went."""
    orders_cutoff = cutoff if orders_cutoff is None else min(cutoff, orders_cutoff)
    open_now = ORDERS.c.status.in_(_OPEN)
    if cancelled_before is not None:
        # An order left open in the store long past Amazon's auto-cancel is no order to act
        # on: a confirmation made in Seller Central that no report brought, or one an old
        # report brought back after the clean-up had forgotten it. Its ship-by, else its
        # purchase, tells; a pre-order has none until its release: it stays.
        due = func.coalesce(ORDERS.c.deadline, ORDERS.c.latest_ship_date,
                            ORDERS.c.purchase_date)
        open_now = and_(open_now, ~and_(ORDERS.c.status.in_(_DUE), due < cancelled_before))
    kept = [open_now]
    if returnable is not None:
        # A question about a return can come a window and a late period after delivery, and
        # RETENTION_DAYS may be shorter than that (or a pre-order delivered months after it
        # was bought): /can-return must still know the order.
        kept.append(and_(
            or_(ORDERS.c.status.is_(None), ORDERS.c.status != OrderStatus.CANCELED.value),
            or_(ORDERS.c.delivered_at >= returnable.delivered,
                ORDERS.c.latest_delivery_date >= returnable.delivered,
                ORDERS.c.latest_ship_date >= returnable.shipped,
                ORDERS.c.shipped_at >= returnable.shipped,
                ORDERS.c.confirmed_at >= returnable.shipped,
                ORDERS.c.purchase_date >= returnable.bought)))
    # A comparison with NULL (an order without that date) is NULL, and so is NOT NULL:
    # what is not known to be kept goes.
    old_orders = select(ORDERS.c.order_id).where(and_(
        ORDERS.c.purchase_date < orders_cutoff, ~func.coalesce(or_(*kept), false())))
    with db.begin() as conn:
        deleted = conn.execute(delete(ORDER_ITEMS).where(
            ORDER_ITEMS.c.order_id.in_(old_orders))).rowcount
        deleted += conn.execute(delete(ORDERS).where(
            ORDERS.c.order_id.in_(old_orders))).rowcount
        # The returns of an order kept are kept with it: /can-return shows them.
        deleted += conn.execute(delete(RETURNS).where(
            RETURNS.c.request_date < orders_cutoff.date(),
            ~select(ORDERS.c.order_id).where(
                ORDERS.c.order_id == RETURNS.c.order_id).exists())).rowcount
        # A review request's record (Amazon's words when it refused) goes with its order: the
        # order can no longer be asked about, so the once-per-order guard has nothing to guard.
        deleted += conn.execute(delete(REVIEW_REQUESTS).where(
            REVIEW_REQUESTS.c.claimed_at < cutoff,
            ~select(ORDERS.c.order_id).where(
                ORDERS.c.order_id == REVIEW_REQUESTS.c.order_id).exists())).rowcount
        deleted += conn.execute(delete(BUYER_MESSAGES).where(
            BUYER_MESSAGES.c.received_at < min(cutoff, messages_cutoff or cutoff))).rowcount
        deleted += conn.execute(delete(IMPORTS).where(
            IMPORTS.c.imported_at < cutoff)).rowcount
    return deleted
