"""Slash commands /orders and /can-return (/check-reply is in checks.py): ack first, then one
report, one reply."""

import json
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from slack_bolt import Ack, Respond

from bot.errors import SellerbotError
from bot.render import message
from bot.render.blocks import can_return_message, order_message, orders_message, text_message
from bot.slack.formatting import plain_text
from bot.slack.services import Services
from bot.usecases import returns
from bot.usecases.orders import OrdersRequest, View, order_detail, orders_report


def post_value(view: View, as_of: datetime) -> str:
    """The "Post to channel" button's value: what to post, and the key that makes it once."""
    return json.dumps({"view": view.value, "as_of": as_of.isoformat(), "key": uuid.uuid4().hex})


def orders(services: Services) -> Callable[..., None]:
    """/orders [today|at-risk|late|unshipped|ORDER_ID|help]."""

    def listener(ack: Ack, command: dict[str, Any], respond: Respond) -> None:
        # As typed: Slack escapes &, < and > in it, and the reply escapes what it echoes.
        asked = OrdersRequest.parse(plain_text(command.get("text") or ""))
        if asked.kind == "help":
            # Empty, "help" or unknown: the help answer costs nothing, so it is the ack itself.
            ack(**text_message("orders_help"))
            return
        ack()
        services.after_ack("/orders", respond, _answer, services, asked, respond)

    return listener


def _answer(services: Services, asked: OrdersRequest, respond: Respond) -> None:
    """One order, or one list, answered privately; a list carries its "Post to channel" button."""
    now = datetime.now(UTC)
    if asked.view is None:
        try:
            detail = order_detail(services.db, services.seller, asked.order, now)
        except SellerbotError as exc:
            respond(**text_message("not_found", text=message("errors", exc.code, **exc.params)))
            return
        respond(**order_message(detail, services.seller,
                                confirm=services.settings.sp_api_configured,
                                reviews=services.reviews_on))
        return
    report = orders_report(services.db, services.seller, asked.view, now)
    respond(**orders_message(report, services.seller, post_value=post_value(asked.view, now),
                            confirm=services.settings.sp_api_configured))


def can_return(services: Services) -> Callable[..., None]:
    """/can-return ORDER_ID: can it still be returned, until when, for what refund."""

    def listener(ack: Ack, command: dict[str, Any], respond: Respond) -> None:
        text = plain_text(command.get("text") or "").strip()
        if not text or text.lower() == "help":
            ack(**text_message("can_return_help"))
            return
        ack()
        services.after_ack("/can-return", respond, _answer_return, services, text, respond)

    return listener


def _answer_return(services: Services, text: str, respond: Respond) -> None:
    """The decision for the order `text` names, privately, with a "Share in channel" button."""
    now = datetime.now(UTC)
    try:
        answer = returns.can_return(services.db, services.seller, text, now)
    except SellerbotError as exc:
        respond(**text_message("not_found", text=message("errors", exc.code, **exc.params)))
        return
    # The moment asked, so that the post shared says what the seller saw.
    value = json.dumps({"order_id": answer.order.order_id, "asked": now.isoformat(),
                        "key": uuid.uuid4().hex})
    respond(**can_return_message(answer, services.seller, share_value=value))
