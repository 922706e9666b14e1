"""Who may be asked for a review through Amazon's "Request a Review", and why not (issue 19)."""

import dataclasses
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from bot.domain.records import Channel, Order, OrderStatus, ReturnRequest
from bot.domain.reviews import Asked, ReviewRules, Skip, review_standing

EARLIEST = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)
LATEST = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)
RULES = ReviewRules(opens_days=5, closes_days=30, wait_days=7)
# Asked 7 days after the latest delivery date (not delivered early), until 30 days after it.
OPENS = LATEST + timedelta(days=7)
CLOSES = LATEST + timedelta(days=30)
SECOND = timedelta(seconds=1)


def shipped(**changes) -> Order:
    order = Order("111-0000000-0000001", purchase_date=EARLIEST - timedelta(days=6),
                  status=OrderStatus.SHIPPED, fulfillment_channel=Channel.MERCHANT,
                  earliest_delivery_date=EARLIEST, latest_delivery_date=LATEST)
    return dataclasses.replace(order, **changes)


def a_return(**changes) -> ReturnRequest:
    return dataclasses.replace(ReturnRequest("111-0000000-0000001", "R1", "SKU", status="Approved"),
                               **changes)


CASES = [
    # what, order, returns, asked, now, rules, skip
    ("the window's first moment", shipped(), [], None, OPENS, RULES, None),
    ("a second before it", shipped(), [], None, OPENS - SECOND, RULES, Skip.TOO_EARLY),
    ("the window's last moment", shipped(), [], None, CLOSES, RULES, None),
    ("a second after it", shipped(), [], None, CLOSES + SECOND, RULES, Skip.TOO_LATE),
    ("not delivered and not yet due to be", shipped(), [], None, LATEST - SECOND, RULES,
     Skip.NOT_DELIVERED),
    ("delivered early: the wait counts from delivery",
     shipped(delivered_at=EARLIEST + timedelta(days=1)), [], None,
     EARLIEST + timedelta(days=8), RULES, None),
    ("a wait shorter than Amazon's 5 days: Amazon's window decides",
     shipped(delivered_at=EARLIEST), [], None, EARLIEST + timedelta(days=5) - SECOND,
     dataclasses.replace(RULES, wait_days=0), Skip.TOO_EARLY),
    ("canceled", shipped(status=OrderStatus.CANCELED), [], None, OPENS, RULES, Skip.CANCELED),
    ("fulfilled by Amazon", shipped(fulfillment_channel=Channel.AMAZON), [], None, OPENS,
     RULES, Skip.AMAZON_FULFILLED),
    ("fulfilled by Amazon, the seller opted in", shipped(fulfillment_channel=Channel.AMAZON),
     [], None, OPENS, dataclasses.replace(RULES, amazon_fulfilled=True), None),
    ("refunded", shipped(), [a_return(refunded_amount=Decimal("12.99"))], None, OPENS, RULES,
     Skip.REFUNDED),
    ("a return request", shipped(), [a_return()], None, OPENS, RULES, Skip.RETURN),
    ("not shipped yet", shipped(status=OrderStatus.UNSHIPPED), [], None, OPENS, RULES,
     Skip.NOT_SHIPPED),
    ("shipped, its invoice not yet confirmed", shipped(status=OrderStatus.INVOICE_UNCONFIRMED),
     [], None, OPENS, RULES, None),
    ("a wait of 30 days: asked on the window's last day", shipped(), [], None,
     CLOSES - timedelta(days=1), dataclasses.replace(RULES, wait_days=30), None),
    ("delivered late past the wait: asked on the last day",
     shipped(delivered_at=LATEST + timedelta(days=25)), [], None, CLOSES - timedelta(days=1),
     RULES, None),
    ("no delivery dates (a report import)",
     shipped(earliest_delivery_date=None, latest_delivery_date=None), [], None, OPENS, RULES,
     Skip.NO_DELIVERY_DATES),
    ("already asked", shipped(), [], Asked.SENT, OPENS, RULES, Skip.REQUESTED),
    ("being asked right now", shipped(), [], Asked.SENDING, OPENS, RULES, Skip.REQUESTED),
    ("Amazon did not offer it", shipped(), [], Asked.NOT_OFFERED, OPENS, RULES,
     Skip.NOT_OFFERED),
    ("an earlier attempt failed: asked again", shipped(), [], Asked.FAILED, OPENS, RULES, None),
]


@pytest.mark.parametrize(("what", "order", "returns", "asked", "now", "rules", "skip"), CASES,
                         ids=[case[0] for case in CASES])
def test_who_may_be_asked(what, order, returns, asked, now, rules, skip):
    standing = review_standing(order, returns, asked, now, rules)
    assert standing.skip is skip, what
    assert standing.due is (skip is None)


def test_the_window_is_given_with_the_standing():
    standing = review_standing(shipped(), [], None, OPENS, RULES)
    assert (standing.opens, standing.closes) == (OPENS, CLOSES)
