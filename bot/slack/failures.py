"""A failure after the ack: logged for the operator, apologised for to the person who asked.

Caught inside the listener rather than left to Bolt's error handler: Bolt drops a listener's
ack when the listener raises after acking, so Slack would show an error instead of the apology
(slack_bolt/listener/thread_runner.py, 1.30).
"""

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.render.blocks import text_message

log = logging.getLogger("bot.slack")


def report(error: BaseException, kind: str, respond: Any = None) -> None:
    """Log `error` for the operator and, when there is someone to answer, apologise."""
    # The kind of request and the exception, never the request: it can hold a buyer's words.
    log.error("listener for %s failed: %s", kind, type(error).__name__, exc_info=error)
    if respond is None:
        return
    try:
        respond(**text_message("failed"), replace_original=False)
    except Exception:  # the apology is best effort; the cause is already logged
        log.warning("could not tell the user that %s failed", kind)


@contextmanager
def reported(kind: str, respond: Any = None) -> Iterator[None]:
    """Run a listener's work after its ack; a failure is reported, never raised to Bolt."""
    try:
        yield
    except Exception as error:
        report(error, kind, respond)


def show_in_view(client: WebClient, view_id: str, view: dict[str, Any], kind: str) -> None:
    """Show `view` in a modal the person may have closed meanwhile (Slack then answers
    not_found): that is no failure, and no reason to stop what follows."""
    try:
        client.views_update(view_id=view_id, view=view)
    except SlackApiError as exc:
        log.info("%s form not updated: %s", kind, exc.response.get("error"))
