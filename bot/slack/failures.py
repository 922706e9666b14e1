"""A failure after the ack: logged for the operator, apologised for to the person who asked.

Caught inside the listener rather than left to Bolt's error handler: Bolt drops a listener's
ack when the listener raises after acking, so Slack would show an error instead of the apology
(slack_bolt/listener/thread_runner.py, 1.30).
"""

import http.client
import logging
import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from slack_bolt import BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.render.blocks import text_message
from bot.slack.limits import short_wait

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


@contextmanager
def carried_on(kind: str, step: str) -> Iterator[None]:
    """A step that tells Slack about work already done (a note in a thread, a post marked
    answered): if it fails, the operator is told and the steps after it still run; the
    person is not told that the work failed, since it did not."""
    try:
        yield
    except Exception as error:
        log.warning("%s: %s failed (%s); the rest went on", kind, step, type(error).__name__)


def show_in_view(client: WebClient, view_id: str, view: dict[str, Any], kind: str) -> None:
    """Show `view` in a modal the person may have closed meanwhile (Slack then answers
    not_found), or that Slack could not be reached to update: no reason to stop what
    follows (the thread's note, the post marked answered)."""
    try:
        client.views_update(view_id=view_id, view=view)
    except SlackApiError as exc:
        log.info("%s form not updated: %s", kind, exc.response.get("error"))
    except (OSError, http.client.HTTPException) as exc:  # a timeout, a dropped connection
        log.warning("%s form not updated: %s", kind, type(exc).__name__)


class _CheckedAnswers:
    """A listener's `respond`, saying in the log when Slack refuses an answer at the
    response_url (expired after 30 minutes, used five times, rate-limited, a block it does not
    take): the answer is then lost, and without this nobody would know."""

    def __init__(self, respond: Any, kind: str) -> None:
        self._respond, self._kind = respond, kind

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Answer, as Bolt's respond does; once more after a short 429 (Slack did nothing)."""
        answer = self._respond(*args, **kwargs)
        # A 429 at a response_url: Slack did nothing. Once more after a short wait; a longer
        # one would hold back every answer after it, and the answer is lost (and logged).
        if getattr(answer, "status_code", 200) == 429:
            wait = short_wait(getattr(answer, "headers", None))
            if wait is not None:
                time.sleep(wait)
                answer = self._respond(*args, **kwargs)
        return refusal_logged(answer, self._kind)


def refusal_logged(answer: Any, kind: str) -> Any:
    """`answer`, Slack's to a post at a response_url, said in the log if it is a refusal."""
    status = getattr(answer, "status_code", 200)
    if not 200 <= status < 300:
        # Slack's own word for it ("expired_url", "invalid_blocks"), never the answer.
        said = re.findall(r"[a-z_]{3,40}", str(getattr(answer, "body", "")))
        words = [w for w in said if w not in ("ok", "false", "error")][:1]
        log.warning("Slack refused the answer to %s: %s %s", kind, status,
                    words[0] if words else "")
    return answer


def checked_answers(context: BoltContext, body: dict[str, Any], next: Callable[[], Any]
                    ) -> None:
    """Middleware: every listener's `respond` logs the answers Slack refuses."""
    if context.respond is not None:
        kind = str(body.get("command") or body.get("type") or "request")[:40]
        context["respond"] = _CheckedAnswers(context.respond, kind)
    next()
