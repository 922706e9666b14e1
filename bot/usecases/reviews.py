"""Amazon's "Request a Review", the compliant way to ask for reviews: the orders it is due for,
why the others are not, and sending it exactly once per order (messaging.md §3.3)."""

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from bot.domain.records import Order, ReturnRequest
from bot.domain.reviews import Asked, ReviewStanding, Skip, review_standing
from bot.errors import BadInput, NotFound, SpApiFailed
from bot.store import Database, queries, return_requests, review_requests
from bot.store.job_runs import owner_id
from bot.usecases.lookup import find_order_id
from bot.usecases.runs import running_from
from bot.usecases.sellers import Seller

# Orders without delivery dates (report imports) placed this long before the window closes are
# listed, with the reason they are not asked: delivery takes weeks at most. Orders with dates
# are looked at by their dates, however long before they were placed (a pre-order).
DELIVERY_SPAN = timedelta(days=45)

class ReviewApi(Protocol):
    """What sending needs of Amazon's Solicitations API (bot/sources/solicitations.py)."""

    def offered(self, order_id: str, marketplace_id: str | None = None) -> bool:
        """Whether Amazon offers "Request a Review" for the order, placed in `marketplace_id`
        (the seller's when None), now."""

    def request_review(self, order_id: str, marketplace_id: str | None = None) -> None:
        """Send it."""


@dataclass(frozen=True)
class ReviewsReport:
    """The orders due a review request at an instant, and why the others are not."""

    as_of: datetime
    due: list[ReviewStanding]
    # By reason, most decisive first: every order skipped for it (the views list a few).
    skipped: dict[Skip, list[ReviewStanding]]


@dataclass(frozen=True)
class Sent:
    """What came of one request: sent, not offered by Amazon, failed (with Amazon's code
    and words), or left to another process already sending it (`asked` None)."""

    order_id: str
    asked: Asked | None
    error: str | None = None
    detail: str | None = None


def reviews_due(db: Database, seller: Seller, now: datetime) -> ReviewsReport:
    """Every order whose review request is due at `now`, and the others of the last weeks with
    the reason each is skipped."""
    standings = _standings(db, seller, now)
    due = sorted((s for s in standings if s.due),
                 key=lambda s: (s.closes or now, s.order.order_id))
    skipped: dict[Skip, list[ReviewStanding]] = {}
    for reason in Skip:
        these = [s for s in standings if s.skip is reason]
        if these:
            skipped[reason] = sorted(these, key=lambda s: s.order.order_id)
    return ReviewsReport(now, due, skipped)


def _standings(db: Database, seller: Seller, now: datetime) -> list[ReviewStanding]:
    rules = seller.reviews
    with db.begin() as conn:
        # Orders whose window may still be open; their lines decide nothing here.
        closes = timedelta(days=rules.closes_days)
        orders = review_requests.orders_delivered_from(
            conn, now - closes, now, undated_after=now - closes - DELIVERY_SPAN)
        returns = return_requests.returns_of(conn, [o.order_id for o in orders])
    asked = review_requests.asked(db, [o.order_id for o in orders])
    return [review_standing(order, returns.get(order.order_id, []),
                            asked[order.order_id].asked if order.order_id in asked else None,
                            now, rules)
            for order in orders]


def request_review(db: Database, api: ReviewApi, seller: Seller, text: str, now: datetime
                   ) -> Sent:
    """Send "Request a Review" for the order `text` names, if it is due: once, however many
    ask at once. An order not due is a friendly error saying why."""
    order_id = find_order_id(db, text)
    with db.begin() as conn:
        order = queries.get_order(conn, order_id)
        returns = return_requests.returns_for(conn, order_id)
        demo = bool(queries.demo_order_ids(conn, among=order_id))
    if order is None:
        raise NotFound("order_not_found", order_id=order_id)
    if demo:
        # Invented by `sellerbot demo`: Amazon does not know it.
        raise BadInput("review_demo_order", order_id=order_id)
    standing = standing_of(db, seller, order, returns, now)
    if not standing.due:
        raise BadInput("review_not_due", order_id=order_id, reason=str(standing.skip),
                       opens=standing.opens, closes=standing.closes, tz=seller.timezone)
    return _send(db, api, order, running_from(now))


def standing_of(db: Database, seller: Seller, order: Order, returns: Sequence[ReturnRequest],
                now: datetime) -> ReviewStanding:
    """Where one order stands for a review request at `now`, its earlier requests included."""
    asked = review_requests.asked(db, [order.order_id]).get(order.order_id)
    return review_standing(order, returns, asked.asked if asked else None, now, seller.reviews)


@dataclass(frozen=True)
class SentDue:
    """What a round of due requests did, how many due orders it left for the next, and how
    many it never sends: the demo seller's, which Amazon does not know."""

    results: list[Sent]
    left: int = 0
    demo: int = 0


# An Amazon order id as a message quotes it (Amazon asks every message to).
_ORDER_IN_TEXT = re.compile(r"\b\d{3}-\d{7}-\d{7}\b")
# Order ids looked up at most per draft: a paste of a whole report is no reply.
NAMED_ORDERS = 5


def due_order_named(db: Database, seller: Seller, texts: Iterable[str | None],
                    now: datetime) -> str | None:
    """The first stored order the texts name (a draft, the buyer's message it answers) whose
    review request is due now; None when none is."""
    named = dict.fromkeys(m for text in texts if text for m in _ORDER_IN_TEXT.findall(text))
    for order_id in list(named)[:NAMED_ORDERS]:
        with db.begin() as conn:
            order = queries.get_order(conn, order_id)
            returns = return_requests.returns_for(conn, order_id) if order else []
        if order is not None and standing_of(db, seller, order, returns, now).due:
            return order_id
    return None


def request_due(db: Database, api: ReviewApi, seller: Seller, now: datetime,
                done: Callable[[Sent], object] = lambda sent: None,
                limit: int | None = None,
                clock: Callable[[], datetime] | None = None) -> SentDue:
    """Send "Request a Review" for every order due at `now` (the first `limit` of them), each
    once; `done` hears of each as it is sent (they go at Amazon's pace: one a second). `clock`
    stamps the claims (by default `now` moved on by the time the run has taken)."""
    listed = reviews_due(db, seller, now).due
    with db.begin() as conn:
        demo = queries.demo_order_ids(conn)
    due = [standing for standing in listed if standing.order.order_id not in demo]
    clock = clock or running_from(now)
    results = []
    for standing in due[:limit]:
        results.append(_send(db, api, standing.order, clock))
        done(results[-1])
    return SentDue(results, len(due) - len(results), len(listed) - len(due))


def _send(db: Database, api: ReviewApi, order: Order, clock: Callable[[], datetime]) -> Sent:
    """Claim the order, ask Amazon whether it offers the request, and send it: the claim makes
    it once; asking first makes a claim taken over from a stopped process safe."""
    order_id, marketplace_id = order.order_id, order.marketplace_id
    owner = owner_id()
    if not review_requests.claim(db, order_id, owner, clock()):
        return Sent(order_id, None)
    # Anything but Amazon's refusal (Ctrl-C, a bug) leaves the claim to go stale: something may
    # have reached Amazon, and the next attempt asks Amazon first.
    try:
        if not api.offered(order_id, marketplace_id):
            outcome = review_requests.Outcome(Asked.NOT_OFFERED)
        else:
            api.request_review(order_id, marketplace_id)
            outcome = review_requests.Outcome(Asked.SENT)
    except SpApiFailed as exc:
        code = " ".join(str(p) for p in (exc.params.get("status"), exc.params.get("error")) if p)
        outcome = review_requests.Outcome(Asked.FAILED, code[:64] or "failed",
                                          str(exc.params.get("message") or ""))
    review_requests.finish(db, order_id, owner, outcome, clock())
    return Sent(order_id, outcome.asked, outcome.error, outcome.detail)
