""""Confirm shipment" in Slack: a button (or a pick from a list) opens a form at once, its
submission is checked inside Slack's 3 seconds, and Amazon is asked after the ack.

The confirmation itself (once per order, however often it is sent) is bot/usecases/shipments.py's.
"""

import json
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from slack_bolt import Ack
from slack_sdk import WebClient
from slack_sdk.webhook import WebhookClient

from bot.errors import BadInput, SellerbotError
from bot.render import message
from bot.render.blocks import confirm_view, order_message, text_message
from bot.slack.failures import carried_on, refusal_logged, show_in_view
from bot.slack.services import Services
from bot.usecases import orders, shipments

log = logging.getLogger(__name__)

# Which form field each of the form's own errors belongs under.
_FIELDS = {"carrier_unknown": "carrier", "carrier_name_missing": "carrier_name",
           "tracking_malformed": "tracking", "ship_date_malformed": "ship_date",
           "ship_date_future": "ship_date", "ship_date_before_order": "ship_date"}
# Slack shows at most this much of a field error.
ERROR_CHARS = 150


def open_form(services: Services) -> Callable[..., None]:
    """The "Confirm shipment" button, or an order picked from the digest's list."""

    def listener(ack: Ack, body: dict[str, Any], action: dict[str, Any],
                 client: WebClient) -> None:
        ack()
        order_id = action.get("value") or action.get("selected_option", {}).get("value", "")
        order = shipments.order_to_confirm(services.db, order_id)
        # The trigger id lives about 3 seconds (slack.md §2): the form opens now, before any
        # call to Amazon.
        if order is None:
            said = message("errors", "order_not_found", order_id=order_id)
            view = confirm_view("said", text=text_message("shipment_refused", text=said)["text"])
        else:
            channel = (body.get("channel") or {}).get("id")
            container = body.get("container") or {}
            # Where the button was: a channel message gets the outcome in its thread.
            ts = None if container.get("is_ephemeral") else container.get("message_ts")
            # A private answer gets the order as it now stands through its response_url
            # instead: in place of the order's own answer (/orders ORDER), and beside a list
            # (/orders today), which stays for the next order to confirm from it.
            hook = body.get("response_url") if container.get("is_ephemeral") else None
            metadata = json.dumps({"order_id": order_id, "channel": channel, "ts": ts,
                                   "hook": hook, "from_list": "selected_option" in action})
            today = datetime.now(UTC).astimezone(services.seller.timezone).date()
            view = confirm_view("form", order=order, carriers=shipments.CARRIERS, today=today,
                                metadata=metadata)
        client.views_open(trigger_id=body["trigger_id"], view=view)

    return listener


def submitted(services: Services) -> Callable[..., None]:
    """The form's "Confirm": field errors shown in the form, else Amazon asked after the ack."""

    def listener(ack: Ack, body: dict[str, Any], view: dict[str, Any],
                 client: WebClient) -> None:
        values = view["state"]["values"]

        def value(block: str) -> str | None:
            field = values.get(block, {}).get("value", {})
            return (field.get("selected_option") or {}).get("value") or field.get(
                "selected_date") or field.get("value")

        where = json.loads(view.get("private_metadata") or "{}")
        today = datetime.now(UTC).astimezone(services.seller.timezone).date()
        try:
            package = shipments.package_from(
                value("carrier") or "", value("tracking") or "", value("ship_date"),
                value("carrier_name"), value("method"), today=today)
        except BadInput as exc:
            ack(response_action="errors", errors={_FIELDS.get(exc.code, "tracking"): message(
                "errors", exc.code, **exc.params)[:ERROR_CHARS]})
            return
        ack(response_action="update", view=confirm_view("working", order_id=where["order_id"]))
        services.after_ack("view_submission", None, _confirm, services, client, body, where,
                           package, outside=True)

    return listener


def _confirm(services: Services, client: WebClient, body: dict[str, Any],
             where: dict[str, Any], package: shipments.Package) -> None:
    user = body["user"]["id"]
    tz = services.seller.timezone
    try:
        done = shipments.confirm(services.db, services.orders_api, services.seller,
                                 where["order_id"], package, now=datetime.now(UTC))
    except SellerbotError as exc:
        # Amazon's own words for a refusal (confirm_refused carries its message).
        said = text_message("shipment_refused",
                            text=message("errors", exc.code, **exc.params))["text"]
        _show(client, body, said)
        return
    said = text_message("shipment_confirmed", done=done, user=user, tz=tz)["text"]
    if not done.already:
        log.info("shipment of %s confirmed by %s", done.order_id, user)
    _show(client, body, said)
    if done.already:
        return
    if where.get("channel") and where.get("ts"):
        # The channel sees it under the message the button was on: the digest's thread.
        with carried_on("confirm_shipment", "the thread's note"):
            client.chat_postMessage(channel=where["channel"], thread_ts=where["ts"], text=said)
    elif where.get("hook"):
        # The private answer the button was on, shown again as the order now stands.
        detail = orders.order_detail(services.db, services.seller, done.order_id,
                                      datetime.now(UTC))
        with carried_on("confirm_shipment", "the answer shown again"):
            refusal_logged(WebhookClient(where["hook"]).send_dict({
                **order_message(detail, services.seller, confirmed_by=user),
                "replace_original": not where.get("from_list")}), "confirm_shipment")


def _show(client: WebClient, body: dict[str, Any], said: str) -> None:
    """The outcome in the form; a form closed meanwhile is no reason to stop."""
    show_in_view(client, body["view"]["id"], confirm_view("said", text=said), "confirm")
