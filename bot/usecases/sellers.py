"""The seller as the use cases see it: time zone, business calendar and Amazon's rules."""

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.domain.calendar import BusinessCalendar
from bot.domain.marketplaces import Marketplace
from bot.domain.records import Order
from bot.domain.returns import ReturnRules
from bot.domain.shipping import ShippingRules, Standing, assess, end_of_day


@dataclass(frozen=True)
class Seller:
    """What the reports need to know about the seller, from the settings."""

    timezone: ZoneInfo
    calendar: BusinessCalendar
    handling_days: int
    rules: ShippingRules
    marketplace: Marketplace
    returns: ReturnRules

    def assess(self, order: Order, now: datetime) -> Standing:
        """Where an order stands at `now`."""
        return assess(order, now, self.timezone, self.calendar, self.handling_days, self.rules)

    def day_bounds(self, as_of: datetime) -> tuple[date, datetime, date, datetime]:
        """The local date at `as_of`, its midnight, the next business day and its end."""
        today = as_of.astimezone(self.timezone).date()
        midnight = datetime.combine(today, datetime.min.time(), tzinfo=self.timezone)
        next_day = self.calendar.next_business_day(today)
        return today, midnight, next_day, end_of_day(next_day, self.timezone)
