"""Answering a buyer message from Slack: a reply checked, then sent once to the buyer's relay
address; or "No response needed" recorded. The reply's words are never stored (the check's
audit keeps a SHA-256 of them, as every check does)."""

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Protocol

from bot.compliance import Checker, Result
from bot.domain.buyer_messages import BuyerMessage, RelayRules
from bot.errors import NotFound, SellerbotError
from bot.store import Database, buyer_messages, message_posts
from bot.store.buyer_messages import Known
from bot.usecases import reply_checks
from bot.usecases.messages import MailSource, read_again
from bot.usecases.sellers import Seller

__all__ = [
    "ANSWERED",
    "BLOCKED",
    "FAILED",
    "GONE",
    "SENDING",
    "SENT",
    "UNKNOWN",
    "Replied",
    "Sender",
    "answer_state",
    "no_response",
    "send_reply",
]

SENDING, SENT = message_posts.SENDING, message_posts.SENT
FAILED, UNKNOWN = message_posts.FAILED, message_posts.UNKNOWN
# What stops a send before it starts.
BLOCKED, ANSWERED, GONE = "blocked", "answered", "gone"
# Why a reply did not go, when it was not the mail server's to say (its words are kept).
MAILBOX_UNREADABLE, MESSAGE_GONE = "mailbox_unreadable", "message_gone"


class Sender(Protocol):
    """What sending needs of the mail server (bot/sources/outbox.py)."""

    def send(self, to: BuyerMessage, text: str, now: datetime) -> "Sent":
        """Send a reply; how it ended."""


class Sent(Protocol):
    """How a send ended (bot/sources/outbox.py's Sent)."""

    outcome: str
    words: str


@dataclass(frozen=True)
class Replied:
    """How a reply went: SENT, FAILED (the server's words; it may be tried again), UNKNOWN
    (it may have gone: not sent again unless a person says so), BLOCKED (the check found
    something Amazon forbids), ANSWERED (already answered, or a send is under way: `known`
    says which) or GONE (the mailbox no longer has the buyer's message)."""

    status: str
    known: Known
    words: str = ""
    result: Result | None = None


def _known(db: Database, key: str) -> Known:
    known = buyer_messages.get(db, key)
    if known is None:
        raise NotFound("buyer_message_not_found")
    return known


def send_reply(db: Database, *, checker: Checker, mailbox: MailSource, rules: RelayRules,
               outbox: Sender, seller: Seller, key: str, text: str, by: str, now: datetime,
               after_unknown: bool = False) -> Replied:
    """Check `text` and, unless the check blocks it, send it once as the reply to message
    `key` from the seller's address; `after_unknown`: the sender was told an earlier send's
    outcome is unknown and sends anyway."""
    result = reply_checks.check(checker, text, region=seller.marketplace.country)
    reply_checks.record(db, [reply_checks.audit_record(
        text, result, reply_checks.Asker("reply", by), now)])
    known = _known(db, key)
    if result.verdict == "block":
        return Replied(BLOCKED, known, result=result)
    if not message_posts.claim_reply(db, key, now, after_unknown=after_unknown):
        return Replied(ANSWERED, _known(db, key), result=result)
    try:
        message = read_again(mailbox, rules, [known]).get(key)
    except SellerbotError:
        # Nothing went: the claim is given back as a failure that may be tried again. The
        # store keeps a code, worded by templates/buyer_messages.j2 (reply_trouble).
        message_posts.reply_not_sent(db, key, FAILED, MAILBOX_UNREADABLE)
        raise
    if message is None:
        message_posts.reply_not_sent(db, key, FAILED, MESSAGE_GONE)
        return Replied(GONE, _known(db, key), result=result)
    sent = outbox.send(message, text, now)
    if sent.outcome == "accepted":
        message_posts.reply_sent(db, key, by, now)
        status = SENT
    else:
        status = UNKNOWN if sent.outcome == "unknown" else FAILED
        message_posts.reply_not_sent(db, key, status, sent.words)
    return Replied(status, _known(db, key), sent.words, result)


def no_response(db: Database, key: str, by: str, now: datetime) -> Replied:
    """"No response needed", recorded once: ANSWERED when it was answered (or a reply is
    being or may have been sent) before."""
    done = message_posts.no_response(db, key, by, now)
    return Replied(message_posts.NO_RESPONSE if done else ANSWERED, _known(db, key))


def answer_state(db: Database, key: str, now: datetime) -> Known:
    """Where message `key` stands (NotFound if the store does not know it); a send whose
    process stopped mid-way reads as one of unknown outcome."""
    known = _known(db, key)
    return replace(known, reply_state=message_posts.reply_state(known, now))
