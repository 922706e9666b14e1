""""Request a Review" in Slack: the button under an order (/orders ORDER_ID) sends Amazon's
request after the ack, once however often it is clicked, and the answer replaces the button.

Sending it once per order is bot/usecases/reviews.py's.
"""

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from slack_bolt import Ack, Respond

from bot.errors import SellerbotError
from bot.render import message
from bot.render.blocks import text_message
from bot.slack.services import Services
from bot.usecases import reviews


def request(services: Services) -> Callable[..., None]:
    """The "Request a review" button."""

    def listener(ack: Ack, body: dict[str, Any], action: dict[str, Any],
                 respond: Respond) -> None:
        ack()
        user = (body.get("user") or {}).get("id") or ""
        services.after_ack("request_review", respond, _send, services,
                           str(action.get("value") or ""), user, respond)

    return listener


def _send(services: Services, order_id: str, user: str, respond: Respond) -> None:
    """Amazon asked (unless REVIEW_REQUESTS was turned off since the button was shown), and
    the message with the button replaced by what came of it."""
    if not services.reviews_on:
        respond(replace_original=True,
                **text_message("not_found", text=message("errors", "reviews_off")))
        return
    try:
        sent = reviews.request_review(services.db, services.solicitations_api, services.seller,
                                      order_id, datetime.now(UTC))
    except SellerbotError as exc:
        respond(replace_original=True,
                **text_message("not_found", text=message("errors", exc.code, **exc.params)))
        return
    respond(replace_original=True, **text_message("review_sent", sent=sent, user=user))
