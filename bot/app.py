"""The Slack app factory: nothing Slack-related exists until create_app is called."""

import logging
from concurrent.futures import ThreadPoolExecutor
from urllib.error import URLError

from slack_bolt import App
from slack_bolt.error import BoltError
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState

from bot.compliance.loading import checker
from bot.config import Settings
from bot.errors import ConfigError, SellerbotError
from bot.slack import register
from bot.slack.limits import short_wait
from bot.slack.services import Services
from bot.wiring import Database, open_database, seller_of

# Listeners run after their ack on this pool. Bolt's default of 5 lets five slow answers hold
# back every later ack (slack.md §2); reports take tens of milliseconds, so 32 threads keep
# acks immediate well past the load bench/slack_ack.py puts on them.
LISTENER_THREADS = 32
# Answers are worked out on their own thread, after the ack, so that listener threads stay free
# to ack. The work is CPU-bound Python: more threads add no throughput, only GIL contention
# that delays acks (bench/slack_ack.py: p99 ack 203 ms with two answer threads, 109 with one).
ANSWER_THREADS = 1
# Work that waits on Amazon's SP-API or the mail server (a confirmation, review requests at
# Amazon's pace, a reply sent) runs on a thread of its own: a hundred review requests must
# not hold back everyone's /orders. One at a time, as before: Amazon paces the app as one
# caller anyway, and a second click on the same order then reads the first one's outcome.
OUTSIDE_THREADS = 1
# Slack's Web API: give up on a call after this many seconds (slack_sdk's default is 30).
API_TIMEOUT = 15


# Web API methods that make something new each time they run. When their answer is lost (a
# timeout, a dropped connection, a 5xx), Slack may have done it already, so they are never
# retried blindly: the caller looks first (the digest reads the channel's history).
# slack_sdk logs whole request and response bodies at DEBUG (a draft reply in a view, a
# buyer's words in a post): never, whatever --debug says.
logging.getLogger("slack_sdk").setLevel(logging.INFO)
# Its webhook client logs the URL it retries at INFO: a response_url, which is a credential
# taken from the request's body (whoever holds it may answer in the channel for 30 minutes).
logging.getLogger("slack_sdk.webhook").setLevel(logging.WARNING)

CREATES = frozenset({"chat.postMessage", "chat.postEphemeral", "files.completeUploadExternal"})


def _creates(request: HttpRequest) -> bool:
    return request.url.rstrip("/").rsplit("/", 1)[-1] in CREATES


def _never_sent(error: Exception | None) -> bool:
    """True when the request cannot have reached Slack: the connection was refused."""
    return isinstance(error, URLError) and isinstance(error.reason, ConnectionRefusedError)


class _ConnectionErrors(ConnectionErrorRetryHandler):
    """slack_sdk's retry of a failed connection, except for a creating call that may have
    been received."""

    def _can_retry(self, *, state: RetryState, request: HttpRequest,
                   response: HttpResponse | None = None, error: Exception | None = None) -> bool:
        if _creates(request) and not _never_sent(error):
            return False
        return super()._can_retry(state=state, request=request, response=response, error=error)


class _RateLimits(RateLimitErrorRetryHandler):
    """slack_sdk's wait for a 429's Retry-After, when it is short (bot/slack/limits.py); a
    longer one fails the call with its 429, for the caller to handle."""

    def _can_retry(self, *, state: RetryState, request: HttpRequest,
                   response: HttpResponse | None = None, error: Exception | None = None) -> bool:
        short = short_wait(response.headers if response is not None else None) is not None
        return short and super()._can_retry(state=state, request=request, response=response,
                                            error=error)


class _ServerErrors(ServerErrorRetryHandler):
    """slack_sdk's retry of a 500 or 503, except for a creating call (Slack may have done it)."""

    def _can_retry(self, *, state: RetryState, request: HttpRequest,
                   response: HttpResponse | None = None, error: Exception | None = None) -> bool:
        return not _creates(request) and super()._can_retry(
            state=state, request=request, response=response, error=error)


def web_client(settings: Settings) -> WebClient:
    """A Web API client at SLACK_API_URL that waits out 429s (Slack did nothing) and retries
    5xx and dropped connections a bounded number of times, but never for a call that creates
    something (CREATES); each retry sleeps in the calling thread."""
    return WebClient(token=settings.secret("slack_bot_token"), base_url=settings.slack_api_url,
                     timeout=API_TIMEOUT, retry_handlers=[
                         _ConnectionErrors(max_retry_count=1),
                         _RateLimits(max_retry_count=2),
                         _ServerErrors(max_retry_count=2),
                     ])


def create_app(settings: Settings, db: Database | None = None, *, socket_mode: bool = False
               ) -> App:
    """The Bolt app with every listener registered. Over HTTP it answers only requests that
    bot/server.py verified with SLACK_SIGNING_SECRET; Socket Mode has no requests to sign."""
    if not socket_mode:
        settings.secret("slack_signing_secret")  # a missing one stops start-up here
    # Bolt's own warnings quote whole request bodies, and a /check-reply body can hold a buyer's
    # name or address (privacy.md §2): sellerbot logs what it needs itself. Bolt copies its
    # loggers' levels from the logger it is given (from the root logger without one).
    bolt_log = logging.getLogger("slack_bolt")
    bolt_log.setLevel(logging.ERROR)
    try:
        # Bolt checks the token with auth.test here.
        app = App(
            client=web_client(settings),
            logger=bolt_log,
            # The HTTP edge (bot/slack/verification.py) verifies every request before Bolt
            # parses it; Bolt's own check would parse first and log the body it refuses.
            request_verification_enabled=False,
            listener_executor=ThreadPoolExecutor(LISTENER_THREADS,
                                                 thread_name_prefix="sellerbot-listener"),
        )
    except BoltError as exc:
        # Bolt raises its own error from inside its handler of Slack's refusal.
        refused = exc.__context__
        error = refused.response.get("error") if isinstance(refused, SlackApiError) else None
        raise ConfigError("slack_token_refused", error=str(error or exc)[:80]) from None
    except OSError as exc:  # URLError, a timeout: Slack cannot be reached from here
        reason = getattr(exc, "reason", None) or exc
        raise SellerbotError("slack_unreachable", url=settings.slack_api_url,
                             reason=str(reason)[:120]) from None
    db = db or open_database(settings)
    answers = ThreadPoolExecutor(ANSWER_THREADS, thread_name_prefix="sellerbot-answer")
    outside = ThreadPoolExecutor(OUTSIDE_THREADS, thread_name_prefix="sellerbot-outside")
    register(app, Services(settings=settings, db=db, seller=seller_of(settings),
                           answers=answers, outside=outside,
                           checker=checker(settings.extra_rules).warm()))
    return app
