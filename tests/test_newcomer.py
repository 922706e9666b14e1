"""A newcomer's first hour (issue 16): settings that accept ids the same way everywhere, a
digest that never names the wrong day, a demo that keeps its calendar, orders Amazon fulfils
left to Amazon, one order-id grammar, dates that read right, output that reads well, one data
folder, and built-in rules a seller can turn off with one line."""

import json
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from bot import render
from bot.config import load_settings
from bot.errors import ConfigError
from bot.usecases import demo, digests, orders, returns
from bot.usecases.imports import import_file
from bot.wiring import seller_of
from tests.conftest import FIXTURES

REPORTS = FIXTURES / "seller" / "reports"
WEDNESDAY = datetime(2026, 11, 25, 17, 0, tzinfo=UTC)  # the day before Thanksgiving, 09:00 PST
THANKSGIVING_PROMISE = "206-6720272-4658942"  # its promise-date is Thanksgiving itself
AMAZON_FULFILLED = "202-6070535-5657183"
SUNDAY = datetime(2026, 12, 6, 18, 0, tzinfo=UTC)


def imported(db, seller, *names: str) -> None:
    for name in names:
        import_file(db, REPORTS / name, seller, now=WEDNESDAY)


# --- 4. channel ids, the same grammar in every setting ----------------------------------------

@pytest.mark.parametrize("setting", ["DIGEST_CHANNEL", "ALLOWED_CHANNELS"])
@pytest.mark.parametrize("name", ["general", "#orders", "orders-team"])
def test_a_channel_name_is_refused_the_same_way_everywhere(settings, setting, name):
    with pytest.raises(ConfigError) as refused:
        load_settings(**{setting.lower(): name})
    said = render.message("errors", refused.value.code, **refused.value.params)
    assert said.startswith(f"{setting}: '{name}' is not a channel id: give the channel's id")


@pytest.mark.parametrize("setting", ["DIGEST_CHANNEL", "ALLOWED_CHANNELS"])
@pytest.mark.parametrize("name", ["c4orders", "g2crowd"])
def test_a_name_that_looks_like_an_id_in_lower_case_is_a_name(settings, setting, name):
    with pytest.raises(ConfigError):
        load_settings(**{setting.lower(): name})


@pytest.mark.parametrize("entry", ["CHX7ZQ2M1", "C0123ABCD+weekdays", "C0123ABCD@07:30@weekdays"])
def test_ids_as_slack_shows_them_are_taken_in_both_settings(settings, entry):
    channel = entry.split("@")[0].split("+")[0]
    assert [s.channel for s in load_settings(digest_channel=entry).digests] == [channel]
    assert load_settings(allowed_channels=channel).channel_allowlist == {channel}


# --- 5. the digest never puts "next business day" beside an earlier date ----------------------

def test_a_promise_on_a_holiday_is_named_by_its_own_day(db, seller):
    imported(db, seller, "all-orders.txt", "unshipped-orders.txt")
    digest = digests.digest(db, seller, WEDNESDAY)
    due_next = {s.order.order_id for s in digest.due_next}
    assert THANKSGIVING_PROMISE in due_next
    assert digest.next_business_day == date(2026, 11, 27)
    assert digest.due_next_days[0] == (date(2026, 11, 26), "Thanksgiving Day")
    text = render.text("digest", digest=digest, seller=seller)
    heading = next(line for line in text.splitlines()
                   if line.startswith("Due ") and not line.startswith("Due today"))
    assert heading.startswith("Due Thu 26 Nov 2026 (Thanksgiving Day) and Fri 27 Nov 2026")
    assert "next business day" not in heading
    from bot.render.blocks import digest_message

    assert "Due Thu 26 Nov 2026 (Thanksgiving Day) and Fri 27 Nov 2026" in json.dumps(
        digest_message(digest, seller))


def test_the_order_itself_does_not_say_next_business_day(db, seller):
    imported(db, seller, "all-orders.txt", "unshipped-orders.txt")
    detail = orders.order_detail(db, seller, THANKSGIVING_PROMISE, WEDNESDAY)
    said = render.text("order", detail=detail, tz=seller.timezone, marketplace=seller.marketplace)
    assert "Thu 26 Nov 2026" in said and "next business day" not in said


# --- 6. the demo keeps its own calendar -------------------------------------------------------

@pytest.mark.parametrize("moment", [SUNDAY, datetime(2026, 11, 26, 16, 0, tzinfo=UTC),
                                    datetime(2026, 12, 6, 5, 0, tzinfo=UTC)],
                         ids=["sunday", "thanksgiving", "saturday-night"])
def test_the_demo_sets_deadlines_on_business_days(db, settings, seller, moment):
    demo.load_demo(db, seller_of(settings), moment)
    digest = digests.digest(db, seller, moment)
    assert not digest.is_business_day and digest.due_today == []
    for standing in digest.late + digest.due_next:
        day = standing.ship_by.astimezone(seller.timezone).date()
        assert seller.calendar.is_business_day(day), (standing.order.order_id, day)
    assert len(digest.late) == 3 and len(digest.due_next) >= 9
    # The one nearest Amazon's auto-cancel: still ahead, within three days.
    assert moment < min(s.cancel_at for s in digest.late) <= moment + timedelta(days=3)


# --- 7. orders Amazon fulfils are Amazon's ------------------------------------------------------

def test_an_amazon_fulfilled_order_has_no_deadline_and_amazons_returns(db, seller):
    imported(db, seller, "all-orders.txt")
    detail = orders.order_detail(db, seller, AMAZON_FULFILLED, WEDNESDAY)
    assert detail.standing.ship_by is None and detail.standing.urgency is None
    answer = returns.can_return(db, seller, AMAZON_FULFILLED, date(2026, 11, 25))
    assert answer.decision.verdict == "amazon-fulfilled" and answer.decision.outcomes == ()
    said = render.text("can_return", answer=answer, tz=seller.timezone)
    assert said.startswith("Fulfilled by Amazon: Amazon takes this return")
    assert "you pay the return shipping" not in said and "seller-fulfilled" not in said
    from bot.render.blocks import can_return_message
    from bot.render.data import can_return as as_data

    message = json.dumps(can_return_message(answer, seller))
    assert "Fulfilled by Amazon" in message and "seller-fulfilled" not in message
    assert as_data(answer)["eligible"] is None  # Amazon's to decide, not "no"


# --- 8. one order-id grammar --------------------------------------------------------------------

def test_orders_and_can_return_read_order_ids_alike(db, seller, cli, settings):
    imported(db, seller, "all-orders.txt")
    env = {"DATABASE_URL": db.url}
    shown = cli("orders", "206-672027", env=env)
    assert shown.returncode == 0 and THANKSGIVING_PROMISE in shown.stdout
    bogus = cli("orders", "bogus", env=env)
    assert bogus.returncode == 2
    assert "'bogus' is neither a list (today, at-risk, late, unshipped)" in bogus.stderr
    too_long = cli("can-return", THANKSGIVING_PROMISE + "8", env=env)
    assert too_long.returncode == 2 and "is not an Amazon order id" in too_long.stderr


# --- 9. dates and their messages --------------------------------------------------------------

def test_can_return_takes_a_time_as_its_day_and_refuses_a_day_before_the_order(db, seller, cli):
    imported(db, seller, "all-orders.txt")
    env = {"DATABASE_URL": db.url}
    at_ten = cli("can-return", THANKSGIVING_PROMISE, "--as-of", "2026-12-24T10:00", env=env)
    assert at_ten.returncode == 0 and "as of Thu 24 Dec 2026" in at_ten.stdout
    early = cli("can-return", THANKSGIVING_PROMISE, "--as-of", "2026-11-01", env=env)
    assert early.returncode == 2
    assert early.stderr.startswith(f"order {THANKSGIVING_PROMISE} was placed on 2026-11-24, "
                                   "after 2026-11-01")
    too_early = cli("orders", THANKSGIVING_PROMISE, "--as-of", "2026-11-01T08:00", env=env)
    assert too_early.returncode == 2 and "was placed on 2026-11-24" in too_early.stderr


def test_a_known_delivery_is_shown_and_an_unknown_one_is_not_called_not_delivered(seller):
    from bot.domain.records import Channel, Order, OrderItem, OrderStatus
    from bot.domain.returns import decide
    from bot.usecases.returns import ReturnAnswer

    placed = datetime(2026, 11, 2, 18, 0, tzinfo=UTC)
    base = {"purchase_date": placed, "status": OrderStatus.SHIPPED,
            "fulfillment_channel": Channel.MERCHANT,
            "latest_delivery_date": placed + timedelta(days=8),
            "items": (OrderItem("201-0000000-0000001", "MUG", title="Mug"),)}
    delivered = Order("201-0000000-0000001", delivered_at=placed + timedelta(days=4), **base)
    unknown = Order("201-0000000-0000001", **base)
    today = date(2026, 11, 20)

    def said(order: Order) -> str:
        decision = decide(order, today, seller.timezone, seller.calendar, seller.handling_days,
                          seller.rules, seller.returns)
        return render.text("can_return", tz=seller.timezone, answer=ReturnAnswer(
            order=order, decision=decision, rules=seller.returns, requests=[]))

    shown = said(delivered)
    assert "Delivered: Fri 06 Nov 2026, before Amazon's estimate" in shown
    assert "no delivery date known" not in shown
    assert "(no delivery date known: counted from the delivery estimate)" in said(unknown)
    assert "not delivered yet" not in said(unknown)


# --- 10. output that reads well -------------------------------------------------------------------

def test_findings_on_the_same_words_for_the_same_reason_are_one(cli, tmp_path):
    draft = tmp_path / "draft.txt"
    draft.write_bytes(b"\xef\xbb\xbf" + b"Or write to help@shop.example.com. You clearly did not "
                      b"read it, it is your fault. See the manual at "
                      b"https://example-shop.com/manual - let me know.")
    ran = cli("check-reply", str(draft))
    assert ran.returncode == 1
    assert "contact-steer, email-steer, characters 4-11: \"write to\"" in ran.stdout  # no BOM shift
    assert ran.stdout.count("Rude or blaming tone.") == 2
    assert "Still to rewrite by hand: rude or blaming tone." in ran.stdout
    assert "See the manual - let me know." in ran.stdout


def test_jsonl_names_each_input_line_blank_ones_too(cli, tmp_path, monkeypatch):
    lines = tmp_path / "drafts.jsonl"
    lines.write_text('{"text": "Your parcel ships tomorrow."}\n\n{"text": "Call 555-0142"}\n')
    ran = cli("check-reply", "--jsonl", str(lines))
    results = [json.loads(line) for line in ran.stdout.splitlines()]
    assert [r["line"] for r in results] == [1, 2, 3]
    assert "error" in results[1] and results[2]["verdict"] == "block"


def test_a_byte_order_mark_on_standard_input_is_no_character(cli):
    bom = b"\xef\xbb\xbf"
    single = cli("check-reply", "--json", stdin=bom + b"Call 555-0142 today")
    phone = next(f for f in json.loads(single.stdout)["findings"] if f["rule"] == "phone-number")
    assert phone["start"] == 5  # "555-0142", counted from 0 after the mark
    many = cli("check-reply", "--jsonl", "-", stdin=bom + b'{"text": "Call 555-0142"}\n')
    assert json.loads(many.stdout.splitlines()[0])["verdict"] == "block"


def test_force_without_post_is_refused_and_help_shows_no_type_tags(cli):
    ran = cli("digest", "--force")
    assert ran.returncode == 2 and "--force only goes with --post" in ran.stderr
    for command in ("import", "digest", "orders", "check-reply", "confirm", "can-return"):
        shown = cli(command, "--help").stdout
        assert not re.search(r"<(bool|str|list|Path)", shown), (command, shown)
        assert "[default: utf-8-sig]" not in shown
    listed = cli("--help").stdout
    assert "recognised by their content." in listed  # whole summaries, not cut with ",..."


def test_order_lists_are_aligned_and_fit_the_width(db, seller):
    imported(db, seller, "all-orders.txt", "unshipped-orders.txt")
    report = orders.orders_report(db, seller, orders.View.UNSHIPPED, WEDNESDAY)
    for width in (80, 120):
        rows = [line for line in render.text("orders", report=report, seller=seller,
                                             width=width).splitlines()[1:]
                if line.startswith("  2")]
        assert rows and all(len(row) <= width for row in rows)
        starts = {row.index(" ship ") if " ship " in row else row.index(" LATE") for row in rows}
        assert len(starts) == 1  # the deadline column starts at the same place on every row


def test_the_digest_reads_plainly(db, seller):
    imported(db, seller, "all-orders.txt", "unshipped-orders.txt")
    text = render.text("digest", digest=digests.digest(db, seller, WEDNESDAY), seller=seller)
    assert "in USD" not in text and "no currency" not in text and "OVER TARGET" not in text
    assert "Late Shipment Rate (Amazon wants it under 4.0%)" in text


# --- 11. where the data is ----------------------------------------------------------------------

def test_the_default_database_is_in_the_user_data_folder(settings, monkeypatch, tmp_path, cli):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert load_settings().database_url == f"sqlite:///{tmp_path / 'data' / 'sellerbot' / 'sellerbot.db'}"
    elsewhere = tmp_path / "somewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    ran = cli("orders", "today", env={"DATABASE_URL": None})  # the default, not a given one
    assert ran.returncode == 0
    assert "No orders yet: the database sqlite:///" in ran.stdout and "sellerbot demo" in ran.stdout
    assert list(elsewhere.iterdir()) == []  # nothing made in the folder it ran from
    assert (tmp_path / "data" / "sellerbot" / "sellerbot.db").is_file()
    assert "Data: " in cli("--help").stdout


# --- 12. a built-in rule off in one line ----------------------------------------------------------

@pytest.mark.parametrize("rule", ["external-link", "email-address", "emoji"])
def test_one_line_turns_a_built_in_rule_off(tmp_path, rule):
    from bot.compliance.loading import checker, run_examples

    folder = tmp_path / "rules"
    folder.mkdir()
    (folder / f"{rule}.yaml").write_text("enabled: false\n")
    rules = checker(folder)
    result = rules.check("See https://shop.example.com or mail help@shop.example.com 😀😀😀")
    assert rule not in result.rules
    assert all(run.ok for run in run_examples(rules))


def test_a_switch_for_no_rule_is_named(tmp_path):
    from bot.compliance.loading import checker

    folder = tmp_path / "rules"
    folder.mkdir()
    (folder / "no-such-rule.yaml").write_text("enabled: false\n")
    with pytest.raises(ConfigError) as refused:
        checker(folder)
    said = render.message("errors", refused.value.code, **refused.value.params)
    assert "has no rule 'no-such-rule' to turn off" in said


def test_fixtures_exist_here():
    # Everything the tests read lives in the repository (issue 16, item 1).
    assert (REPORTS / "all-orders.txt").is_file() and Path(FIXTURES).is_relative_to(
        Path(__file__).resolve().parent)
