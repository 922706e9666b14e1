"""Ship-by deadlines and how urgent an open order is at an instant.

Rules from shipping.md §1-3 and §5 (the Late Shipment Rate: bot/domain/shipment_rates.py);
the values that may change live in rules/shipping.yaml.
"""

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from bot.domain.calendar import BusinessCalendar
from bot.domain.records import OPEN_STATUSES, Channel, Order


@dataclass(frozen=True)
class ShippingRules:
    """rules/shipping.yaml as values (bot/policy.py loads them), plus the seller's handling
    times. No defaults here: every number comes from the rules file, with its source."""

    media_handling_days: int
    media_categories: frozenset[str]
    auto_cancel_days: int
    auto_cancel_business_days: bool
    auto_cancel_warn_days: int
    lsr_target: float
    lsr_windows_days: tuple[int, ...]
    lsr_minimum_orders: int
    sku_handling_days: Mapping[str, int] = field(default_factory=dict)


class Urgency(StrEnum):
    """Where an open order stands against its ship-by deadline, most urgent first."""

    LATE = "late"
    DUE_TODAY = "due-today"
    DUE_NEXT = "due-next"
    ON_TRACK = "on-track"


_RANK = {urgency: rank for rank, urgency in enumerate(Urgency)}
# An open order's urgency, auto-cancel time, risk, whether that time has passed, and the day
# it is due: all follow from its deadline.
Judgement = tuple[Urgency, datetime, bool, bool, date]


_LAST_SECOND = time(23, 59, 59)


def end_of_day(day: date, tz: ZoneInfo) -> datetime:
    """The last second of `day` in `tz`, as Amazon's windows end (23:59:59 local): on a day
    whose last hour comes twice (clocks turned back at midnight, as in Cairo), the second."""
    return datetime.combine(day, _LAST_SECOND, tzinfo=tz).replace(fold=1)


def is_isbn10(asin: str | None) -> bool:
    """True when an ASIN is a valid ISBN-10: books carry their ISBN-10 as ASIN."""
    if asin is None or len(asin) != 10:
        return False
    digits = asin.upper()
    if not digits[:9].isdigit() or not (digits[9].isdigit() or digits[9] == "X"):
        return False
    values = [int(c) for c in digits[:9]] + [10 if digits[9] == "X" else int(digits[9])]
    return sum((10 - i) * v for i, v in enumerate(values)) % 11 == 0


def is_media(order: Order, rules: ShippingRules) -> bool:
    """True when any line is a book, music, video or DVD."""
    categories = rules.media_categories
    return any(
        (item.product_category or "").strip().lower() in categories or is_isbn10(item.asin)
        for item in order.items
    )


def is_open(order: Order) -> bool:
    """A merchant-fulfilled order still waiting for its shipment confirmation."""
    return order.fulfillment_channel is Channel.MERCHANT and order.status in OPEN_STATUSES


def ship_by(order: Order, calendar: BusinessCalendar, tz: ZoneInfo, handling_days: int,
            rules: ShippingRules, *, stored: bool = True) -> datetime | None:
    """Amazon's LatestShipDate when given (even on a non-business day), else the deadline the
    store computed when it kept the order (unless not `stored`), else `handling_deadline`.
    None for an order Amazon fulfils: no deadline of the seller's."""
    if order.fulfillment_channel is Channel.AMAZON:
        return None
    if order.latest_ship_date is not None:
        return order.latest_ship_date
    if stored and order.deadline is not None:
        return order.deadline
    return handling_deadline(order, calendar, tz, handling_days, rules)


def handling_deadline(order: Order, calendar: BusinessCalendar, tz: ZoneInfo, handling_days: int,
                      rules: ShippingRules) -> datetime | None:
    """The end of the Nth business day strictly after the purchase's local date: 2 for media,
    else the SKU's own handling time or the default. None without a purchase date.

    `tz` is the marketplace's zone, as Amazon counts (shipping.md §2, §3): an order placed
    before midnight there belongs to that day, and its ship-by ends at the end of a day there.
    Counted in a seller's zone east of it, Monday 22:00 Pacific would be Tuesday, and the
    order due a day after Amazon's deadline."""
    if order.purchase_date is None:
        return None
    if is_media(order, rules):
        days = rules.media_handling_days
    else:
        days = max((rules.sku_handling_days.get(item.sku, handling_days) for item in order.items),
                   default=handling_days)
    purchased = order.purchase_date.astimezone(tz).date()
    day = calendar.add_business_days(purchased, days)
    if not calendar.is_business_day(day):
        # No handling days, ordered on a day off: a ship-by landing there moves to the next
        # operating day (shipping.md §3).
        day = calendar.next_business_day(day)
    return end_of_day(day, tz)


# How handling_deadline reasons, by number: raised when a change of it moves any deadline, so
# that the stored ones are computed again (2: no handling days on a day off, 2026-12-07;
# 3: each order counted in its own marketplace's days, bot/usecases/sellers.py, 2026-12-08).
_REASONING = 3


def deadline_basis(calendar: BusinessCalendar, tz: ZoneInfo, handling_days: int,
                   rules: ShippingRules) -> str:
    """A digest of everything `handling_deadline` depends on besides the order: stored beside
    the deadlines computed with it, so that a change of settings or calendar recomputes them."""
    decided_by = (
        _REASONING, tz.key, handling_days, rules.media_handling_days,
        sorted(rules.media_categories),
        sorted(rules.sku_handling_days.items()), calendar.country,
        sorted(calendar.non_working_days), sorted(calendar.working_weekdays),
        calendar.holidays_version, sorted(calendar.working_holidays),
    )
    return hashlib.sha256(repr(decided_by).encode()).hexdigest()


def promise_day(deadline: datetime, tz: ZoneInfo, market_tz: ZoneInfo) -> date:
    """The day an order is due: the date its deadline ends where it was set. Amazon sets a
    ship-by at the end of a day in the marketplace's zone (and sellerbot computes one the same
    way, handling_deadline), which the seller's zone `tz` may read as another date; the earlier
    of the deadline's dates in the two is that day. East of the marketplace, Amazon's Monday
    23:59 Pacific is Tuesday 02:59 in New York: due on Monday."""
    return min(deadline.astimezone(tz).date(), deadline.astimezone(market_tz).date())


@dataclass(frozen=True)
class Today:
    """The report's instant and the local days every order is measured against: the seller's
    today and next business day, and the zones a deadline's day is read in (promise_day)."""

    now: datetime
    date: date
    next_business_day: date
    tz: ZoneInfo
    market_tz: ZoneInfo

    @classmethod
    def at(cls, now: datetime, tz: ZoneInfo, calendar: BusinessCalendar,
           market_tz: ZoneInfo | None = None) -> "Today":
        """The days for `now` in the seller's zone `tz`; `market_tz`, the marketplace's, when
        it is another."""
        today = now.astimezone(tz).date()
        return cls(now, today, calendar.next_business_day(today), tz, market_tz or tz)


def urgency(deadline: datetime, now: datetime, tz: ZoneInfo,
            calendar: BusinessCalendar, today: Today | None = None) -> Urgency:
    """Late once past the deadline (even on its own day); else due today (its promise_day is
    today, or before it in the marketplace's evening), due by the next business day, or on
    track."""
    today = today or Today.at(now, tz, calendar)
    if now > deadline:
        return Urgency.LATE
    day = promise_day(deadline, today.tz, today.market_tz)
    if day <= today.date:
        return Urgency.DUE_TODAY
    if day <= today.next_business_day:
        return Urgency.DUE_NEXT
    return Urgency.ON_TRACK


def cancelled_by(day: date, calendar: BusinessCalendar, rules: ShippingRules) -> date:
    """The first ship-by day whose orders Amazon had not yet auto-cancelled, if unconfirmed,
    by `day`: an order due before it was cancelled by then (auto_cancel_at, counted back)."""
    if rules.auto_cancel_business_days:
        return calendar.business_day_before(day, rules.auto_cancel_days)
    return day - timedelta(days=rules.auto_cancel_days)


def auto_cancel_at(deadline: datetime, tz: ZoneInfo, calendar: BusinessCalendar,
                   rules: ShippingRules) -> datetime:
    """When Amazon cancels an order still unconfirmed: ship-by + 7 calendar or business days,
    counted in `tz`, the marketplace's zone, as Amazon counts them."""
    if rules.auto_cancel_business_days:
        day = calendar.add_business_days(deadline.astimezone(tz).date(), rules.auto_cancel_days)
        return end_of_day(day, tz)
    # Counted in local wall time: across a DST change, 23:59:59 stays 23:59:59.
    local = deadline.astimezone(tz)
    return datetime.combine(local.date() + timedelta(days=rules.auto_cancel_days), local.time(),
                            tzinfo=tz)


@dataclass(frozen=True)
class Standing:
    """An order with its deadline and, when open, where it stands at the report's instant."""

    order: Order
    ship_by: datetime | None
    # None for orders not open for shipping (pending, shipped, cancelled, Amazon-fulfilled).
    urgency: Urgency | None = None
    cancel_at: datetime | None = None
    # Late and within warn_days_before of Amazon's auto-cancel: it will go unpaid.
    auto_cancel_risk: bool = False
    # Past that time still unconfirmed here: Amazon may have cancelled it already (the store
    # learns so with the next import or sync).
    cancel_passed: bool = False
    # The day it is due (promise_day): its deadline's own date unless Amazon's day ends in
    # the seller's next one.
    due_day: date | None = None

    @property
    def sort_key(self) -> tuple:
        """Most urgent group first; Prime first within a group; then earliest deadline."""
        rank = _RANK[self.urgency] if self.urgency is not None else len(_RANK)
        deadline = self.ship_by or self.order.purchase_date
        return (rank, not self.order.is_prime, deadline is None, deadline, self.order.order_id)


def assess(order: Order, now: datetime, tz: ZoneInfo, calendar: BusinessCalendar,
           handling_days: int, rules: ShippingRules, today: Today | None = None,
           judged: dict[datetime, Judgement] | None = None, *,
           market_tz: ZoneInfo | None = None) -> Standing:
    """Where one order stands at `now`; an open order's urgency is looked up in `judged`.
    `market_tz`: the marketplace's zone, when the seller's is another (promise_day); Amazon's
    days, a computed deadline's and the auto-cancel's, are counted there."""
    deadline = ship_by(order, calendar, market_tz or tz, handling_days, rules)
    if deadline is None or not is_open(order):
        return Standing(order=order, ship_by=deadline)
    today = today or Today.at(now, tz, calendar, market_tz)
    judged = {} if judged is None else judged
    if (judgement := judged.get(deadline)) is None:
        judgement = judged[deadline] = _judged(deadline, now, tz, calendar, rules, today)
    return Standing(order, deadline, *judgement)


def _judged(deadline: datetime, now: datetime, tz: ZoneInfo, calendar: BusinessCalendar,
            rules: ShippingRules, today: Today) -> Judgement:
    """The judgement of an open order due at `deadline`."""
    state = urgency(deadline, now, tz, calendar, today)
    cancel_at = auto_cancel_at(deadline, today.market_tz, calendar, rules)
    warn = timedelta(days=rules.auto_cancel_warn_days)
    late = state is Urgency.LATE
    return (state, cancel_at, late and now >= cancel_at - warn, late and now >= cancel_at,
            promise_day(deadline, today.tz, today.market_tz))


def classify(orders: Iterable[Order], now: datetime, tz: ZoneInfo, calendar: BusinessCalendar,
             handling_days: int, rules: ShippingRules, market_tz: ZoneInfo | None = None
             ) -> list[Standing]:
    """The open orders among `orders`, classified at `now` and sorted for attention (in the
    seller's zone `tz`; `market_tz`, the marketplace's, when it is another)."""
    today = Today.at(now, tz, calendar, market_tz)
    # Orders share deadlines (every imported order is due at the end of a business day), and
    # the rest of a standing follows from the deadline: each deadline is judged once.
    judged: dict[datetime, Judgement] = {}
    standings = [assess(order, now, tz, calendar, handling_days, rules, today, judged)
                 for order in orders]
    open_ones = [s for s in standings if s.urgency is not None]
    open_ones.sort(key=lambda standing: standing.sort_key)
    return open_ones
