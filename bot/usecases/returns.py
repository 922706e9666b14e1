"""Whether an order can still be returned, explained (`/can-return`)."""

from dataclasses import dataclass, replace
from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.domain.records import Order, ReturnRequest
from bot.domain.return_requests import RequestDeadline, all_returned, request_deadlines
from bot.domain.returns import (
    ReturnDecision,
    ReturnRules,
    Verdict,
    decide,
)
from bot.errors import NotFound
from bot.store import Database, queries, return_requests
from bot.usecases import deadlines
from bot.usecases.lookup import find_order_id
from bot.usecases.orders import not_yet_placed
from bot.usecases.sellers import Seller

# Answers that say the order may come back: not one every unit of which already has.
_STILL_OPEN = (Verdict.RETURNABLE, Verdict.LATE, Verdict.CLOSED)


@dataclass(frozen=True)
class ReturnAnswer:
    """/can-return: the decision, the order it is about, and any known return requests."""

    order: Order
    decision: ReturnDecision
    requests: list[tuple[ReturnRequest, tuple[RequestDeadline, ...]]]
    rules: ReturnRules


def can_return(db: Database, seller: Seller, text: str, asked: date | datetime) -> ReturnAnswer:
    """Can the order `text` names still be returned when `asked`: at a moment, on its day in
    the order's marketplace, or on a day given as such (`--as-of 2026-12-24`)?"""
    order_id = find_order_id(db, text)
    deadlines.refresh(db, seller)
    with db.begin() as conn:
        order = queries.get_order(conn, order_id)
        requests = return_requests.returns_for(conn, order_id)
    if order is None:
        raise NotFound("order_not_found", order_id=order_id)
    if order.purchase_date is not None and _day_of(asked, seller.timezone) < (
            order.purchase_date.astimezone(seller.timezone).date()):
        raise not_yet_placed(order, asked, seller)
    return return_answer(order, requests, seller, asked)


def return_answer(order: Order, requests: list[ReturnRequest], seller: Seller,
                  asked: date | datetime) -> ReturnAnswer:
    """The answer for an order already read, with its return requests, when `asked`."""
    # Amazon's dates are the order's marketplace's (returns.md §7): an estimated delivery ends
    # in its evening, which may be the seller's next day, and an amazon.co.uk order of a unified
    # account counts London's days and Britain's holidays (Seller.market_of).
    calendar, zone = seller.market_of(order)
    # "Today" is the marketplace's too: a return-by date is Amazon's day there (an amazon.co.jp
    # seller living in Los Angeles is past it once Tokyo's day is over).
    today = _day_of(asked, zone)
    decision = decide(order, today, zone, calendar, seller.handling_days, seller.rules,
                      seller.returns)
    if decision.verdict in _STILL_OPEN and all_returned(order, requests):
        # The window may still be open, but nothing is left to send back.
        decision = replace(decision, verdict=Verdict.RETURNED, outcomes=())
    return ReturnAnswer(
        order=order, decision=decision, rules=seller.returns,
        requests=[(r, request_deadlines(r, today, calendar, seller.returns)) for r in requests],
    )


def _day_of(asked: date | datetime, zone: ZoneInfo) -> date:
    """The day `asked` is in `zone`: a moment's there, a day as it was given."""
    return asked.astimezone(zone).date() if isinstance(asked, datetime) else asked
