"""Buyer messages from the seller's mailbox: the new ones read once, whoever reads (issue 20).

The messages' words and reply addresses come back to the caller to post; the store keeps only
that each message exists, for which order, and when it came and was answered.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from bot.domain.buyer_messages import (
    Answered,
    BuyerMessage,
    RelayRules,
    ResponseRecord,
    reply_by,
    response_record,
)
from bot.sources.buyer_mail import NotBuyerMessage, read_buyer_message
from bot.sources.mailbox import Look, Mail
from bot.store import Database, buyer_messages

# `sellerbot messages` looks this far back by default.
LISTED_DAYS = 7
# A message first seen this long after it came is old mail, not one to answer now: sellerbot
# learns of it (at the first look at a mailbox, or after days down) too late to have a say.
TRACK_WITHIN = timedelta(days=3)
# The response-time record is shown over these periods, as Seller Central does.
RECORD_DAYS = (7, 30)


class MailSource(Protocol):
    """What reading needs of the mailbox (bot/sources/mailbox.py)."""

    folder: str

    def look(self, uidvalidity: int | None, after_uid: int) -> Look:
        """The mail after the cursor."""

    def read(self, uidvalidity: int, uids: list[int]) -> list[Mail]:
        """Some messages again, by UID."""


@dataclass(frozen=True)
class Fetched:
    """What one look at the mailbox found."""

    new: list[BuyerMessage]
    # Buyer messages read before (another process, an earlier look after a renumbering).
    known: int
    # Other mail: left in the mailbox, unread by sellerbot beyond its headers.
    other: int
    # More mail is waiting: look again.
    more: bool


def fetch(db: Database, mailbox: MailSource, rules: RelayRules, now: datetime) -> Fetched:
    """Read the mail that came since the last look; keep and return the new buyer messages.
    Those received TRACK_WITHIN before `now` or earlier (a mailbox's old mail, read at the
    first look) are kept as untracked: not posted, not in the response-time record."""
    uidvalidity, last_uid = buyer_messages.cursor(db, mailbox.folder)
    look = mailbox.look(uidvalidity, last_uid)
    found: list[tuple[int, BuyerMessage]] = []
    other = 0
    for mail in look.mail:
        read = read_buyer_message(mail.raw, rules, received=mail.arrived, whole=mail.whole)
        if isinstance(read, NotBuyerMessage):
            other += 1
        else:
            found.append((mail.uid, read))
    # A renumbered folder (a new UIDVALIDITY) is read from its start.
    start = last_uid if uidvalidity == look.uidvalidity else 0
    last = max([start, *(mail.uid for mail in look.mail)])
    untracked_before = now - TRACK_WITHIN
    new_keys = buyer_messages.keep(db, mailbox.folder, look.uidvalidity, last, found,
                                   untracked_before=untracked_before)
    new = [message for _, message in found if message.key in new_keys]
    return Fetched(new, len(found) - len(new), other, look.more)


@dataclass(frozen=True)
class Listed:
    """A buyer message as `sellerbot messages` lists it, with its clock."""

    message: buyer_messages.Known
    reply_by: datetime
    late: bool


def listed(db: Database, now: datetime, *, days: int = LISTED_DAYS,
           unanswered: bool = False) -> list[Listed]:
    """The buyer messages of the last `days` days, oldest first, each with when its answer is
    due and whether that has passed unanswered."""
    return [_listed(m, now)
            for m in buyer_messages.since(db, now - timedelta(days=days), unanswered=unanswered)]


def _listed(known: buyer_messages.Known, now: datetime) -> Listed:
    # Late: still waiting for an answer after its 24 hours (an untracked message is not).
    due = reply_by(known.received_at)
    return Listed(known, due, known.outcome is None and now > due)


def read_again(mailbox: MailSource, rules: RelayRules,
               kept: list[buyer_messages.Known]) -> dict[str, BuyerMessage]:
    """Messages the store knows, read again from the mailbox (their words and reply address
    are nowhere else): by key, those still there and still readable."""
    wanted = [m for m in kept if m.folder == mailbox.folder]
    found: dict[str, BuyerMessage] = {}
    for validity in {m.uidvalidity for m in wanted}:
        for mail in mailbox.read(validity, [m.uid for m in wanted if m.uidvalidity == validity]):
            read = read_buyer_message(mail.raw, rules, received=mail.arrived, whole=mail.whole)
            if isinstance(read, BuyerMessage):
                found[read.key] = read
    return found


@dataclass(frozen=True)
class MessagesStatus:
    """Buyer messages as the digest and App Home show them: the unanswered ones (oldest
    first) and the response-time record over each of RECORD_DAYS."""

    unanswered: list[Listed]
    record: list[ResponseRecord]


def status(db: Database, now: datetime) -> MessagesStatus | None:
    """Where the buyer messages stand; None when sellerbot tracked none in RECORD_DAYS."""
    kept = [m for m in buyer_messages.since(db, now - timedelta(days=max(RECORD_DAYS)))
            if m.outcome != buyer_messages.UNTRACKED]
    if not kept:
        return None
    answered = [Answered(m.received_at, m.answered_at) for m in kept]
    unanswered = [_listed(m, now) for m in kept if m.outcome is None]
    return MessagesStatus(unanswered, [response_record(answered, now, days)
                                       for days in RECORD_DAYS])
