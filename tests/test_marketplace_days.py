"""Amazon counts its days in the marketplace's zone, whatever the seller's: a computed ship-by,
the auto-cancel and the return window (shipping.md §2, §3, §5; returns.md §7). A seller east of
amazon.com's Pacific time gets Amazon's days, not days a few hours later."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.config import load_settings
from bot.domain.records import Channel, Order, OrderItem, OrderStatus
from bot.domain.shipping import Urgency
from bot.usecases import digests
from bot.usecases.imports import import_file
from bot.usecases.returns import return_answer
from bot.wiring import seller_of

PACIFIC = ZoneInfo("America/Los_Angeles")
MUG = OrderItem("o", "MUG-1", asin="B0BZ7T4N6W", title="Mug", product_category="Kitchen")


def seller_in(settings, zone: str, **more):
    """The default seller (amazon.com) living in `zone`."""
    return seller_of(load_settings(database_url=settings.database_url, seller_timezone=zone,
                                   **more))


def test_a_computed_ship_by_counts_from_the_order_day_in_the_marketplace(db, settings, tmp_path):
    # Monday 22:00 Pacific is Tuesday 01:00 in New York: Amazon counts 2 handling days from
    # Monday, so the order is due Wednesday and late on Thursday morning.
    new_york = seller_in(settings, "America/New_York")
    placed = datetime(2026, 11, 17, 6, 0, tzinfo=UTC)
    header = ("amazon-order-id", "purchase-date", "order-status", "fulfillment-channel",
              "sales-channel", "sku", "asin", "item-status", "quantity")
    row = ("111-0000000-0000001", placed.isoformat(), "Unshipped", "Merchant", "Amazon.com",
           "MUG-1", "B0BZ7T4N6W", "Unshipped", "1")
    path = tmp_path / "all-orders.txt"
    path.write_text("\t".join(header) + "\n" + "\t".join(row) + "\n")
    import_file(db, path, new_york, now=datetime(2026, 11, 17, 7, 0, tzinfo=UTC))
    report = digests.digest(db, new_york, datetime(2026, 11, 19, 13, 0, tzinfo=UTC))
    (standing,) = report.late + report.due_today + report.due_next
    assert standing.ship_by == datetime(2026, 11, 18, 23, 59, 59, tzinfo=PACIFIC)
    assert standing.urgency is Urgency.LATE


def late_order(latest_ship_date: datetime) -> Order:
    return Order("111-0000000-0000002", purchase_date=datetime(2026, 10, 1, 18, tzinfo=UTC),
                 status=OrderStatus.UNSHIPPED, fulfillment_channel=Channel.MERCHANT,
                 latest_ship_date=latest_ship_date, items=(MUG,))


@pytest.mark.parametrize("zone", ["America/Los_Angeles", "America/New_York"])
def test_the_auto_cancel_in_business_days_counts_amazons_days(settings, tmp_path, zone):
    # Amazon's ship-by Monday 16 Nov 23:59:59 Pacific + 7 business days (Thanksgiving off) is
    # Wednesday 25 Nov, Pacific, for a seller anywhere; on Thursday it has passed.
    rules = tmp_path / "shipping.yaml"
    rules.write_text("auto_cancel:\n  unit: business\n")
    seller = seller_in(settings, zone, shipping_rules=str(rules))
    standing = seller.assess(late_order(datetime(2026, 11, 17, 7, 59, 59, tzinfo=UTC)),
                             datetime(2026, 11, 26, 13, 0, tzinfo=UTC))
    assert standing.cancel_at.astimezone(PACIFIC).date() == date(2026, 11, 25)
    assert standing.cancel_passed


def test_the_auto_cancel_in_calendar_days_keeps_amazons_hour_across_a_clock_change(settings):
    # London leaves summer time a week before Los Angeles: 7 days after Friday 23 Oct 23:59:59
    # Pacific is Friday 30 Oct 23:59:59 Pacific, not an hour later.
    london = seller_in(settings, "Europe/London")
    standing = london.assess(late_order(datetime(2026, 10, 24, 6, 59, 59, tzinfo=UTC)),
                             datetime(2026, 10, 31, 7, 30, tzinfo=UTC))
    assert standing.cancel_at == datetime(2026, 10, 31, 6, 59, 59, tzinfo=UTC)
    assert standing.cancel_passed


def test_a_return_window_counts_from_amazons_delivery_day(settings):
    # returns.md §7, example 1: estimated delivery 15 Oct (its end, Pacific, is 16 Oct in New
    # York) gives return-by 14 Nov.
    order = Order("111-0000000-0000003", purchase_date=datetime(2026, 10, 8, 19, tzinfo=UTC),
                  status=OrderStatus.SHIPPED, fulfillment_channel=Channel.MERCHANT,
                  latest_delivery_date=datetime(2026, 10, 16, 6, 59, 59, tzinfo=UTC),
                  items=(MUG,))
    decision = return_answer(order, [], seller_in(settings, "America/New_York"),
                             date(2026, 11, 15)).decision
    assert (decision.base_date, decision.return_by) == (date(2026, 10, 15), date(2026, 11, 14))
    assert decision.verdict == "late"


def test_the_holiday_window_takes_the_purchase_day_in_the_marketplace(settings):
    # Saturday 31 Oct 21:30 Pacific is already 1 Nov in New York: not a holiday-season order.
    order = Order("111-0000000-0000004", purchase_date=datetime(2026, 11, 1, 4, 30, tzinfo=UTC),
                  status=OrderStatus.SHIPPED, fulfillment_channel=Channel.MERCHANT,
                  latest_delivery_date=datetime(2026, 11, 7, 7, 59, 59, tzinfo=UTC),
                  items=(MUG,))
    decision = return_answer(order, [], seller_in(settings, "America/New_York"),
                             date(2026, 12, 20)).decision
    assert decision.holiday_window is None
    assert decision.return_by == date(2026, 12, 6)


def test_a_time_in_the_returns_reports_date_column_is_read_on_the_marketplaces_calendar(
        db, settings, tmp_path):
    # 05:00 UTC on 10 November is still 9 November in Los Angeles (10 November in New York).
    from bot.store import return_requests
    from tests.test_problems import returns_with

    path = tmp_path / "returns.txt"
    path.write_bytes(returns_with("Return request date", "2026-11-10T05:00:00Z"))
    import_file(db, path, seller_in(settings, "America/New_York"), now=datetime.now(UTC))
    with db.begin() as conn:
        (request,) = [r for rs in return_requests.returns_of(conn, [
            conn.exec_driver_sql("SELECT order_id FROM returns").scalar()]).values() for r in rs]
    assert request.request_date == date(2026, 11, 9)


# A unified European account's report lists the orders of every store it sells on; each is
# counted in its own marketplace's days (shipping.md §2-3).
_UNIFIED_HEADER = ("amazon-order-id\tpurchase-date\tlast-updated-date\torder-status\t"
                   "fulfillment-channel\tsales-channel\tproduct-name\tsku\tasin\titem-status\t"
                   "quantity\tcurrency\titem-price\tship-country")
# Mon 16 Nov 23:30 in London (Tue 00:30 in Berlin), on amazon.co.uk; Thu 24 Dec on amazon.de.
_UK_ORDER = ("202-1111111-1111111\t2026-11-16T23:30:00+00:00\t2026-11-16T23:35:00+00:00\t"
             "Unshipped\tMerchant\tAmazon.co.uk\tTea towel\tTT-1\tB0BZ7T4N6W\tUnshipped\t1\t"
             "GBP\t5.00\tGB")
_DE_ORDER = ("302-2222222-2222222\t2026-12-24T12:00:00+00:00\t2026-12-24T12:05:00+00:00\t"
             "Unshipped\tMerchant\tAmazon.de\tGeschirrtuch\tGT-1\tB0BZ7T4N6W\tUnshipped\t1\t"
             "EUR\t9.99\tDE")


@pytest.mark.parametrize(("marketplace", "order_id", "now", "due"), [
    # amazon.co.uk, ordered Monday in London, 2 business days: Wednesday's end in London.
    # Counted in Berlin it was Tuesday's order, due Thursday: a day after Amazon's deadline.
    ("DE", "202-1111111-1111111", datetime(2026, 11, 17, 8, 0, tzinfo=UTC),
     datetime(2026, 11, 18, 23, 59, 59, tzinfo=ZoneInfo("Europe/London"))),
    # amazon.de, ordered Thu 24 Dec: Christmas, Boxing Day and the weekend off, then Mon 28
    # (a working day in Germany, Boxing Day observed in Britain) and Tue 29.
    ("UK", "302-2222222-2222222", datetime(2026, 12, 24, 13, 0, tzinfo=UTC),
     datetime(2026, 12, 29, 23, 59, 59, tzinfo=ZoneInfo("Europe/Berlin"))),
])
def test_an_order_of_another_marketplace_of_the_account_is_counted_in_its_days(
        db, settings, tmp_path, marketplace, order_id, now, due):
    from bot.store import queries

    seller = seller_of(load_settings(database_url=settings.database_url, marketplace=marketplace))
    report = tmp_path / "all-orders.txt"
    report.write_text(f"{_UNIFIED_HEADER}\n{_UK_ORDER}\n{_DE_ORDER}\n", encoding="utf-8")
    import_file(db, report, seller, now=now)
    with db.begin() as conn:
        order = queries.get_order(conn, order_id)
    assert order.deadline == due
    assert seller.assess(order, now).ship_by == due


def test_a_holiday_worked_on_the_sellers_marketplace_is_still_a_holiday_on_another(
        db, settings, tmp_path):
    # WORKING_HOLIDAYS overrides amazon.de's list: this seller works Pentecost Monday (Mon 25
    # May 2026). amazon.co.uk keeps its Spring Bank Holiday that day: an order placed Friday
    # 22 May there has Tue 26 and Wed 27 as its two handling days.
    from bot.store import queries

    seller = seller_of(load_settings(database_url=settings.database_url, marketplace="DE",
                                     working_holidays="2026-05-25"))
    order = ("202-3333333-3333333\t2026-05-22T10:00:00+00:00\t2026-05-22T10:05:00+00:00\t"
             "Unshipped\tMerchant\tAmazon.co.uk\tTea towel\tTT-1\tB0BZ7T4N6W\tUnshipped\t1\t"
             "GBP\t5.00\tGB")
    report = tmp_path / "all-orders.txt"
    report.write_text(f"{_UNIFIED_HEADER}\n{order}\n", encoding="utf-8")
    import_file(db, report, seller, now=datetime(2026, 5, 22, 12, 0, tzinfo=UTC))
    with db.begin() as conn:
        stored = queries.get_order(conn, "202-3333333-3333333")
    assert stored.deadline == datetime(2026, 5, 27, 23, 59, 59, tzinfo=ZoneInfo("Europe/London"))


def test_the_digest_and_orders_today_list_another_marketplaces_order_on_its_day(
        db, settings, tmp_path):
    # A seller on amazon.de, Wednesday 08:00 in Berlin: the amazon.co.uk order placed Monday
    # 23:30 in London is due today, at 23:59:59 London (00:59:59 Thursday in Berlin), as the
    # order's own page says; the lists said "due next business day" or left it out.
    from bot.domain.shipping import Urgency
    from bot.usecases import orders

    seller = seller_of(load_settings(database_url=settings.database_url, marketplace="DE"))
    report = tmp_path / "all-orders.txt"
    report.write_text(f"{_UNIFIED_HEADER}\n{_UK_ORDER}\n", encoding="utf-8")
    import_file(db, report, seller, now=datetime(2026, 11, 17, 8, 0, tzinfo=UTC))
    wednesday = datetime(2026, 11, 18, 7, 0, tzinfo=UTC)
    digest = digests.digest(db, seller, wednesday)
    assert [s.order.order_id for s in digest.due_today] == ["202-1111111-1111111"]
    assert seller.assess(digest.due_today[0].order, wednesday).urgency is Urgency.DUE_TODAY
    listed = orders.orders_report(db, seller, orders.View.TODAY, wednesday)
    assert [(e.order.order_id, e.urgency) for e in listed.entries] == [
        ("202-1111111-1111111", Urgency.DUE_TODAY)]
