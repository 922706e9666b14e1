"""python-amazon-sp-api at the HTTP level: a token client for any LWA endpoint, answers that
are not 2xx raised as errors, a cached token forgotten, 429s waited out, and Amazon's error
codes and words read from what the library raises."""

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from sp_api.auth import AccessTokenClient
from sp_api.auth import access_token_client as token_cache
from sp_api.auth.exceptions import AuthorizationError
from sp_api.base import Marketplaces, SellingApiException
from sp_api.base.exceptions import get_exception_for_code

if TYPE_CHECKING:
    from bot.config import Settings

# The library logs request headers (the access token) and whole answers (buyer data, were any
# sent) at DEBUG: never, whatever --debug says. Here, where every client of it is made.
logging.getLogger("sp_api").setLevel(logging.WARNING)

# Longest wait for one throttled call; Amazon's x-amzn-RateLimit-Limit for searchOrders
# (0.0056/s) asks for three minutes, getOrders (0.0167/s) one.
MAX_WAIT = 180.0


class _LwaTokenClient(AccessTokenClient):
    """python-amazon-sp-api's token client, for an endpoint that may answer without JSON: the
    library reads every answer as JSON, so an outage's HTML page raised JSONDecodeError."""

    def _request(self, url: str, data: Any, headers: Any) -> Any:
        # The library's own request, with the answer's shape checked before it is used.
        response = self._transport.request("POST", url, data=data, headers=headers)
        try:
            answer = response.json()
        except ValueError:
            answer = None
        if not isinstance(answer, dict):
            raise AuthorizationError("not_json", "", response.status_code)
        if response.status_code != 200:
            raise AuthorizationError(answer.get("error"), answer.get("error_description"),
                                     response.status_code)
        return answer


def token_client(url: str) -> type[AccessTokenClient]:
    """python-amazon-sp-api's token client, pointed at `url` (LWA_TOKEN_URL)."""
    parts = urlsplit(url)
    return type("LwaTokenClient", (_LwaTokenClient,), {
        "scheme": f"{parts.scheme}://", "host": parts.netloc, "path": parts.path or "/"})


def library_client(api: type, settings: "Settings", **kwargs: Any) -> Any:
    """python-amazon-sp-api's client `api` (Orders, Solicitations) for the seller in
    `settings`: its credentials, marketplace, token endpoint and API endpoint, every answer
    that is not 2xx raised."""
    credentials = {name: getattr(settings, setting).get_secret_value().strip()
                   for name, setting in (("lwa_app_id", "lwa_app_id"),
                                         ("lwa_client_secret", "lwa_client_secret"),
                                         ("refresh_token", "sp_api_refresh_token"))}
    marketplace = next(m for m in Marketplaces
                       if m.marketplace_id == settings.market.marketplace_id)
    client = api(credentials=credentials, marketplace=marketplace,
                 auth_token_client_class=token_client(settings.lwa_token_url), timeout=60,
                 **kwargs)
    if settings.sp_api_endpoint:
        # The library has no endpoint argument; every URL is endpoint + path (§9).
        client.endpoint = settings.sp_api_endpoint.rstrip("/")
    check_status(client)
    return client


def check_status(client: Any) -> None:
    """Make `client` raise on every answer that is not 2xx.

    The library raises only when the body holds "errors": a proxy's HTML 502 or an empty 503
    would otherwise read as an empty success, and a sync would move its cursor past orders it
    never got, or a shipment be marked confirmed that Amazon never had.
    """
    check = client._check_response

    def checked(res: Any, *args: Any, **kwargs: Any) -> Any:
        if not 200 <= res.status_code < 300:
            try:
                errors = res.json().get("errors")
            except (ValueError, AttributeError):
                errors = None
            if not (isinstance(errors, list) and errors and isinstance(errors[0], dict)):
                errors = [{"code": f"HTTP{res.status_code}", "message": ""}]
            exc = get_exception_for_code(res.status_code)(errors, headers=res.headers)
            # The library's classes say 999 for statuses they do not name (401, 502).
            exc.code = res.status_code
            raise exc
        return check(res, *args, **kwargs)

    client._check_response = checked


def forget_token(method: Callable[..., Any]) -> None:
    """Drop the access token the library cached for `method`'s client, and only that one."""
    client = getattr(method, "__self__", None)
    auth = getattr(client, "_auth", None)
    try:
        token_cache.cache.pop(auth._get_cache_key(), None)  # type: ignore[union-attr]
    except AttributeError:  # pragma: no cover - a library whose internals differ
        token_cache.cache.clear()


def throttle_wait(headers: Any, attempt: int) -> float:
    """Seconds to wait after a 429: one request's worth of the rate limit Amazon states,
    doubled on each further 429; without the header, 2 s doubled."""
    try:
        rate = float((headers or {}).get("x-amzn-RateLimit-Limit") or 0)
    except (TypeError, ValueError):
        rate = 0.0
    base = 1 / rate if rate > 0 else 2.0
    return min(base * 2 ** (attempt - 1), MAX_WAIT)


def _errors(exc: SellingApiException) -> list[dict[str, Any]]:
    error = exc.error if hasattr(exc, "error") else None
    return [e for e in (error or []) if isinstance(e, dict)]


def error_code(exc: SellingApiException) -> str:
    """Amazon's error code in `exc` ("InvalidInput"), or "error"."""
    found = _errors(exc)
    return str(found[0].get("code") or "error") if found else "error"


def error_message(exc: SellingApiException) -> str:
    """Amazon's own words in `exc`."""
    found = _errors(exc)
    return str(found[0].get("message") or "") if found else str(exc)


def expired_token(exc: SellingApiException) -> bool:
    """Whether `exc` says the access token expired (or was refused as a token)."""
    return any("token" in f"{e.get('message', '')} {e.get('details', '')}".lower()
               for e in _errors(exc))
