"""Ship-by deadlines and how urgent an open order is at a given instant (shipping.md §1-3)."""

from collections.abc import Mapping
from datetime import date, datetime, time
from enum import StrEnum
from zoneinfo import ZoneInfo

from bot.domain.calendar import BusinessCalendar
from bot.domain.records import OPEN_STATUSES, Channel, Order

MEDIA_HANDLING_DAYS = 2
"""Books, music, video and DVD ship within 2 business days (shipping.md §1, [au-ship])."""

MEDIA_CATEGORIES = frozenset({"book", "books", "music", "video", "dvd", "video dvd", "music cd"})


class Urgency(StrEnum):
    """Where an open order stands against its ship-by deadline."""

    LATE = "late"
    DUE_TODAY = "due-today"
    DUE_NEXT = "due-next"
    ON_TRACK = "on-track"


def end_of_day(day: date, tz: ZoneInfo) -> datetime:
    """The last second of `day` in `tz`, as Amazon's windows end (23:59:59 local)."""
    return datetime.combine(day, time(23, 59, 59), tzinfo=tz)


def is_isbn10(asin: str | None) -> bool:
    """True when an ASIN is a valid ISBN-10: books carry their ISBN-10 as ASIN."""
    if asin is None or len(asin) != 10:
        return False
    digits = asin.upper()
    if not digits[:9].isdigit() or not (digits[9].isdigit() or digits[9] == "X"):
        return False
    values = [int(c) for c in digits[:9]] + [10 if digits[9] == "X" else int(digits[9])]
    return sum((10 - i) * v for i, v in enumerate(values)) % 11 == 0


def is_media(order: Order) -> bool:
    """True when any line is a book, music, video or DVD."""
    return any(
        (item.product_category or "").strip().lower() in MEDIA_CATEGORIES or is_isbn10(item.asin)
        for item in order.items
    )


def ship_by(
    order: Order,
    calendar: BusinessCalendar,
    tz: ZoneInfo,
    handling_days: int,
    sku_handling: Mapping[str, int] | None = None,
) -> datetime | None:
    """Amazon's LatestShipDate when given, else the end of the Nth business day after purchase."""
    if order.latest_ship_date is not None:
        return order.latest_ship_date
    if order.purchase_date is None:
        return None
    if is_media(order):
        days = MEDIA_HANDLING_DAYS
    else:
        per_sku = sku_handling or {}
        days = max((per_sku.get(item.sku, handling_days) for item in order.items),
                   default=handling_days)
    purchased = order.purchase_date.astimezone(tz).date()
    return end_of_day(calendar.add_business_days(purchased, days), tz)


def is_open(order: Order) -> bool:
    """A merchant-fulfilled order still waiting for its shipment confirmation."""
    return order.fulfillment_channel is Channel.MERCHANT and order.status in OPEN_STATUSES


def urgency(deadline: datetime, now: datetime, tz: ZoneInfo,
            calendar: BusinessCalendar) -> Urgency:
    """Late past the deadline; else due today, due by the next business day, or on track."""
    if now > deadline:
        return Urgency.LATE
    today = now.astimezone(tz).date()
    if deadline.astimezone(tz).date() == today:
        return Urgency.DUE_TODAY
    if deadline <= end_of_day(calendar.next_business_day(today), tz):
        return Urgency.DUE_NEXT
    return Urgency.ON_TRACK


def next_business_day_after(now: datetime, tz: ZoneInfo, calendar: BusinessCalendar) -> date:
    """The next business day after today's local date."""
    return calendar.next_business_day(now.astimezone(tz).date())


