"""Calls to Slack's Web API from the jobs, where a lost answer must not become a second post:
a refusal raises SlackApiError; an answer lost, or Slack failing on its side, raises Unknown
(the call may have been done), and Slack's history (`landed`) says whether it was."""

import http.client
import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

# Pages of 200 messages read back to find a post that landed: a channel with more than a
# thousand messages since is not one sellerbot posts to.
HISTORY_PAGES = 5


class Unknown(Exception):
    """Slack's answer was lost (a timeout, a dropped connection, a 5xx): the post may have
    landed. Nothing is posted again until Slack's history says whether it did."""


# Slack's own words for a failure on its side, in a 200 answer: the call may have partly run
# (https://docs.slack.dev/reference/methods/chat.postMessage, "fatal_error").
UNSURE = frozenset({"fatal_error", "internal_error", "service_unavailable", "request_timeout"})
# What a lost answer raises in slack_sdk: a timeout or a dropped connection (OSError), a body
# cut short (http.client's IncompleteRead), half a JSON document (ValueError).
LOST = (OSError, http.client.HTTPException, ValueError)
_ERROR_CODE = re.compile(r"[a-z0-9_]+")


def call(method: Callable[..., Any], **kwargs: Any) -> Any:
    """A Web API call: its answer, SlackApiError for a refusal, Unknown when the answer was
    lost or Slack failed on its side (the call may have been done)."""
    try:
        return method(**kwargs)
    except SlackApiError as exc:
        error = exc.response.get("error")
        if exc.response.status_code >= 500 or error in UNSURE:
            raise Unknown(str(error or exc.response.status_code)) from None
        if exc.response.status_code < 300 and not _said(error):
            # A 200 Slack did not write: an empty body (the connection closed after the
            # headers), a proxy's page. slack_sdk puts its own note in "error"; the post may
            # have landed. (A 404 page at a wrong SLACK_API_URL is a refusal.)
            raise Unknown("unreadable answer") from None
        raise
    except LOST as exc:
        raise Unknown(type(exc).__name__) from None


def rate_limited(exc: SlackApiError) -> bool:
    """True when Slack did nothing for now: a 429, or "ratelimited" in a 200's answer."""
    return exc.response.status_code == 429 or exc.response.get("error") == "ratelimited"


def _said(error: object) -> bool:
    """True for an error code of Slack's own ("not_in_channel": lower case and underscores)."""
    return isinstance(error, str) and _ERROR_CODE.fullmatch(error) is not None


def landed(client: WebClient, channel: str, oldest: datetime, event_type: str,
           payload: dict[str, Any]) -> str | None:
    """The ts of the message posted to `channel` since `oldest` whose metadata is
    `event_type` with `payload` among its values, else None. Slack not answering, or a
    history too long to read, raises Unknown: then nobody can tell, and the caller waits and
    asks again rather than risk a second post."""
    cursor = None
    for _ in range(HISTORY_PAGES):
        # Slack refusing (a 429, missing_scope) raises SlackApiError: nothing is posted.
        history = call(client.conversations_history, channel=channel,
                       oldest=f"{oldest.timestamp():.6f}", limit=200,
                       include_all_metadata=True, cursor=cursor)
        for found in history.get("messages") or []:
            meta = found.get("metadata") or {}
            given = meta.get("event_payload") or {}
            if meta.get("event_type") == event_type and all(
                    given.get(name) == value for name, value in payload.items()):
                return str(found.get("ts"))
        cursor = (history.get("response_metadata") or {}).get("next_cursor")
        if not history.get("has_more") or not cursor:
            return None
    raise Unknown("history_too_long")
