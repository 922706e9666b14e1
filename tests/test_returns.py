"""Return eligibility, table by table: returns.md §7 and its worked examples, the holiday
windows' edges, classes, requests, partial ids, the rules file and the CLI."""

import json
import os
import subprocess
import sys
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.domain.calendar import BusinessCalendar
from bot.domain.records import Channel, Order, OrderItem, OrderStatus, ReturnRequest
from bot.domain.return_requests import request_deadlines
from bot.domain.returns import BaseDateSource, Outcome, Verdict, decide
from bot.errors import BadInput, ConfigError, NotFound
from bot.policy import return_rules, shipping_rules
from bot.usecases.imports import import_file
from bot.usecases.lookup import find_order_id
from bot.usecases.returns import can_return
from tests.conftest import SAMPLES

LA = ZoneInfo("America/Los_Angeles")
US = BusinessCalendar("US")
RULES = return_rules()
SHIPPING = shipping_rules()
MUG = OrderItem("o", "MUG-1", asin="B0BZ7T4N6W", title="Mug", product_category="Kitchen")
BOOK = OrderItem("o", "BK-1", asin="0141439513", title="Pride and Prejudice")
GAME = OrderItem("o", "GAME-1", asin="B0GAME0001", product_category="Video Games")
CARD = OrderItem("o", "GC-1", asin="B0GIFT0001", product_category="Gift Card")
COFFEE = OrderItem("o", "CF-1", asin="B0COFFEE01", product_category="Grocery")

NOW = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)  # the samples' moment


def noon(day: str) -> datetime:
    return datetime.fromisoformat(day).replace(hour=12, tzinfo=LA)


def order(purchased: str, estimated: str | None = None, delivered: str | None = None,
          status=OrderStatus.SHIPPED, items=(MUG,), latest_ship: str | None = None) -> Order:
    return Order("111-0000000-0000001", purchase_date=noon(purchased), status=status,
                 fulfillment_channel=Channel.MERCHANT,
                 latest_delivery_date=noon(estimated) if estimated else None,
                 delivered_at=noon(delivered) if delivered else None,
                 latest_ship_date=noon(latest_ship) if latest_ship else None, items=tuple(items))


def answer(o: Order, today: str):
    return decide(o, date.fromisoformat(today), LA, US, 2, SHIPPING, RULES)


@pytest.mark.parametrize(("purchased", "estimated", "delivered", "today", "return_by", "verdict", "days_left"), [
    # returns.md §7, worked examples (the 2026 window assumed as configured).
    ("2026-10-08", "2026-10-15", None, "2026-11-10", "2026-11-14", Verdict.RETURNABLE, 4),
    ("2026-10-08", "2026-10-15", None, "2026-11-20", "2026-11-14", Verdict.LATE, -6),
    ("2026-11-20", "2026-11-27", None, "2026-12-28", "2027-01-31", Verdict.RETURNABLE, 34),
    ("2026-12-20", "2026-12-30", "2027-01-02", "2027-01-20", "2027-02-01", Verdict.RETURNABLE, 12),
    ("2026-11-02", "2026-11-09", None, "2026-11-05", "2027-01-31", Verdict.RETURNABLE, 87),
    # The return-by day itself, the day after, and past the 30-day late period.
    ("2026-09-01", "2026-09-10", None, "2026-10-10", "2026-10-10", Verdict.RETURNABLE, 0),
    ("2026-09-01", "2026-09-10", None, "2026-10-11", "2026-10-10", Verdict.LATE, -1),
    ("2026-09-01", "2026-09-10", None, "2026-11-09", "2026-10-10", Verdict.LATE, -30),
    ("2026-09-01", "2026-09-10", None, "2026-11-10", "2026-10-10", Verdict.CLOSED, -31),
    # Delivered earlier than estimated: the estimate still counts (step 1).
    ("2026-09-01", "2026-09-10", "2026-09-05", "2026-10-10", "2026-10-10", Verdict.RETURNABLE, 0),
    # 2025 holiday window: its first day, its last day, and the day before it.
    ("2025-11-01", "2025-11-06", None, "2026-01-31", "2026-01-31", Verdict.RETURNABLE, 0),
    ("2025-12-31", "2026-01-05", None, "2026-02-04", "2026-02-04", Verdict.RETURNABLE, 0),
    ("2025-10-31", "2025-11-05", None, "2026-01-31", "2025-12-05", Verdict.CLOSED, -57),
])
def test_return_by(purchased, estimated, delivered, today, return_by, verdict, days_left):
    decision = answer(order(purchased, estimated, delivered), today)
    assert decision.return_by == date.fromisoformat(return_by)
    assert decision.verdict is verdict
    assert decision.days_left == days_left
    assert decision.eligible is (verdict is Verdict.RETURNABLE)


def test_holiday_window_named_only_when_it_extends():
    inside = answer(order("2025-11-01", "2025-11-06"), "2025-12-01")
    assert inside.holiday_window.name == "2025 holiday season"
    assert inside.standard_return_by == date(2025, 12, 6)
    late_delivery = answer(order("2026-12-20", "2026-12-30", "2027-01-02"), "2027-01-20")
    assert late_delivery.holiday_window is None  # base + 30 (Feb 1) beat Jan 31
    assert late_delivery.base_date_source is BaseDateSource.DELIVERED


def test_without_a_known_delivery_the_window_counts_from_the_estimate():
    decision = answer(order("2026-11-20", "2026-11-27", status=OrderStatus.UNSHIPPED), "2026-11-21")
    assert decision.eligible and decision.delivered is None
    assert decision.base_date_source is BaseDateSource.ESTIMATED_DELIVERY


def test_without_any_delivery_date_the_ship_by_plus_transit_is_used():
    decision = answer(order("2026-09-01", latest_ship="2026-09-03"), "2026-09-20")
    assert decision.base_date == date(2026, 9, 8)
    assert decision.base_date_source is BaseDateSource.ESTIMATED_FROM_SHIP_BY
    assert decision.return_by == date(2026, 10, 8)


@pytest.mark.parametrize("status", [OrderStatus.PENDING_AVAILABILITY, OrderStatus.PENDING])
def test_an_order_not_shippable_yet_has_its_window_ahead(status):
    # A pre-order two months on: no delivery estimate exists (shipping.md §6), and a ship-by
    # counted from the purchase said "past return-by, you may refuse the return".
    decision = answer(order("2026-08-03", status=status), "2026-10-15")
    assert decision.return_by is None and decision.base_date is None
    assert decision.verdict is Verdict.RETURNABLE


def test_a_cancelled_line_of_a_shipped_order_is_not_offered_for_return():
    shipped = OrderItem("o", "MUG-1", title="Mug", quantity_ordered=1, quantity_shipped=1)
    cancelled = OrderItem("o", "CD-1", title="CD", quantity_ordered=1, quantity_shipped=0)
    decision = answer(order("2026-11-20", "2026-11-27", items=(shipped, cancelled)), "2026-11-28")
    assert [i.sku for i in decision.items] == ["MUG-1"]
    # An order shipped in part still ships its other lines; a shipped order whose lines say
    # nothing of it, or all say none, keeps them all.
    partly = answer(order("2026-11-20", "2026-11-27", status=OrderStatus.PARTIALLY_SHIPPED,
                          items=(shipped, cancelled)), "2026-11-28")
    assert [i.sku for i in partly.items] == ["MUG-1", "CD-1"]
    unknown = answer(order("2026-11-20", "2026-11-27", items=(MUG, BOOK)), "2026-11-28")
    assert [i.sku for i in unknown.items] == ["MUG-1", "BK-1"]


def test_canceled_has_nothing_to_return():
    decision = answer(order("2026-11-20", status=OrderStatus.CANCELED), "2026-11-21")
    assert decision.verdict is Verdict.CANCELED and not decision.eligible
    assert decision.outcomes == ()


def test_a_non_returnable_class():
    decision = answer(order("2026-11-20", "2026-11-27", items=(CARD,)), "2026-11-28")
    assert decision.verdict is Verdict.NOT_RETURNABLE and not decision.eligible
    assert decision.items[0].reason == "redeemable (gift cards)"


def test_mixed_returnability_and_restocking_outcomes():
    decision = answer(order("2026-11-20", "2026-11-27", items=(MUG, BOOK, GAME, COFFEE)), "2026-11-28")
    assert decision.eligible
    assert [(i.sku, i.returnable, i.item_class) for i in decision.items] == [
        ("MUG-1", True, "other"), ("BK-1", True, "media"), ("GAME-1", True, "software"),
        ("CF-1", False, "other")]
    refunds = {o.outcome: o.refund_percent for o in decision.outcomes}
    assert refunds == {Outcome.NEW_UNOPENED: 100, Outcome.OPENED_MEDIA: 50,
                       Outcome.OPENED_SOFTWARE: 0, Outcome.NOT_ORIGINAL: 50,
                       Outcome.DEFECTIVE_OR_WRONG: 100}
    seller_fault = next(o for o in decision.outcomes if o.outcome is Outcome.DEFECTIVE_OR_WRONG)
    assert seller_fault.seller_pays_return_shipping
    late = answer(order("2026-09-01", "2026-09-10", items=(MUG,)), "2026-10-20")
    assert {o.outcome: o.refund_percent for o in late.outcomes} == {
        Outcome.LATE: 80, Outcome.DEFECTIVE_OR_WRONG: 100}


def test_request_deadlines():
    pending = ReturnRequest("o", "RMA1", "S", request_date=date(2026, 11, 23), status="Pending",
                            in_policy=False)
    assert [(d.action, d.due, d.overdue) for d in request_deadlines(pending, date(2026, 11, 25), US, RULES)] == [
        ("authorize", date(2026, 11, 24), True)]
    received = ReturnRequest("o", "RMA2", "S", request_date=date(2026, 11, 20), status="Approved",
                             return_delivery_date=date(2026, 11, 25))
    # Two business days after Wednesday: Friday (Thanksgiving skipped), then Monday.
    assert [(d.action, d.due, d.overdue) for d in request_deadlines(received, date(2026, 11, 27), US, RULES)] == [
        ("refund", date(2026, 11, 30), False)]
    refunded = ReturnRequest("o", "RMA3", "S", status="Completed", refunded_amount=1,
                             return_delivery_date=date(2026, 11, 2))
    assert request_deadlines(refunded, date(2026, 11, 27), US, RULES) == ()


def test_the_refund_clock_does_not_stop_for_the_sellers_days_off():
    # returns.md §2: refund within 2 business days of the return's arrival, or Amazon refunds
    # and charges the seller: Amazon's days, not the ones the seller takes off.
    received = ReturnRequest("o", "RMA2", "S", request_date=date(2026, 12, 18),
                             status="Approved", return_delivery_date=date(2026, 12, 22))
    away = BusinessCalendar("US", non_working_days=frozenset({date(2026, 12, 23),
                                                               date(2026, 12, 24)}))
    assert [(d.action, d.due) for d in request_deadlines(received, date(2026, 12, 22), away,
                                                         RULES)] == [("refund", date(2026, 12, 24))]


@pytest.fixture
def samples(db, seller):
    for name in ("all-orders.txt", "returns.txt"):
        import_file(db, SAMPLES / name, seller, now=NOW)
    return db


@pytest.mark.parametrize(("typed", "found"), [  # order #07 of tests/fixtures/seller/README.md
    ("207-2629061-9259649", "207-2629061-9259649"),
    ("# 207 2629061 9259649", "207-2629061-9259649"),
    ("207-26290", "207-2629061-9259649"),
    ("9259649", "207-2629061-9259649"),
])
def test_partial_ids(samples, typed, found):
    assert find_order_id(samples, typed) == found


def test_an_ambiguous_fragment_lists_candidates(samples):
    with pytest.raises(BadInput) as error:
        find_order_id(samples, "207-2")  # #07 and #15, the only ids that begin so
    assert error.value.code == "order_ambiguous"
    assert error.value.params["candidates"] == ["207-2629061-9259649", "207-2862460-5833104"]
    assert not error.value.params["more"]


def test_at_most_ten_candidates(db):
    from bot.store.writer import Writer

    with db.begin() as conn:
        writer = Writer(conn)
        for n in range(12):
            writer.add(Order(f"555-1234567-{n:07d}"))
        writer.flush()
    with pytest.raises(BadInput) as error:
        find_order_id(db, "1234567")  # from the middle of the ids: the slower scan
    assert len(error.value.params["candidates"]) == 10 and error.value.params["more"]


def test_another_channels_stored_id_can_be_asked_for(db):
    from bot.store.writer import Writer

    # All Orders reports carry other sales channels' orders, with letter-led ids; they are
    # stored, and were refused as "not an order id" when asked for.
    with db.begin() as conn:
        writer = Writer(conn)
        writer.add(Order("S01-1234567-1234567"))
        writer.flush()
    assert find_order_id(db, "S01-1234567-1234567") == "S01-1234567-1234567"
    assert find_order_id(db, " s01-1234567-1234567 ") == "S01-1234567-1234567"


def test_a_fragment_one_id_starts_with_and_another_holds_is_ambiguous(db):
    from bot.store.writer import Writer

    # Picking the id that starts so put the other order's answer, and its "Confirm shipment"
    # button, in front of someone who meant the second.
    with db.begin() as conn:
        writer = Writer(conn)
        writer.add(Order("113-1040293-1917811"))
        writer.add(Order("112-5554113-1040555"))
        writer.flush()
    with pytest.raises(BadInput) as error:
        find_order_id(db, "113-1040")
    assert error.value.code == "order_ambiguous"
    assert error.value.params["candidates"] == ["113-1040293-1917811", "112-5554113-1040555"]
    assert find_order_id(db, "113-10402") == "113-1040293-1917811"


@pytest.mark.parametrize("typed", ["hello", "12", "#", "1-2-3", ""])
def test_nonsense_gets_the_usage_line(samples, typed):
    with pytest.raises(BadInput) as error:
        find_order_id(samples, typed)
    assert error.value.code == "order_id_usage"


def test_no_match(samples):
    with pytest.raises(NotFound):
        find_order_id(samples, "555-5555")


def test_a_known_request_is_shown_with_its_deadlines(samples, seller):
    # Order #08's manual request of 24 Nov: to be authorized within 24 hours, so overdue on
    # the 26th (the report has no time of day: the due day is the 25th).
    found = can_return(samples, seller, "204-5441985-0344931", date(2026, 11, 26))
    request, deadlines = found.requests[0]
    assert (request.status, request.in_policy) == ("Pending", False)
    assert [(d.action, d.overdue) for d in deadlines] == [("authorize", True)]


@pytest.mark.parametrize(("content", "key"), [
    ("standard_window:\n  days: -1\n", "standard_window.days"),
    ("holiday_windows:\n  - {name: x, purchased_from: '2026-12-01', purchased_until: '2026-11-01', return_by: '2027-01-31', source: 'https://x', effective: '2026-11-01', confirmed: false}\n", "holiday_windows.0"),
    ("late_return:\n  fee_percent: 120\n", "late_return.fee_percent"),
    ("restocking_fees:\n  opened_media:\n    percent: 50\n    source: ftp://x\n", "restocking_fees.opened_media.source"),
    ("links: [{title: Policy, url: 'http://insecure'}]\n", "links.0.url"),
])
def test_rules_file_errors_name_the_key(tmp_path: Path, content, key):
    return_rules.cache_clear()
    mine = tmp_path / "returns.yaml"
    mine.write_text(content)
    try:
        with pytest.raises(ConfigError) as error:
            return_rules(mine)
    finally:
        return_rules.cache_clear()
    assert error.value.code == "rules_invalid" and error.value.params["key"].startswith(key)


def test_a_sellers_own_non_returnable_skus(tmp_path: Path):
    return_rules.cache_clear()
    mine = tmp_path / "returns.yaml"
    mine.write_text("non_returnable:\n  skus:\n    MUG-1: custom engraved\n")
    try:
        rules = return_rules(mine)
    finally:
        return_rules.cache_clear()
    decision = decide(order("2026-11-20", "2026-11-27"), date(2026, 11, 28), LA, US, 2, SHIPPING, rules)
    assert decision.verdict is Verdict.NOT_RETURNABLE
    assert decision.items[0].reason == "custom engraved"


def test_an_order_is_all_returned_only_when_every_unit_it_shipped_has_come_or_is_coming_back():
    from bot.domain.return_requests import all_returned

    order = Order("111-0000000-0000001", status=OrderStatus.SHIPPED, items=(
        OrderItem("111-0000000-0000001", "MUG", quantity_ordered=2, quantity_shipped=2),
        OrderItem("111-0000000-0000001", "BOOK", quantity_ordered=1, quantity_shipped=1)))

    def returns(*asked: tuple[str, str, int]) -> list[ReturnRequest]:
        return [ReturnRequest(order.order_id, f"R{n}", sku, status=status, quantity=quantity)
                for n, (sku, status, quantity) in enumerate(asked)]

    assert not all_returned(order, returns(("MUG", "Completed", 2)))
    assert not all_returned(order, returns(("MUG", "Completed", 1), ("BOOK", "Approved", 1)))
    assert not all_returned(order, returns(("MUG", "Completed", 2), ("BOOK", "Pending", 1)))
    assert not all_returned(order, returns(("MUG", "Cancelled", 2), ("BOOK", "Completed", 1)))
    every_unit = returns(("MUG", "Completed", 1), ("MUG", "Approved", 1),
                         ("BOOK", "completed", 1))
    assert all_returned(order, every_unit)
    # Partly shipped: the line still to ship may come back once it has.
    partly = Order(order.order_id, status=OrderStatus.PARTIALLY_SHIPPED, items=(
        order.items[0], OrderItem(order.order_id, "BOOK", quantity_ordered=1,
                                  quantity_shipped=0)))
    assert not all_returned(partly, every_unit)
    assert not all_returned(replace(partly, status=OrderStatus.SHIPPED), every_unit)


def cli(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}"}
    return subprocess.run([sys.executable, "-m", "bot", *args], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=60)


def test_cli_json_and_exit_statuses(tmp_path: Path):
    cli(tmp_path, "import", str(SAMPLES / "all-orders.txt"), str(SAMPLES / "returns.txt"))
    # Order #06, whose return has the SafeT claim.
    result = cli(tmp_path, "can-return", "209-5411810-6969323", "--as-of", "2026-11-25", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert set(data) >= {"order_id", "eligible", "return_by", "days_left", "base_date",
                         "base_date_source", "holiday_window", "items", "refund_outcomes",
                         "return_request"}
    assert data["return_request"]["safet_claim_id"] == "3017429865"
    assert data["base_date_source"] == "estimated-from-ship-by"
    # Its one unit came back (the return is Completed): nothing is left to return, though
    # the window is open; it was offered a full refund again.
    assert data["holiday_window"] == "2026 holiday season" and data["days_left"] > 0
    assert (data["verdict"], data["eligible"], data["refund_outcomes"]) == ("returned", False, [])
    returnable = json.loads(cli(tmp_path, "can-return", "208-4315693-2325246", "--as-of",
                                "2026-11-25", "--json").stdout)
    assert (returnable["verdict"], returnable["eligible"]) == ("returnable", True)
    assert cli(tmp_path, "can-return", "999-9999999-9999999").returncode == 3
    assert cli(tmp_path, "can-return", "nonsense").returncode == 2
    assert cli(tmp_path, "can-return", "209-5411810-6969323", "--as-of", "soon").returncode == 2
    canceled = json.loads(cli(tmp_path, "can-return", "204-4128230-6006134", "--json").stdout)  # #04
    assert canceled["eligible"] is False and canceled["verdict"] == "canceled"
    text = cli(tmp_path, "can-return", "208-4315693", "--as-of", "2026-11-25")
    assert text.returncode == 0 and text.stdout.startswith("Full refund if returned new and unopened by")
    returned = cli(tmp_path, "can-return", "209-5411810", "--as-of", "2026-11-25")
    assert returned.stdout.startswith("Already returned: every unit it shipped has a return")


def test_a_sellers_holiday_window_name_and_policy_links_cannot_carry_slack_markup(
        tmp_path, seller):
    from dataclasses import replace

    from bot.render.blocks import can_return_message
    from bot.usecases.returns import return_answer

    # RETURNS_RULES is the seller's own text, and /can-return's answer can be shared.
    mine = tmp_path / "returns.yaml"
    mine.write_text("holiday_windows:\n  - name: '<!channel> holidays <@U123>'\n"
                    "    purchased_from: 2026-10-15\n    purchased_until: 2026-12-31\n"
                    "    return_by: 2027-01-31\n    source: https://example.com/holiday\n"
                    "    effective: 2026-10-15\n    confirmed: true\n"
                    "links:\n  - title: 'Returns <!here>'\n"
                    "    url: https://example.com/returns?a=1&b=2\n")
    seller = replace(seller, returns=return_rules(mine))
    noon = datetime(2026, 11, 20, 20, 0, tzinfo=UTC)
    order = Order("111-0000000-0000001", purchase_date=noon, status=OrderStatus.SHIPPED,
                  fulfillment_channel=Channel.MERCHANT,
                  latest_delivery_date=noon.replace(day=27),
                  items=(OrderItem("111-0000000-0000001", "MUG-1", title="Mug"),))
    answer = return_answer(order, [], seller, date(2026, 12, 1))
    assert answer.decision.holiday_window is not None
    shown = json.dumps(can_return_message(answer, seller))
    assert "<!channel>" not in shown and "<@U123>" not in shown and "<!here>" not in shown
    assert "<https://example.com/returns?a=1&amp;b=2|Returns &lt;!here&gt;>" in shown
    # A link's address that would end Slack's <url|title> early is refused at load.
    broken = tmp_path / "broken-returns.yaml"  # rules files are read once per path
    broken.write_text("links:\n  - title: Returns\n"
                      "    url: 'https://example.com/> <!channel> <https://evil.example'\n")
    with pytest.raises(ConfigError) as refused:
        return_rules(broken)
    assert refused.value.params["key"].startswith("links")


# A unified European account: the seller is on amazon.de and sells on amazon.co.uk too. An
# amazon.co.uk order's dates are London's and its business days Britain's (returns.md §7, §2).
LONDON = ZoneInfo("Europe/London")
UK_ID = "A1F83G8C2ARO7P"  # amazon.co.uk


def _seller_on_amazon_de(settings):
    from bot.config import load_settings
    from bot.wiring import seller_of

    return seller_of(load_settings(database_url=settings.database_url, marketplace="DE"))


def _uk_order(purchased: datetime, estimated: datetime) -> Order:
    line = OrderItem("202-0000000-0000001", "MUG-1", asin="B0BZ7T4N6W", title="Mug",
                     product_category="Kitchen", quantity_ordered=1, quantity_shipped=1)
    return Order("202-0000000-0000001", purchase_date=purchased, status=OrderStatus.SHIPPED,
                 fulfillment_channel=Channel.MERCHANT, marketplace_id=UK_ID,
                 latest_delivery_date=estimated, items=(line,))


def test_another_marketplaces_order_is_returnable_until_a_day_of_its_own(settings):
    from bot.usecases.returns import return_answer

    # Amazon's estimate: Mon 21 Sep, to the end of the day in London (00:59 Tuesday in Berlin);
    # 21 Sep + 30 days = Wed 21 Oct, so on Thu 22 Oct the window has closed.
    order = _uk_order(datetime(2026, 9, 14, 12, 0, tzinfo=UTC),
                      datetime(2026, 9, 21, 23, 59, 59, tzinfo=LONDON))
    answer = return_answer(order, [], _seller_on_amazon_de(settings), date(2026, 10, 22))
    assert (answer.decision.base_date, answer.decision.return_by) == (
        date(2026, 9, 21), date(2026, 10, 21))
    assert answer.decision.verdict is Verdict.LATE


def test_another_marketplaces_order_is_matched_to_a_holiday_window_and_shown_on_its_own_day(
        settings):
    from bot import render
    from bot.usecases.returns import return_answer

    # Sat 31 Oct 23:30 in London is Sun 1 Nov in Berlin: bought before the holiday season.
    seller = _seller_on_amazon_de(settings)
    order = _uk_order(datetime(2026, 10, 31, 23, 30, tzinfo=UTC),
                      datetime(2026, 11, 6, 23, 59, 59, tzinfo=LONDON))
    answer = return_answer(order, [], seller, date(2026, 12, 10))
    assert answer.decision.holiday_window is None
    assert answer.decision.return_by == date(2026, 12, 6)
    shown = render.text("can_return", answer=answer, tz=seller.timezone)
    assert "Purchased Sat 31 Oct 2026" in shown, shown


def test_another_marketplaces_refund_is_due_in_its_own_countrys_business_days(settings):
    from bot.usecases.returns import return_answer

    # Back on Wed 13 May 2026; Thu 14 May is Ascension Day in Germany, not in Britain: two
    # British business days end on Fri 15 May, overdue on Mon 18 May.
    order = _uk_order(datetime(2026, 4, 20, 12, 0, tzinfo=UTC),
                      datetime(2026, 4, 27, 23, 59, 59, tzinfo=LONDON))
    request = ReturnRequest("202-0000000-0000001", "RMA1", "MUG-1",
                            request_date=date(2026, 5, 5), status="Approved",
                            return_delivery_date=date(2026, 5, 13))
    answer = return_answer(order, [request], _seller_on_amazon_de(settings), date(2026, 5, 18))
    [(_, deadlines)] = answer.requests
    assert [(d.action, d.due, d.overdue) for d in deadlines] == [
        ("refund", date(2026, 5, 15), True)]


TOKYO = ZoneInfo("Asia/Tokyo")
JP_ID = "A1VC38T7YXB528"  # amazon.co.jp


def _jp_order() -> Order:
    # Estimated delivery Thu 15 Oct, Tokyo: returnable until Sat 14 Nov there.
    line = OrderItem("250-0000000-0000001", "MUG-1", asin="B0BZ7T4N6W", title="Mug",
                     product_category="Kitchen", quantity_ordered=1, quantity_shipped=1)
    return Order("250-0000000-0000001", purchase_date=datetime(2026, 10, 10, 12, tzinfo=TOKYO),
                 status=OrderStatus.SHIPPED, fulfillment_channel=Channel.MERCHANT,
                 marketplace_id=JP_ID, latest_delivery_date=datetime(2026, 10, 15, 23, 59, 59,
                                                                     tzinfo=TOKYO),
                 items=(line,))


def test_a_return_is_judged_on_the_marketplaces_day_not_the_sellers(settings):
    from bot.config import load_settings
    from bot.usecases.returns import return_answer
    from bot.wiring import seller_of

    # An amazon.co.jp seller who lives in Los Angeles, asked on Sun 15 Nov 10:00 in Tokyo
    # (still Sat 14 Nov at home): Amazon's return-by, Sat 14 Nov, is over in Japan.
    seller = seller_of(load_settings(database_url=settings.database_url, marketplace="JP",
                                     seller_timezone="America/Los_Angeles"))
    asked = datetime(2026, 11, 15, 10, 0, tzinfo=TOKYO)
    answer = return_answer(_jp_order(), [], seller, asked)
    assert answer.decision.return_by == date(2026, 11, 14)
    assert (answer.decision.today, answer.decision.verdict) == (date(2026, 11, 15), Verdict.LATE)
    # A day given as such is that day.
    assert return_answer(_jp_order(), [], seller, date(2026, 11, 14)).decision.verdict is (
        Verdict.RETURNABLE)


def test_the_command_line_takes_an_as_of_time_on_the_marketplaces_day(tmp_path):
    from bot.store import Database
    from bot.store.writer import Writer

    url = f"sqlite:///{tmp_path / 'jp.db'}"
    db = Database.open(url)
    with db.begin() as conn:
        writer = Writer(conn)
        order = _jp_order()
        writer.add(order)
        writer.add(order.items[0])
        writer.flush()
    db.close()
    env = {**os.environ, "DATABASE_URL": url, "MARKETPLACE": "JP",
           "SELLER_TIMEZONE": "America/Los_Angeles"}
    ran = subprocess.run([sys.executable, "-m", "bot", "can-return", "250-0000000-0000001",
                          "--as-of", "2026-11-15T10:00+09:00"], cwd=tmp_path, env=env,
                         capture_output=True, text=True, timeout=60)
    assert ran.stdout.startswith("Past return-by (Sat 14 Nov 2026, 1 day ago)"), (
        ran.stdout + ran.stderr)
