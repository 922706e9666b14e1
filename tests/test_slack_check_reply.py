"""Check reply over real HTTP: `sellerbot serve`, signed Slack requests, the fake Slack."""

import json
import sqlite3
import time

import pytest

from bot.store import Database
from tests.fake_slack import FakeSlack
from tests.test_slack_e2e import Served, blocks_of

DRAFT = "Thanks! Call 555-0142 or see shop.example.com. Use code SAVE10 for 10% off your next order."


@pytest.fixture(scope="module")
def fake():
    server = FakeSlack()
    yield server
    server.close()


@pytest.fixture(scope="module")
def served(fake, tmp_path_factory):
    running = Served(tmp_path_factory.mktemp("serve"), fake)
    yield running
    running.stop()


@pytest.fixture(autouse=True)
def clean(fake):
    fake.reset()


def audited(served) -> list[dict]:
    db = Database(f"sqlite:///{served.database}")
    with db.begin() as conn:
        rows = conn.exec_driver_sql(
            "SELECT verdict, categories, surface, slack_user, slack_channel, text_sha256, length "
            "FROM reply_checks ORDER BY id").mappings().all()
    return [dict(r) for r in rows]


def audit_after(served, before: int) -> dict:
    """The audit of a check asked for after `before` were audited: written once the person
    has the answer."""
    deadline = time.monotonic() + 10
    while len(found := audited(served)) <= before and time.monotonic() < deadline:
        time.sleep(0.05)
    return found[-1]


def shortcut(served, text: str, *, ts="1795000100.000100", thread_ts=None):
    message = {"type": "message", "user": "U0000SAM", "ts": ts, "text": text}
    if thread_ts:
        message["thread_ts"] = thread_ts
    return served.interact({
        "type": "message_action", "callback_id": "check_reply", "trigger_id": "9.8.7",
        "user": {"id": "U0000PAT", "name": "pat"}, "team": {"id": "T0001"},
        "channel": {"id": "C0000ORDERS", "name": "orders"}, "message_ts": ts,
        "message": message, "response_url": served.fake.webhook("shortcut"),
    })


def view_of(call) -> dict:
    view = call.body["view"]
    return json.loads(view) if isinstance(view, str) else view


def test_check_reply_command_answers_privately(served, fake):
    before = len(audited(served))
    with served.stalled():
        status, body = served.command("/check-reply", DRAFT, "check")
    assert status == 200 and body == ""
    answer = fake.wait("webhook/check")[0]
    text = json.dumps(blocks_of(answer))
    assert answer.body["text"].startswith("BLOCK: Don't send this as it is")
    assert answer.body.get("response_type") in (None, "ephemeral")
    assert "*555-0142*" in text and "Suggested rewrite" in text and "share_check" in text
    assert fake.called("chat.postMessage") == []  # nothing public until Share
    last = audit_after(served, before)
    assert (last["verdict"], last["surface"], last["slack_user"], last["slack_channel"]) == (
        "block", "command", "U0000PAT", "C0000ORDERS")
    assert "555" not in json.dumps(last)


def test_check_reply_without_text_is_help(served):
    status, body = served.command("/check-reply", "  ", "help")
    assert status == 200 and "checks a draft reply" in body


def test_slack_markup_is_read_as_typed_and_shown_inert(served, fake):
    # Slack sends a typed link as <http://...|label> and a mention as <!channel>.
    served.command("/check-reply", "Hi <!channel>, see <http://evil-shop.com|evil-shop.com> now",
                   "markup")
    answer = fake.wait("webhook/markup")[0]
    text = json.dumps(blocks_of(answer))
    assert "*evil-shop.com*" in text and "<!channel>" not in text and "<http" not in text


def test_message_shortcut_opens_a_modal_at_once_then_fills_it(served, fake):
    before = len(audited(served))
    with served.stalled():
        status, _ = shortcut(served, DRAFT)
    assert status == 200
    opened = fake.wait("views.open")[0]
    assert opened.body["trigger_id"] == "9.8.7"
    assert "Checking the reply" in json.dumps(view_of(opened))
    updated = fake.wait("views.update")[0]
    assert updated.body["view_id"] == "V0001"
    view = view_of(updated)
    assert view["type"] == "modal" and len(view["blocks"]) <= 100
    text = json.dumps(view)
    assert "Don't send this as it is" in text and "*shop.example.com*" in text
    assert "```Thanks!```" in text  # the suggestion, ready to copy
    assert fake.called("conversations.replies") == []  # not in a thread: no context to read
    assert audit_after(served, before)["surface"] == "shortcut"


def test_the_shortcut_shows_a_learned_finding_with_its_evidence(served, fake):
    from bot.compliance.loading import checker
    from bot.render import message
    from tests.test_compliance_model import REFUSAL

    with served.stalled():
        status, _ = shortcut(served, REFUSAL, ts="1795000150.000150")
    assert status == 200 and fake.wait("views.open")
    text = json.dumps(view_of(fake.wait("views.update")[0]))
    category = checker().check(REFUSAL).findings[0].category
    assert json.dumps(message("learned", "title", category=category))[1:-1] in text
    assert "learned second opinion" in text and "_Weighed most:_" in text


def test_in_a_thread_the_first_message_is_the_buyers(served, fake):
    fake.threads[("C0000ORDERS", "1795000000.000001")] = [
        {"ts": "1795000000.000001", "text": "Where is my order? It was due Monday."}]
    shortcut(served, "Your order shipped today with USPS.", ts="1795000200.000200",
             thread_ts="1795000000.000001")
    view = json.dumps(view_of(fake.wait("views.update")[0]))
    assert fake.called("conversations.replies")[0].body["ts"] == "1795000000.000001"
    assert "Good to send" in view and "Checked as an answer" in view
    # The same reply with no question before it is an unsolicited confirmation.
    fake.reset()
    shortcut(served, "Your order shipped today with USPS.")
    assert "Check before sending" in json.dumps(view_of(fake.wait("views.update")[0]))


def test_share_posts_once_in_the_thread(served, fake):
    shortcut(served, DRAFT, ts="1795000300.000300")
    view = view_of(fake.wait("views.update")[0])
    button = next(e for b in view["blocks"] if b["type"] == "actions" for e in b["elements"])
    click = {
        "type": "block_actions", "user": {"id": "U0000PAT"}, "team": {"id": "T0001"},
        "trigger_id": "1.1.1", "view": {"id": "V0001", "type": "modal"},
        "container": {"type": "view", "view_id": "V0001"},
        "actions": [{"type": "button", "action_id": "share_check", "block_id": "share",
                     "value": button["value"], "action_ts": "1795000301.1"}],
    }
    for action_ts in ("1795000301.1", "1795000301.2"):  # two clicks, as Slack sends them
        click["actions"][0]["action_ts"] = action_ts
        with served.stalled():
            status, _ = served.interact(click)
        assert status == 200
    posted = fake.wait("chat.postMessage")
    time.sleep(0.3)
    assert len(fake.called("chat.postMessage")) == 1
    assert posted[0].body["channel"] == "C0000ORDERS"
    assert posted[0].body["thread_ts"] == "1795000300.000300"
    updates = fake.wait("views.update", 3)
    assert "Shared in the channel by <@U0000PAT>" in json.dumps(view_of(updates[1]))
    assert "already in the channel" in json.dumps(view_of(updates[2]))


def test_share_after_a_restart_asks_to_check_again(served, fake):
    served.interact({
        "type": "block_actions", "user": {"id": "U0000PAT"}, "team": {"id": "T0001"},
        "channel": {"id": "C0000ORDERS"}, "response_url": fake.webhook("old"),
        "container": {"type": "message", "is_ephemeral": True},
        "actions": [{"type": "button", "action_id": "share_check", "block_id": "share",
                     "value": "0" * 32, "action_ts": "1795000301.1"}],
    })
    assert "no longer kept" in fake.wait("webhook/old")[0].body["text"]
    assert fake.called("chat.postMessage") == []


def test_global_shortcut_takes_a_long_draft(served, fake):
    served.interact({"type": "shortcut", "callback_id": "check_reply_global",
                     "trigger_id": "5.5.5", "user": {"id": "U0000PAT"}, "team": {"id": "T0001"}})
    form = view_of(fake.wait("views.open")[0])
    assert form["callback_id"] == "check_reply_draft"
    submission = {
        "type": "view_submission", "user": {"id": "U0000PAT"}, "team": {"id": "T0001"},
        "view": {"id": "V0009", "type": "modal", "callback_id": "check_reply_draft", "state": {"values": {
            "draft": {"text": {"type": "plain_text_input", "value": DRAFT}},
            "buyer": {"text": {"type": "plain_text_input", "value": None}}}}},
    }
    with served.stalled():
        status, body = served.interact(submission)
    assert status == 200
    answer = json.loads(body)
    assert answer["response_action"] == "update"
    assert "Don't send this as it is" in json.dumps(answer["view"])
    empty = json.loads(json.dumps(submission).replace(json.dumps(DRAFT), '"   "'))
    status, body = served.interact(empty)
    assert json.loads(body)["response_action"] == "errors"
    assert "no reply to check" in json.loads(body)["errors"]["draft"]
    deadline = time.monotonic() + 5
    while audited(served)[-1]["surface"] != "modal" and time.monotonic() < deadline:
        time.sleep(0.05)
    assert audited(served)[-1]["surface"] == "modal"


@pytest.mark.parametrize("typed", [
    "<b>Thanks for your order</b>, it ships today.",
    "Track it on <https://evil-shop.example|your orders page>.",
    "\u200b\n\n\n\n",
])
def test_the_draft_modal_checks_the_text_as_typed(served, fake, typed):
    # A plain_text_input holds what was typed: markup in it is the buyer-facing text itself,
    # and a draft of only invisible characters is no draft.
    submission = {
        "type": "view_submission", "user": {"id": "U0000PAT"}, "team": {"id": "T0001"},
        "view": {"id": "V0010", "type": "modal", "callback_id": "check_reply_draft", "state": {"values": {
            "draft": {"text": {"type": "plain_text_input", "value": typed}},
            "buyer": {"text": {"type": "plain_text_input", "value": None}}}}},
    }
    status, body = served.interact(submission)
    answer = json.loads(body)
    assert status == 200
    if typed.startswith("\u200b"):
        assert answer["response_action"] == "errors"
        return
    shown = json.dumps(answer["view"])
    assert answer["response_action"] == "update" and "evil-shop.example|" not in shown
    assert "HTML markup" in shown or "Link to a page outside Amazon" in shown


def test_a_modal_closed_before_its_result_is_not_an_error(served, fake):
    fake.fail("views.update", error="not_found")
    shortcut(served, DRAFT, ts="1795000400.000400")
    fake.wait("views.update")
    time.sleep(0.3)
    assert "closed before its result" in served.logged()
    assert "failed" not in served.logged().split("closed before its result")[-1]


def test_a_link_hidden_behind_words_is_found_end_to_end(served, fake):
    # Slack's editor turns a link on "here" into <https://...|here>: the buyer gets the address.
    served.command("/check-reply", "For the manual see <https://shop.example/manual|here>.",
                   "hidden")
    answer = fake.wait("webhook/hidden")[0]
    assert answer.body["text"].startswith("BLOCK")
    assert "shop.example/manual" in json.dumps(blocks_of(answer))


def test_a_check_is_answered_while_an_import_holds_the_write_lock(served, fake):
    # The audit waits for the lock (an import, a sync, the nightly clean-up); the answer, which
    # needs no write, does not.
    before = len(audited(served))
    importer = sqlite3.connect(served.database, isolation_level=None)
    importer.execute("BEGIN IMMEDIATE")
    try:
        served.command("/check-reply", "Thanks for your order, it ships today.", "locked")
        answer = fake.wait("webhook/locked", timeout=5)[0].body
        assert answer["text"].split(":")[0] in {"OK", "WARN", "BLOCK"}, answer["text"]
        assert len(audited(served)) == before
    finally:
        importer.execute("ROLLBACK")
        importer.close()
    assert audit_after(served, before)["surface"] == "command"
