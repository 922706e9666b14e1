"""Buyer messages from the seller's mailbox: the new ones read once, whoever reads (issue 20).

The messages' words and reply addresses come back to the caller to post; the store keeps only
that each message exists, for which order, and when it came and was answered.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from bot.domain.buyer_messages import BuyerMessage, RelayRules, reply_by
from bot.sources.buyer_mail import NotBuyerMessage, read_buyer_message
from bot.sources.mailbox import Look
from bot.store import Database, buyer_messages

# `sellerbot messages` looks this far back by default.
LISTED_DAYS = 7


class MailSource(Protocol):
    """What reading needs of the mailbox (bot/sources/mailbox.py)."""

    folder: str

    def look(self, uidvalidity: int | None, after_uid: int) -> Look:
        """The mail after the cursor."""


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


def fetch(db: Database, mailbox: MailSource, rules: RelayRules) -> Fetched:
    """Read the mail that came since the last look; keep and return the new buyer messages."""
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
    new_keys = buyer_messages.keep(db, mailbox.folder, look.uidvalidity, last, found)
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
    return [Listed(m, reply_by(m.received_at),
                   m.answered_at is None and now > reply_by(m.received_at))
            for m in buyer_messages.since(db, now - timedelta(days=days), unanswered=unanswered)]
