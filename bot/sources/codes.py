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


# Every order status Amazon is known to write, in every spelling, and what it means here.
# Amazon publishes no list of the reports' values; the sources are:
#   [v0]   amzn/selling-partner-api-models, models/orders-api-model/ordersV0.json, OrderStatus
#   [2026] the same repository, orders_2026-01-01.json, FulfillmentStatus (CANCELLED)
#   [help] Seller Central help 200547170 (order-status "Complete", item-status "Shipped")
#   [1428] amzn/selling-partner-api-models issue #1428: the "Shipped - ..." values of reports
#   [497]  amzn/selling-partner-api-models issue #497: Try Before You Buy (On Trial, Pending
#          Return, Payment Complete, then Complete)
#   [mcf]  Seller Central help 200141620: Multi-Channel Fulfilment's Planning, Shipping,
#          Complete, Unfulfillable
#   [seen] exports of real All Orders reports (Amazon India's 2022 sales report; a 1.3 M-order
#          US seller): Pending - Waiting for Pick Up, Shipping, Shipped - Damaged, Cancelled
# The "Shipped - ..." values mirror the Orders API's EasyShipShipmentStatus [v0]: the parcel
# has left the seller. "Pending - Waiting for Pick Up" is EasyShip's PendingPickUp: packed but
# not yet collected, so still to ship. "Shipping" (Amazon packing it, [mcf]) is not shipped yet
# either. The API's enums are closed; a value outside this table is stored as unknown (None)
# and the import says so (reports.md §3.3).
_STATUSES = {squash(s.value): s for s in OrderStatus} | {
    squash(text): status for status, texts in {
        OrderStatus.CANCELED: ("Cancelled",),  # reports and v2026 [2026] [seen]
        OrderStatus.UNSHIPPED: ("Pending - Waiting for Pick Up", "Shipping"),  # [seen] [mcf]
        OrderStatus.SHIPPED: (
            "Shipped - Delivered to Buyer", "Shipped - Out for Delivery", "Shipped - Picked Up",
            "Shipped - Returning to Seller", "Shipped - Returned to Seller",
            "Shipped - Rejected by Buyer", "Shipped - Undeliverable", "Shipped - Lost in Transit",
            "Shipped - Damaged",  # [1428] [seen]
            "Complete", "On Trial", "Pending Return", "Payment Complete",  # [help] [497] [mcf]
        ),
    }.items() for text in texts
}

_CHANNELS = {
    "mfn": Channel.MERCHANT,
    "merchant": Channel.MERCHANT,
    "afn": Channel.AMAZON,
    "amazon": Channel.AMAZON,
}


@lru_cache(maxsize=256)
def order_status(text: str) -> OrderStatus | None:
    """The order status in any of Amazon's spellings (v0, v2026, report files); None for one
    sellerbot does not know (the caller says so), which the store keeps as unknown."""
    return _STATUSES.get(squash(text))


@lru_cache(maxsize=256)
def channel(text: str) -> Channel:
    """Merchant- or Amazon-fulfilled, from "Merchant", "MFN", "MERCHANT", "Amazon", "AFN"..."""
    try:
        return _CHANNELS[squash(text)]
    except KeyError:
        raise BadValue("bad_channel", text) from None
