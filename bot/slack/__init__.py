"""Slack listeners, each thin: ack, parse, one report call, one template, one reply.

`register` is the one place every command, shortcut, action and event is wired; manifest.yml
declares the same set (tests/test_manifest.py holds the two together).
"""

from typing import Any

from slack_bolt import App, BoltContext, BoltRequest

from bot.slack import (
    access,
    actions,
    checks,
    commands,
    failures,
    home,
    messages,
    reviews,
    shipments,
    verification,
)
from bot.slack.services import Services

COMMANDS = ("/orders", "/can-return", "/check-reply", "/reviews")
MESSAGE_SHORTCUTS = ("check_reply",)
GLOBAL_SHORTCUTS = ("check_reply_global",)
ACTIONS = ("post_to_channel", "share_return", "share_check", "confirm_shipment", "request_review",
           "request_all_reviews", "draft_buyer_reply", "no_buyer_response")
VIEWS = ("check_reply_draft", "confirm_shipment_form", "buyer_reply_draft")
EVENTS = ("app_home_opened",)


def register(app: App, services: Services) -> None:
    """Wire every listener sellerbot has into `app`."""
    app.middleware(verification.required)
    app.middleware(access.allowlist(services))
    app.middleware(failures.checked_answers)

    app.command("/orders")(commands.orders(services))
    app.command("/can-return")(commands.can_return(services))
    app.command("/check-reply")(checks.command(services))
    app.command("/reviews")(reviews.command(services))

    app.message_shortcut("check_reply")(checks.on_message(services))
    app.global_shortcut("check_reply_global")(checks.draft_modal(services))
    app.view("check_reply_draft")(checks.draft_submitted(services))

    app.action("post_to_channel")(actions.post_to_channel(services))
    app.action("share_return")(actions.share_return(services))
    app.action("share_check")(checks.share(services))
    app.action("confirm_shipment")(shipments.open_form(services))
    app.view("confirm_shipment_form")(shipments.submitted(services))
    app.action("request_review")(reviews.request(services))
    app.action("request_all_reviews")(reviews.request_all(services))

    app.action("draft_buyer_reply")(messages.draft(services))
    app.view("buyer_reply_draft")(messages.draft_submitted(services))
    app.action("no_buyer_response")(messages.no_response(services))

    app.event("app_home_opened")(home.opened(services))

    app.error(_on_error)


def _on_error(error: Exception, body: dict[str, Any], request: BoltRequest,
              context: BoltContext, respond: Any = None) -> None:
    """A listener failed before its ack: say sorry and log the cause (failures.py has the rest).

    Nothing from a request that was not verified is used, not even to name it: its
    response_url could point anywhere.
    """
    if not verification.is_verified(context, request.mode):
        failures.report(error, "an unverified request")
        return
    kind = str(body.get("command") or body.get("type") or "request")[:40]
    failures.report(error, kind, respond if body.get("response_url") else None)
