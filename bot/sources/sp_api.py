"""Orders from Amazon's Selling Partner API, through python-amazon-sp-api: the orders changed in
a time window, page by page, and shipment confirmations (../shared/spec/sp-api.md).

Orders API v2026-01-01 `searchOrders` by default (the v0 read operations are deprecated, §1),
v0 `getOrders` + `getOrderItems` when ORDERS_API_VERSION=v0. No restricted data is asked for
(§8): no Tokens API, no RestrictedResources, no buyer-info or address calls, and the datasets
requested are fulfilment, proceeds, packages and cancellations only; what arrives anyway is
never read (orders_api.py reads named fields only).
"""

import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import httpx
from sp_api.api import Orders
from sp_api.auth import AccessTokenClient
from sp_api.auth import access_token_client as token_cache
from sp_api.auth.exceptions import AuthorizationError
from sp_api.base import Marketplaces, SellingApiException

from bot.config import Settings
from bot.domain.records import Order, OrderItem
from bot.errors import SellerbotError
from bot.sources.orders_api import FieldError, item_from_v0, order_from_v0, order_from_v2026

log = logging.getLogger(__name__)

V2026, V0 = "2026-01-01", "v0"
# Datasets of a v2026 order sellerbot reads; BUYER and RECIPIENT are never asked for (§8).
INCLUDED_DATA = ("FULFILLMENT", "PROCEEDS", "PACKAGES", "CANCELLATION")
# The API's maximum page (§4): fewer calls against searchOrders' one call per three minutes.
PAGE_SIZE = 100
# 429s in a row before a sync gives up: the next scheduled sync starts over from its cursor.
MAX_THROTTLED = 8
# Longest wait for one throttled call; Amazon's x-amzn-RateLimit-Limit for searchOrders
# (0.0056/s) asks for three minutes, getOrders (0.0167/s) one.
MAX_WAIT = 180.0
# Server errors and dropped connections: retried after 2, 4 and 8 seconds.
SERVER_RETRIES = (2.0, 4.0, 8.0)


class SpApiFailed(SellerbotError):
    """Amazon refused or failed a call: its status, Amazon's error code and message."""

    code = "sp_api_failed"


@dataclass
class Calls:
    """What the API calls of one sync cost: how many, and the seconds spent in them."""

    count: int = 0
    seconds: float = 0.0
    throttled: int = 0
    by_operation: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Page:
    """One page of changed orders: the orders, then the lines of each."""

    records: list[Order | OrderItem]
    orders: int


def _token_client(url: str) -> type[AccessTokenClient]:
    """python-amazon-sp-api's token client, pointed at `url` (LWA_TOKEN_URL)."""
    parts = urlsplit(url)
    return type("LwaTokenClient", (AccessTokenClient,), {
        "scheme": f"{parts.scheme}://", "host": parts.netloc, "path": parts.path or "/"})


def _marketplace(marketplace_id: str) -> Marketplaces:
    return next(m for m in Marketplaces if m.marketplace_id == marketplace_id)


def _stamp(moment: datetime) -> str:
    # Amazon rejects offsets: UTC with a Z only (§5).
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class OrdersApi:
    """The Orders API for the seller's marketplace, with Amazon's rate limits honoured."""

    def __init__(self, settings: Settings, *, sleep: Callable[[float], None] = time.sleep) -> None:
        if not settings.sp_api_configured:
            raise SellerbotError("sp_api_not_configured")
        self.version = settings.orders_api_version
        self.marketplace_id = settings.market.marketplace_id
        self.calls = Calls()
        self._sleep = sleep
        self._settings = settings
        self._clients: dict[str, Any] = {}
        self._client(self.version)  # the reader now; v0 for confirmShipment when first needed

    def _client(self, version: str) -> Any:
        """The library's client for `version`, made once (each loads its TLS certificates)."""
        if version not in self._clients:
            settings = self._settings
            credentials = {name: getattr(settings, setting).get_secret_value().strip()
                           for name, setting in (("lwa_app_id", "lwa_app_id"),
                                                 ("lwa_client_secret", "lwa_client_secret"),
                                                 ("refresh_token", "sp_api_refresh_token"))}
            client = Orders(credentials=credentials, version=version,
                            marketplace=_marketplace(self.marketplace_id),
                            auth_token_client_class=_token_client(settings.lwa_token_url),
                            timeout=60)
            if settings.sp_api_endpoint:
                # The library has no endpoint argument; every URL is endpoint + path (§9).
                client.endpoint = settings.sp_api_endpoint.rstrip("/")
            self._clients[version] = client
        return self._clients[version]

    def changed(self, after: datetime, before: datetime, *,
                created: bool = False) -> Iterator[Page]:
        """Pages of the merchant-fulfilled orders last updated (or, with `created`, created)
        in [after, before], each with its lines. `before` must be 2 minutes before now."""
        if self.version == V0:
            yield from self._changed_v0(after, before, created)
        else:
            yield from self._changed_v2026(after, before, created)

    def confirm_shipment(self, order_id: str, package: dict[str, Any]) -> None:
        """confirmShipment for one package of `order_id` (§6); Amazon answers 204."""
        self._call("confirmShipment", self._client(V0).confirm_shipment, order_id=order_id,
                   marketplaceId=self.marketplace_id, packageDetail=package)

    def _changed_v2026(self, after: datetime, before: datetime, created: bool) -> Iterator[Page]:
        window = ({"createdAfter": _stamp(after), "createdBefore": _stamp(before)} if created
                  else {"lastUpdatedAfter": _stamp(after), "lastUpdatedBefore": _stamp(before)})
        token = None
        while True:
            # A page token only pages: the filters go with it unchanged (§4).
            query = {**window, "marketplaceIds": [self.marketplace_id],
                     "fulfilledBy": ["MERCHANT"], "includedData": list(INCLUDED_DATA),
                     "maxResultsPerPage": PAGE_SIZE}
            if token:
                query["paginationToken"] = token
            response = self._call("searchOrders", self._client(V2026).search_orders, **query)
            records: list[Order | OrderItem] = []
            orders = response.payload.get("orders") or []
            for number, obj in enumerate(orders):
                try:
                    order, items = order_from_v2026(obj)
                except FieldError as exc:
                    raise SpApiFailed(status=200, error="bad_field",
                                      message=f"orders[{number}].{exc}") from None
                records.append(order)
                records.extend(items)
            yield Page(records, len(orders))
            token = _next(token, response.next_token)
            if not token:
                return

    def _changed_v0(self, after: datetime, before: datetime, created: bool) -> Iterator[Page]:
        window = ({"CreatedAfter": _stamp(after), "CreatedBefore": _stamp(before)} if created
                  else {"LastUpdatedAfter": _stamp(after), "LastUpdatedBefore": _stamp(before)})
        token = None
        while True:
            query = {**window, "MarketplaceIds": [self.marketplace_id],
                     "FulfillmentChannels": ["MFN"], "MaxResultsPerPage": PAGE_SIZE}
            if token:
                query["NextToken"] = token
            response = self._call("getOrders", self._client(V0).get_orders, **query)
            records: list[Order | OrderItem] = []
            orders = response.payload.get("Orders") or []
            for number, obj in enumerate(orders):
                try:
                    order = order_from_v0(obj)
                except FieldError as exc:
                    raise SpApiFailed(status=200, error="bad_field",
                                      message=f"Orders[{number}].{exc}") from None
                records.append(order)
                # v0 orders carry no lines: one getOrderItems per order (§3).
                lines = self._call("getOrderItems", self._client(V0).get_order_items,
                                   order_id=order.order_id)
                for line in lines.payload.get("OrderItems") or []:
                    try:
                        records.append(item_from_v0(order.order_id, line))
                    except FieldError as exc:
                        raise SpApiFailed(status=200, error="bad_field",
                                          message=f"{order.order_id}: {exc}") from None
            yield Page(records, len(orders))
            token = _next(token, response.next_token)
            if not token:
                return

    def _call(self, operation: str, method: Callable[..., Any], **kwargs: Any) -> Any:
        """One API call, retried: after a 429 as long as its rate limit says, after a server
        error or a dropped connection with backoff, once after an expired access token."""
        throttled, server_errors, refreshed = 0, 0, False
        while True:
            started = time.perf_counter()
            try:
                return method(**kwargs)
            except SellingApiException as exc:
                status = exc.code
                if status == 429 and throttled < MAX_THROTTLED:
                    throttled += 1
                    self.calls.throttled += 1
                    self._sleep(_throttle_wait(exc.headers, throttled))
                    continue
                if status == 403 and not refreshed and _expired_token(exc):
                    # Access tokens live an hour; the library caches them for 3,200 s (§9).
                    refreshed = True
                    token_cache.cache.clear()
                    continue
                if status is not None and status >= 500 and server_errors < len(SERVER_RETRIES):
                    self._sleep(SERVER_RETRIES[server_errors])
                    server_errors += 1
                    continue
                raise SpApiFailed(status=status, error=_error_code(exc),
                                  message=_error_message(exc)) from None
            except AuthorizationError as exc:
                raise SpApiFailed(status=exc.status_code, error=str(exc.error_code),
                                  message=str(exc.message)) from None
            except httpx.TransportError as exc:
                if server_errors < len(SERVER_RETRIES):
                    self._sleep(SERVER_RETRIES[server_errors])
                    server_errors += 1
                    continue
                raise SpApiFailed(status=None, error="unreachable", message=str(exc)) from None
            finally:
                self.calls.count += 1
                self.calls.seconds += time.perf_counter() - started
                self.calls.by_operation[operation] = self.calls.by_operation.get(operation, 0) + 1


def _next(previous: str | None, token: str | None) -> str | None:
    """The next page's token; the same token twice would read the same page for ever."""
    if token and token == previous:
        raise SpApiFailed(status=200, error="repeated_page_token",
                          message="Amazon sent the same page token twice")
    return token


def _throttle_wait(headers: Any, attempt: int) -> float:
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


def _error_code(exc: SellingApiException) -> str:
    found = _errors(exc)
    return str(found[0].get("code") or "error") if found else "error"


def _error_message(exc: SellingApiException) -> str:
    found = _errors(exc)
    return str(found[0].get("message") or "") if found else str(exc)


def _expired_token(exc: SellingApiException) -> bool:
    return any("token" in f"{e.get('message', '')} {e.get('details', '')}".lower()
               for e in _errors(exc))
