"""The morning digest, App Home's figures and the health check: what changed, what is due,
how shipping stands against Amazon's Late Shipment Rate."""

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy.exc import SQLAlchemyError

from bot.domain.reviews import Asked
from bot.domain.schedule import DEFAULT_SINCE, DigestSchedule
from bot.domain.shipment_rates import ShipmentRate, late_shipment_rate
from bot.domain.shipping import Standing, Urgency, promise_day
from bot.store import Database, job_runs, queries, return_requests, review_requests, sync_state
from bot.usecases import deadlines, messages, reviews
from bot.usecases.late_shipments import computed_shipments, windows_ending
from bot.usecases.messages import MessagesStatus
from bot.usecases.sellers import Seller

# Return requests still needing the seller (authorize, receive, refund).
OPEN_RETURN_STATUSES = ("Pending", "Approved")
# Data older than this is flagged in the digest: the lists may miss new or shipped orders.
STALE_AFTER = timedelta(hours=24)
# An order placed up to this long before the previous digest that reached the store after it
# (the next sync, a report imported later that morning) is new in this one; an older one that
# arrives now (a report of last month imported) is not news.
LATE_ARRIVALS = timedelta(hours=24)
# A sync failing for longer than this is reported in the digest and on App Home (issue 8).
SYNC_FAILING_AFTER = timedelta(hours=1)
# The digest's lists of orders, by the name Digest.count knows each by.
_LISTS = {Urgency.LATE: "late", Urgency.DUE_TODAY: "due_today", Urgency.DUE_NEXT: "due_next"}


@dataclass(frozen=True)
class NewOrders:
    """Orders placed in the digest's period, in one currency."""

    currency: str | None
    orders: int
    units: int
    revenue: Decimal | None


@dataclass(frozen=True)
class Digest:
    """The morning digest: what changed since `since` and what needs doing at `as_of`."""

    as_of: datetime
    since: datetime
    today: date
    is_business_day: bool
    holiday: str | None
    next_business_day: date
    new: list[NewOrders]
    late: list[Standing]
    due_today: list[Standing]
    due_next: list[Standing]
    shipment_rates: list[ShipmentRate]
    last_data: datetime | None
    stale: bool
    open_returns: int
    # None when the seller never synced from the SP-API (reports only).
    sync: "SyncStatus | None" = None
    # With REVIEW_REQUESTS on: review requests sent since `since`, and those due now.
    reviews: "ReviewCounts | None" = None
    # Buyer messages, once sellerbot tracks them: the unanswered ones and the 24-hour record.
    messages: "MessagesStatus | None" = None
    # The local days the due-next orders are due on, each with its holiday's name (or "" for
    # another day that is no business day) or None for a business day: a promise Amazon made
    # for a holiday falls before the next business day, and the heading must say so.
    due_next_days: tuple[tuple[date, str | None], ...] = ()
    # How many orders each list ("late", "due_today", "due_next") has in all, where it holds
    # only its first ones (digest's `listed`); a list not named here is whole.
    totals: dict[str, int] = field(default_factory=dict)

    @property
    def new_orders(self) -> int:
        """New orders in every currency."""
        return sum(n.orders for n in self.new)

    def count(self, name: str) -> int:
        """How many orders the list `name` ("late", "due_today" or "due_next") has in all."""
        return self.totals.get(name, len(getattr(self, name)))


@dataclass(frozen=True)
class ReviewCounts:
    """Amazon's "Request a Review" in the digest: sent since the last digest, and due now."""

    sent: int
    due: int


@dataclass(frozen=True)
class SyncStatus:
    """The SP-API sync as the digest and App Home show it: its last success, and since when
    it has failed, once that is over SYNC_FAILING_AFTER."""

    last_success: datetime | None
    failing_since: datetime | None
    # "403 Unauthorized", "unreachable": Amazon's status and error code, never its free text.
    error: str | None
    # Orders a sync could not read and none has read since (their ids, as Amazon sent them,
    # cut to letters, digits and dashes): missing from every list until someone looks.
    left_out: tuple[str, ...] = ()


def sync_status(db: Database, seller: Seller, as_of: datetime,
                failing_after: timedelta = SYNC_FAILING_AFTER) -> SyncStatus | None:
    """How the seller's SP-API sync stands at `as_of`, failing once it has failed for
    `failing_after`; None if it never ran."""
    with db.begin() as conn:
        state = sync_state.read(conn, seller.marketplace.marketplace_id)
    return _sync_status(state, as_of, failing_after)


def _sync_status(state: sync_state.SyncState | None, as_of: datetime,
                 failing_after: timedelta = SYNC_FAILING_AFTER) -> SyncStatus | None:
    """How the seller's SP-API sync stands at `as_of`; None if it never ran."""
    if state is None:
        return None
    failing = (state.failing_since is not None
               and as_of - state.failing_since >= failing_after)
    return SyncStatus(state.last_success_at, state.failing_since if failing else None,
                      re.sub(r"[^A-Za-z0-9_ ]", "", state.last_error or "") if failing else None,
                      tuple(re.sub(r"[^A-Za-z0-9-]", "", i) or "?" for i in state.left_out_ids))


def digest(db: Database, seller: Seller, as_of: datetime, since: datetime | None = None,
           *, listed: int | None = None) -> Digest:
    """The digest as of `as_of`, covering what is new since `since`, the previous digest
    (without one, the day before).

    With `listed`, each list holds its first `listed` orders (the most a Slack message shows)
    and counts the rest (Digest.count): only these are read with their lines. A seller with
    thousands of orders late reads the lines of a few hundred, not of thousands.
    """
    # Orders that arrived late are new against a previous digest only: without one, `since`
    # stands for a day and nothing before it was shown.
    arrived_from = since - LATE_ARRIVALS if since is not None else as_of - DEFAULT_SINCE
    since = since or as_of - DEFAULT_SINCE
    today, _, next_day, next_day_end = seller.day_bounds(as_of)
    windows = seller.rules.lsr_windows_days
    deadlines.refresh(db, seller)
    with db.begin() as conn:
        open_orders = queries.open_orders(conn, placed_by=as_of, due_by=next_day_end,
                                          lines=listed is None)
        if listed is not None:
            # Without a deadline stored, the domain computes one from the lines (media, SKUs).
            queries.add_lines(conn, [o for o in open_orders if o.deadline is None])
        new = [NewOrders(*row) for row in queries.new_orders(conn, since, as_of, arrived_from)]
        last_import = queries.last_import(conn)
        open_returns = return_requests.count_returns(conn, statuses=OPEN_RETURN_STATUSES)
        sync = _sync_status(sync_state.read(conn, seller.marketplace.marketplace_id), as_of)
        standings = seller.classify(open_orders, as_of)
        computed = computed_shipments(standings)
        counted = windows_ending(conn, computed, [as_of - timedelta(days=d) for d in windows],
                                 as_of)
        rates = [late_shipment_rate(counts, days, seller.rules)
                 for counts, days in zip(counted, windows, strict=True)]
        by_urgency = {u: [s for s in standings if s.urgency is u] for u in Urgency}
        due_days = sorted({promise_day(s.ship_by, seller.timezone, seller.marketplace_timezone)
                           for s in by_urgency[Urgency.DUE_NEXT] if s.ship_by is not None})
        totals = {}
        if listed is not None:
            totals = {_LISTS[u]: len(by_urgency[u]) for u in _LISTS}
            by_urgency = {u: s[:listed] for u, s in by_urgency.items()}
            queries.add_lines(conn, [s.order for u in _LISTS for s in by_urgency[u]
                                     if s.order.deadline is not None])
    last_data = _latest(last_import, sync.last_success if sync else None)
    return Digest(
        as_of=as_of, since=since, today=today,
        is_business_day=seller.calendar.is_business_day(today),
        holiday=seller.calendar.holiday_name(today),
        next_business_day=next_day, new=new,
        late=by_urgency[Urgency.LATE], due_today=by_urgency[Urgency.DUE_TODAY],
        due_next=by_urgency[Urgency.DUE_NEXT], shipment_rates=rates,
        last_data=last_data, stale=last_data is None or as_of - last_data > STALE_AFTER,
        open_returns=open_returns, sync=sync,
        due_next_days=tuple((day, None if seller.calendar.is_business_day(day)
                             else seller.calendar.holiday_name(day) or "") for day in due_days),
        reviews=_review_counts(db, seller, since, as_of) if seller.reviews.enabled else None,
        messages=messages.status(db, as_of),
        totals=totals,
    )


def _review_counts(db: Database, seller: Seller, since: datetime, as_of: datetime
                   ) -> ReviewCounts:
    sent = review_requests.counts(db, since).get(Asked.SENT, 0)
    return ReviewCounts(sent=sent, due=len(reviews.reviews_due(db, seller, as_of).due))


def _latest(*moments: datetime | None) -> datetime | None:
    return max((m for m in moments if m is not None), default=None)


@dataclass(frozen=True)
class DeliveryFailure:
    """A channel whose latest morning digest could not be posted, and Slack's reason."""

    channel: str
    period: str
    error: str


def delivery_failures(db: Database, schedules: Sequence[DigestSchedule]) -> list[DeliveryFailure]:
    """The digests whose latest run failed (App Home shows them until one is posted)."""
    by_job = {s.job: s for s in schedules}
    runs = job_runs.latest(db, by_job)
    return [
        # Slack's error codes are snake_case words; anything else is not shown as mrkdwn.
        DeliveryFailure(by_job[job].channel, run.period, re.sub(r"[^a-z0-9_]", "", run.error or ""))
        for job, run in runs.items() if run.status == job_runs.FAILED
    ]


@dataclass(frozen=True)
class Health:
    """Whether the database answers, and how fresh its orders are."""

    database_ok: bool
    last_data: datetime | None
    stale: bool


def health(db: Database, as_of: datetime) -> Health:
    """For /healthz: a database that does not answer is unhealthy; old data is only stale."""
    try:
        with db.begin() as conn:
            last_import = queries.last_import(conn)
        last_data = _latest(last_import, sync_state.latest_success(db))
    except SQLAlchemyError:
        return Health(database_ok=False, last_data=None, stale=True)
    return Health(database_ok=True, last_data=last_data,
                  stale=last_data is None or as_of - last_data > STALE_AFTER)
