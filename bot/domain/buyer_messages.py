"""A buyer's message as Amazon relays it to the seller's mailbox, and how to recognise one
(rules/buyer_messages.yaml). The text and the relay address live in memory only: the store
keeps neither (Amazon's Data Protection Policy; issue 20)."""

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


# Amazon expects every buyer message answered within 24 hours, weekends and holidays
# included (messaging.md §3.1).
REPLY_WITHIN = timedelta(hours=24)


def reply_by(received: datetime) -> datetime:
    """When the answer to a message received at `received` is due."""
    return received + REPLY_WITHIN
