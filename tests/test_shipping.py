"""Ship-by deadlines, classification and the Late Shipment Rate, table by table.

Dates are US (America/Los_Angeles, Thanksgiving 2026-11-26, Christmas 2026-12-25), as in
the project's spec, shipping.md §3, whose worked examples are among the rows.
"""

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.domain.calendar import BusinessCalendar
from bot.domain.records import Channel, Order, OrderItem, OrderStatus
from bot.domain.shipment_rates import Shipment, count_shipments, late_shipment_rate
from bot.domain.shipping import Urgency, assess, classify, ship_by
from bot.policy import shipping_rules

LA = ZoneInfo("America/Los_Angeles")
US = BusinessCalendar("US")
RULES = replace(shipping_rules(), sku_handling_days={"SLOW-1": 5})
BOOK = OrderItem("o", "BK-1", asin="0141439513")
CD = OrderItem("o", "CD-1", asin="B00004T9QK", product_category="Music")
MUG = OrderItem("o", "MUG-1", asin="B0BZ7T4N6W")
SLOW = OrderItem("o", "SLOW-1", asin="B0B8N2W7QX")


def local(y, m, d, hh=12, mm=0, ss=0):
    return datetime(y, m, d, hh, mm, ss, tzinfo=LA)


def end(y, m, d):
    return datetime(y, m, d, 23, 59, 59, tzinfo=LA)


def order(placed=None, items=(MUG,), status=OrderStatus.UNSHIPPED, channel=Channel.MERCHANT,
          latest=None, prime=False, order_id="111-0000000-0000000"):
    return Order(order_id, purchase_date=placed, status=status, fulfillment_channel=channel,
                 latest_ship_date=latest, is_prime=prime, items=tuple(items))


@pytest.mark.parametrize(("placed", "items", "handling", "expected"), [
    # N = 2: Friday, Saturday or Sunday ship by Tuesday; Monday by Wednesday.
    (local(2026, 11, 13), (MUG,), 2, end(2026, 11, 17)),
    (local(2026, 11, 14), (MUG,), 2, end(2026, 11, 17)),
    (local(2026, 11, 15), (MUG,), 2, end(2026, 11, 17)),
    (local(2026, 11, 16), (MUG,), 2, end(2026, 11, 18)),
    # Tuesday before Thanksgiving: Wednesday, (Thursday skipped), Friday.
    (local(2026, 11, 24), (MUG,), 2, end(2026, 11, 27)),
    # shipping.md §3: #1, #2, #5, #6 (media), #7 (placed on the holiday), #8, #9.
    (local(2026, 11, 23), (MUG,), 1, end(2026, 11, 24)),
    (local(2026, 11, 20), (MUG,), 1, end(2026, 11, 23)),
    (local(2026, 11, 25), (MUG,), 1, end(2026, 11, 27)),
    (local(2026, 11, 25), (BOOK,), 1, end(2026, 11, 30)),
    (local(2026, 11, 26), (MUG,), 1, end(2026, 11, 27)),
    (local(2026, 12, 23), (CD,), 9, end(2026, 12, 28)),
    (local(2026, 12, 24), (MUG,), 1, end(2026, 12, 28)),
    # No handling days (Seller Central allows 0): the order date itself, or, ordered on a day
    # off, the next operating day, where a ship-by landing on one moves (§3).
    (local(2026, 11, 23), (MUG,), 0, end(2026, 11, 23)),
    (local(2026, 12, 5), (MUG,), 0, end(2026, 12, 7)),
    (local(2026, 11, 26), (MUG,), 0, end(2026, 11, 27)),
    # Media is 2 days whatever the default; a SKU's own handling time beats the default.
    (local(2026, 11, 16), (BOOK,), 5, end(2026, 11, 18)),
    (local(2026, 11, 16), (SLOW,), 1, end(2026, 11, 23)),
    (local(2026, 11, 16), (MUG, SLOW), 1, end(2026, 11, 23)),
    # Just before and just after local midnight: the local date decides.
    (local(2026, 11, 16, 23, 59, 59), (MUG,), 1, end(2026, 11, 17)),
    (local(2026, 11, 17, 0, 0, 0), (MUG,), 1, end(2026, 11, 18)),
    # 07:30 UTC on the 17th is still the 16th in Los Angeles.
    (datetime(2026, 11, 17, 7, 30, tzinfo=UTC), (MUG,), 1, end(2026, 11, 17)),
    # Across the end of daylight saving time (2026-11-01): the deadline is 23:59:59 PST.
    (local(2026, 10, 30), (MUG,), 2, end(2026, 11, 3)),
    # Into daylight saving time (2026-03-08).
    (local(2026, 3, 6), (MUG,), 1, end(2026, 3, 9)),
])
def test_ship_by_from_handling_time(placed, items, handling, expected):
    deadline = ship_by(order(placed, items), US, LA, handling, RULES)
    assert deadline == expected
    assert deadline.utcoffset() == expected.utcoffset()


def test_amazons_ship_by_is_taken_as_given_even_on_a_holiday():
    thanksgiving = end(2026, 11, 26)
    assert ship_by(order(local(2026, 11, 24), latest=thanksgiving), US, LA, 2, RULES) == thanksgiving


def test_a_seller_day_off_is_skipped():
    calendar = BusinessCalendar("US", non_working_days=frozenset({date(2026, 11, 25)}))
    assert ship_by(order(local(2026, 11, 24)), calendar, LA, 2, RULES) == end(2026, 11, 30)


def test_saturday_switched_on_and_a_holiday_worked_are_business_days(settings):
    from bot.config import load_settings
    from bot.wiring import calendar_for

    def calendar(**setting: str) -> BusinessCalendar:
        return calendar_for(load_settings(database_url=settings.database_url, **setting))

    # shipping.md §3, example 10: Fri 2026-12-11, Saturday switched on, 1 day: Sat 2026-12-12.
    saturdays = calendar(weekend_operating_days="Saturday")
    assert ship_by(order(local(2026, 12, 11)), saturdays, LA, 1, RULES) == end(2026, 12, 12)
    assert ship_by(order(local(2026, 12, 11)), calendar(), LA, 1, RULES) == end(2026, 12, 14)
    # Martin Luther King Jr. Day is in the national list; a seller who ships on it says so.
    mlk = date(2026, 1, 19)
    worked = calendar(working_holidays="2026-01-19")
    assert worked.is_business_day(mlk) and not US.is_business_day(mlk)
    assert ship_by(order(local(2026, 1, 16)), worked, LA, 1, RULES) == end(2026, 1, 19)


def test_only_national_holidays_count():
    # Cesar Chavez Day (California, 31 March) and Patriots' Day (Massachusetts) are business days.
    assert US.is_business_day(date(2027, 3, 31))
    assert US.is_business_day(date(2027, 4, 19))
    assert not US.is_business_day(date(2026, 12, 25))


DEADLINE = end(2026, 11, 25)  # Wednesday


@pytest.mark.parametrize(("now", "expected"), [
    (DEADLINE - timedelta(seconds=1), Urgency.DUE_TODAY),
    (DEADLINE, Urgency.DUE_TODAY),
    (DEADLINE + timedelta(seconds=1), Urgency.LATE),
    (local(2026, 11, 25, 0, 0, 0), Urgency.DUE_TODAY),
    # Tuesday: Wednesday is the next business day.
    (local(2026, 11, 24, 9), Urgency.DUE_NEXT),
    (local(2026, 11, 23, 9), Urgency.ON_TRACK),
    # Friday before: the next business day is Monday, not Wednesday.
    (local(2026, 11, 20, 9), Urgency.ON_TRACK),
])
def test_classification_around_a_deadline(now, expected):
    assert assess(order(latest=DEADLINE), now, LA, US, 2, RULES).urgency is expected


def test_due_next_reaches_over_a_holiday_and_a_weekend():
    friday = end(2026, 11, 27)
    assert assess(order(latest=friday), local(2026, 11, 25, 9), LA, US, 2, RULES).urgency is Urgency.DUE_NEXT
    monday = end(2026, 11, 30)
    assert assess(order(latest=monday), local(2026, 11, 27, 9), LA, US, 2, RULES).urgency is Urgency.DUE_NEXT
    assert assess(order(latest=monday), local(2026, 11, 26, 9), LA, US, 2, RULES).urgency is Urgency.ON_TRACK


def test_a_deadline_on_a_saturday_is_due_that_day_not_next():
    saturday = end(2026, 11, 28)
    now = local(2026, 11, 28, 10)
    assert assess(order(latest=saturday), now, LA, US, 2, RULES).urgency is Urgency.DUE_TODAY


def test_daylight_saving_day():
    # 2026-11-01 has 25 hours in Los Angeles; 23:59:59 PST is 07:59:59 UTC on the 2nd.
    deadline = end(2026, 11, 1)
    assert deadline.astimezone(UTC) == datetime(2026, 11, 2, 7, 59, 59, tzinfo=UTC)
    assert assess(order(latest=deadline), datetime(2026, 11, 2, 7, 59, 59, tzinfo=UTC),
                  LA, US, 2, RULES).urgency is Urgency.DUE_TODAY
    assert assess(order(latest=deadline), datetime(2026, 11, 2, 8, 0, tzinfo=UTC),
                  LA, US, 2, RULES).urgency is Urgency.LATE


def test_a_day_whose_last_hour_comes_twice_ends_after_its_second_pass():
    # Cairo (Amazon.eg) turns its clocks back at midnight on Thursday 2026-10-29: 23:00 to
    # 23:59:59 come twice, first at UTC+3, then at UTC+2. The day ends after the second pass.
    cairo, egypt = ZoneInfo("Africa/Cairo"), BusinessCalendar("EG")
    wednesday = order(placed=datetime(2026, 10, 28, 12, tzinfo=cairo))
    deadline = ship_by(wednesday, egypt, cairo, 1, RULES)
    assert deadline.astimezone(UTC) == datetime(2026, 10, 29, 21, 59, 59, tzinfo=UTC)
    second_pass = datetime(2026, 10, 29, 21, 30, tzinfo=UTC)  # 23:30 again, still Thursday
    assert assess(wednesday, second_pass, cairo, egypt, 1, RULES).urgency is Urgency.DUE_TODAY


@pytest.mark.parametrize("status", [OrderStatus.PENDING, OrderStatus.PENDING_AVAILABILITY,
                                    OrderStatus.SHIPPED, OrderStatus.CANCELED])
def test_orders_not_open_are_never_at_risk(status):
    past = assess(order(latest=DEADLINE, status=status), DEADLINE + timedelta(days=3), LA, US, 2, RULES)
    assert past.urgency is None and not past.auto_cancel_risk


def test_amazon_fulfilled_orders_are_never_at_risk():
    standing = assess(order(latest=DEADLINE, channel=Channel.AMAZON), DEADLINE + timedelta(days=3),
                      LA, US, 2, RULES)
    assert standing.urgency is None


def test_partially_shipped_is_open():
    standing = assess(order(latest=DEADLINE, status=OrderStatus.PARTIALLY_SHIPPED),
                      DEADLINE + timedelta(hours=1), LA, US, 2, RULES)
    assert standing.urgency is Urgency.LATE


@pytest.mark.parametrize(("days_late", "at_risk"), [(4, False), (5, True), (6, True), (8, True)])
def test_auto_cancel_warning_two_days_before_ship_by_plus_seven(days_late, at_risk):
    now = DEADLINE + timedelta(days=days_late, seconds=1)
    standing = assess(order(latest=DEADLINE), now, LA, US, 2, RULES)
    assert standing.cancel_at == DEADLINE + timedelta(days=7)
    assert standing.auto_cancel_risk is at_risk


def test_from_amazons_auto_cancel_time_on_an_unconfirmed_order_may_be_cancelled_already():
    cancel_at = DEADLINE + timedelta(days=7)
    before = assess(order(latest=DEADLINE), cancel_at - timedelta(seconds=1), LA, US, 2, RULES)
    after = assess(order(latest=DEADLINE), cancel_at, LA, US, 2, RULES)
    assert before.auto_cancel_risk and not before.cancel_passed
    assert after.auto_cancel_risk and after.cancel_passed and after.cancel_at == cancel_at
    shipped = assess(order(latest=DEADLINE, status=OrderStatus.SHIPPED), cancel_at, LA, US, 2, RULES)
    assert not shipped.cancel_passed


def test_auto_cancel_in_business_days():
    rules = replace(RULES, auto_cancel_business_days=True)
    friday = end(2026, 11, 20)
    # shipping.md §5: ship-by Fri 2026-11-20 gives Wed 2026-12-02 counting business days.
    assert assess(order(latest=friday), friday + timedelta(days=1), LA, US, 2, rules).cancel_at == end(2026, 12, 2)


def test_prime_first_within_each_group_then_earliest_deadline():
    now = local(2026, 11, 25, 9)
    orders = [
        order(latest=end(2026, 11, 25), order_id="111-0000000-0000001"),
        order(latest=end(2026, 11, 25) - timedelta(hours=1), order_id="111-0000000-0000002"),
        order(latest=end(2026, 11, 25), prime=True, order_id="111-0000000-0000003"),
        order(latest=end(2026, 11, 24), order_id="111-0000000-0000004"),
        order(latest=end(2026, 11, 27), prime=True, order_id="111-0000000-0000005"),
        order(latest=end(2026, 12, 4), order_id="111-0000000-0000006"),
    ]
    ranked = classify(orders, now, LA, US, 2, RULES)
    assert [s.order.order_id[-1] for s in ranked] == ["4", "3", "2", "1", "5", "6"]
    assert [s.urgency for s in ranked] == [Urgency.LATE, *[Urgency.DUE_TODAY] * 3,
                                           Urgency.DUE_NEXT, Urgency.ON_TRACK]


def test_classify_stands_each_order_as_assess_does_when_orders_share_deadlines():
    # classify judges each deadline once: orders sharing one (an import's, at the end of a
    # business day) and orders with their own must each stand as they would alone, late
    # ones past the auto-cancel warning included.
    now = local(2026, 11, 25, 9)
    deadlines = [end(2026, 11, 25), end(2026, 11, 25) - timedelta(hours=1), end(2026, 11, 13),
                 end(2026, 11, 20), end(2026, 11, 24), end(2026, 11, 27), end(2026, 12, 4)]
    orders = [order(latest=deadlines[n % len(deadlines)], prime=n % 3 == 0,
                    order_id=f"111-0000000-{n:07d}",
                    status=OrderStatus.SHIPPED if n % 5 == 4 else OrderStatus.UNSHIPPED)
              for n in range(40)]
    alone = [assess(o, now, LA, US, 2, RULES) for o in orders]
    expected = sorted((s for s in alone if s.urgency is not None), key=lambda s: s.sort_key)
    ranked = classify(orders, now, LA, US, 2, RULES)
    assert ranked == expected
    assert {s.auto_cancel_risk for s in ranked} == {True, False}
    assert {s.urgency for s in ranked} == set(Urgency)


NOW = datetime(2026, 11, 25, 20, 0, tzinfo=UTC)


def shipment(days_ago, confirmed_hours_after=None, status=OrderStatus.SHIPPED):
    deadline = NOW - timedelta(days=days_ago)
    confirmed = None if confirmed_hours_after is None else deadline + timedelta(hours=confirmed_hours_after)
    return Shipment(deadline, confirmed, status)


def rate(shipments, days):
    return late_shipment_rate(count_shipments(shipments, NOW - timedelta(days=days), NOW), days, RULES)


def test_late_shipment_rate_on_hand_checked_data():
    data = (
        # Inside 10 days: 12 orders, 3 late (two confirmed late, one still open).
        [shipment(d, -5) for d in (1, 2, 3, 4, 5, 6, 7, 8, 9)]
        + [shipment(2, 3), shipment(5, 30)]
        + [shipment(6, None, OrderStatus.UNSHIPPED)]
        # 10 to 30 days ago: 10 more, 1 late.
        + [shipment(d, -1) for d in range(11, 20)] + [shipment(25, 1)]
        # Left out: cancelled, beyond 30 days, ship-by still ahead.
        + [shipment(3, None, OrderStatus.CANCELED), shipment(31, 5), shipment(-1, None, OrderStatus.UNSHIPPED)]
    )
    ten = rate(data, 10)
    thirty = rate(data, 30)
    assert (ten.late, ten.orders, ten.enough_data) == (3, 12, True)
    assert ten.rate == pytest.approx(0.25) and ten.over_target
    assert (thirty.late, thirty.orders) == (4, 22)
    assert thirty.rate == pytest.approx(4 / 22)


def test_late_shipment_rate_needs_ten_orders_and_known_confirmations():
    few = rate([shipment(1, -5)] * 9, 10)
    assert few.orders == 9 and not few.enough_data and not few.over_target
    # Shipped orders without a confirmation time (report imports) would make it guesswork.
    unknown = rate([shipment(1, -5)] * 12 + [shipment(2, None)] * 5, 10)
    assert unknown.unknown == 5 and not unknown.enough_data
    on_time = rate([shipment(1, -5)] * 30, 10)
    assert on_time.enough_data and on_time.rate == 0 and not on_time.over_target
