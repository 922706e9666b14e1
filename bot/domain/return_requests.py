"""What a known return request asks of the seller, and by when (returns.md §2)."""

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from bot.domain.calendar import BusinessCalendar
from bot.domain.records import Order, OrderStatus, ReturnRequest
from bot.domain.returns import ReturnRules


@dataclass(frozen=True)
class RequestDeadline:
    """Something a known return request asks of the seller, and by when."""

    action: str  # "authorize" or "refund"
    due: date
    overdue: bool


def request_deadlines(request: ReturnRequest, today: date, calendar: BusinessCalendar,
                      rules: ReturnRules) -> tuple[RequestDeadline, ...]:
    """The seller's deadlines for one request (returns.md §2): authorize a manual one within
    24 hours; refund within 2 business days of the item's arrival."""
    status = (request.status or "").strip().lower()
    deadlines = []
    if status == "pending" and request.in_policy is False and request.request_date is not None:
        # The request's time of day is not in the report: the hours run out a day later at most.
        due = request.request_date + timedelta(days=-(-rules.authorization_hours // 24))
        deadlines.append(RequestDeadline("authorize", due, today > due))
    if (status in ("approved", "pending") and request.return_delivery_date is not None
            and request.refunded_amount is None):
        # Amazon's business days (weekdays but the country's holidays): its clock does not
        # stop for the days the seller takes off, nor run on the ones the seller works.
        amazons = BusinessCalendar(calendar.country)
        due = amazons.add_business_days(request.return_delivery_date, rules.refund_business_days)
        deadlines.append(RequestDeadline("refund", due, today > due))
    return tuple(deadlines)


# A return under way or done: the item is on its way back, or back and refunded.
_TAKEN_BACK = frozenset({"approved", "completed"})


def all_returned(order: Order, requests: Iterable[ReturnRequest]) -> bool:
    """True when `order` shipped whole and every unit of it (shipped, or, unknown, ordered)
    has a return authorised or completed: there is nothing left to return."""
    if order.status is not OrderStatus.SHIPPED or any(
            item.quantity_shipped is not None and item.quantity_shipped < (
                item.quantity_ordered or 0) for item in order.items):
        return False  # a line still to ship may come back once it has
    back: Counter[str] = Counter()
    for request in requests:
        if (request.status or "").strip().lower() in _TAKEN_BACK:
            back[request.sku] += request.quantity or 1
    sent = Counter()
    for item in order.items:
        sent[item.sku] += item.quantity_shipped if item.quantity_shipped is not None else (
            item.quantity_ordered or 0)
    return sum(sent.values()) > 0 and all(back[sku] >= units for sku, units in sent.items())
