"""Buttons that share a private answer with the channel, once however often they are clicked."""

import json
import logging
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

from slack_bolt import Ack, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.render.blocks import can_return_message, orders_message, text_message
from bot.slack.services import Services
from bot.usecases import orders, posts, returns

log = logging.getLogger(__name__)

# Errors that need someone to change Slack's setup, not a retry.
_NOT_IN_CHANNEL = {"not_in_channel", "channel_not_found", "is_archived"}


def post_to_channel(services: Services) -> Callable[..., None]:
    """The "Post to channel" button under an /orders answer."""

    def listener(ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond,
                 client: WebClient) -> None:
        ack()
        services.after_ack("block_actions", respond, _post_orders, services, body,
                           action["value"], respond, client)

    return listener


def share_return(services: Services) -> Callable[..., None]:
    """The "Share in channel" button under a /can-return answer."""

    def listener(ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond,
                 client: WebClient) -> None:
        ack()
        services.after_ack("block_actions", respond, _share_return, services, body,
                           action["value"], respond, client)

    return listener


def _post_orders(services: Services, body: dict[str, Any], value: str, respond: Respond,
                 client: WebClient) -> None:
    asked = json.loads(value)
    # The same report as the button's: the same instant, so the same orders.
    report = orders.orders_report(services.db, services.seller, orders.View(asked["view"]),
                                   datetime.fromisoformat(asked["as_of"]))
    _post_once(services, body, respond, client, asked["key"],
               lambda posted_by: orders_message(
                   report, services.seller, posted_by=posted_by,
                   confirm=services.settings.sp_api_configured))


def _share_return(services: Services, body: dict[str, Any], value: str, respond: Respond,
                  client: WebClient) -> None:
    asked = json.loads(value)
    # A button posted before the moment was kept holds the seller's day.
    when = (datetime.fromisoformat(asked["asked"]) if "asked" in asked
            else date.fromisoformat(asked["today"]))
    answer = returns.can_return(services.db, services.seller, asked["order_id"], when)
    _post_once(services, body, respond, client, asked["key"],
               lambda posted_by: can_return_message(answer, services.seller,
                                                    posted_by=posted_by))


def _post_once(services: Services, body: dict[str, Any], respond: Respond, client: WebClient,
               key: str, message: Callable[[str | None], dict[str, Any]]) -> None:
    """Claim `key`, post message(None) to the channel, then turn the private answer into
    message(user): the same answer, with a note of who shared it and no button."""
    user = body["user"]["id"]
    post_once(services, client, key, body["channel"]["id"], message(None),
              tell=lambda reply: respond(**reply, replace_original=False),
              done=lambda: respond(**message(user), replace_original=True))


def post_once(services: Services, client: WebClient, key: str, channel: str,
              public: dict[str, Any], *, tell: Callable[[dict[str, Any]], Any],
              done: Callable[[], Any], thread_ts: str | None = None,
              already: str = "already_posted") -> None:
    """Post `public` to `channel` (in the thread `thread_ts`) once for `key`, however often
    the button is clicked; `tell` the user what went wrong, or call `done`."""
    def send() -> str:
        result = client.chat_postMessage(channel=channel, thread_ts=thread_ts,
                                         unfurl_links=False, **public)
        return str(result["ts"])

    try:
        if not posts.post_once(services.db, key, channel, datetime.now(UTC), send):
            tell(text_message(already))
            return
    except SlackApiError as exc:
        error = exc.response.get("error", "")
        log.warning("post to channel %s failed: %s", channel, error)
        tell(text_message("not_in_channel" if error in _NOT_IN_CHANNEL else "post_failed"))
        return
    done()
