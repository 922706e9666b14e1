"""Reports on real data in both databases: the samples, read at the moment they describe."""

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from bot.domain.records import Channel, Order, OrderItem, OrderStatus
from bot.domain.shipping import Urgency
from bot.render import data
from bot.store.writer import Writer
from bot.usecases.digests import digest
from bot.usecases.imports import import_file
from bot.usecases.orders import View, order_detail, orders_report
from bot.usecases.stamps import stamped
from tests.conftest import SAMPLES

# 07:00 in Los Angeles on Wednesday 2026-11-25, the samples' reporting day.
AS_OF = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)


def expected_classes(shift_days: int = 0) -> dict[str, Urgency]:
    """What Amazon's own days-past-promise column says, read independently of sellerbot
    (`shift_days` earlier than the report's Wednesday, Tuesday's next business day being
    Wednesday)."""
    lines = [line.split("\t") for line in (SAMPLES / "unshipped-orders.txt").read_text().splitlines()]
    header = lines[0]
    order, days = header.index("order-id"), header.index("days-past-promise")
    classes = {}
    # Due next business day after Wednesday: Thursday is Thanksgiving, so up to Friday.
    next_day = -1 if shift_days else -2
    for row in lines[1:]:
        late_by = int(row[days]) - shift_days
        classes[row[order]] = (Urgency.LATE if late_by > 0 else Urgency.DUE_TODAY if late_by == 0
                               else Urgency.DUE_NEXT if late_by >= next_day else Urgency.ON_TRACK)
    return classes


@pytest.fixture
def samples(db, seller):
    for name in ("all-orders.txt", "unshipped-orders.txt", "returns.txt"):
        import_file(db, SAMPLES / name, seller, now=AS_OF)
    return db


def test_every_list_agrees_with_amazons_days_past_promise(samples, seller):
    expected = expected_classes()
    unshipped = orders_report(samples, seller, View.UNSHIPPED, AS_OF)
    assert {s.order.order_id: s.urgency for s in unshipped.entries} == expected
    at_risk = orders_report(samples, seller, View.AT_RISK, AS_OF)
    assert {s.order.order_id for s in at_risk.entries} == {
        o for o, u in expected.items() if u is not Urgency.ON_TRACK}
    late = orders_report(samples, seller, View.LATE, AS_OF)
    assert {s.order.order_id for s in late.entries} == {
        o for o, u in expected.items() if u is Urgency.LATE}
    # Most urgent first; the Prime order (#26 of tests/fixtures/seller/README.md) leads its group.
    ranks = [list(Urgency).index(s.urgency) for s in at_risk.entries]
    assert ranks == sorted(ranks)
    due_today = [s.order.order_id for s in at_risk.entries if s.urgency is Urgency.DUE_TODAY]
    assert due_today[0] == "203-0456207-9437191"
    # Its group-mate #24 has the same deadline and a later id, so a day later, when both are
    # late with four orders due before them, is what shows the Prime order put first.
    thursday = orders_report(samples, seller, View.LATE, AS_OF + timedelta(days=1))
    assert len(thursday.entries) == 6
    assert thursday.entries[0].order.order_id == "203-0456207-9437191"


def sample_rows() -> list[list[str]]:
    return [line.split("\t") for line in (SAMPLES / "all-orders.txt").read_text().splitlines()[1:]]


def test_today_lists_orders_placed_today_and_due_today(samples, seller):
    # 23:59 on Tuesday 2026-11-24 in Los Angeles: due today are the lines Amazon had as one
    # day past promise on Wednesday; placed today, everything from 08:00 UTC on the 24th.
    evening = datetime(2026, 11, 25, 7, 59, tzinfo=UTC)
    today = orders_report(samples, seller, View.TODAY, evening)
    due_today = {o for o, u in expected_classes(shift_days=1).items() if u is Urgency.DUE_TODAY}
    placed_today = {row[0] for row in sample_rows()
                    if datetime(2026, 11, 24, 8, tzinfo=UTC) <= datetime.fromisoformat(row[2]) <= evening}
    assert len(placed_today) == 7 and len(due_today) == 2
    assert {s.order.order_id for s in today.entries} == due_today | placed_today
    # The Pending orders (#33, #34) were placed on Wednesday: on Wednesday evening they are
    # listed, without a deadline.
    wednesday = orders_report(samples, seller, View.TODAY, evening + timedelta(days=1))
    pending = [s for s in wednesday.entries if s.order.status.value == "Pending"]
    assert {s.order.order_id for s in pending} == {"206-7488049-6375222", "201-0210853-9000372"}
    assert all(s.urgency is None for s in pending)


def _written(db, seller, records) -> None:
    """Store `records` as an import does: each order stamped with its deadline."""
    with db.begin() as conn:
        writer = Writer(conn)
        for record in stamped(records, seller):
            writer.add(record)
        writer.flush()


def test_an_order_placed_at_local_midnight_is_placed_that_day(db, seller):
    # 00:00:00 in Los Angeles begins Friday 2026-11-27 (shipping.md §2): an order placed then,
    # not yet due, is one of the day's new orders, as one placed a second later is.
    orders = []
    for order_id, placed in (("111-0000000-0000001", datetime(2026, 11, 27, 8, tzinfo=UTC)),
                             ("111-0000000-0000002", datetime(2026, 11, 27, 8, 0, 1, tzinfo=UTC)),
                             ("111-0000000-0000003", datetime(2026, 11, 27, 7, 59, 59,
                                                              tzinfo=UTC))):
        orders += [Order(order_id, purchase_date=placed, status=OrderStatus.UNSHIPPED,
                         fulfillment_channel=Channel.MERCHANT),
                   OrderItem(order_id, "MUG-1", asin="B0BZ7T4N6W", quantity_ordered=1)]
    _written(db, seller, orders)
    today = orders_report(db, seller, View.TODAY, datetime(2026, 11, 27, 17, tzinfo=UTC))
    assert {s.order.order_id for s in today.entries} == {"111-0000000-0000001",
                                                         "111-0000000-0000002"}


def test_east_of_the_marketplace_amazons_deadline_tonight_is_due_today(db, settings):
    from zoneinfo import ZoneInfo

    from bot.config import load_settings
    from bot.wiring import seller_of

    # A New York seller on amazon.com: Amazon's ship-by, the end of Monday in Pacific time,
    # is Tuesday 02:59 in New York. Counted by New York's calendar it was due the next
    # business day on Monday, and late on Tuesday morning: never due today.
    east = seller_of(load_settings(database_url=settings.database_url,
                                   seller_timezone="America/New_York"))
    ny, la = ZoneInfo("America/New_York"), ZoneInfo("America/Los_Angeles")
    records = []
    for order_id, ship_by in (("111-0000000-0000001", datetime(2026, 12, 7, 23, 59, 59, tzinfo=la)),
                              ("111-0000000-0000002", datetime(2026, 12, 8, 23, 59, 59, tzinfo=la))):
        records += [Order(order_id, purchase_date=datetime(2026, 12, 4, 15, tzinfo=UTC),
                          status=OrderStatus.UNSHIPPED, fulfillment_channel=Channel.MERCHANT,
                          latest_ship_date=ship_by),
                    OrderItem(order_id, "MUG-1", asin="B0BZ7T4N6W", quantity_ordered=1)]
    _written(db, east, records)
    monday = datetime(2026, 12, 7, 9, 0, tzinfo=ny)
    today = orders_report(db, east, View.TODAY, monday)
    assert [(s.order.order_id, s.urgency) for s in today.entries] == [
        ("111-0000000-0000001", Urgency.DUE_TODAY)]
    at_risk = orders_report(db, east, View.AT_RISK, monday)
    assert [s.urgency for s in at_risk.entries] == [Urgency.DUE_TODAY, Urgency.DUE_NEXT]
    report = digest(db, east, monday)
    assert [s.order.order_id for s in report.due_today] == ["111-0000000-0000001"]
    assert [day for day, _ in report.due_next_days] == [datetime(2026, 12, 8).date()]
    # Past Monday's midnight in New York, before Amazon's deadline: still to ship now, beside
    # Tuesday's own.
    night = orders_report(db, east, View.TODAY, datetime(2026, 12, 8, 1, 30, tzinfo=ny))
    assert [(s.order.order_id, s.urgency) for s in night.entries] == [
        ("111-0000000-0000001", Urgency.DUE_TODAY), ("111-0000000-0000002", Urgency.DUE_TODAY)]
    assert orders_report(db, east, View.LATE, datetime(2026, 12, 8, 9, 0, tzinfo=ny)).entries


def _store(db, seller, order_id: str, placed: datetime, seen: datetime) -> None:
    """An open order placed at `placed`, first stored by a write at `seen` (an import's or a
    sync's moment)."""
    records = [Order(order_id, purchase_date=placed, status=OrderStatus.UNSHIPPED,
                     fulfillment_channel=Channel.MERCHANT, currency="USD"),
               OrderItem(order_id, "MUG-1", asin="B0BZ7T4N6W", quantity_ordered=1,
                         item_price=Decimal("18.50"))]
    with db.begin() as conn:
        writer = Writer(conn, seen=seen)
        for record in stamped(records, seller):
            writer.add(record)
        writer.flush()


def test_an_order_that_reached_the_store_after_a_digest_is_new_in_the_next(db, seller):
    # The 08:00 digest; a sync ten minutes later brings an order placed five minutes before
    # it. Neither digest counted it as new: the first did not have it, the second's window
    # began at the first.
    eight = datetime(2026, 11, 24, 16, tzinfo=UTC)
    _store(db, seller, "111-0000000-0000001", eight - timedelta(hours=3),
           eight - timedelta(hours=2))
    first = digest(db, seller, eight, since=eight - timedelta(days=1))
    _store(db, seller, "111-0000000-0000002", eight - timedelta(minutes=5),
           eight + timedelta(minutes=10))
    # An old report imported then: its orders are not news.
    _store(db, seller, "111-0000000-0000003", eight - timedelta(days=3),
           eight + timedelta(minutes=10))
    # The first order, written again by that sync: it was first seen before the digest.
    _store(db, seller, "111-0000000-0000001", eight - timedelta(hours=3),
           eight + timedelta(minutes=10))
    second = digest(db, seller, eight + timedelta(days=1), since=eight)
    assert [(n.orders, n.units) for n in first.new] == [(1, 1)]
    assert [(n.orders, n.units) for n in second.new] == [(1, 1)]
    # Read as of a moment before the sync, the store did not have it yet.
    assert digest(db, seller, eight + timedelta(minutes=5), since=eight).new == []
    # Without a previous digest (`sellerbot digest --print`, App Home), new is the last day's.
    assert digest(db, seller, eight + timedelta(days=1)).new == []


def test_as_of_leaves_out_later_orders(samples, seller):
    earlier = AS_OF - timedelta(days=3)  # Sunday 2026-11-22 07:00 local
    unshipped = orders_report(samples, seller, View.UNSHIPPED, earlier)
    assert all(s.order.purchase_date <= earlier for s in unshipped.entries)
    assert {s.order.order_id for s in unshipped.entries} == {  # #19, #20, #21, #22
        "209-5165469-2552960", "206-4553466-6215571", "201-2117705-5158842",
        "207-0817720-2625528"}
    assert all(s.urgency is not Urgency.LATE for s in unshipped.entries)


def test_digest_on_the_samples(samples, seller):
    report = digest(samples, seller, AS_OF, since=AS_OF - timedelta(days=1))
    expected = expected_classes()
    assert {s.order.order_id for s in report.late} == {o for o, u in expected.items() if u is Urgency.LATE}
    assert {s.order.order_id for s in report.due_today} == {
        o for o, u in expected.items() if u is Urgency.DUE_TODAY}
    assert report.holiday is None and report.is_business_day
    # Not cancelled, and placed in the last 24 hours, or in the 24 before (the samples were
    # stored at AS_OF: after the previous digest, which did not have them), counted from
    # all-orders.txt itself (#34 was placed after AS_OF).
    placed = [row for row in sample_rows()
              if AS_OF - timedelta(days=2) < datetime.fromisoformat(row[2]) <= AS_OF
              and row[4] != "Cancelled"]
    usd = report.new[0]
    assert (usd.currency, usd.orders) == ("USD", len({row[0] for row in placed})) == ("USD", 11)
    assert usd.units == sum(int(row[13]) for row in placed)
    assert report.last_data == AS_OF and not report.stale
    assert report.open_returns == 5  # Approved 4, Pending 1
    rendered = data.digest(report, seller.timezone)
    assert set(rendered) >= {"new_orders", "late", "due_today", "due_next", "late_shipment_rate",
                             "data_as_of", "stale"}
    json.dumps(rendered)


def test_new_order_revenue_per_currency(samples, seller):
    report = digest(samples, seller, AS_OF, since=datetime(2026, 11, 24, 20, 0, tzinfo=UTC))
    usd = report.new[0]
    # The report gives no order total: revenue is the lines' price, tax and shipping. New:
    # placed since the previous digest, or in the day before it (stored at AS_OF, after it).
    placed = [row for row in sample_rows()  # #34 was placed after AS_OF
              if datetime(2026, 11, 23, 20, tzinfo=UTC) < datetime.fromisoformat(row[2]) <= AS_OF]
    money = sum(Decimal(v or "0") for row in placed for v in (row[15], row[16], row[17], row[18]))
    assert usd.orders == len({row[0] for row in placed})
    assert usd.revenue == money


def test_stale_data_is_flagged(samples, seller):
    assert digest(samples, seller, AS_OF + timedelta(hours=25)).stale


def test_one_order(samples, seller):
    detail = order_detail(samples, seller, "#209 5165469 2552960", AS_OF)  # #19
    assert detail.standing.urgency is Urgency.LATE
    assert not detail.standing.auto_cancel_risk
    later = order_detail(samples, seller, "209-5165469-2552960", AS_OF + timedelta(days=4))
    assert later.standing.auto_cancel_risk
    shown = data.order(detail, seller.timezone)
    assert shown["orders"][0]["ship_by"] == "2026-11-23T23:59:59-08:00"
    assert shown["orders"][0]["class"] == "late"


def test_report_imports_give_no_false_late_shipment_rate(samples, seller):
    # The All Orders report carries no ship-by and no confirmation time for shipped orders, so
    # the rate cannot be judged: it must say so, not count only the open late ones (100 %).
    report = digest(samples, seller, AS_OF)
    for rate in report.shipment_rates:
        assert not rate.enough_data and not rate.over_target
        assert rate.unknown > 0
