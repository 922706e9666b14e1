"""The seller as the use cases see it: time zone, business calendar and Amazon's rules."""

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime
from functools import cached_property
from zoneinfo import ZoneInfo

from bot.domain.calendar import BusinessCalendar
from bot.domain.marketplaces import MARKETPLACES, Marketplace, find_marketplace
from bot.domain.records import Order
from bot.domain.returns import ReturnRules
from bot.domain.reviews import ReviewRules
from bot.domain.shipping import (
    ShippingRules,
    Standing,
    assess,
    classify,
    deadline_basis,
    end_of_day,
    ship_by,
)
from bot.sources.context import SellerContext

# Every marketplace's zone: an order's day ends in its own marketplace's (market_of).
_MARKET_ZONES = tuple({ZoneInfo(m.time_zone) for m in MARKETPLACES})


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
        calendar, zone = self.market_of(order)
        return assess(order, now, self.timezone, calendar, self.handling_days, self.rules,
                      market_tz=zone)

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
        counted in its marketplace's days, as Amazon counts (handling_deadline)."""
        calendar, zone = self.market_of(order)
        return ship_by(order, calendar, zone, self.handling_days, self.rules, stored=False)

    def market_of(self, order: Order) -> tuple[BusinessCalendar, ZoneInfo]:
        """The calendar and zone Amazon counts `order`'s handling days in: its own
        marketplace's (shipping.md §2-3: the day ends at midnight there, and each marketplace
        has its own holidays). A unified account's report lists the orders of every store
        it sells on: an amazon.co.uk order of a seller on amazon.de is Monday's until
        midnight in London, and German Unity Day is no day off for it. The seller's own
        days off and operating weekdays go with every calendar."""
        found = find_marketplace(order.marketplace_id) if order.marketplace_id else None
        if found is None or found.country == self.marketplace.country:
            return self.calendar, self.marketplace_timezone
        if found.country not in self._other_markets:
            # Holidays worked (WORKING_HOLIDAYS) are an override of the seller's own
            # marketplace's list: Pentecost Monday worked is no British bank holiday worked.
            other = replace(self.calendar, country=found.country, working_holidays=frozenset())
            self._other_markets[found.country] = (other, ZoneInfo(found.time_zone))
        return self._other_markets[found.country]

    def classify(self, orders: Iterable[Order], now: datetime) -> list[Standing]:
        """The open orders among `orders` at `now`, sorted for attention: each judged in its
        own marketplace's days (market_of), as `assess` judges one."""
        # Grouped by the id each order carries, a plain string: looked up once a group.
        groups: dict[str | None, list[Order]] = {}
        for order in orders:
            groups.setdefault(order.marketplace_id, []).append(order)
        judged = []
        for group in groups.values():
            calendar, zone = self.market_of(group[0])
            judged.append(classify(group, now, self.timezone, calendar, self.handling_days,
                                   self.rules, zone))
        if len(judged) == 1:
            return judged[0]
        return sorted((s for group in judged for s in group), key=lambda s: s.sort_key)

    @cached_property
    def _other_markets(self) -> dict[str, tuple[BusinessCalendar, ZoneInfo]]:
        # Built as orders of each other marketplace come: each calendar loads its holidays once.
        return {}

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
        """The last instant an order due on `day` can have as its deadline: the latest of the
        day's ends in the seller's zone and in the marketplaces' (promise_day; an order of
        another marketplace of the account is due at the end of a day there, market_of)."""
        return max(end_of_day(day, zone) for zone in (self.timezone, *_MARKET_ZONES))
