"""A buyer's message as Amazon relays it to the seller's mailbox, how to recognise one
(rules/buyer_messages.yaml), when its answer is due, and the seller's response-time record.
The text and the relay address live in memory only: the store keeps neither (Amazon's Data
Protection Policy; issue 20)."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta


@dataclass(frozen=True)
class RelayRules:
    """rules/buyer_messages.yaml as values."""

    # Marketplace code -> the domain buyers' aliases are at.
    domains: dict[str, str]
    not_buyers: frozenset[str]
    header: str
    buyer_message: str
    start_markers: tuple[str, ...]
    end_markers: tuple[str, ...]


@dataclass(frozen=True)
class BuyerMessage:
    """One relayed buyer message. `key` (a SHA-256 of its Message-ID) is what is stored."""

    key: str
    marketplace: str
    order_id: str | None
    received_at: datetime
    # Where a reply goes, and the buyer's words: shown in Slack, never stored or logged.
    relay_address: str = field(repr=False)
    text: str = field(repr=False)
    # The text was longer than sellerbot keeps; the rest is in the mailbox.
    cut: bool = False
    # What a reply needs to stay in the mail's thread (RFC 5322 §3.6.4): never stored.
    message_id: str = field(default="", repr=False)
    references: str = field(default="", repr=False)
    subject: str = field(default="", repr=False)


# Amazon expects every buyer message answered within 24 hours, weekends and holidays
# included (messaging.md §3.1).
REPLY_WITHIN = timedelta(hours=24)


def reply_by(received: datetime) -> datetime:
    """When the answer to a message received at `received` is due."""
    return received + REPLY_WITHIN


def reminder_due(received: datetime, now: datetime, after_hours: tuple[int, ...],
                 sent: int) -> int | None:
    """The reminder to send now (1 for the first of `after_hours`, …) for an unanswered
    message, when `sent` have gone; None when none is due. Only the latest due one is sent:
    a process that was down does not post several in a row."""
    due = sum(1 for hours in after_hours if now >= received + timedelta(hours=hours))
    return due if due > sent else None


@dataclass(frozen=True)
class Answered:
    """What the record needs of one message: when it came and when it was answered."""

    received_at: datetime
    answered_at: datetime | None


@dataclass(frozen=True)
class ResponseRecord:
    """Messages answered within 24 hours, of those received in the last `days` days whose
    24 hours are over or that are answered (one still inside its 24 hours counts once it is
    answered or late); `rate` is None when there are none."""

    days: int
    on_time: int
    counted: int
    # Received in the period and still unanswered, whether late or not.
    unanswered: int

    @property
    def rate(self) -> float | None:
        """The share answered within 24 hours."""
        return self.on_time / self.counted if self.counted else None


def response_record(messages: Iterable[Answered], now: datetime, days: int) -> ResponseRecord:
    """The response-time record over the `days` days before `now` (Amazon's own measure
    counts a message once its 24 hours are over; "No response needed" counts as answered)."""
    start = now - timedelta(days=days)
    on_time = counted = unanswered = 0
    for message in messages:
        if not start <= message.received_at <= now:
            continue
        answered = message.answered_at is not None and message.answered_at <= now
        unanswered += not answered
        if answered or now > reply_by(message.received_at):
            counted += 1
            on_time += answered and message.answered_at <= reply_by(message.received_at)
    return ResponseRecord(days, on_time, counted, unanswered)
