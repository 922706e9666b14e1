"""The seller as the use cases see it: time zone, business calendar and Amazon's rules."""

from dataclasses import dataclass
from datetime import date, datetime
from functools import cached_property
from zoneinfo import ZoneInfo

from bot.domain.calendar import BusinessCalendar
from bot.domain.marketplaces import Marketplace
from bot.domain.records import Order
from bot.domain.returns import ReturnRules
from bot.domain.reviews import ReviewRules
from bot.domain.shipping import (
    ShippingRules,
    Standing,
    assess,
    deadline_basis,
    end_of_day,
    ship_by,
)
from bot.sources.context import SellerContext


@dataclass(frozen=True)
class Seller:
    """What the reports need to know about the seller, from the settings."""

    timezone: ZoneInfo
    calendar: BusinessCalendar
    handling_days: int
    rules: ShippingRules
    marketplace: Marketplace
    returns: ReturnRules
    reviews: ReviewRules

    def assess(self, order: Order, now: datetime) -> Standing:
        """Where an order stands at `now`."""
        return assess(order, now, self.timezone, self.calendar, self.handling_days, self.rules,
                      market_tz=self.marketplace_timezone)

    @cached_property
    def marketplace_timezone(self) -> ZoneInfo:
        """The marketplace's zone, where Amazon's deadlines end their day (promise_day)."""
        return ZoneInfo(self.marketplace.time_zone)

    @cached_property
    def longest_handling_days(self) -> int:
        """The most business days any order of this seller may take to ship."""
        return max(self.handling_days, self.rules.media_handling_days,
                   *self.rules.sku_handling_days.values())

    @property
    def context(self) -> SellerContext:
        """What a parser needs to know about this seller."""
        return SellerContext(timezone=self.timezone, marketplace=self.marketplace)

    def fresh_deadline(self, order: Order) -> datetime | None:
        """The order's ship-by deadline as these settings decide it, ignoring any stored one:
        counted in the marketplace's days, as Amazon counts (handling_deadline)."""
        return ship_by(order, self.calendar, self.marketplace_timezone, self.handling_days,
                       self.rules, stored=False)

    @cached_property
    def deadline_basis(self) -> str:
        """What decides a computed deadline, as a digest (bot/domain/shipping.py)."""
        return deadline_basis(self.calendar, self.marketplace_timezone, self.handling_days,
                              self.rules)

    def day_bounds(self, as_of: datetime) -> tuple[date, datetime, date, datetime]:
        """The local date at `as_of`, its midnight, the next business day and its end."""
        today = as_of.astimezone(self.timezone).date()
        midnight = datetime.combine(today, datetime.min.time(), tzinfo=self.timezone)
        next_day = self.calendar.next_business_day(today)
        return today, midnight, next_day, self.day_end(next_day)

    def day_end(self, day: date) -> datetime:
        """The last instant an order due on `day` can have as its deadline: the later of the
        day's ends in the seller's zone and the marketplace's (promise_day)."""
        return max(end_of_day(day, self.timezone), end_of_day(day, self.marketplace_timezone))
