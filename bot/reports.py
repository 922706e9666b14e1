"""Use cases where the store meets the domain: what the CLI, Slack and the jobs ask for.

Every report takes the instant it is about (`as_of`) as an argument; nothing below the CLI,
the Slack listeners and the jobs reads the clock.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from zoneinfo import ZoneInfo

from sqlalchemy.exc import SQLAlchemyError

from bot.config import Settings
from bot.domain.calendar import BusinessCalendar
from bot.domain.marketplaces import Marketplace
from bot.domain.order_ids import read_order_reference
from bot.domain.records import Order, ReturnRequest
from bot.domain.returns import (
    RequestDeadline,
    ReturnDecision,
    ReturnRules,
    decide,
    request_deadlines,
)
from bot.domain.schedule import DigestSchedule
from bot.domain.shipping import (
    Shipment,
    ShipmentCounts,
    ShipmentRate,
    ShippingRules,
    Standing,
    Urgency,
    assess,
    classify,
    count_shipments,
    end_of_day,
    late_shipment_rate,
)
from bot.errors import BadInput, NotFound
from bot.policy import return_rules, shipping_rules
from bot.sources.context import SellerContext
from bot.sources.demo import demo_seller
from bot.store import Database, job_runs, queries, sync_state
from bot.store.writer import Writer

# Return requests still needing the seller (authorize, receive, refund).
OPEN_RETURN_STATUSES = ("Pending", "Approved")
# Data older than this is flagged in the digest: the lists may miss new or shipped orders.
STALE_AFTER = timedelta(hours=24)
# A sync failing for longer than this is reported in the digest and on App Home (issue 8).
SYNC_FAILING_AFTER = timedelta(hours=1)


@dataclass(frozen=True)
class Seller:
    """What the reports need to know about the seller, from the settings."""

    timezone: ZoneInfo
    calendar: BusinessCalendar
    handling_days: int
    rules: ShippingRules
    marketplace: Marketplace
    returns: ReturnRules

    def assess(self, order: Order, now: datetime) -> Standing:
        """Where an order stands at `now`."""
        return assess(order, now, self.timezone, self.calendar, self.handling_days, self.rules)


def seller_of(settings: Settings) -> Seller:
    """The seller the settings describe (rules files are read once per process)."""
    return Seller(
        timezone=settings.timezone,
        calendar=calendar_for(settings),
        handling_days=settings.default_handling_days,
        rules=shipping_rules(settings.shipping_rules),
        marketplace=settings.market,
        returns=return_rules(settings.returns_rules),
    )


def calendar_for(settings: Settings) -> BusinessCalendar:
    """The seller's business-day calendar: weekends, national holidays, own days off."""
    return BusinessCalendar(country=settings.market.country, non_working_days=settings.days_off)


def seller_context(settings: Settings) -> SellerContext:
    """What parsers need to know about the seller."""
    return SellerContext(timezone=settings.timezone, marketplace=settings.market)


class View(StrEnum):
    """The order lists `/orders` and `sellerbot orders` show."""

    TODAY = "today"
    AT_RISK = "at-risk"
    LATE = "late"
    UNSHIPPED = "unshipped"


def orders_argument(text: str) -> View | str | None:
    """What `/orders TEXT` asks for: a list, None for help (nothing, or "help"), or else the
    order it names (an id or enough of it: find_order_id decides, and says what was wrong)."""
    word = text.strip().lower()
    if word in ("", "help"):
        return None
    try:
        return View(word)
    except ValueError:
        return text.strip()


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


def _day_bounds(seller: Seller, as_of: datetime) -> tuple[date, datetime, date, datetime]:
    today = as_of.astimezone(seller.timezone).date()
    midnight = datetime.combine(today, datetime.min.time(), tzinfo=seller.timezone)
    next_day = seller.calendar.next_business_day(today)
    return today, midnight, next_day, end_of_day(next_day, seller.timezone)


def orders_report(db: Database, seller: Seller, view: View, as_of: datetime) -> OrdersReport:
    """today: placed today or due today; at-risk: late, due today, due next business day;
    late; unshipped: every open order. Orders placed after `as_of` are left out."""
    today, midnight, next_day, next_day_end = _day_bounds(seller, as_of)
    due_by = None if view is View.UNSHIPPED else next_day_end
    with db.begin() as conn:
        open_orders = queries.open_orders(conn, placed_by=as_of, due_by=due_by)
        placed_today = queries.orders_placed(conn, midnight, as_of) if view is View.TODAY else []
        store_empty = not open_orders and not placed_today and not queries.any_order(conn)
    standings = classify(open_orders, as_of, seller.timezone, seller.calendar,
                         seller.handling_days, seller.rules)
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


def order_detail(db: Database, seller: Seller, text: str, as_of: datetime) -> OrderDetail:
    """Look up one order by its id as typed, or enough of it (find_order_id); nonsense, an
    ambiguous fragment or an unknown order is a friendly error."""
    order_id = find_order_id(db, text, usage="orders_what")
    with db.begin() as conn:
        order = queries.get_order(conn, order_id)
        returns = queries.returns_for(conn, order_id)
    if order is None:
        raise NotFound("order_not_found", order_id=order_id)
    if order.purchase_date is not None and as_of < order.purchase_date:
        raise _not_yet_placed(order, as_of, seller)
    return OrderDetail(as_of=as_of, standing=seller.assess(order, as_of), returns=returns)


def _not_yet_placed(order: Order, asked: date | datetime, seller: Seller) -> BadInput:
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


# Candidates listed when a part of an id matches several orders.
MAX_CANDIDATES = 10


def find_order_id(db: Database, text: str, *, usage: str = "order_id_usage") -> str:
    """The order id `text` means: a full id, or a fragment exactly one stored order contains.
    Every command and listener that takes an order reads it here: one grammar.

    Raises BadInput with the `usage` line for nonsense, order_id_malformed for digits that no
    order id can hold (one too many), or the candidates when several orders match; NotFound
    when none does.
    """
    reference = read_order_reference(text)
    if reference.kind == "id":
        return reference.value
    if reference.kind == "too-long":
        raise BadInput("order_id_malformed", text=text.strip()[:40])
    if reference.kind == "not-an-id":
        raise BadInput(usage, text=text.strip()[:40])
    fragment = reference.value
    with db.begin() as conn:
        found = queries.order_ids_containing(conn, fragment, MAX_CANDIDATES + 1)
    if not found:
        raise NotFound("order_not_found", order_id=fragment)
    if len(found) > 1:
        raise BadInput("order_ambiguous", text=fragment, candidates=found[:MAX_CANDIDATES],
                       more=len(found) > MAX_CANDIDATES)
    return found[0]


@dataclass(frozen=True)
class ReturnAnswer:
    """/can-return: the decision, the order it is about, and any known return requests."""

    order: Order
    decision: ReturnDecision
    requests: list[tuple[ReturnRequest, tuple[RequestDeadline, ...]]]
    rules: ReturnRules


def can_return(db: Database, seller: Seller, text: str, today: date) -> ReturnAnswer:
    """Can the order `text` names still be returned on the seller's local date `today`?"""
    order_id = find_order_id(db, text)
    with db.begin() as conn:
        order = queries.get_order(conn, order_id)
        requests = queries.returns_for(conn, order_id)
    if order is None:
        raise NotFound("order_not_found", order_id=order_id)
    if order.purchase_date is not None and today < order.purchase_date.astimezone(
            seller.timezone).date():
        raise _not_yet_placed(order, today, seller)
    decision = decide(order, today, seller.timezone, seller.calendar, seller.handling_days,
                      seller.rules, seller.returns)
    return ReturnAnswer(
        order=order, decision=decision, rules=seller.returns,
        requests=[(r, request_deadlines(r, today, seller.calendar, seller.returns))
                  for r in requests],
    )


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
    # The local days the due-next orders are due on, each with its holiday's name (or "" for
    # another day that is no business day) or None for a business day: a promise Amazon made
    # for a holiday falls before the next business day, and the heading must say so.
    due_next_days: tuple[tuple[date, str | None], ...] = ()

    @property
    def new_orders(self) -> int:
        """New orders in every currency."""
        return sum(n.orders for n in self.new)


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


def _sync_status(state: sync_state.SyncState | None, as_of: datetime) -> SyncStatus | None:
    """How the seller's SP-API sync stands at `as_of`; None if it never ran."""
    if state is None:
        return None
    failing = (state.failing_since is not None
               and as_of - state.failing_since >= SYNC_FAILING_AFTER)
    return SyncStatus(state.last_success_at, state.failing_since if failing else None,
                      re.sub(r"[^A-Za-z0-9_ ]", "", state.last_error or "") if failing else None,
                      tuple(re.sub(r"[^A-Za-z0-9-]", "", i) or "?" for i in state.left_out_ids))


def digest(db: Database, seller: Seller, as_of: datetime, since: datetime | None = None) -> Digest:
    """The digest as of `as_of`, covering what is new since `since` (a day before by default)."""
    since = since or as_of - timedelta(days=1)
    today, _, next_day, next_day_end = _day_bounds(seller, as_of)
    windows = seller.rules.lsr_windows_days
    with db.begin() as conn:
        open_orders = queries.open_orders(conn, placed_by=as_of, due_by=next_day_end)
        new = [NewOrders(*row) for row in queries.new_orders(conn, since, as_of)]
        counts = [
            queries.shipment_counts(conn, as_of - timedelta(days=days), as_of)
            + ShipmentCounts(unknown=queries.count_unknown_shipments(
                conn, as_of - timedelta(days=days), as_of))
            for days in windows
        ]
        last_import = queries.last_import(conn)
        open_returns = queries.count_returns(conn, statuses=OPEN_RETURN_STATUSES)
        sync = _sync_status(sync_state.read(conn, seller.marketplace.marketplace_id), as_of)
    last_data = _latest(last_import, sync.last_success if sync else None)
    standings = classify(open_orders, as_of, seller.timezone, seller.calendar,
                         seller.handling_days, seller.rules)
    # Open orders whose deadline sellerbot computed (no Amazon ship-by) count in the LSR too.
    computed = [Shipment(s.ship_by, None, s.order.status) for s in standings
                if s.order.latest_ship_date is None and s.ship_by is not None]
    rates = [
        late_shipment_rate(
            counted + count_shipments(computed, as_of - timedelta(days=days), as_of),
            days, seller.rules)
        for days, counted in zip(windows, counts, strict=True)
    ]
    by_urgency = {u: [s for s in standings if s.urgency is u] for u in Urgency}
    due_days = sorted({s.ship_by.astimezone(seller.timezone).date()
                       for s in by_urgency[Urgency.DUE_NEXT] if s.ship_by is not None})
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
    )


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


@dataclass(frozen=True)
class DemoLoaded:
    """What `sellerbot demo` stored."""

    orders: int
    items: int
    returns: int
    by_status: dict[str, int]


def load_demo(db: Database, settings: Settings, now: datetime) -> DemoLoaded:
    """Replace the demo seller's data with a fresh one as seen at `now`."""
    seller = demo_seller(now, settings.timezone, calendar_for(settings), settings.market,
                         shipping_rules(settings.shipping_rules))
    with db.begin() as conn:
        queries.delete_demo(conn)
        writer = Writer(conn, demo=True)
        for record in (*seller.orders, *seller.items, *seller.returns):
            writer.add(record)
        writer.flush()
        queries.record_import(conn, file_name="(demo seller)", kind="demo",
                              rows=len(seller.orders), checksum="", imported_at=now)
        by_status = queries.count_by_status(conn)
    return DemoLoaded(
        orders=len(seller.orders), items=len(seller.items), returns=len(seller.returns),
        by_status=by_status,
    )
