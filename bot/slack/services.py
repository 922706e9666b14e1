"""What the listeners share: settings, the database, the seller, and who may ask."""

import logging
from dataclasses import dataclass

from bot.config import Settings
from bot.reports import Seller
from bot.store import Database

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Services:
    """The listeners' one dependency."""

    settings: Settings
    db: Database
    seller: Seller

    def allows(self, user: str | None, channel: str | None) -> bool:
        """ALLOWED_USERS and ALLOWED_CHANNELS, when set, say who may ask where."""
        users, channels = self.settings.user_allowlist, self.settings.channel_allowlist
        allowed = (not users or user in users) and (not channels or channel in channels)
        if not allowed:
            # Slack ids only: who asked and where, never what they asked.
            log.warning("refused a request from user %s in channel %s", user, channel)
        return allowed
