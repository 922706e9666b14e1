"""The order lists and one order, as `/orders` and `sellerbot orders` show them, and finding
an order from its id or part of it."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Literal

from bot.domain.records import Order, ReturnRequest
from bot.domain.reviews import ReviewStanding
from bot.domain.shipping import Standing, Urgency
from bot.errors import BadInput, NotFound
from bot.store import Database, queries, return_requests
from bot.usecases import deadlines, reviews
from bot.usecases.lookup import find_order_id
from bot.usecases.sellers import Seller


class View(StrEnum):
    """The order lists `/orders` and `sellerbot orders` show."""

    TODAY = "today"
    AT_RISK = "at-risk"
    LATE = "late"
    UNSHIPPED = "unshipped"


@dataclass(frozen=True)
class OrdersRequest:
    """What `/orders TEXT` (or `sellerbot orders TEXT`) asks for, read once: `kind` "help"
    (nothing, or "help"), "list" (the `view`) or "order" (an id or enough of it, as typed:
    find_order_id decides, and says what was wrong)."""

    kind: Literal["help", "list", "order"]
    view: View | None = None
    order: str = ""

    @classmethod
    def parse(cls, text: str) -> "OrdersRequest":
        """The request `text` makes."""
        word = text.strip().lower()
        if word in ("", "help"):
            return cls("help")
        try:
            return cls("list", view=View(word))
        except ValueError:
            return cls("order", order=text.strip())


@dataclass(frozen=True)
class OrdersReport:
    """A list of orders as of an instant, most urgent first."""

    view: View
    as_of: datetime
    today: date
    next_business_day: date
    entries: list[Standing]
    # No order at all in the store: nothing imported yet (the answer then says how).
    store_empty: bool = False

    @property
    def late(self) -> int:
        """How many of the entries are late."""
        return sum(1 for s in self.entries if s.urgency is Urgency.LATE)

    @property
    def due_today(self) -> int:
        """How many of the entries are due today."""
        return sum(1 for s in self.entries if s.urgency is Urgency.DUE_TODAY)


def orders_report(db: Database, seller: Seller, view: View, as_of: datetime) -> OrdersReport:
    """today: placed today or due today; at-risk: late, due today, due next business day;
    late; unshipped: every open order. Orders placed after `as_of` are left out."""
    today, midnight, next_day, next_day_end = seller.day_bounds(as_of)
    due_by = None if view is View.UNSHIPPED else next_day_end
    due_from = None
    if view is View.TODAY:
        # Only what is due today: not every order left late, which the list does not show.
        due_by, due_from = seller.day_end(today), midnight
    deadlines.refresh(db, seller)
    with db.begin() as conn:
        open_orders = queries.open_orders(conn, placed_by=as_of, due_by=due_by,
                                          due_from=due_from)
        # Placed in (after, until]: the day begins at midnight itself (times are kept to the
        # microsecond), so "after" is the moment before.
        placed_today = (queries.orders_placed(conn, midnight - timedelta(microseconds=1), as_of)
                        if view is View.TODAY else [])
        store_empty = not open_orders and not placed_today and not queries.any_order(conn)
    standings = seller.classify(open_orders, as_of)
    if view is View.TODAY:
        due_today = [s for s in standings if s.urgency is Urgency.DUE_TODAY]
        seen = {s.order.order_id for s in due_today}
        new = [seller.assess(order, as_of) for order in placed_today if order.order_id not in seen]
        entries = sorted(due_today + new, key=lambda s: s.sort_key)
    elif view is View.AT_RISK:
        entries = [s for s in standings if s.urgency is not Urgency.ON_TRACK]
    elif view is View.LATE:
        entries = [s for s in standings if s.urgency is Urgency.LATE]
    else:
        entries = standings
    return OrdersReport(view=view, as_of=as_of, today=today, next_business_day=next_day,
                        entries=entries, store_empty=store_empty)


@dataclass(frozen=True)
class OrderDetail:
    """One order as `/orders ORDER_ID` shows it."""

    as_of: datetime
    standing: Standing
    returns: list[ReturnRequest]
    # Where it stands for Amazon's "Request a Review".
    review: ReviewStanding | None = None


def order_detail(db: Database, seller: Seller, text: str, as_of: datetime) -> OrderDetail:
    """Look up one order by its id as typed, or enough of it (find_order_id); nonsense, an
    ambiguous fragment or an unknown order is a friendly error."""
    order_id = find_order_id(db, text, usage="orders_what")
    deadlines.refresh(db, seller)
    with db.begin() as conn:
        order = queries.get_order(conn, order_id)
        returns = return_requests.returns_for(conn, order_id)
    if order is None:
        raise NotFound("order_not_found", order_id=order_id)
    if order.purchase_date is not None and as_of < order.purchase_date:
        raise not_yet_placed(order, as_of, seller)
    # Only when review requests are on: nothing shows it otherwise.
    review = (reviews.standing_of(db, seller, order, returns, as_of)
              if seller.reviews.enabled else None)
    return OrderDetail(as_of=as_of, standing=seller.assess(order, as_of), returns=returns,
                       review=review)


def not_yet_placed(order: Order, asked: date | datetime, seller: Seller) -> BadInput:
    """The error for a question about a time before the order existed (--as-of too early),
    to the minute when the question named a time, else to the day."""
    assert order.purchase_date is not None
    placed = order.purchase_date.astimezone(seller.timezone)
    if isinstance(asked, datetime):
        return BadInput("order_not_yet_placed", order_id=order.order_id,
                        day=asked.astimezone(seller.timezone).strftime("%Y-%m-%d %H:%M"),
                        placed=placed.strftime("%Y-%m-%d %H:%M"))
    return BadInput("order_not_yet_placed", order_id=order.order_id, day=asked.isoformat(),
                    placed=placed.date().isoformat())
