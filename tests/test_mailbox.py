"""Buyer messages read from a real IMAP server (a private Dovecot): each once, other mail and
the seller's flags left alone, broken servers said plainly (issue 20, first part)."""

import threading
import time
from datetime import UTC, datetime

import pytest

from bot.config import load_settings
from bot.errors import SellerbotError
from bot.policy import relay_rules
from bot.sources import mailbox as mailbox_source
from bot.sources.mailbox import Mailbox
from bot.store.models import BUYER_MESSAGES
from bot.usecases import messages
from tests import imap_server
from tests.conftest import FIXTURES
from tests.test_privacy import leaks

MAIL = FIXTURES / "buyer_mail"
# The fixtures' messages came in early December 2026: all within days of this.
NOW = datetime(2026, 12, 7, tzinfo=UTC)

pytestmark = pytest.mark.skipif(not imap_server.available(),
                                reason="Dovecot is not installed (.ci/run installs it)")


@pytest.fixture
def imap():
    server = imap_server.ImapServer()
    yield server
    server.remove()


def mailbox(server, **changes) -> Mailbox:
    return Mailbox(load_settings(**{
        "database_url": "sqlite://", "imap_host": "127.0.0.1", "imap_port": server.port,
        "imap_security": "none", "imap_user": imap_server.USER,
        "imap_password": imap_server.PASSWORD, **changes}))


def deliver(server, *names: str) -> None:
    for name in names:
        server.append((MAIL / f"{name}.eml").read_bytes())


def test_each_buyer_message_is_read_once_and_the_mailbox_left_as_it_was(db, imap):
    deliver(imap, "us-inquiry", "newsletter", "jp-html", "return-request")
    before = imap.flags()
    first = messages.fetch(db, mailbox(imap), relay_rules(), NOW)
    assert sorted(m.order_id for m in first.new) == ["112-4058823-6619405", "503-1111111-2222222"]
    assert (first.known, first.other, first.more) == (0, 2, False)
    assert "こんにちは" in next(m.text for m in first.new if m.marketplace == "JP")
    again = messages.fetch(db, mailbox(imap), relay_rules(), NOW)
    assert (again.new, again.known, again.other) == ([], 0, 0)  # the cursor moved past them
    deliver(imap, "uk-enquiry")
    later = messages.fetch(db, mailbox(imap), relay_rules(), NOW)
    assert [m.marketplace for m in later.new] == ["UK"]
    assert imap.flags()[:4] == before  # nothing marked read, moved or deleted


def test_a_mail_the_email_package_cannot_read_stops_nothing_after_it(db, imap):
    # A newsletter whose Reply-To is a group: reading it raised, the cursor never moved, and
    # no buyer message after it was ever posted.
    imap.append(b"From: News <news@example.org>\r\nReply-To: list:; <a@example.org>\r\n"
                b"Subject: hi\r\nMessage-ID: <n1@example.org>\r\n\r\nhello\r\n")
    deliver(imap, "us-inquiry")
    first = messages.fetch(db, mailbox(imap), relay_rules(), NOW)
    assert ([m.order_id for m in first.new], first.other) == (["112-4058823-6619405"], 1)
    again = messages.fetch(db, mailbox(imap), relay_rules(), NOW)
    assert (again.new, again.known, again.other) == ([], 0, 0)  # the cursor moved past both


def test_a_mailbox_read_from_its_start_again_posts_nothing_twice(db, imap):
    deliver(imap, "us-inquiry", "de-anfrage")
    assert len(messages.fetch(db, mailbox(imap), relay_rules(), NOW).new) == 2
    with db.begin() as conn:  # as after a UIDVALIDITY change: the folder renumbered
        conn.exec_driver_sql("UPDATE mailbox_state SET uidvalidity = 1, last_uid = 0")
    again = messages.fetch(db, mailbox(imap), relay_rules(), NOW)
    assert (again.new, again.known) == ([], 2)


def test_a_renumbered_folder_is_where_known_messages_are_read_again(db, imap):
    # A mailbox migrated, a folder re-created: the same mail under a new UIDVALIDITY. Known
    # messages kept their old place, and a reply from Slack found the buyer's mail gone.
    import imaplib

    from bot.store import buyer_messages

    box = mailbox(imap, imap_folder="Amazon")
    imap.append((MAIL / "us-inquiry.eml").read_bytes(), folder="Amazon")
    assert len(messages.fetch(db, box, relay_rules(), NOW).new) == 1
    with imaplib.IMAP4("127.0.0.1", imap.port) as client:
        client.login(imap_server.USER, imap_server.PASSWORD)
        assert client.rename("Amazon", "Amazon-old")[0] == "OK"
        assert client.create("Amazon")[0] == "OK"
    imap.append((MAIL / "us-inquiry.eml").read_bytes(), folder="Amazon")
    again = messages.fetch(db, box, relay_rules(), NOW)
    assert (again.new, again.known) == ([], 1)
    kept = buyer_messages.since(db, datetime(2026, 11, 1, tzinfo=UTC))
    assert list(messages.read_again(box, relay_rules(), kept)) == [kept[0].key]


def test_a_big_mail_is_known_by_its_headers(db, imap, monkeypatch):
    deliver(imap, "us-inquiry")
    monkeypatch.setattr(mailbox_source, "MAX_FETCH_BYTES", 100)
    new = messages.fetch(db, mailbox(imap), relay_rules(), NOW).new
    assert [(m.order_id, m.text, m.cut) for m in new] == [("112-4058823-6619405", "", True)]


def test_many_mails_are_read_over_several_looks(db, imap, monkeypatch):
    deliver(imap, "us-inquiry", "uk-enquiry", "de-anfrage")
    monkeypatch.setattr(mailbox_source, "PER_LOOK", 2)
    first = messages.fetch(db, mailbox(imap), relay_rules(), NOW)
    second = messages.fetch(db, mailbox(imap), relay_rules(), NOW)
    assert (len(first.new), first.more, len(second.new), second.more) == (2, True, 1, False)


def test_a_wrong_password_and_a_silent_server_are_said_plainly(db, imap):
    with pytest.raises(SellerbotError) as refused:
        messages.fetch(db, mailbox(imap, imap_password="wrong"), relay_rules(), NOW)
    assert refused.value.code == "mailbox_refused"
    imap.stop()
    with pytest.raises(SellerbotError) as gone:
        messages.fetch(db, mailbox(imap), relay_rules(), NOW)
    assert gone.value.code == "mailbox_unreachable"


def test_the_store_keeps_no_words_names_or_addresses(db, imap):
    deliver(imap, "us-inquiry", "uk-enquiry", "it-messaggio", "jp-html")
    fetched = messages.fetch(db, mailbox(imap), relay_rules(), NOW)
    secrets = [part for m in fetched.new for part in (m.text, m.relay_address)]
    secrets += ["Pat Doe", "Sam Lee", "山田", "7yxwc3c8k00p1k3"]
    with db.begin() as conn:
        rows = [dict(row._mapping) for row in conn.execute(BUYER_MESSAGES.select())]
    assert len(rows) == 4
    stored = " ".join(str(v) for row in rows for v in row.values())
    assert [s for s in secrets if s and s in stored] == []
    assert [v for row in rows for v in row.values() if v is not None and leaks(v)] == []


def test_messages_list_shows_each_clock(cli, db, imap):
    deliver(imap, "us-inquiry")
    env = {"DATABASE_URL": db.url, "IMAP_HOST": "127.0.0.1", "IMAP_PORT": str(imap.port),
           "IMAP_SECURITY": "none", "IMAP_USER": imap_server.USER,
           "IMAP_PASSWORD": imap_server.PASSWORD}
    fetched = cli("messages", "fetch", env=env)
    assert fetched.returncode == 0 and "1 new buyer message" in fetched.stdout
    assert "my mug" not in fetched.stdout  # the words are for Slack, not the terminal log
    listed = cli("messages", "list", "--json", env=env)
    assert [m["order_id"] for m in __import__("json").loads(listed.stdout)] == [
        "112-4058823-6619405"]


def test_the_server_says_when_mail_comes(imap):
    watching = mailbox(imap)
    assert watching.wait_for_mail(1) is True  # the first wait: look once, whatever is there
    started = time.monotonic()
    assert watching.wait_for_mail(1) is False  # nothing came: the whole wait
    assert time.monotonic() - started >= 0.9
    deliver(imap, "us-inquiry")  # between two waits: said at once, without waiting
    started = time.monotonic()
    assert watching.wait_for_mail(30) is True and time.monotonic() - started < 5
    later = threading.Timer(0.5, deliver, args=(imap, "uk-enquiry"))
    later.start()  # during the wait: IDLE says it
    started = time.monotonic()
    assert watching.wait_for_mail(30) is True and time.monotonic() - started < 10
    later.join()
