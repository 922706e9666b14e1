"""Wiring: the settings, policy files and rules made into the objects the use cases take.

Only the edges call this: the app factory (bot/app.py), the CLI's start (bot/cli/common.py),
the scheduler and the server. A use case never reads a settings or policy file itself.
"""

from bot.config import Settings
from bot.domain.calendar import BusinessCalendar
from bot.policy import return_rules, shipping_rules
from bot.sources.context import SellerContext
from bot.usecases.sellers import Seller


def seller_of(settings: Settings) -> Seller:
    """The seller the settings describe (rules files are read once per process)."""
    return Seller(
        timezone=settings.timezone,
        calendar=calendar_for(settings),
        handling_days=settings.default_handling_days,
        rules=shipping_rules(settings.shipping_rules),
        marketplace=settings.market,
        returns=return_rules(settings.returns_rules),
    )


def calendar_for(settings: Settings) -> BusinessCalendar:
    """The seller's business-day calendar: weekends, national holidays, own days off."""
    return BusinessCalendar(country=settings.market.country, non_working_days=settings.days_off)


def seller_context(settings: Settings) -> SellerContext:
    """What parsers need to know about the seller."""
    return SellerContext(timezone=settings.timezone, marketplace=settings.market)
