"""Can this order still be returned, until when, for what refund: returns.md §7, "How sellerbot
decides". The rule is fixed here; every number it uses comes from rules/returns.yaml.

All dates are calendar dates in the marketplace's time zone (returns.md §7): `tz` is that zone.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from bot.domain.calendar import BusinessCalendar
from bot.domain.records import Channel, Order, OrderItem, OrderStatus
from bot.domain.shipping import ShippingRules, is_isbn10, ship_by

# Orders Amazon has not released for shipping: a pre-order awaiting its release date, or a
# payment not yet authorised (shipping.md §6).
_NOT_SHIPPABLE_YET = frozenset({OrderStatus.PENDING_AVAILABILITY, OrderStatus.PENDING})


@dataclass(frozen=True)
class HolidayWindow:
    """A season's extended window: orders purchased in it may be returned until return_by."""

    name: str
    purchased_from: date
    purchased_until: date
    return_by: date
    confirmed: bool = True

    def covers(self, purchased: date) -> bool:
        """True when an order purchased on that date falls in the window."""
        return self.purchased_from <= purchased <= self.purchased_until


@dataclass(frozen=True)
class ReturnRules:
    """rules/returns.yaml as values (bot/policy.py loads them); no defaults in code."""

    window_days: int
    transit_days: int
    estimate_days_after_ship_by: int
    holiday_windows: tuple[HolidayWindow, ...]
    late_days: int
    late_fee_percent: int
    opened_media_percent: int
    opened_software_percent: int
    not_original_percent: int
    photo_from_percent: int
    media_categories: frozenset[str]
    software_categories: frozenset[str]
    # Lower-cased category or SKU -> the non-returnable class it belongs to.
    non_returnable_categories: Mapping[str, str]
    non_returnable_skus: Mapping[str, str]
    authorization_hours: int
    refund_business_days: int
    links: tuple[tuple[str, str], ...]


class Verdict(StrEnum):
    """Where an order stands for returns on a given day."""

    RETURNABLE = "returnable"
    LATE = "late"  # past return-by: a late fee may apply
    CLOSED = "closed"  # past the late period too: the seller may refuse
    NOT_RETURNABLE = "not-returnable"  # every line is in a non-returnable class
    CANCELED = "canceled"
    # Fulfilled by Amazon: Amazon takes the return and refunds under its own policy.
    AMAZON_FULFILLED = "amazon-fulfilled"
    RETURNED = "returned"  # every unit shipped has a return authorised or completed


class Outcome(StrEnum):
    """How a return can end, each with its refund."""

    NEW_UNOPENED = "new-unopened"
    OPENED_MEDIA = "opened-media"
    OPENED_SOFTWARE = "opened-software"
    NOT_ORIGINAL = "not-original-condition"
    DEFECTIVE_OR_WRONG = "defective-or-wrong"
    LATE = "late"
    MAY_REFUSE = "may-refuse"


class BaseDateSource(StrEnum):
    """Where the window's start date came from."""

    ESTIMATED_DELIVERY = "estimated-delivery"
    DELIVERED = "delivered"
    # No delivery date in the data (report imports): the ship-by plus the longest transit.
    ESTIMATED_FROM_SHIP_BY = "estimated-from-ship-by"


@dataclass(frozen=True)
class ItemReturnability:
    """One line: its class, and whether it can be returned at all."""

    sku: str
    title: str | None
    item_class: str  # "media", "software" or "other"
    returnable: bool
    reason: str | None = None  # the non-returnable class, when not returnable


@dataclass(frozen=True)
class RefundOutcome:
    """A way the return can go, with the smallest refund the seller may give in it."""

    outcome: Outcome
    refund_percent: int
    seller_pays_return_shipping: bool = False
    photo_needed: bool = False


@dataclass(frozen=True)
class ReturnDecision:
    """The answer to "can this order still be returned?" on `today`."""

    order_id: str
    today: date
    verdict: Verdict
    base_date: date | None
    base_date_source: BaseDateSource | None
    standard_return_by: date | None
    holiday_window: HolidayWindow | None
    return_by: date | None
    late_until: date | None
    items: tuple[ItemReturnability, ...]
    outcomes: tuple[RefundOutcome, ...]
    # The delivery the data states (the marketplace's date), None when no date is known: an
    # estimate is then all there is, which is not the same as "not delivered yet".
    delivered: date | None
    # The day of purchase there, which a holiday window is matched on.
    purchased: date | None = None

    @property
    def eligible(self) -> bool | None:
        """A new, unopened item could be returned for a full refund today; None for an order
        Amazon fulfils, whose returns Amazon decides."""
        if self.verdict is Verdict.AMAZON_FULFILLED:
            return None
        return self.verdict is Verdict.RETURNABLE

    @property
    def days_left(self) -> int | None:
        """Days until return-by (0 on the day itself, negative after it)."""
        return None if self.return_by is None else (self.return_by - self.today).days


def item_class(item: OrderItem, rules: ReturnRules) -> str:
    """media, software or other: what a restocking fee depends on."""
    category = (item.product_category or "").strip().lower()
    if category in rules.media_categories or is_isbn10(item.asin):
        return "media"
    if category in rules.software_categories:
        return "software"
    return "other"


def returnability(item: OrderItem, rules: ReturnRules) -> ItemReturnability:
    """Whether one line can be returned at all, by its SKU or its category."""
    category = (item.product_category or "").strip().lower()
    reason = (rules.non_returnable_skus.get(item.sku)
              or rules.non_returnable_categories.get(category))
    return ItemReturnability(sku=item.sku, title=item.title, item_class=item_class(item, rules),
                             returnable=reason is None, reason=reason)


def _base_date(order: Order, tz: ZoneInfo, calendar: BusinessCalendar, handling_days: int,
               shipping: ShippingRules, rules: ReturnRules
               ) -> tuple[date | None, BaseDateSource | None]:
    def local(moment: datetime | None) -> date | None:
        return moment.astimezone(tz).date() if moment else None

    estimated, delivered = local(order.latest_delivery_date), local(order.delivered_at)
    if estimated is not None:
        # Step 1: the estimated delivery date, or the actual one when known and later.
        if delivered is not None and delivered > estimated:
            return delivered, BaseDateSource.DELIVERED
        return estimated, BaseDateSource.ESTIMATED_DELIVERY
    if delivered is not None:
        return delivered, BaseDateSource.DELIVERED
    if order.status in _NOT_SHIPPABLE_YET:
        # A pre-order, or one Amazon has not released: no estimate until it can ship
        # (shipping.md §6), and a ship-by counted from the purchase would close its window
        # before it is delivered. The window opens at delivery.
        return None, None
    deadline = ship_by(order, calendar, tz, handling_days, shipping)
    if deadline is None:
        return None, None
    days = timedelta(days=rules.estimate_days_after_ship_by)
    return deadline.astimezone(tz).date() + days, BaseDateSource.ESTIMATED_FROM_SHIP_BY


@dataclass(frozen=True)
class AskedAbout:
    """On some day, the orders whose return may still be asked about (or come back late): those
    delivered on or after `delivered`, due to ship or shipped on or after `shipped`, or, for an
    order that says neither (an imported report's), bought on or after `bought`."""

    delivered: date
    shipped: date
    bought: date


def still_asked_about(today: date, rules: ReturnRules, calendar: BusinessCalendar,
                      longest_handling_days: int) -> AskedAbout:
    """What decide() may still answer with a window, a late period or a fee on `today`: each
    date counted back through the steps it counts forward (returns.md §7)."""
    delivered = today - timedelta(days=rules.window_days + rules.late_days)
    shipped = delivered - timedelta(days=rules.estimate_days_after_ship_by)
    return AskedAbout(delivered, shipped,
                      calendar.business_day_before(shipped, longest_handling_days))


def returns_may_come_from(today: date, rules: ReturnRules) -> date | None:
    """The first purchase date of the holiday windows whose returns may still come on `today`
    (until their return-by and the late period after it); None when no window's may."""
    late = timedelta(days=rules.late_days)
    return min((w.purchased_from for w in rules.holiday_windows if today <= w.return_by + late),
               default=None)


def _outcomes(verdict: Verdict, items: tuple[ItemReturnability, ...], rules: ReturnRules
              ) -> tuple[RefundOutcome, ...]:
    if verdict in (Verdict.CANCELED, Verdict.NOT_RETURNABLE, Verdict.AMAZON_FULFILLED):
        return ()
    def fee(outcome: Outcome, percent: int) -> RefundOutcome:
        # A fee of 20 % or more needs a photo of the returned item (returns.md §4).
        return RefundOutcome(outcome, 100 - percent,
                             photo_needed=percent >= rules.photo_from_percent)

    # The seller's fault (defective, damaged, wrong item) is a full refund at any time, and
    # the seller pays the return shipping (returns.md §1).
    seller_fault = RefundOutcome(Outcome.DEFECTIVE_OR_WRONG, 100, seller_pays_return_shipping=True)
    if verdict is Verdict.CLOSED:
        return (RefundOutcome(Outcome.MAY_REFUSE, 0), seller_fault)
    if verdict is Verdict.LATE:
        return (fee(Outcome.LATE, rules.late_fee_percent), seller_fault)
    classes = {item.item_class for item in items if item.returnable}
    outcomes = [RefundOutcome(Outcome.NEW_UNOPENED, 100)]

    if "media" in classes:
        outcomes.append(fee(Outcome.OPENED_MEDIA, rules.opened_media_percent))
    if "software" in classes:
        outcomes.append(fee(Outcome.OPENED_SOFTWARE, rules.opened_software_percent))
    outcomes.append(fee(Outcome.NOT_ORIGINAL, rules.not_original_percent))
    outcomes.append(seller_fault)
    return tuple(outcomes)


def _shipped_lines(order: Order) -> tuple[OrderItem, ...]:
    """The lines a buyer could return: of a shipped order, those that shipped. A line none of
    which shipped in an order that did is a cancelled one (All Orders' item-status); when no
    line says it shipped, the data says nothing about which, and every line is kept."""
    if order.status is not OrderStatus.SHIPPED or not any(
            item.quantity_shipped for item in order.items):
        return order.items
    return tuple(item for item in order.items if item.quantity_shipped != 0)


def decide(order: Order, today: date, tz: ZoneInfo, calendar: BusinessCalendar,
           handling_days: int, shipping: ShippingRules, rules: ReturnRules) -> ReturnDecision:
    """returns.md §7, steps 1 to 8, for `order` on the date `today`, its dates read in `tz`
    (the marketplace's zone)."""
    items = tuple(returnability(item, rules) for item in _shipped_lines(order))
    base, source = _base_date(order, tz, calendar, handling_days, shipping, rules)
    standard = holiday = return_by = late_until = None
    purchased = order.purchase_date.astimezone(tz).date() if order.purchase_date else None
    if base is not None:
        standard = return_by = base + timedelta(days=rules.window_days)  # step 2
        holiday = next((w for w in rules.holiday_windows
                        if purchased is not None and w.covers(purchased)), None)
        if holiday is not None and holiday.return_by > return_by:  # step 3
            return_by = holiday.return_by
        else:
            holiday = None  # the window did not extend anything
        late_until = return_by + timedelta(days=rules.late_days)  # step 6
    if order.status is OrderStatus.CANCELED:
        verdict = Verdict.CANCELED
    elif order.fulfillment_channel is Channel.AMAZON:
        verdict = Verdict.AMAZON_FULFILLED
    elif items and not any(item.returnable for item in items):
        verdict = Verdict.NOT_RETURNABLE
    elif return_by is None or today <= return_by:  # step 4
        verdict = Verdict.RETURNABLE
    elif late_until is not None and today <= late_until:
        verdict = Verdict.LATE
    else:
        verdict = Verdict.CLOSED
    return ReturnDecision(
        order_id=order.order_id, today=today, verdict=verdict, base_date=base,
        base_date_source=source, standard_return_by=standard, holiday_window=holiday,
        return_by=return_by, late_until=late_until, items=items,
        outcomes=_outcomes(verdict, items, rules),
        delivered=order.delivered_at.astimezone(tz).date() if order.delivered_at else None,
        purchased=purchased,
    )
