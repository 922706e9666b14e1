""""Request a Review" in Slack: `/reviews` lists what is due, with a button sending the due
ones; the button under an order (/orders ORDER_ID) sends that order's. Each sends after the
ack, once however often it is clicked, and its answer replaces the button.

Sending it once per order is bot/usecases/reviews.py's.
"""

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from slack_bolt import Ack, Respond

from bot.errors import SellerbotError
from bot.render import message
from bot.render.blocks import reviews_message, text_message
from bot.slack.services import Services
from bot.usecases import reviews


def request(services: Services) -> Callable[..., None]:
    """The "Request a review" button."""

    def listener(ack: Ack, body: dict[str, Any], action: dict[str, Any],
                 respond: Respond) -> None:
        ack()
        user = (body.get("user") or {}).get("id") or ""
        services.after_ack("request_review", respond, _send, services,
                           str(action.get("value") or ""), user, respond, outside=True)

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


# Requests one "Request all due" click sends: at Amazon's one a second, a few minutes' worth,
# inside the half hour a response_url lasts (slack.md §2). REVIEW_REQUESTS=auto sends the rest.
PER_CLICK = 100


def command(services: Services) -> Callable[..., None]:
    """/reviews: the due review requests, and why the others of the last weeks are not asked."""

    def listener(ack: Ack, command: dict[str, Any], respond: Respond) -> None:
        if (command.get("text") or "").strip().lower() not in ("", "due"):
            ack(**text_message("reviews_help"))
            return
        ack()
        services.after_ack("/reviews", respond, _list, services, respond)

    return listener


def _list(services: Services, respond: Respond) -> None:
    report = reviews.reviews_due(services.db, services.seller, datetime.now(UTC))
    respond(**reviews_message(report, services.seller, enabled=services.reviews_on,
                              per_click=PER_CLICK))


def request_all(services: Services) -> Callable[..., None]:
    """The "Request all due" button under /reviews."""

    def listener(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        ack()
        user = (body.get("user") or {}).get("id") or ""
        # Minutes of work at Amazon's pace: on the pool for such work, so that the answers
        # to everyone else's commands do not wait behind it.
        services.after_ack("request_all_reviews", respond, _send_all, services, user, respond,
                           outside=True)

    return listener


def _send_all(services: Services, user: str, respond: Respond) -> None:
    if not services.reviews_on:
        respond(replace_original=True,
                **text_message("not_found", text=message("errors", "reviews_off")))
        return
    done = reviews.request_due(services.db, services.solicitations_api, services.seller,
                               datetime.now(UTC), limit=PER_CLICK)
    respond(replace_original=True, **text_message("reviews_sent", results=done.results,
                                                  user=user, more=done.left, demo=done.demo))
