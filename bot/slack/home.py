"""App Home: today's numbers and data freshness, fresh each time the tab is opened."""

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from slack_sdk import WebClient

from bot import reports
from bot.render.blocks import home_view
from bot.slack import failures
from bot.slack.services import Services


def opened(services: Services) -> Callable[..., None]:
    """app_home_opened: publish the Home tab for the person who opened it."""

    def listener(event: dict[str, Any], client: WebClient) -> None:
        if event.get("tab") != "home" or not services.allows(event.get("user"), None):
            return
        with failures.reported("app_home_opened"):
            digest = reports.digest(services.db, services.seller, datetime.now(UTC))
            client.views_publish(user_id=event["user"], view=home_view(digest, services.seller))

    return listener
