"""Buttons: "Post to channel" re-posts an answer for everyone, once however often it is clicked."""

import json
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from slack_bolt import Ack, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot import reports
from bot.render.blocks import orders_message, text_message
from bot.slack.services import Services
from bot.store import posts

log = logging.getLogger(__name__)

# Errors that need someone to change Slack's setup, not a retry.
_NOT_IN_CHANNEL = {"not_in_channel", "channel_not_found", "is_archived"}


def post_to_channel(services: Services) -> Callable[..., None]:
    """The "Post to channel" button under an /orders answer."""

    def listener(ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond,
                 client: WebClient) -> None:
        ack()
        services.after_ack("block_actions", respond, _post, services, body, action, respond,
                           client)

    return listener


def _post(services: Services, body: dict[str, Any], action: dict[str, Any], respond: Respond,
          client: WebClient) -> None:
    """Claim the post, post, then turn the private answer into a note of who posted it."""
    value = json.loads(action["value"])
    channel, user = body["channel"]["id"], body["user"]["id"]
    view, as_of = reports.View(value["view"]), datetime.fromisoformat(value["as_of"])
    if not posts.claim(services.db, value["key"], channel, datetime.now(UTC)):
        respond(**text_message("already_posted"), replace_original=False)
        return
    # The same report as the button's: the same instant, so the same orders.
    report = reports.orders_report(services.db, services.seller, view, as_of)
    try:
        result = client.chat_postMessage(channel=channel, unfurl_links=False,
                                         **orders_message(report, services.seller))
    except SlackApiError as exc:
        posts.release(services.db, value["key"])
        error = exc.response.get("error", "")
        log.warning("post to channel %s failed: %s", channel, error)
        reply = "not_in_channel" if error in _NOT_IN_CHANNEL else "post_failed"
        respond(**text_message(reply), replace_original=False)
        return
    posts.posted(services.db, value["key"], result["ts"])
    respond(**orders_message(report, services.seller, posted_by=user), replace_original=True)
