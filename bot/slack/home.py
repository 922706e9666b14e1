"""App Home: today's numbers, the last weeks' trend and data freshness, fresh each time the
tab is opened."""

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from slack_sdk import WebClient

from bot.render.blocks import DIGEST_LISTED, home_view
from bot.slack.services import Services
from bot.usecases import digests
from bot.usecases.shipping_health import shipping_health


def opened(services: Services) -> Callable[..., None]:
    """app_home_opened: publish the Home tab for the person who opened it."""

    def listener(event: dict[str, Any], client: WebClient) -> None:
        if event.get("tab") != "home" or not services.allows(event.get("user"), None):
            return
        services.after_ack("app_home_opened", None, _publish, services, event["user"], client)

    return listener


def _publish(services: Services, user: str, client: WebClient) -> None:
    """Publish the Home tab as of now."""
    now = datetime.now(UTC)
    digest = digests.digest(services.db, services.seller, now, listed=DIGEST_LISTED)
    failures = digests.delivery_failures(services.db, services.settings.digests)
    trend = shipping_health(services.db, services.seller, now)
    client.views_publish(user_id=user, view=home_view(digest, services.seller, failures, trend))
