"""Orders from Amazon's Selling Partner API, through python-amazon-sp-api: the orders changed in
a time window, page by page, and shipment confirmations (../shared/spec/sp-api.md).

Orders API v2026-01-01 `searchOrders` by default (the v0 read operations are deprecated, §1),
v0 `getOrders` + `getOrderItems` when ORDERS_API_VERSION=v0. v2026 pages are fetched one
ahead, in a thread, so reading and storing a page overlaps the wait for the next.

No restricted data is asked for (§8): no Tokens API, no RestrictedResources, no buyer-info or
address calls, and the datasets requested are fulfilment, proceeds, packages and cancellations
only; what arrives anyway is never read (orders_api.py reads named fields only).
"""

import logging
import time
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from sp_api.api import Orders

from bot.config import Settings
from bot.domain.records import Order, OrderItem
from bot.errors import ConfigError, SpApiFailed
from bot.sources.orders_api import FieldError, item_from_v0, order_from_v0, order_from_v2026
from bot.sources.read_ahead import ahead
from bot.sources.sp_api_calls import Calls, call
from bot.sources.sp_api_http import library_client

log = logging.getLogger(__name__)

V2026, V0 = "2026-01-01", "v0"
# Datasets of a v2026 order sellerbot reads; BUYER and RECIPIENT are never asked for (§8).
INCLUDED_DATA = ("FULFILLMENT", "PROCEEDS", "PACKAGES", "CANCELLATION")
# The API's maximum page (§4): fewer calls against searchOrders' one call per three minutes.
PAGE_SIZE = 100
# A confirmation stops retrying after this: someone is waiting for it, and its claim in the
# store (bot/usecases/shipments.py) must not go stale while it tries.
CONFIRM_BUDGET = 120.0


@dataclass(frozen=True)
class Page:
    """One page of changed orders: the orders, then the lines of each, and the ids of any
    left out because a field of theirs cannot be read."""

    records: list[Order | OrderItem]
    orders: int
    skipped: list[str] = field(default_factory=list)
    # Seconds spent reading the page into records: sellerbot's own work, not the API's.
    seconds: float = 0.0


def _stamp(moment: datetime) -> str:
    # Amazon rejects offsets: UTC with a Z only (§5).
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class OrdersApi:
    """The Orders API for the seller's marketplace, with Amazon's rate limits honoured."""

    def __init__(self, settings: Settings, *, sleep: Callable[[float], None] = time.sleep) -> None:
        if not settings.sp_api_configured:
            raise ConfigError("sp_api_not_configured", missing=settings.sp_api_unset)
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
            self._clients[version] = library_client(Orders, self._settings, version=version)
        return self._clients[version]

    def changed(self, after: datetime, before: datetime, *,
                created: bool = False) -> Generator[Page, None, None]:
        """Pages of the merchant-fulfilled orders last updated (or, with `created`, created)
        in [after, before], each with its lines. `before` must be 2 minutes before now."""
        if self.version == V0:
            yield from self._changed_v0(after, before, created)
        else:
            yield from self._changed_v2026(after, before, created)

    def confirm_shipment(self, order_id: str, package: dict[str, Any]) -> None:
        """confirmShipment for one package of `order_id` (§6); Amazon answers 204."""
        self._call("confirmShipment", self._client(V0).confirm_shipment, order_id=order_id,
                   marketplaceId=self.marketplace_id, packageDetail=package,
                   budget=CONFIRM_BUDGET)

    def _changed_v2026(self, after: datetime, before: datetime, created: bool) -> Iterator[Page]:
        window = ({"createdAfter": _stamp(after), "createdBefore": _stamp(before)} if created
                  else {"lastUpdatedAfter": _stamp(after), "lastUpdatedBefore": _stamp(before)})
        query = {**window, "marketplaceIds": [self.marketplace_id], "fulfilledBy": ["MERCHANT"],
                 "includedData": list(INCLUDED_DATA), "maxResultsPerPage": PAGE_SIZE}
        for orders in ahead(self._pages("searchOrders", self._client(V2026).search_orders,
                                         query, "paginationToken", "orders")):
            # v2026 orders carry their lines.
            yield _page(orders, order_from_v2026, "orderId", "orders")

    def _changed_v0(self, after: datetime, before: datetime, created: bool) -> Iterator[Page]:
        window = ({"CreatedAfter": _stamp(after), "CreatedBefore": _stamp(before)} if created
                  else {"LastUpdatedAfter": _stamp(after), "LastUpdatedBefore": _stamp(before)})
        query = {**window, "MarketplaceIds": [self.marketplace_id],
                 "FulfillmentChannels": ["MFN"], "MaxResultsPerPage": PAGE_SIZE}
        # v0 reads ahead no page: reading one calls getOrderItems for each order, on the same
        # client and rate limits as getOrders.
        for orders in self._pages("getOrders", self._client(V0).get_orders, query, "NextToken",
                                  "Orders"):
            spent = self.calls.seconds
            page = _page(orders, self._with_lines_v0, "AmazonOrderId", "Orders")
            # Its getOrderItems calls are the API's time, not sellerbot's own.
            yield replace(page, seconds=page.seconds - (self.calls.seconds - spent))

    def _with_lines_v0(self, obj: dict[str, Any]) -> tuple[Order, list[OrderItem]]:
        """A v0 order and its lines: getOrderItems for it, every page of it (§3)."""
        order = order_from_v0(obj)
        lines = [item_from_v0(order.order_id, line, order.last_update)
                 for page in self._pages("getOrderItems", self._client(V0).get_order_items,
                                         {"order_id": order.order_id}, "NextToken", "OrderItems")
                 for line in page]
        return order, lines

    def _pages(self, operation: str, method: Callable[..., Any], query: dict[str, Any],
               token_key: str, list_key: str) -> Generator[list[Any], None, None]:
        """The lists of every page of `operation`: the page token goes with the same filters,
        since it only pages (§4)."""
        token = None
        while True:
            response = self._call(operation, method,
                                  **({**query, token_key: token} if token else query))
            yield _listed(response, list_key)
            token = _next(token, response.next_token)
            if not token:
                return

    def _call(self, operation: str, method: Callable[..., Any], *,
              budget: float | None = None, **kwargs: Any) -> Any:
        """One API call, retried as Amazon's answers allow (sp_api_calls.call)."""
        return call(operation, method, self.calls, self._sleep, budget=budget, **kwargs)


def _page(orders: list[Any], read: Callable[[Any], tuple[Order, list[OrderItem]]],
          id_key: str, list_key: str) -> Page:
    """A page's orders read into records, each order before its lines. An order that cannot
    be read is left out, not the whole sync: logged with its id and the field."""
    started = time.perf_counter()
    records: list[Order | OrderItem] = []
    skipped: list[str] = []
    for number, obj in enumerate(orders):
        try:
            order, lines = read(obj)
        except FieldError as exc:
            order_id = obj.get(id_key) if isinstance(obj, dict) else None
            log.warning("SP-API order %s left out, a field cannot be read: %s[%d].%s",
                        order_id, list_key, number, exc)
            skipped.append(str(order_id)[:32])
            continue
        records.append(order)
        records.extend(lines)
    return Page(records, len(orders) - len(skipped), skipped,
                time.perf_counter() - started)


def _listed(response: Any, key: str) -> list[Any]:
    """The page's list of orders; an answer without one is no page at all."""
    found = response.payload.get(key) if isinstance(response.payload, dict) else None
    if not isinstance(found, list):
        raise SpApiFailed(status=200, error="bad_response", message=key)
    return found


def _next(previous: str | None, token: str | None) -> str | None:
    """The next page's token; the same token twice would read the same page for ever."""
    if token and token == previous:
        raise SpApiFailed(status=200, error="repeated_page_token", message="")
    return token
