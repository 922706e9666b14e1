"""Who may ask: a middleware that declines politely outside ALLOWED_CHANNELS / ALLOWED_USERS."""

from collections.abc import Callable
from typing import Any

from slack_bolt import BoltContext, BoltResponse

from bot.render.blocks import check_view, text_message
from bot.slack.services import Services

# Interactions Slack gives a response_url: a message shortcut, a button in a message.
INTERACTIONS = ("message_action", "block_actions")


def allowlist(services: Services) -> Callable[..., None]:
    """Middleware: commands, shortcuts and actions from outside the allowlists get a refusal,
    and no listener runs. The only global shortcut is "Check reply": its refusal is that
    window's."""

    def middleware(body: dict[str, Any], context: BoltContext,
                   next: Callable[[], None]) -> BoltResponse | None:
        # Events (App Home) carry no request to refuse; their listener checks for itself.
        if body.get("type") == "event_callback" or services.allows(context.user_id,
                                                                   context.channel_id):
            next()
            return None
        refusal = text_message("refused")
        if body.get("type") in INTERACTIONS and body.get("response_url"):
            # Slack shows no text an interaction is acknowledged with: the refusal goes to
            # its response_url, after the ack, only to the person who asked.
            respond = context.respond
            services.after_ack("refusal", None, lambda: respond(
                **refusal, response_type="ephemeral", replace_original=False))
            return BoltResponse(status=200, body="")
        if body.get("type") == "shortcut" and body.get("trigger_id"):
            # A global shortcut has no response_url: the refusal is a small window, opened
            # after the ack, within the trigger's 3 seconds.
            client, trigger = context.client, body["trigger_id"]
            view = check_view("said", text=refusal["text"])
            services.after_ack("refusal", None,
                               lambda: client.views_open(trigger_id=trigger, view=view))
            return BoltResponse(status=200, body="")
        # A middleware answers by returning the response; a command's ack text is shown.
        return BoltResponse(status=200, body=refusal["text"])

    return middleware
