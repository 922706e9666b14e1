"""Who may ask: a middleware that declines politely outside ALLOWED_CHANNELS / ALLOWED_USERS."""

from collections.abc import Callable
from typing import Any

from slack_bolt import BoltContext, BoltResponse

from bot.render.blocks import text_message
from bot.slack.services import Services


def allowlist(services: Services) -> Callable[..., None]:
    """Middleware: commands, shortcuts and actions from outside the allowlists get a refusal,
    and no listener runs."""

    def middleware(body: dict[str, Any], context: BoltContext,
                   next: Callable[[], None]) -> BoltResponse | None:
        # Events (App Home) carry no request to refuse; their listener checks for itself.
        if body.get("type") == "event_callback" or services.allows(context.user_id,
                                                                   context.channel_id):
            next()
            return None
        # A middleware answers by returning the response; the refusal is the ack's text.
        return BoltResponse(status=200, body=text_message("refused")["text"])

    return middleware
