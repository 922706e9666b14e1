"""What a known return request asks of the seller, and by when (returns.md §2)."""

from dataclasses import dataclass
from datetime import date, timedelta

from bot.domain.calendar import BusinessCalendar
from bot.domain.records import ReturnRequest
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
