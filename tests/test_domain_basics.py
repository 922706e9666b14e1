"""Marketplaces, order ids, business days and ship-by deadlines (shipping.md §3's worked examples)."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from sp_api.base import Marketplaces

from bot.domain.calendar import BusinessCalendar
from bot.domain.marketplaces import MARKETPLACES, find_marketplace
from bot.domain.order_ids import normalize_order_id
from bot.domain.records import Channel, Order, OrderItem, OrderStatus
from bot.domain.shipping import Urgency, is_isbn10, ship_by, urgency
from bot.policy import shipping_rules

LA = ZoneInfo("America/Los_Angeles")
US = BusinessCalendar("US")


def test_marketplace_ids_match_python_amazon_sp_api():
    theirs = {m.marketplace_id for m in Marketplaces}
    assert {m.marketplace_id for m in MARKETPLACES} == theirs
    assert find_marketplace("Amazon.co.uk").code == "UK"
    assert find_marketplace("gb").marketplace_id == "A1F83G8C2ARO7P"
    assert find_marketplace("Non-Amazon") is None


@pytest.mark.parametrize(("typed", "order_id"), [
    ("123-4567890-1234567", "123-4567890-1234567"),
    ("#123-4567890-1234567", "123-4567890-1234567"),
    (" 123 4567890 1234567 ", "123-4567890-1234567"),
    ("12345678901234567", "123-4567890-1234567"),
    ("123\u20114567890\u20131234567", "123-4567890-1234567"),
    ("123-4567890-123456", None),
    ("\uff11\uff12\uff13-4567890-1234567", "123-4567890-1234567"),  # full-width digits
    ("\u0661\u0662\u0663-4567890-1234567", None),  # Arabic-Indic digits are not Amazon's
    ("abc-defghij-klmnopq", None),
])
def test_order_ids(typed, order_id):
    assert normalize_order_id(typed) == order_id


@pytest.mark.parametrize(("placed", "days", "ships_by"), [
    (date(2026, 11, 23), 1, date(2026, 11, 24)),
    (date(2026, 11, 20), 1, date(2026, 11, 23)),
    (date(2026, 11, 21), 2, date(2026, 11, 24)),
    (date(2026, 11, 24), 2, date(2026, 11, 27)),
    (date(2026, 11, 25), 1, date(2026, 11, 27)),
    (date(2026, 11, 25), 2, date(2026, 11, 30)),
    (date(2026, 11, 26), 1, date(2026, 11, 27)),
    (date(2026, 12, 23), 2, date(2026, 12, 28)),
    (date(2026, 12, 24), 1, date(2026, 12, 28)),
])
def test_worked_examples(placed, days, ships_by):
    assert US.add_business_days(placed, days) == ships_by


def test_saturday_switched_on():
    calendar = BusinessCalendar("US", working_weekdays=frozenset(range(6)))
    assert calendar.add_business_days(date(2026, 12, 11), 1) == date(2026, 12, 12)


def test_isbn10():
    assert is_isbn10("038549081X") and is_isbn10("0141439513")
    assert not is_isbn10("0141439514") and not is_isbn10("B00004T9QK")


def test_ship_by_prefers_amazons_date_and_falls_back_to_handling_time():
    given = datetime(2026, 11, 29, 7, 59, 59, tzinfo=UTC)  # a Saturday, taken as given
    placed = datetime(2026, 11, 24, 20, 0, tzinfo=UTC)  # Tuesday noon in Los Angeles
    book = OrderItem("x", "BK", asin="0141439513")
    mug = OrderItem("x", "MUG", asin="B0BZ7T4N6W")
    rules = shipping_rules()
    assert ship_by(Order("x", latest_ship_date=given), US, LA, 2, rules) == given
    assert ship_by(Order("x", purchase_date=placed, items=(book,)), US, LA, 5, rules) == datetime(
        2026, 11, 27, 23, 59, 59, tzinfo=LA)
    assert ship_by(Order("x", purchase_date=placed, items=(mug,)), US, LA, 1, rules) == datetime(
        2026, 11, 25, 23, 59, 59, tzinfo=LA)


def test_urgency_around_a_deadline():
    deadline = datetime(2026, 11, 25, 23, 59, 59, tzinfo=LA)
    assert urgency(deadline, datetime(2026, 11, 26, 7, 59, 59, tzinfo=UTC), LA, US) is Urgency.DUE_TODAY
    assert urgency(deadline, datetime(2026, 11, 26, 8, 0, 0, tzinfo=UTC), LA, US) is Urgency.LATE
    # Tuesday: Wednesday is the next business day; Friday (after Thanksgiving) is on track.
    tuesday = datetime(2026, 11, 24, 18, 0, tzinfo=UTC)
    assert urgency(deadline, tuesday, LA, US) is Urgency.DUE_NEXT
    friday = datetime(2026, 11, 27, 23, 59, 59, tzinfo=LA)
    assert urgency(friday, datetime(2026, 11, 25, 18, 0, tzinfo=UTC), LA, US) is Urgency.DUE_NEXT
    assert urgency(friday, tuesday, LA, US) is Urgency.ON_TRACK


def test_records_total_sums_lines_when_amazon_gave_none():
    from decimal import Decimal
    order = Order("x", status=OrderStatus.UNSHIPPED, fulfillment_channel=Channel.MERCHANT, items=(
        OrderItem("x", "A", item_price=Decimal("10.00"), item_tax=Decimal("0.80"),
                  shipping_price=Decimal("3.99"), promotion_discount=Decimal("1.00")),
        OrderItem("x", "B", item_price=Decimal("5.00")),
    ))
    assert order.total == Decimal("18.79")
    assert Order("x").total is None
