"""Slash commands: /orders, /can-return, /check-reply. Ack first, then one report, one reply."""

import json
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from slack_bolt import Ack, Respond

from bot import reports
from bot.domain.order_ids import normalize_order_id
from bot.errors import SellerbotError
from bot.render import message
from bot.render.blocks import order_message, orders_message, text_message
from bot.slack import failures
from bot.slack.services import Services


def post_value(view: reports.View, as_of: datetime) -> str:
    """The "Post to channel" button's value: what to post, and the key that makes it once."""
    return json.dumps({"view": view.value, "as_of": as_of.isoformat(), "key": uuid.uuid4().hex})


def orders(services: Services) -> Callable[..., None]:
    """/orders [today|at-risk|late|unshipped|ORDER_ID|help]."""

    def listener(ack: Ack, command: dict[str, Any], respond: Respond) -> None:
        text = (command.get("text") or "").strip()
        try:
            view = reports.View(text.lower())
        except ValueError:
            view = None
        if view is None and normalize_order_id(text) is None:
            # Empty, "help" or unknown: the help answer costs nothing, so it is the ack itself.
            ack(**text_message("orders_help"))
            return
        ack()
        with failures.reported("/orders", respond):
            _answer(services, view, text, respond)

    return listener


def _answer(services: Services, view: reports.View | None, text: str, respond: Respond) -> None:
    """One order, or one list, answered privately; a list carries its "Post to channel" button."""
    now = datetime.now(UTC)
    if view is None:
        try:
            detail = reports.order_detail(services.db, services.seller, text, now)
        except SellerbotError as exc:
            respond(**text_message("not_found", text=message("errors", exc.code, **exc.params)))
            return
        respond(**order_message(detail, services.seller))
        return
    report = reports.orders_report(services.db, services.seller, view, now)
    respond(**orders_message(report, services.seller, post_value=post_value(view, now)))


def coming_soon(feature: str) -> Callable[..., None]:
    """A command registered for the manifest whose feature a later version brings."""

    def listener(ack: Ack) -> None:
        ack(**text_message("coming_soon", feature=feature))

    return listener
