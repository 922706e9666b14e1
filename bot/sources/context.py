"""What a parser needs to know about the seller: time zone and marketplace."""

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from bot.domain.marketplaces import Marketplace


@dataclass(frozen=True, slots=True)
class SellerContext:
    """The seller's time zone (for date-only values) and marketplace (when a file names none)."""

    timezone: ZoneInfo
    marketplace: Marketplace
