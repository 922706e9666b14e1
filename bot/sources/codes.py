"""Amazon's words for statuses and channels, in every spelling its files use."""

import re
from functools import lru_cache

from bot.domain.records import Channel, OrderStatus
from bot.sources.values import BadValue

_SQUASH = re.compile(r"[\s_-]+")


# Cached: a report repeats a handful of status words a million times. Bounded, since the
# words come from files.
@lru_cache(maxsize=256)
def squash(text: str) -> str:
    """Lower-case, no spaces, hyphens or underscores: PARTIALLY_SHIPPED -> partiallyshipped."""
    return _SQUASH.sub("", text).lower()


_STATUSES = {squash(s.value): s for s in OrderStatus} | {
    # Report files write "Cancelled", Orders API v2026-01-01 "CANCELLED" (shipping.md §6).
    "cancelled": OrderStatus.CANCELED,
}

_CHANNELS = {
    "mfn": Channel.MERCHANT,
    "merchant": Channel.MERCHANT,
    "afn": Channel.AMAZON,
    "amazon": Channel.AMAZON,
}


@lru_cache(maxsize=256)
def order_status(text: str) -> OrderStatus:
    """The order status in any of Amazon's spellings (v0, v2026, report files)."""
    try:
        return _STATUSES[squash(text)]
    except KeyError:
        raise BadValue("bad_status", text) from None


@lru_cache(maxsize=256)
def channel(text: str) -> Channel:
    """Merchant- or Amazon-fulfilled, from "Merchant", "MFN", "MERCHANT", "Amazon", "AFN"..."""
    try:
        return _CHANNELS[squash(text)]
    except KeyError:
        raise BadValue("bad_channel", text) from None
