"""Verifying a request from Slack at the HTTP edge, before anything reads, parses or logs it.

Slack signs every request it sends: `v0=` + HMAC-SHA256 of `v0:{timestamp}:{body}` with the
app's signing secret, and the timestamp must be within five minutes of now (slack.md §8). A
request that fails any check is refused here with a status and nothing else: its body is never
parsed, never logged and never handed to Bolt, so nothing in it (a response_url, a buyer's
words) can make sellerbot act.
"""

import hashlib
import hmac
import json
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from slack_bolt import BoltResponse

# Slack's payloads are small (a view submission with its blocks is tens of KB); reading more
# than this from an unverified sender only costs memory.
MAX_BODY_BYTES = 256 * 1024
# Slack's own window: a request older or newer than this is a replay or a wrong clock.
MAX_SKEW_SECONDS = 300

# The context key the HTTP edge sets on a request it verified; listeners and the error handler
# act only on requests that carry it (or arrive over Socket Mode, which Slack authenticates).
VERIFIED = "sellerbot_verified"

_TIMESTAMP = re.compile(r"[0-9]{1,12}")  # ASCII digits only: int() would accept "١٢" or " 1 "
_SIGNATURE = re.compile(r"v0=[0-9a-f]{64}")


class Refused(Exception):
    """A request that is not Slack's, or not as Slack sends it: answer `status`, do nothing."""

    def __init__(self, status: int, why: str) -> None:
        super().__init__(why)
        self.status = status
        self.why = why  # for the operator's log: never anything taken from the request


@dataclass
class Replays:
    """Signatures seen within the time window: the same signed request twice is refused.

    Only requests that passed the signature check are remembered, so only Slack can fill it.
    Per process: a request replayed to another replica is not caught here (it can only repeat
    what Slack once sent).
    """

    seen: OrderedDict[str, float] = field(default_factory=OrderedDict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def first_time(self, signature: str, now: float) -> bool:
        """Remember `signature`; False when it was already seen within the window."""
        with self.lock:
            # A signature first seen at t passes the clock check until t + 2 x the skew at most.
            while self.seen and now - next(iter(self.seen.values())) > 2 * MAX_SKEW_SECONDS:
                self.seen.popitem(last=False)
            if signature in self.seen:
                return False
            self.seen[signature] = now
            return True


def read_body(environ: Mapping[str, object]) -> bytes:
    """The request body, refused unheard when its declared size is missing or too large."""
    declared = str(environ.get("CONTENT_LENGTH") or "")
    if not declared.isascii() or not declared.isdigit():
        raise Refused(411, "no Content-Length")
    if int(declared) > MAX_BODY_BYTES:
        raise Refused(413, "body too large")
    stream = environ.get("wsgi.input")
    body = stream.read(int(declared)) if stream is not None else b""  # type: ignore[attr-defined]
    if len(body) != int(declared):
        raise Refused(400, "body shorter than its Content-Length")
    return body


def verify(body: bytes, headers: Mapping[str, str], secret: str, now: float,
           replays: Replays) -> str:
    """The body as text, when `headers` sign it with `secret` within the window; else Refused."""
    timestamp = headers.get("x-slack-request-timestamp", "")
    signature = headers.get("x-slack-signature", "")
    if not _TIMESTAMP.fullmatch(timestamp) or not _SIGNATURE.fullmatch(signature):
        raise Refused(401, "missing or malformed signature headers")
    if abs(now - int(timestamp)) > MAX_SKEW_SECONDS:
        raise Refused(401, "timestamp outside the five-minute window")
    expected = "v0=" + hmac.new(secret.encode(), b"v0:" + timestamp.encode() + b":" + body,
                                hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, signature):
        raise Refused(401, "wrong signature")
    if not replays.first_time(signature, now):
        raise Refused(401, "a request already received")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        raise Refused(400, "body not UTF-8") from None


def parsed(text: str, content_type: str | None) -> dict[str, Any]:
    """A verified body as Bolt reads it: JSON (events), a form with the interaction's JSON in
    its `payload` field (buttons, shortcuts, modals), or a plain form (slash commands).

    Bolt's own parser takes any form whose text holds the letters "payload" for an interaction:
    a slash command from #payload-team, or a draft about a drone's payload, reached no listener
    and got a 404. Raises ValueError for a body that is none of these."""
    if content_type == "application/json" or text.startswith("{"):
        return json.loads(text)
    form = dict(parse_qsl(text, keep_blank_values=True))
    return json.loads(form["payload"]) if "payload" in form else form


def is_verified(context: Mapping[str, Any], mode: str) -> bool:
    """True for a request the HTTP edge verified, or one that came over Socket Mode."""
    return mode == "socket_mode" or context.get(VERIFIED) is True


def required(request: Any, context: Any, next: Callable[[], None]) -> Any:
    """Bolt middleware, first of all: a request that did not come through `verify` (another
    adapter, a test calling dispatch) is refused before any listener sees it."""
    if is_verified(context, request.mode):
        next()
        return None
    return BoltResponse(status=401, body="")
