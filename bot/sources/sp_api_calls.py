"""One Selling Partner API call through python-amazon-sp-api, retried the way Amazon's answers
allow: 429s waited out, server errors and dropped connections backed off, an expired access
token refreshed once (../shared/spec/sp-api.md §7, §9). Every client of sellerbot's calls
through here."""

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
from sp_api.auth.exceptions import AuthorizationError
from sp_api.base import SellingApiException

from bot.errors import SpApiFailed
from bot.sources.sp_api_http import (
    error_code,
    error_message,
    expired_token,
    forget_token,
    throttle_wait,
)

log = logging.getLogger(__name__)

# 429s in a row before a call gives up: the next scheduled run starts over.
MAX_THROTTLED = 8
# Server errors and dropped connections: retried after 2, 4 and 8 seconds.
SERVER_RETRIES = (2.0, 4.0, 8.0)


@dataclass
class Calls:
    """What the API calls of one run cost: how many, and the seconds spent in them."""

    count: int = 0
    seconds: float = 0.0
    throttled: int = 0


def call(operation: str, method: Callable[..., Any], calls: Calls,
         sleep: Callable[[float], None], *, budget: float | None = None, once: bool = False,
         **kwargs: Any) -> Any:
    """One API call, counted in `calls`, retried: after a 429 as long as its rate limit says,
    after a server error or a dropped connection with backoff (not when `once`: a call that
    acts, which such an error may hide that Amazon took), once after an expired access token;
    no retry starts once `budget` seconds have passed. Raises SpApiFailed with Amazon's
    status, error code and words."""
    throttled, server_errors, refreshed = 0, 0, False
    first = time.monotonic()
    while True:
        if budget is not None and time.monotonic() - first > budget and (
                throttled or server_errors):
            raise SpApiFailed(status=None, error="gave_up", message="")
        started = time.perf_counter()
        try:
            return method(**kwargs)
        except SellingApiException as exc:
            status = exc.code
            if status == 429 and throttled < MAX_THROTTLED:
                throttled += 1
                calls.throttled += 1
                sleep(throttle_wait(exc.headers, throttled))
                continue
            if status == 403 and not refreshed and expired_token(exc):
                # Access tokens live an hour; the library caches them for 3,200 s (§9).
                refreshed = True
                forget_token(method)
                continue
            if (status is not None and status >= 500 and not once
                    and server_errors < len(SERVER_RETRIES)):
                sleep(SERVER_RETRIES[server_errors])
                server_errors += 1
                continue
            log.warning("SP-API %s answered %s %s", operation, status, error_code(exc))
            raise SpApiFailed(status=status, error=error_code(exc),
                              message=error_message(exc)) from None
        except AuthorizationError as exc:
            # Amazon's token endpoint failing (a 5xx, an HTML outage page) passes like a
            # server error of the API itself; a refusal of the credentials does not.
            status = exc.status_code
            if status is not None and status >= 500 and server_errors < len(SERVER_RETRIES):
                sleep(SERVER_RETRIES[server_errors])
                server_errors += 1
                continue
            raise SpApiFailed(status=status, error=str(exc.error_code),
                              message=str(exc.message or "")) from None
        except httpx.TransportError as exc:
            if not once and server_errors < len(SERVER_RETRIES):
                sleep(SERVER_RETRIES[server_errors])
                server_errors += 1
                continue
            raise SpApiFailed(status=None, error="unreachable", message=str(exc)) from None
        finally:
            calls.count += 1
            calls.seconds += time.perf_counter() - started
