"""Wiring: the settings, policy files and rules made into the objects the use cases take.

Only the edges call this: the app factory (bot/app.py), the CLI's commands, the scheduler and
the server. A use case never reads a settings or policy file itself, and the edges reach the
database and Amazon's client only through here.
"""

from typing import TYPE_CHECKING

from bot.config import Settings
from bot.domain.calendar import BusinessCalendar
from bot.domain.reviews import ReviewRules
from bot.policy import relay_rules, return_rules, review_window, shipping_rules
from bot.store import Database
from bot.store.database import safe_url
from bot.usecases.sellers import Seller

if TYPE_CHECKING:  # the SP-API client library loads only when Amazon is called
    from bot.sources.mailbox import Mailbox
    from bot.sources.outbox import Outbox
    from bot.sources.solicitations import SolicitationsApi
    from bot.sources.sp_api import OrdersApi

# The database handle the use cases take, its URL with the password hidden, and the relayed
# buyer message rules: named here so that the edges need not reach into the store or policy.
__all__ = ["Database", "calendar_for", "mailbox", "open_database", "orders_api", "outbox",
           "relay_rules",
           "review_rules", "safe_url", "seller_of", "solicitations_api"]


def open_database(settings: Settings, statement_timeout: float | None = None) -> Database:
    """The database in DATABASE_URL, opened (created if new); `statement_timeout` (seconds,
    PostgreSQL) bounds every statement, for the server."""
    return Database.open(settings.database_url, statement_timeout)


def orders_api(settings: Settings) -> "OrdersApi":
    """Amazon's Selling Partner API client for the seller in the settings."""
    from bot.sources.sp_api import OrdersApi

    return OrdersApi(settings)


def seller_of(settings: Settings) -> Seller:
    """The seller the settings describe (rules files are read once per process)."""
    return Seller(
        timezone=settings.timezone,
        calendar=calendar_for(settings),
        handling_days=settings.default_handling_days,
        rules=shipping_rules(settings.shipping_rules),
        marketplace=settings.market,
        returns=return_rules(settings.returns_rules),
        reviews=review_rules(settings),
    )


def review_rules(settings: Settings) -> ReviewRules:
    """Amazon's window for "Request a Review" (rules/reviews.yaml) and the seller's choices."""
    window = review_window()
    return ReviewRules(opens_days=window.opens_days, closes_days=window.closes_days,
                       wait_days=settings.review_request_days,
                       amazon_fulfilled=settings.review_amazon_fulfilled,
                       enabled=settings.review_requests != "off")


def mailbox(settings: Settings) -> "Mailbox":
    """The seller's mailbox (IMAP_*), where Amazon relays buyer messages."""
    from bot.sources.mailbox import Mailbox

    return Mailbox(settings)


def outbox(settings: Settings) -> "Outbox":
    """The seller's outgoing mail server (SMTP_*), where replies to buyers leave from."""
    from bot.sources.outbox import Outbox

    return Outbox(settings)


def solicitations_api(settings: Settings) -> "SolicitationsApi":
    """Amazon's Solicitations API client ("Request a Review") for the seller in the settings."""
    from bot.sources.solicitations import SolicitationsApi

    return SolicitationsApi(settings, review_window())


def calendar_for(settings: Settings) -> BusinessCalendar:
    """The seller's business-day calendar: weekends (and the ones worked), national holidays
    (but those worked), own days off."""
    return BusinessCalendar(country=settings.market.country, non_working_days=settings.days_off,
                            working_weekdays=settings.operating_weekdays,
                            working_holidays=settings.holidays_worked)
