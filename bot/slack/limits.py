"""Slack's rate limits: how long a 429 asks to wait, and the most a call waits it out itself.

A wait inside a call sleeps in the calling thread, where every answer after it waits too
(slack.md §10: keep it bounded), and a digest's claim is not renewed meanwhile. A longer 429
is left to the caller: the digest waits it out between its own tries, renewing its claim; a
click is told to try again.
"""

from collections.abc import Mapping
from typing import Any

# The longest Retry-After a call, or an answer at a response_url, waits out itself.
SHORT_WAIT = 3.0


def retry_after(headers: Mapping[str, Any] | None) -> float | None:
    """The seconds a 429's Retry-After header asks to wait; None when it says none."""
    found = {str(name).lower(): value for name, value in (headers or {}).items()}
    value = found.get("retry-after")
    if isinstance(value, list):  # slack_sdk keeps some answers' headers as lists
        value = value[0] if value else None
    try:
        return max(float(value), 0.0) if value is not None else None
    except ValueError:
        return None


def short_wait(headers: Mapping[str, Any] | None) -> float | None:
    """How long to wait before trying a 429'd call once more, when the wait it asks for is
    short (SHORT_WAIT at most; 1 s when it does not say, as slack_sdk waits); None when longer."""
    wait = retry_after(headers)
    wait = 1.0 if wait is None else wait
    return wait if wait <= SHORT_WAIT else None
