"""Whether Amazon's "Request a Review" may be sent for an order now, and if not, why not
(messaging.md §3.3). The window's numbers come from rules/reviews.yaml."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from bot.domain.records import Channel, Order, OrderStatus, ReturnRequest

# Every line shipped: InvoiceUnconfirmed only waits for an invoice (shipping.md §6).
_SHIPPED = frozenset({OrderStatus.SHIPPED, OrderStatus.INVOICE_UNCONFIRMED})
# The review requests are sent once a day (bot/jobs): a window must stay open that long.
_ONE_RUN = timedelta(days=1)


@dataclass(frozen=True)
class ReviewWindow:
    """rules/reviews.yaml as values: when Amazon takes a request, and how fast."""

    opens_days: int  # after the earliest delivery date
    closes_days: int  # after the latest delivery date
    per_second: float
    burst: int


@dataclass(frozen=True)
class ReviewRules:
    """Amazon's window (rules/reviews.yaml) and the seller's choices (settings)."""

    opens_days: int  # after the earliest delivery date
    closes_days: int  # after the latest delivery date
    # REVIEW_REQUEST_DAYS: how long after delivery the seller asks.
    wait_days: int
    # REVIEW_AMAZON_FULFILLED: ask for orders Amazon fulfilled too.
    amazon_fulfilled: bool = False
    # REVIEW_REQUESTS is manual or auto: the digest and App Home count them.
    enabled: bool = False


class Asked(StrEnum):
    """What became of an earlier request for the order (the store's record of it)."""

    SENDING = "sending"  # claimed by a request under way
    SENT = "sent"
    NOT_OFFERED = "not-offered"  # Amazon did not offer the action: never asked again
    FAILED = "failed"  # Amazon refused or could not be reached: may be asked again


class Skip(StrEnum):
    """Why an order is not asked for a review now, in the order they are checked."""

    REQUESTED = "requested"
    NOT_OFFERED = "not-offered"
    CANCELED = "canceled"
    AMAZON_FULFILLED = "amazon-fulfilled"
    REFUNDED = "refunded"
    RETURN = "return"
    NOT_SHIPPED = "not-shipped"
    NO_DELIVERY_DATES = "no-delivery-dates"
    NOT_DELIVERED = "not-delivered"
    TOO_EARLY = "too-early"
    TOO_LATE = "too-late"


@dataclass(frozen=True)
class ReviewStanding:
    """One order's place in the review requests at an instant."""

    order: Order
    # None: due now.
    skip: Skip | None
    # When it may be asked, and until when (Amazon's window, the seller's wait applied);
    # None when the order's delivery dates are unknown.
    opens: datetime | None = None
    closes: datetime | None = None

    @property
    def due(self) -> bool:
        """It may be asked now."""
        return self.skip is None


def review_standing(order: Order, returns: Sequence[ReturnRequest], asked: Asked | None,
                    now: datetime, rules: ReviewRules) -> ReviewStanding:
    """Where `order` stands for a review request at `now`, given its return requests and what
    became of any earlier request."""
    skip = _skip_before_dates(order, returns, asked, rules)
    if skip is not None:
        return ReviewStanding(order, skip)
    if order.earliest_delivery_date is None or order.latest_delivery_date is None:
        return ReviewStanding(order, Skip.NO_DELIVERY_DATES)
    delivered = order.delivered_at or order.latest_delivery_date
    opens = max(order.earliest_delivery_date + timedelta(days=rules.opens_days),
                delivered + timedelta(days=rules.wait_days))
    closes = order.latest_delivery_date + timedelta(days=rules.closes_days)
    # A wait that would open the window at (or past) its close, 30 days' or a late delivery's,
    # asks on its last day instead: the daily run would otherwise never find it open.
    opens = min(opens, closes - _ONE_RUN)
    if order.delivered_at is None and now < order.latest_delivery_date:
        skip = Skip.NOT_DELIVERED
    elif now < opens:
        skip = Skip.TOO_EARLY
    elif now > closes:
        skip = Skip.TOO_LATE
    return ReviewStanding(order, skip, opens, closes)


def _skip_before_dates(order: Order, returns: Sequence[ReturnRequest], asked: Asked | None,
                       rules: ReviewRules) -> Skip | None:
    """The reasons that do not depend on when it is."""
    if asked in (Asked.SENT, Asked.SENDING):
        return Skip.REQUESTED
    if asked is Asked.NOT_OFFERED:
        return Skip.NOT_OFFERED
    if order.status is OrderStatus.CANCELED:
        return Skip.CANCELED
    if order.fulfillment_channel is Channel.AMAZON and not rules.amazon_fulfilled:
        return Skip.AMAZON_FULFILLED
    # A buyer who asked for a return, let alone got a refund, is not asked for a review.
    if any(r.refunded_amount for r in returns):
        return Skip.REFUNDED
    if returns:
        return Skip.RETURN
    if order.status not in _SHIPPED:
        return Skip.NOT_SHIPPED
    return None
