"""Shortcuts: "Check reply" on a message, and the global one (a later version brings the check)."""

from collections.abc import Callable

from slack_bolt import Ack, Respond

from bot.render.blocks import text_message


def check_reply_on_message() -> Callable[..., None]:
    """The "Check reply" message shortcut."""

    def listener(ack: Ack, respond: Respond) -> None:
        ack()
        respond(**text_message("coming_soon", feature="Check reply"))

    return listener


def check_reply_global() -> Callable[..., None]:
    """The global "Check a reply" shortcut: it has no channel to answer in, only a modal."""

    def listener(ack: Ack, shortcut: dict, client: object) -> None:
        ack()
        client.views_open(trigger_id=shortcut["trigger_id"], view={  # type: ignore[attr-defined]
            "type": "modal",
            "title": {"type": "plain_text", "text": "Check a reply"},
            "blocks": [{"type": "section", "text": {
                "type": "mrkdwn", **text_message("coming_soon", feature="Check reply")}}],
        })

    return listener
