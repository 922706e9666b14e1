"""Buyer messages end to end: `sellerbot serve` as a process (two of them at once), a real
IMAP server (Dovecot), a real SMTP server (aiosmtpd) and the fake Slack, each spoken to by the
real clients. A message is posted once with its order and clock; a draft Amazon forbids is
blocked and cannot be sent; a clean one is sent once, in the buyer's mail's thread (issue 20)."""

import itertools
import json
import time
from datetime import UTC, datetime, timedelta

import pytest

from bot.store import Database
from bot.store.models import BUYER_MESSAGES
from tests import imap_server, smtp_server
from tests.buyer_mail import NAME, relayed
from tests.fake_slack import FakeSlack
from tests.test_slack_e2e import Served

pytestmark = pytest.mark.skipif(not imap_server.available(),
                                reason="Dovecot is not installed (.ci/run installs it)")

CHANNEL = "C0000BUYERS"
ALIAS = "q4kz8mr2b0x1c5d"
SELLER = "orders@riverside-goods.example"
FIRST_ID = "<m1.fake-relay@amazon.example>"
CLEAN = "Hello, your mug left our warehouse today and should arrive by Friday."
REQUESTS = itertools.count(1)
WITH_ADDRESS = "Hello, please write to me at help@riverside-goods.example about the mug."


@pytest.fixture
def servers(tmp_path):
    imap, smtp, slack = imap_server.ImapServer(), smtp_server.SmtpServer(), FakeSlack()
    yield imap, smtp, slack
    slack.close()
    smtp.stop()
    imap.remove()


def serve(tmp_path, imap, smtp, slack, **env) -> Served:
    return Served(tmp_path, slack, IMAP_HOST="127.0.0.1", IMAP_PORT=str(imap.port),
                  IMAP_SECURITY="none", IMAP_USER=imap_server.USER,
                  IMAP_PASSWORD=imap_server.PASSWORD, SMTP_HOST="127.0.0.1",
                  SMTP_PORT=str(smtp.port), SMTP_SECURITY="none", SMTP_USER=smtp_server.USER,
                  SMTP_PASSWORD=smtp_server.PASSWORD, SMTP_FROM=SELLER,
                  BUYER_MESSAGES_CHANNEL=CHANNEL, **env)


def deliver(imap, count: int = 1) -> None:
    now = datetime.now(UTC)
    for n in range(count):
        imap.append(relayed("112-4058823-6619405", f"Where is my mug? ({n})",
                            received=now - timedelta(hours=2), alias=ALIAS,
                            message_id=FIRST_ID if n == 0 else f"<m{n + 1}@amazon.example>",
                            references="<earlier@amazon.example>"))


def posts(slack) -> list[dict]:
    return list(slack.history.get(CHANNEL, []))


def wait_for(check, timeout: float = 20):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.1)
    raise AssertionError("timed out")


def click_draft(served: Served, key: str) -> dict:
    """"Draft reply" under the post: the modal Slack was asked to open."""
    before = len(served.fake.called("views.open"))
    served.interact({
        "type": "block_actions", "user": {"id": "U0000PAT", "name": "pat"},
        "team": {"id": "T0001"}, "api_app_id": "A0001", "trigger_id": f"{next(REQUESTS)}.2.3",
        "channel": {"id": CHANNEL, "name": "buyers"},
        "container": {"type": "message", "message_ts": "1.0", "channel_id": CHANNEL},
        "actions": [{"type": "button", "action_id": "draft_buyer_reply",
                     "block_id": "buyer_message", "value": key, "action_ts": "1.1"}]})
    opened = wait_for(lambda: served.fake.called("views.open")[before:])
    view = opened[0].body["view"]
    return json.loads(view) if isinstance(view, str) else view


def submit(served: Served, view: dict, text: str) -> dict:
    """The modal submitted with `text` typed in it: Slack's answer (the ack's body)."""
    status, body = served.interact({
        # Each submission is a request of its own (the server refuses a replayed one).
        "type": "view_submission", "trigger_id": f"{next(REQUESTS)}.2.3",
        "user": {"id": "U0000PAT"}, "team": {"id": "T0001"},
        "view": {"id": "V0042", "type": "modal", "callback_id": view["callback_id"],
                 "private_metadata": view.get("private_metadata", ""),
                 "state": {"values": {"draft": {"text": {"type": "plain_text_input",
                                                         "value": text}}}}}})
    assert status == 200
    return json.loads(body)


@pytest.fixture
def one_message(tmp_path, servers):
    """`sellerbot serve` running with one buyer message in the mailbox."""
    imap, smtp, slack = servers
    deliver(imap)
    served = serve(tmp_path, imap, smtp, slack)
    yield served
    served.stop()


def first_post(slack) -> tuple[dict, str]:
    """The first buyer message posted, once it is, and its key."""
    post = wait_for(lambda: posts(slack))[0]
    return post, post["metadata"]["event_payload"]["key"]


def check_and_send(served: Served, key: str, text: str) -> dict:
    """"Draft reply", "Check", then "Send": the checked modal (its "Send" may be submitted
    again)."""
    checked = submit(served, click_draft(served, key), text)
    submit(served, checked["view"], text)
    return checked


def test_a_message_is_answered_from_slack_once(tmp_path, servers):
    imap, smtp, slack = servers
    deliver(imap)
    served = serve(tmp_path, imap, smtp, slack)
    try:
        post, key = first_post(slack)
        assert "Where is my mug? (0)" in json.dumps(post) and ALIAS not in json.dumps(post)
        form = click_draft(served, key)
        assert form["callback_id"] == "buyer_reply_draft" and form["submit"]["text"] == "Check"

        blocked = submit(served, form, WITH_ADDRESS)
        assert blocked["response_action"] == "update"
        assert blocked["view"]["submit"]["text"] == "Check"  # never "Send"
        assert "e-mail address" in json.dumps(blocked["view"]).lower()
        again = submit(served, blocked["view"], WITH_ADDRESS)
        assert again["view"]["submit"]["text"] == "Check" and smtp.received == []

        checked = submit(served, again["view"], CLEAN)
        assert checked["view"]["submit"]["text"] == "Send"
        sending = submit(served, checked["view"], CLEAN)
        assert sending["response_action"] == "update"
        sender, to, mail = wait_for(lambda: smtp.received)[0]
        assert (sender, to) == (SELLER, [f"{ALIAS}@marketplace.amazon.com"])
        assert mail["In-Reply-To"] == FIRST_ID
        assert mail["References"] == f"<earlier@amazon.example> {FIRST_ID}"
        assert mail["Subject"].startswith("Re: Shipping inquiry")
        assert mail.get_content().strip() == CLEAN

        updated = wait_for(lambda: slack.called("chat.update"))[0].body
        assert updated["ts"] == post["ts"] and "answered by <@U0000PAT> in 2 h" in json.dumps(
            updated)
        assert "buyer_message" not in [b.get("block_id") for b in updated["blocks"]]
        notes = wait_for(lambda: slack.threads.get((CHANNEL, post["ts"])))
        assert "Reply sent to the buyer by <@U0000PAT>" in notes[0]["text"]

        # "Send" clicked again (a double click, a second tab): nothing goes twice.
        submit(served, checked["view"], CLEAN)
        said = wait_for(lambda: [c for c in slack.called("views.update")
                                 if "Nothing was sent" in json.dumps(c.body)])
        assert said and len(smtp.received) == 1
    finally:
        served.stop()
    # Neither the log nor the store has the buyer's words, name or address, or the reply.
    personal = (CLEAN, "Where is my mug", ALIAS, NAME, "help@riverside-goods.example")
    assert [p for p in personal if p in served.logged()] == []
    db = Database.open(f"sqlite:///{served.database}")
    with db.begin() as conn:
        stored = " ".join(str(v) for table in ("buyer_messages", "reply_checks", "slack_posts")
                          for row in conn.exec_driver_sql(f"SELECT * FROM {table}")
                          for v in row)
    db.close()
    assert [p for p in personal if p in stored] == [] and "U0000PAT" in stored


def test_a_refused_send_says_the_servers_words_and_can_be_tried_again(one_message, servers):
    _imap, smtp, slack = servers
    served = one_message
    post, key = first_post(slack)
    smtp.refuse_next()
    check_and_send(served, key, CLEAN)
    note = wait_for(lambda: slack.threads.get((CHANNEL, post["ts"])))[0]["text"]
    assert "not sent" in note and "sender not approved" in note
    assert "marketplace.amazon.com" not in note  # the server's words, without the address
    check_and_send(served, key, CLEAN)
    wait_for(lambda: smtp.received)
    assert len(smtp.received) == 1


def test_a_send_of_unknown_outcome_is_not_repeated_blindly(one_message, servers):
    _imap, smtp, slack = servers
    served = one_message
    post, key = first_post(slack)
    smtp.drop_next()
    check_and_send(served, key, CLEAN)
    note = wait_for(lambda: slack.threads.get((CHANNEL, post["ts"])))[0]["text"]
    assert "may or may not have gone" in note and len(smtp.received) == 1
    # Asked again, the modal warns first; only a person who read it sends again.
    form = click_draft(served, key)
    assert "may have gone already" in json.dumps(form)
    assert not slack.called("chat.update")  # the post still waits for an answer


def click_no_response(served: Served, post: dict, key: str, response_url: str) -> None:
    """Sam clicks "No response needed" under `post`, whose button carries `key`."""
    served.interact({
        "type": "block_actions", "user": {"id": "U0000SAM", "name": "sam"},
        "team": {"id": "T0001"}, "api_app_id": "A0001",
        "trigger_id": f"{next(REQUESTS)}.2.3", "channel": {"id": CHANNEL, "name": "buyers"},
        "container": {"type": "message", "message_ts": post["ts"], "channel_id": CHANNEL},
        "message": {"ts": post["ts"], "blocks": post["blocks"]},
        "response_url": response_url,
        "actions": [{"type": "button", "action_id": "no_buyer_response",
                     "block_id": "buyer_message", "value": key, "action_ts": "1.1"}]})


def test_no_response_needed_is_recorded_once(one_message, servers):
    slack, served = servers[2], one_message
    post, key = first_post(slack)
    for _ in range(2):
        click_no_response(served, post, key, slack.webhook("none"))
    updated = wait_for(lambda: slack.called("chat.update"))[0].body
    assert 'marked \\"no response needed\\" by <@U0000SAM>' in json.dumps(updated)
    time.sleep(1)
    notes = slack.threads.get((CHANNEL, post["ts"])) or []
    assert len(notes) == 1 and "Seller Central" in notes[0]["text"]
    assert len(slack.called("chat.update")) == 1


def test_no_response_needed_on_a_message_sellerbot_no_longer_has_says_so(one_message, servers):
    # Buyer messages are forgotten after RETENTION_DAYS while their posts keep the buttons.
    slack, served = servers[2], one_message
    post, _key = first_post(slack)
    click_no_response(served, post, "f" * 64, slack.webhook("forgotten"))
    said = slack.wait("webhook/forgotten")[0].body
    assert "does not know that buyer message" in said["text"]
    assert said.get("replace_original") is False
    assert not slack.called("chat.update") and not slack.threads.get((CHANNEL, post["ts"]))


def test_two_serve_processes_post_and_send_once(tmp_path, servers):
    imap, smtp, slack = servers
    deliver(imap, count=4)
    first = serve(tmp_path, imap, smtp, slack)
    second = serve(tmp_path, imap, smtp, slack)
    try:
        wait_for(lambda: len(posts(slack)) >= 4)
        db = Database.open(f"sqlite:///{first.database}")
        # Each process looks at the mailbox as it starts: both have by now.
        time.sleep(3)
        assert len(posts(slack)) == 4
        with db.begin() as conn:
            rows = conn.execute(BUYER_MESSAGES.select()).all()
        db.close()
        assert {r.post_ts for r in rows} == {p["ts"] for p in posts(slack)}
        _, key = first_post(slack)
        checked = check_and_send(first, key, CLEAN)
        submit(second, checked["view"], CLEAN)
        wait_for(lambda: smtp.received)
        wait_for(lambda: len(slack.called("views.update")) >= 2)
        assert len(smtp.received) == 1
    finally:
        first.stop()
        second.stop()


def test_new_mail_is_posted_at_once_where_the_server_says_it_came(tmp_path, servers):
    imap, smtp, slack = servers
    # An hour between looks: only IMAP IDLE can bring the message in seconds.
    served = serve(tmp_path, imap, smtp, slack, MAILBOX_POLL_SECONDS="3600")
    try:
        time.sleep(2)  # the first look (at start) is done, and the watch is waiting
        assert posts(slack) == []
        deliver(imap)
        wait_for(lambda: posts(slack), timeout=15)
    finally:
        served.stop()


def test_a_reply_sent_after_its_modal_was_closed_is_noted_and_the_post_marked_answered(
        one_message, servers):
    # Send, then close "Sending the reply…" as anyone would: Slack answers not_found to the
    # modal's update, and the thread note and the answered post must still come.
    _imap, smtp, slack = servers
    post, key = first_post(slack)
    checked = submit(one_message, click_draft(one_message, key), CLEAN)
    slack.fail("views.update", error="not_found")
    submit(one_message, checked["view"], CLEAN)
    wait_for(lambda: slack.threads.get((CHANNEL, post["ts"])))
    wait_for(lambda: slack.called("chat.update"))
    assert len(smtp.received) == 1
    assert "answered by <@U0000PAT>" in json.dumps(slack.called("chat.update")[0].body)


def test_a_sent_reply_marks_the_post_answered_though_the_thread_notes_answer_was_lost(
        one_message, servers):
    _imap, smtp, slack = servers
    _post, key = first_post(slack)
    checked = submit(one_message, click_draft(one_message, key), CLEAN)
    slack.drop("chat.postMessage", done=True)  # the thread's note lands; its answer is lost
    submit(one_message, checked["view"], CLEAN)
    wait_for(lambda: smtp.received)
    assert len(smtp.received) == 1  # the buyer has the reply
    updated = wait_for(lambda: slack.called("chat.update"), timeout=10)
    assert "answered by <@U0000PAT>" in json.dumps(updated[0].body)


def test_no_response_needed_marks_the_post_though_its_thread_note_is_rate_limited(
        one_message, servers):
    slack = servers[2]
    post, key = first_post(slack)
    slack.fail("chat.postMessage", status=429, retry_after=10)  # the thread's note
    click_no_response(one_message, post, key, slack.webhook("none"))
    updated = wait_for(lambda: slack.called("chat.update"), timeout=15)
    assert 'marked \\"no response needed\\" by <@U0000SAM>' in json.dumps(updated[0].body)
    told = [c.body.get("text", "") for c in slack.called("webhook/none")]
    assert not any("went wrong" in t.lower() for t in told), told
