"""Buyer messages posted in Slack by the job, through a real IMAP server (Dovecot) and the
fake Slack spoken to by slack_sdk: each once, with its order and clock; reminders once each;
Slack's refusals and lost answers never make a second post (issue 20)."""

import json
import logging
from datetime import UTC, datetime, timedelta

import pytest

from bot import render
from bot.app import web_client
from bot.config import load_settings
from bot.jobs.buyer_messages import METADATA_EVENT, BuyerMessagePosts
from bot.render.blocks import digest_message, home_view
from bot.sources import mailbox as mailbox_source
from bot.store import message_posts, retention
from bot.store.models import BUYER_MESSAGES
from bot.usecases import buyer_replies, digests, messages
from bot.usecases import message_posts as posting
from bot.usecases.demo import load_demo
from bot.usecases.orders import View, orders_report
from bot.wiring import seller_of
from tests import imap_server
from tests.buyer_mail import NAME, relayed
from tests.cutting_proxy import CuttingProxy
from tests.fake_slack import FakeSlack
from tests.test_privacy import leaks

pytestmark = pytest.mark.skipif(not imap_server.available(),
                                reason="Dovecot is not installed (.ci/run installs it)")

CHANNEL = "C0000BUYERS"
NOW = datetime.now(UTC).replace(microsecond=0)
ALIAS = "q4kz8mr2b0x1c5d"


@pytest.fixture
def imap():
    server = imap_server.ImapServer()
    yield server
    server.remove()


@pytest.fixture
def slack():
    server = FakeSlack()
    yield server
    server.close()


class Clock:
    """A clock the test moves."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def settings_for(db, imap, **changes):
    return load_settings(**{
        "database_url": db.url, "imap_host": "127.0.0.1", "imap_port": imap.port,
        "imap_security": "none", "imap_user": imap_server.USER,
        "imap_password": imap_server.PASSWORD, "buyer_messages_channel": CHANNEL,
        **changes})


def job(db, imap, slack, clock, **changes) -> BuyerMessagePosts:
    settings = settings_for(db, imap, slack_api_url=slack.api_url, slack_bot_token="xoxb-test",
                            **changes)
    return BuyerMessagePosts(settings, db, web_client(settings), clock=clock)


def an_order(db, settings) -> str:
    seller = seller_of(settings)
    load_demo(db, seller, NOW)
    return orders_report(db, seller, View.UNSHIPPED, NOW).entries[0].order.order_id


def posts(slack) -> list[dict]:
    return [c.body for c in slack.called("chat.postMessage") if not c.body.get("thread_ts")]


def test_each_message_is_posted_once_with_its_order_and_clock(db, imap, slack):
    clock = Clock(NOW)
    order_id = an_order(db, settings_for(db, imap))
    imap.append(relayed(order_id, "Where is my <!channel> mug? <http://evil.example|click>",
                        received=NOW - timedelta(hours=3), alias=ALIAS))
    imap.append(relayed(None, "Is this mug dishwasher safe?", received=NOW - timedelta(hours=1),
                        message_id="<m2.fake-relay@amazon.example>"))
    imap.append(b"From: news@shop.example\r\nSubject: Sale\r\n\r\nBuy now")
    imap.append(b"\x00\xff not a mail at all")
    first = job(db, imap, slack, clock).run()
    assert (first.fetched, first.posted, first.failed) == (2, 2, [])
    again = job(db, imap, slack, clock).run()  # another process, or the next look
    assert (again.fetched, again.posted) == (0, 0)
    posted = posts(slack)
    assert len(posted) == 2 and {p["channel"] for p in posted} == {CHANNEL}
    about_order = json.dumps(posted[0])
    assert order_id in about_order and "21 h left" in about_order
    assert "Where is my &lt;!channel&gt; mug? &lt;http://evil.example|click&gt;" in about_order
    assert NAME not in about_order and ALIAS not in about_order
    assert posted[0]["metadata"]["event_type"] == METADATA_EVENT
    assert "names no order" in json.dumps(posted[1])
    assert [b["action_id"] for b in posted[0]["blocks"][-1]["elements"]] == [
        "no_buyer_response"]  # no SMTP set up: no "Draft reply"


def test_hidden_text_posts_only_the_order_the_clock_and_a_link(db, imap, slack):
    imap.append(relayed("112-4058823-6619405", "My private words",
                        received=NOW - timedelta(hours=1)))
    job(db, imap, slack, Clock(NOW), buyer_message_text="hide").run()
    shown = json.dumps(posts(slack))
    assert "My private words" not in shown
    assert "112-4058823-6619405" in shown and "sellercentral.amazon.com/messaging" in shown
    assert "not in sellerbot yet" in shown


def test_old_mail_at_the_first_look_is_not_posted(db, imap, slack):
    imap.append(relayed("112-4058823-6619405", "Old", received=NOW - timedelta(days=20)))
    done = job(db, imap, slack, Clock(NOW)).run()
    assert (done.fetched, done.posted, posts(slack)) == (1, 0, [])


def test_mail_older_than_sellerbot_tracks_is_listed_untracked_not_late(db, imap, slack):
    imap.append(relayed("112-4058823-6619405", "Old", received=NOW - timedelta(days=5)))
    job(db, imap, slack, Clock(NOW)).run()
    [item] = messages.listed(db, NOW)
    assert (item.message.outcome, item.late) == ("untracked", False)


def test_reminders_come_once_each_and_only_the_latest_due(db, imap, slack):
    clock = Clock(NOW)
    imap.append(relayed("112-4058823-6619405", "Hello?", received=NOW - timedelta(hours=2)))
    imap.append(relayed("112-4058823-6619406", "Anyone?", received=NOW - timedelta(hours=21),
                        message_id="<m2.fake-relay@amazon.example>"))
    job(db, imap, slack, clock).run()
    threads = [c.body for c in slack.called("chat.postMessage") if c.body.get("thread_ts")]
    # The one 21 hours old gets the 20-hour reminder only; the other none yet.
    assert len(threads) == 1 and "3 h left" in threads[0]["text"]
    clock.now = NOW + timedelta(hours=10)
    job(db, imap, slack, clock).run()
    job(db, imap, slack, clock).run()
    threads = [c.body for c in slack.called("chat.postMessage") if c.body.get("thread_ts")]
    assert len(threads) == 2 and "LATE" not in threads[1]["text"]
    clock.now = NOW + timedelta(hours=19)
    job(db, imap, slack, clock).run()
    threads = [c.body for c in slack.called("chat.postMessage") if c.body.get("thread_ts")]
    assert len(threads) == 3 and "3 h left" in threads[2]["text"]
    assert len({t["thread_ts"] for t in threads}) == 2


def test_a_reminder_slack_rate_limits_is_posted_by_the_next_run(db, imap, slack):
    imap.append(relayed("112-4058823-6619405", "Hello?", received=NOW - timedelta(hours=2)))
    clock = Clock(NOW)
    job(db, imap, slack, clock).run()
    clock.now = NOW + timedelta(hours=10)  # its first reminder is due
    # Longer than a call waits out itself (bot/slack/limits.py): Slack did nothing.
    slack.fail("chat.postMessage", status=429, retry_after=10)
    job(db, imap, slack, clock).run()
    clock.now += timedelta(minutes=1)
    job(db, imap, slack, clock).run()
    job(db, imap, slack, clock).run()
    posted = [c.body for c in slack.called("chat.postMessage")
              if c.body.get("thread_ts") and c.status == 200]
    assert len(posted) == 1


def test_an_answered_message_gets_no_reminder(db, imap, slack):
    imap.append(relayed("112-4058823-6619405", "Hello?", received=NOW - timedelta(hours=1)))
    job(db, imap, slack, Clock(NOW)).run()
    with db.begin() as conn:
        key = conn.execute(BUYER_MESSAGES.select()).first().key
    assert message_posts.no_response(db, key, "U0000PAT", NOW)
    job(db, imap, slack, Clock(NOW + timedelta(hours=13))).run()
    assert [c for c in slack.called("chat.postMessage") if c.body.get("thread_ts")] == []


def test_a_refused_post_is_tried_again_and_posted_once(db, imap, slack):
    imap.append(relayed("112-4058823-6619405", "Hello?", received=NOW - timedelta(hours=1)))
    slack.fail("chat.postMessage", 200, "ratelimited")
    refused = job(db, imap, slack, Clock(NOW)).run()
    assert (refused.posted, refused.failed) == (0, ["ratelimited"])
    later = job(db, imap, slack, Clock(NOW + timedelta(minutes=1))).run()
    assert later.posted == 1 and len(slack.history[CHANNEL]) == 1


@pytest.mark.parametrize("lose", ["drop", "garble"])
def test_a_lost_answer_is_looked_up_not_posted_again(db, imap, slack, lose):
    imap.append(relayed("112-4058823-6619405", "Hello?", received=NOW - timedelta(hours=1)))
    # Slack posts it; its answer is lost, or is no answer Slack wrote (an empty body)
    getattr(slack, lose)("chat.postMessage", done=True)
    lost = job(db, imap, slack, Clock(NOW)).run()
    assert lost.posted == 0 and len(slack.history[CHANNEL]) == 1
    soon = job(db, imap, slack, Clock(NOW + timedelta(minutes=1))).run()
    assert soon.posted == soon.found_posted == 0  # the claim is not stale yet
    later = job(db, imap, slack, Clock(NOW + posting.STALE_AFTER + timedelta(minutes=1))).run()
    assert (later.posted, later.found_posted) == (0, 1)
    assert len(slack.history[CHANNEL]) == 1
    with db.begin() as conn:
        row = conn.execute(BUYER_MESSAGES.select()).first()
    assert (row.post_state, row.post_ts) == ("posted", slack.history[CHANNEL][0]["ts"])


def test_a_history_slack_refuses_to_read_keeps_the_claim_and_posts_nothing_twice(db, imap,
                                                                              slack):
    imap.append(relayed("112-4058823-6619405", "Hello?", received=NOW - timedelta(hours=1)))
    slack.drop("chat.postMessage", done=True)  # Slack posts it; its answer is lost
    job(db, imap, slack, Clock(NOW)).run()
    slack.fail("conversations.history", 200, "missing_scope")  # then refuses to say
    stale = NOW + posting.STALE_AFTER + timedelta(minutes=1)
    refused = job(db, imap, slack, Clock(stale)).run()
    assert (refused.posted, refused.found_posted, refused.failed) == (0, 0, ["SlackApiError"])
    # Still nobody can tell without reading the history: the next take-over reads it again.
    later = job(db, imap, slack, Clock(stale + posting.STALE_AFTER + timedelta(minutes=1))).run()
    assert (later.posted, later.found_posted) == (0, 1)
    assert len(slack.history[CHANNEL]) == 1


def test_a_mailbox_that_is_down_is_said_and_nothing_is_lost(db, imap, slack, caplog):
    caplog.set_level(logging.DEBUG)
    imap.append(relayed("112-4058823-6619405", "Hello there", received=NOW - timedelta(hours=1)))
    running = job(db, imap, slack, Clock(NOW))
    imap.stop()
    down = running.run()
    assert (down.posted, down.failed) == (0, ["mailbox_unreachable"])
    assert "cannot reach the mailbox" in caplog.text and "Hello there" not in caplog.text


def test_nothing_personal_is_stored_or_logged(db, imap, slack, caplog):
    caplog.set_level(logging.DEBUG)
    words = "Please call me, my mug broke"
    imap.append(relayed("112-4058823-6619405", words, received=NOW - timedelta(hours=13),
                        alias=ALIAS))
    job(db, imap, slack, Clock(NOW)).run()
    assert len(posts(slack)) == 1
    with db.begin() as conn:
        rows = [dict(r._mapping) for r in conn.execute(BUYER_MESSAGES.select())]
    stored = " ".join(str(v) for row in rows for v in row.values())
    assert [s for s in (words, ALIAS, NAME, "Robin") if s in stored + caplog.text] == []
    assert [v for row in rows for v in row.values() if v is not None and leaks(v)] == []


def test_a_server_that_drops_the_connection_mid_fetch_loses_nothing(db, imap, slack):
    imap.append(relayed("112-4058823-6619405", "First", received=NOW - timedelta(hours=1)))
    imap.append(relayed("112-4058823-6619406", "Long " * 60_000,
                        received=NOW - timedelta(hours=1), message_id="<m2@amazon.example>"))
    imap.append(relayed("112-4058823-6619407", "Third", received=NOW - timedelta(hours=1),
                        message_id="<m3@amazon.example>"))
    proxy = CuttingProxy(imap.port)
    try:
        proxy.cut_after = 60_000  # past the login and the sizes, inside the long mail
        cut = job(db, imap, slack, Clock(NOW), imap_port=proxy.port).run()
        assert (cut.fetched, cut.posted, cut.failed) == (0, 0, ["mailbox_unreachable"])
        assert proxy.cuts == 1
        with db.begin() as conn:
            assert conn.execute(BUYER_MESSAGES.select()).all() == []
        proxy.cut_after = None
        whole = job(db, imap, slack, Clock(NOW), imap_port=proxy.port).run()
        assert (whole.fetched, whole.posted) == (3, 3)
        assert job(db, imap, slack, Clock(NOW), imap_port=proxy.port).run().posted == 0
        assert len(slack.history[CHANNEL]) == 3
    finally:
        proxy.close()


def test_a_huge_message_is_posted_without_its_words(db, imap, slack, monkeypatch):
    monkeypatch.setattr(mailbox_source, "MAX_FETCH_BYTES", 2_000)
    imap.append(relayed("112-4058823-6619405", "Photo attached " * 500,
                        received=NOW - timedelta(hours=1)))
    done = job(db, imap, slack, Clock(NOW)).run()
    assert done.posted == 1
    shown = json.dumps(posts(slack))
    assert "Photo attached" not in shown and "too large to read here" in shown


def test_the_digest_app_home_and_the_terminal_show_the_record(db, imap, slack, cli):
    settings = settings_for(db, imap)
    seller = seller_of(settings)
    imap.append(relayed("112-4058823-6619405", "Late one", received=NOW - timedelta(hours=30)))
    imap.append(relayed("112-4058823-6619406", "Quick one", received=NOW - timedelta(hours=5),
                        message_id="<m2@amazon.example>"))
    job(db, imap, slack, Clock(NOW)).run()
    with db.begin() as conn:
        quick = conn.execute(BUYER_MESSAGES.select().where(
            BUYER_MESSAGES.c.order_id == "112-4058823-6619406")).first().key
    assert message_posts.no_response(db, quick, "U0000PAT", NOW - timedelta(hours=4))
    report = digests.digest(db, seller, NOW)
    assert [m.message.order_id for m in report.messages.unanswered] == ["112-4058823-6619405"]
    message = digest_message(report, seller)
    posted = json.dumps(message)
    assert "1 buyer message unanswered" in posted and "LATE: the answer was due" in posted
    assert "7 days 50.0% (1 of 2)" in posted
    # The unanswered ones first: right under the digest's heading.
    assert "buyer message unanswered" in json.dumps(message["blocks"][2])
    assert "1 unanswered buyer message" in message["text"]
    assert "1 unanswered" in json.dumps(home_view(report, seller))
    assert "7 days 50.0% (1 of 2)" in render.text("digest", digest=report, seller=seller,
                                                   width=100)
    shown = cli("messages", "record", "--json", env={"DATABASE_URL": db.url})
    periods = json.loads(shown.stdout)["periods"]
    assert [(p["days"], p["answered_within_24h"], p["counted"]) for p in periods] == [
        (7, 1, 2), (30, 1, 2)]
    listed = cli("messages", "list", env={"DATABASE_URL": db.url}).stdout
    assert "LATE" in listed and 'marked "no response needed" by U0000PAT after 1 h' in listed
    as_json = json.loads(cli("messages", "list", "--json", env={"DATABASE_URL": db.url}).stdout)
    assert [(m["order_id"], m["outcome"], m["late"]) for m in as_json] == [
        ("112-4058823-6619405", None, True), ("112-4058823-6619406", "no-response", False)]


def test_a_send_whose_process_stopped_reads_as_unknown_and_is_not_repeated_blindly(db, imap,
                                                                                    slack):
    imap.append(relayed("112-4058823-6619405", "Hello?", received=NOW - timedelta(hours=1)))
    job(db, imap, slack, Clock(NOW)).run()
    with db.begin() as conn:
        key = conn.execute(BUYER_MESSAGES.select()).first().key
    assert message_posts.claim_reply(db, key, NOW)  # ...and the process stops here
    later = NOW + message_posts.SEND_STALE_AFTER + timedelta(seconds=1)
    assert buyer_replies.answer_state(db, key, NOW).reply_state == "sending"
    assert buyer_replies.answer_state(db, key, later).reply_state == "unknown"
    assert not message_posts.claim_reply(db, key, later)
    assert not message_posts.no_response(db, key, "U0000PAT", later)
    assert message_posts.claim_reply(db, key, later, after_unknown=True)  # told, and chose to


def test_what_is_known_of_old_messages_goes_with_the_retention(db, imap, slack):
    imap.append(relayed("112-4058823-6619405", "Hello?", received=NOW - timedelta(hours=1)))
    job(db, imap, slack, Clock(NOW)).run()
    assert retention.forget_before(db, NOW - timedelta(days=1)) == 0
    assert retention.forget_before(db, NOW) == 1
    with db.begin() as conn:
        assert conn.execute(BUYER_MESSAGES.select()).all() == []


def test_the_clean_up_keeps_what_the_30_day_response_record_counts(db):
    from bot.jobs import upkeep

    def message(key: str, received: datetime, answered: datetime | None) -> None:
        with db.begin() as conn:
            conn.execute(BUYER_MESSAGES.insert().values(
                key=key * 64, marketplace="US", order_id="112-4058823-6619405",
                received_at=received, folder="INBOX", uidvalidity=1, uid=ord(key),
                answered_at=answered, answered_by="U0000PAT" if answered else None,
                outcome="replied" if answered else None))

    # RETENTION_DAYS=7: a message 20 days old, never answered, still counts in the 30-day
    # record (and is still owed an answer); deleted, the record read 1 of 1 answered in time.
    settings = load_settings(database_url=db.url, retention_days=7)
    message("a", NOW - timedelta(days=20), None)
    message("b", NOW - timedelta(days=1), NOW - timedelta(days=1) + timedelta(hours=1))
    message("c", NOW - timedelta(days=31), NOW - timedelta(days=31) + timedelta(hours=1))
    upkeep.clean_up(settings, db, NOW)
    status = messages.status(db, NOW)
    thirty = next(r for r in status.record if r.days == 30)
    assert (thirty.on_time, thirty.counted) == (1, 2) and len(status.unanswered) == 1
    with db.begin() as conn:  # older than the record's 30 days and RETENTION_DAYS: gone
        assert len(conn.execute(BUYER_MESSAGES.select()).all()) == 2


def test_a_claim_taken_over_during_a_slow_batch_is_not_posted_by_both(db, imap, slack):
    # One look claims a batch at once and posts it a message at a time. Slack slow past
    # STALE_AFTER, a second process took over the claims not reached yet and posted them, and
    # then the first posted them too.
    import threading
    import time
    from collections import Counter

    for n in range(3):
        imap.append(relayed(f"112-4058823-661940{n}", f"Message {n}",
                            received=NOW - timedelta(hours=1),
                            message_id=f"<m{n}.fake-relay@amazon.example>"))
    slack.slow("chat.postMessage", 5)
    first = threading.Thread(target=job(db, imap, slack, Clock(NOW)).run)
    first.start()
    deadline = time.monotonic() + 20  # until the first process's first post has landed
    while not slack.history.get(CHANNEL) and time.monotonic() < deadline:
        time.sleep(0.01)
    later = job(db, imap, slack, Clock(NOW + posting.STALE_AFTER + timedelta(minutes=1))).run()
    first.join(30)
    posted = Counter(m["metadata"]["event_payload"]["key"] for m in slack.history[CHANNEL])
    assert sorted(posted.values()) == [1, 1, 1]
    assert (later.posted, later.found_posted) == (2, 1)


def test_each_unanswered_message_is_a_line_of_its_own_in_the_digest(db, imap, slack):
    seller = seller_of(settings_for(db, imap))
    imap.append(relayed("112-4058823-6619405", "First", received=NOW - timedelta(hours=3)))
    imap.append(relayed("112-4058823-6619406", "Second", received=NOW - timedelta(hours=2),
                        message_id="<m2@amazon.example>"))
    job(db, imap, slack, Clock(NOW)).run()
    report = digests.digest(db, seller, NOW)
    text = render.text("digest", digest=report, seller=seller, width=100)
    lines = [line for line in text.splitlines() if "112-4058823-66194" in line]
    assert len(lines) == 2 and not any("Answered within" in line for line in lines), text
    section = json.dumps(digest_message(report, seller)["blocks"])
    assert section.count("left\\n\\u2022 ") == 1 and "left\\nAnswered within" in section
