"""Every report renders to valid Block Kit within Slack's limits, for none, some and 5,000 orders,
and text from Amazon or the seller can neither ping, link nor format anything."""

import json
import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from bot.domain.records import Channel, Order, OrderItem, OrderStatus, ReturnRequest
from bot.domain.shipment_rates import ShipmentRate
from bot.domain.shipping import Standing, Urgency
from bot.render import blocks, data, text
from bot.usecases.digests import Digest, NewOrders
from bot.usecases.orders import OrderDetail, OrdersReport, View

HOSTILE = "<!channel> <https://evil.example|click> & *bold* <@U123> \x1b[31m \u202egnp.exe \u2066x\u2069"
# Bidirectional embeddings, overrides and isolates: they reorder what a reader sees.
BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")
NOW = datetime(2026, 11, 25, 17, 0, tzinfo=UTC)


def standings(count: int, title: str = HOSTILE) -> list[Standing]:
    kinds = [Urgency.LATE, Urgency.DUE_TODAY, Urgency.DUE_NEXT, Urgency.ON_TRACK]
    result = []
    for n in range(count):
        order_id = f"111-{n:07d}-0000000"
        items = tuple(OrderItem(order_id, f"SKU-{k}&<{n}>", title=title * 3, quantity_ordered=2)
                      for k in range(1 + n % 3))
        order = Order(order_id, purchase_date=NOW - timedelta(days=2), status=OrderStatus.UNSHIPPED,
                      fulfillment_channel=Channel.MERCHANT, is_prime=n % 5 == 0, items=items)
        urgency = kinds[n % 4]
        result.append(Standing(order, NOW + timedelta(hours=n % 50 - 25), urgency,
                               NOW + timedelta(days=7), urgency is Urgency.LATE and n % 2 == 0))
    return result


def digest_of(entries: list[Standing]) -> Digest:
    return Digest(
        as_of=NOW, since=NOW - timedelta(days=1), today=NOW.date(), is_business_day=True,
        holiday=None, next_business_day=(NOW + timedelta(days=2)).date(),
        new=[NewOrders("USD", len(entries), 2 * len(entries), Decimal("1234.50")),
             NewOrders("<!channel>", 1, 1, Decimal("1"))] if entries else [],
        late=[e for e in entries if e.urgency is Urgency.LATE],
        due_today=[e for e in entries if e.urgency is Urgency.DUE_TODAY],
        due_next=[e for e in entries if e.urgency is Urgency.DUE_NEXT],
        shipment_rates=[ShipmentRate(10, 3, 120, 0.04, True), ShipmentRate(30, 4, 8, 0.04, False, 2)],
        last_data=NOW - timedelta(hours=30) if entries else None, stale=True, open_returns=2,
    )


def texts(message: dict) -> list[tuple[str, str]]:
    found = []
    for block in message["blocks"]:
        if "text" in block:
            found.append((block["type"], block["text"]["text"]))
        for element in block.get("elements", []):
            if isinstance(element.get("text"), str):
                found.append((block["type"], element["text"]))
    return found


def check_confirm_pick(message: dict, confirm: bool, entries: list[Standing]) -> None:
    """The "Confirm shipment" pick: there only with `confirm` and open orders, within Slack's
    limits (100 options, option text up to 75 characters), late orders first."""
    picks = [e for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]
             if e.get("action_id") == "confirm_shipment"]
    open_orders = [e for e in entries if e.urgency is not None]
    if not (confirm and open_orders):
        assert picks == []
        return
    options = picks[0]["options"]
    assert 1 <= len(options) <= 100 and all(len(o["text"]["text"]) <= 75 for o in options)
    assert options[0]["value"] == open_orders[0].order.order_id


def check_limits_and_inert(message: dict) -> None:
    assert json.loads(json.dumps(message)) == message
    assert isinstance(message["text"], str) and message["text"]
    # The fallback text shows in notifications: no pings there either.
    assert "<!" not in message["text"] and "<http" not in message["text"]
    assert 1 <= len(message["blocks"]) <= 50
    for kind, value in texts(message):
        assert len(value) <= (150 if kind == "header" else 3000)
        # The only links are ours (Seller Central); the only "<" starts one.
        for link in re.findall(r"<([^>]*)>", value):
            assert link.startswith("https://sellercentral.amazon.com/orders-v3/"), link
        assert "<!channel>" not in value and "evil.example|" not in value.replace("evil.example|click&gt;", "")
        assert "\x1b" not in value and not BIDI.search(value)


@pytest.mark.parametrize("confirm", [False, True])
@pytest.mark.parametrize("count", [0, 7, 5000])
@pytest.mark.parametrize("view", list(View))
def test_orders_message(seller, count, view, confirm):
    report = OrdersReport(view=view, as_of=NOW, today=NOW.date(),
                          next_business_day=NOW.date(), entries=standings(count))
    message = blocks.orders_message(report, seller, confirm=confirm)
    check_limits_and_inert(message)
    check_confirm_pick(message, confirm, report.entries)
    shown = sum(value.count("\n") + 1 for kind, value in texts(message)
                if kind == "section")
    if count == 5000:
        contexts = [v for kind, v in texts(message) if kind == "context"]
        assert f"…and {count - shown} more" in contexts[-1]
    elif count:
        assert shown == count
    else:
        assert "Nothing to show" in message["blocks"][1]["elements"][0]["text"]


@pytest.mark.parametrize("confirm", [False, True])
@pytest.mark.parametrize("count", [0, 9, 5000])
def test_digest_message(seller, count, confirm):
    digest = digest_of(standings(count))
    message = blocks.digest_message(digest, seller, confirm=confirm)
    check_limits_and_inert(message)
    check_confirm_pick(message, confirm, [*digest.late, *digest.due_today, *digest.due_next])
    body = json.dumps(message)
    assert "Late Shipment Rate" in body and "not enough orders to tell" in body
    if count:
        assert "1,234.50 USD" in body and "over a day old" in body
    else:
        assert "No new orders" in body and "No orders imported or synced yet" in body


def test_order_message_puts_each_fact_on_its_line(seller):
    entry = standings(1)[0]
    detail = OrderDetail(as_of=NOW, standing=entry, returns=[])
    facts = blocks.order_message(detail, seller)["blocks"][1]["text"]["text"]
    assert facts.splitlines()[0].startswith("*Placed* ") and facts.splitlines()[1].startswith("*Ship by* ")


def test_order_message(seller):
    entry = standings(1)[0]
    many = Order(entry.order.order_id, purchase_date=NOW, status=OrderStatus.UNSHIPPED,
                 fulfillment_channel=Channel.MERCHANT,
                 items=tuple(OrderItem(entry.order.order_id, f"S{n}", title="&" * 200) for n in range(40)))
    returns = [ReturnRequest(entry.order.order_id, "RMA1", "S1", status="Pending&<x>",
                             reason=HOSTILE, a_to_z_claim=True)]
    for order in (entry.order, many):
        detail = OrderDetail(as_of=NOW, standing=Standing(order, entry.ship_by, entry.urgency,
                                                          entry.cancel_at, True), returns=returns)
        check_limits_and_inert(blocks.order_message(detail, seller))
        message = blocks.order_message(detail, seller, confirm=True)
        check_limits_and_inert(message)
        confirmed = blocks.order_message(detail, seller, confirmed_by="U0000PAT")
        assert "Shipment confirmed to Amazon by <@U0000PAT>." in json.dumps(confirmed)
        buttons = [e for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]]
        assert [(b["action_id"], b["value"]) for b in buttons] == [
            ("confirm_shipment", order.order_id)]
        form = blocks.confirm_view("form", order=order, carriers=["UPS", "Other"],
                                   today=NOW.date(), metadata="{}")
        assert len(json.dumps(form)) < 20_000
        for _kind, value in texts(form):
            assert len(value) <= 3000 and "<!channel>" not in value


def test_mrkdwn_escaping_is_exact(seller):
    entry = standings(1, title="Salt & Pepper <2 pcs>")[0]
    line = blocks.orders_message(OrdersReport(View.LATE, NOW, NOW.date(), NOW.date(), [entry]),
                                 seller)["blocks"][2]["text"]["text"]
    assert "Salt &amp; Pepper &lt;2 pcs&gt;" in line


def test_plain_text_shows_titles_as_they_are_without_control_characters(seller):
    entries = standings(3)
    report = OrdersReport(View.AT_RISK, NOW, NOW.date(), NOW.date(), entries)
    shown = text("orders", report=report, seller=seller, width=400)  # room for whole titles
    assert "<!channel> <https://evil.example|click> & *bold*" in shown
    assert "\x1b" not in shown and not BIDI.search(shown)
    digest = text("digest", digest=digest_of(entries), seller=seller)
    assert "Late Shipment Rate" in digest and "\x1b" not in digest and not BIDI.search(digest)


def test_a_long_shouted_draft_stays_within_slacks_limits():
    from bot.compliance.loading import checker

    # Hundreds of findings to fix by hand, each listed with its words.
    draft = ("You obviously didn't read the description, what the hell is wrong with you people. "
             * 120)[:10_000]
    result = checker().check(draft)
    for rendered in (blocks.check_reply_message(result), blocks.check_reply_view(result)):
        for block in rendered["blocks"]:
            parts = [block["text"]] if "text" in block else block.get("elements", [])
            for part in parts:
                if isinstance(part.get("text"), str):
                    assert len(part["text"]) <= 3000, block["type"]


def test_an_ampersand_heavy_suggestion_is_cut_between_code_blocks_not_inside_one():
    from bot.compliance.loading import checker

    draft = ("Tom & Jerry & Co. <3 ships today & tomorrow. " * 300)[:9_000]
    rendered = blocks.check_reply_message(checker().check(draft + " Visit shop.example.com"))
    code = [b["text"]["text"] for b in rendered["blocks"]
            if b["type"] == "section" and b["text"]["text"].startswith("```")]
    assert len(code) >= 2
    for section in code:
        assert len(section) <= 3000 and section.endswith("```") and "&amp;" in section


def test_a_suggestion_too_long_for_one_message_is_cut_and_says_so():
    from bot.compliance.loading import checker

    # Fifteen findings, and a rewrite whose every character escapes to five (&amp;): more
    # sections than a message's 50 blocks hold beside them, though the draft is under 10,000.
    links = " ".join(f"https://shop{i}.example/x mail{i}@shop.example" for i in range(10))
    draft = "Hi, see " + links + " thanks.\n" + "\n".join(["&" * 291] * 31)
    result = checker().check(draft)
    message = blocks.check_reply_message(result, share_value="k")
    assert len(message["blocks"]) <= blocks.MAX_BLOCKS
    assert "`sellerbot check-reply` shows it whole" in json.dumps(message)
    assert message["blocks"][-1]["type"] == "actions"  # "Share in channel" is still there
    view = blocks.check_reply_view(result, share_value="k")  # a modal holds 100: all of it
    assert "shows it whole" not in json.dumps(view)


def test_an_order_past_amazons_auto_cancel_time_is_not_said_to_be_cancelled_later(seller):
    entry = standings(1)[0]
    passed = Standing(entry.order, NOW - timedelta(days=8), Urgency.LATE, NOW - timedelta(hours=1),
                      True, True)
    coming = Standing(entry.order, NOW - timedelta(days=6), Urgency.LATE, NOW + timedelta(days=1),
                      True, False)
    report = OrdersReport(View.LATE, NOW, NOW.date(), NOW.date(), [passed])
    said = [json.dumps(blocks.orders_message(report, seller)),
            text("orders", report=report, seller=seller, width=200),
            text("order", detail=OrderDetail(as_of=NOW, standing=passed, returns=[]),
                 tz=seller.timezone, marketplace=seller.marketplace)]
    for shown in said:
        assert "auto-cancel time passed" in shown and "cancels it unpaid" not in shown
    before = OrdersReport(View.LATE, NOW, NOW.date(), NOW.date(), [coming])
    assert "cancels it unpaid" in text("orders", report=before, seller=seller, width=200)
    assert data.orders(report, seller.timezone)["orders"][0]["auto_cancel_passed"] is True


def test_json_output_keeps_the_value_but_prints_no_control_or_bidi_character():
    from bot.render import data

    report = OrdersReport(View.AT_RISK, NOW, NOW.date(), NOW.date(), standings(3))
    plain = data.orders(report, UTC)
    printed = data.dumps(plain, indent=2)
    assert "\x1b" not in printed and not BIDI.search(printed)
    assert json.loads(printed) == plain  # a script still reads the title exactly
    assert "\u202e" in plain["orders"][0]["items"][0]["title"]


def test_a_reply_in_another_language_says_in_slack_and_as_json_what_was_not_checked():
    from bot.compliance.loading import checker
    from bot.render import data

    result = checker().check("Hallo Herr Weber, vielen Dank für Ihre Nachricht. Wir würden "
                             "uns sehr über eine Bewertung mit fünf Sternen freuen!")
    for rendered in (blocks.check_reply_message(result), blocks.check_reply_view(result)):
        shown = json.dumps(rendered)
        assert "this reply is not in English" in shown and "Good to send" not in shown
        assert "wording rules read English only" in shown
    assert data.check_result(result)["english"] is False
    assert data.check_result(checker().check("Thanks for asking."))["english"] is True


def test_a_sellers_own_rule_words_are_inert_in_slack(tmp_path):
    from bot.compliance.loading import checker

    # EXTRA_RULES is the seller's text, and "Share in channel" posts a check for everyone.
    hostile = "<!channel> see <https://evil.example|Amazon policy> <@U123>"
    (tmp_path / "zorblax.yaml").write_text(f"""category: marketing
severity: block
title: '{hostile}'
why: '{hostile}'
fix: '{hostile}'
source: https://example.com/policy
effective: 2024-01-01
rewrite: keep
check:
  type: phrases
  patterns: ['zorblax']
examples:
  flag: [buy a zorblax, the zorblax is here, zorblax again]
  pass: [hello, thanks for your order, your parcel left today]
""")
    result = checker(tmp_path).check("Buy a zorblax today.")
    assert "zorblax" in result.rules
    for rendered in (blocks.check_reply_message(result, share_value="k"),
                     blocks.check_reply_view(result)):
        shown = json.dumps(rendered)
        assert "<!channel>" not in shown and "<https://evil" not in shown and "<@U123>" not in shown
        assert "&lt;!channel&gt;" in shown  # shown, inert
