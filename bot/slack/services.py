"""What the listeners share: settings, the database, the seller, and who may ask."""

import logging
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

from bot.compliance import Checker
from bot.config import Settings
from bot.slack.shares import Shares
from bot.usecases.sellers import Seller
from bot.wiring import Database

if TYPE_CHECKING:  # the SP-API client library loads only when Amazon is asked
    from bot.wiring import Mailbox, OrdersApi, Outbox, RelayRules, SolicitationsApi

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Services:
    """The listeners' one dependency."""

    settings: Settings
    db: Database
    seller: Seller
    # Where answers are worked out after the ack (bot/app.py); None runs them in the listener.
    answers: Executor | None = None
    # Where work that waits on Amazon or the mail server runs after its ack (seconds to
    # minutes at their pace), so that no other answer waits behind it; None: on `answers`.
    outside: Executor | None = None
    # The compliance rules in force (EXTRA_RULES included) and checks waiting for "Share".
    checker: Checker | None = None
    shares: Shares = field(default_factory=Shares)

    @cached_property
    def orders_api(self) -> "OrdersApi":
        """The Selling Partner API for confirmations, made at the first one and kept: each
        new one loads the library's clients and their TLS certificates again."""
        from bot.wiring import orders_api

        return orders_api(self.settings)

    @cached_property
    def solicitations_api(self) -> "SolicitationsApi":
        """Amazon's Solicitations API ("Request a Review"), made at the first request and kept."""
        from bot.wiring import solicitations_api

        return solicitations_api(self.settings)

    @cached_property
    def mailbox(self) -> "Mailbox":
        """The seller's mailbox, where a reply's buyer message is read again before sending."""
        from bot.wiring import mailbox

        return mailbox(self.settings)

    @cached_property
    def outbox(self) -> "Outbox":
        """The seller's outgoing mail server (SMTP_*)."""
        from bot.wiring import outbox

        return outbox(self.settings)

    @cached_property
    def relay_rules(self) -> "RelayRules":
        """How Amazon relays buyer messages (rules/buyer_messages.yaml)."""
        from bot.wiring import relay_rules

        return relay_rules()

    @property
    def reviews_on(self) -> bool:
        """REVIEW_REQUESTS lets sellerbot send "Request a Review", and the SP-API is set up."""
        return self.seller.reviews.enabled and self.settings.sp_api_configured

    def after_ack(self, kind: str, respond: Any, work: Callable[..., None], *args: Any,
                  outside: bool = False) -> None:
        """Work out an answer off the listener thread (on the `outside` pool when it waits on
        Amazon or the mail server); a failure is apologised for and logged."""
        from bot.slack.failures import reported

        def run() -> None:
            with reported(kind, respond):
                work(*args)

        pool = (self.outside or self.answers) if outside else self.answers
        if pool is None:
            run()
        else:
            pool.submit(run)

    def allows(self, user: str | None, channel: str | None) -> bool:
        """ALLOWED_USERS and ALLOWED_CHANNELS, when set, say who may ask where."""
        users, channels = self.settings.user_allowlist, self.settings.channel_allowlist
        # Requests without a channel (App Home, global shortcuts) answer to ALLOWED_USERS only.
        allowed = ((not users or user in users)
                   and (not channels or channel is None or channel in channels))
        if not allowed:
            # Slack ids only: who asked and where, never what they asked.
            log.warning("refused a request from user %s in channel %s", user, channel)
        return allowed
