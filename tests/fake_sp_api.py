"""A local fake of Amazon's Selling Partner API and its LWA token endpoint, over real HTTP.

It serves the Orders API (and the Solicitations API: tests/fake_solicitations.py) as the
official models describe it (sp-api.md §2-§6): v0 getOrders
(`payload.Orders`, `NextToken`), getOrderItems and confirmShipment; v2026-01-01 searchOrders
(`orders`, `pagination.nextToken`, items inside). Orders are built from Amazon's own shapes:
the invented seller's v0 responses in tests/fixtures/seller/sp-api-v0 and the model's
searchOrders example in tests/fixtures/sp-api-v2026 (both carry invented buyer and recipient
data, so tests can show none is kept).

It checks what Amazon checks (an access token from its token endpoint, `LastUpdatedBefore`
at least two minutes before now, one of created/updated filters) and can be told to answer 429
with `x-amzn-RateLimit-Limit`, a 500, or to expire its access tokens. Every request is recorded.
"""

import copy
import itertools
import json
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.fake_http import QuietHandler, serve
from tests.fake_solicitations import PREFIX as SOLICITATIONS
from tests.fake_solicitations import FakeSolicitations

FIXTURES = Path(__file__).resolve().parent / "fixtures"
V0_SAMPLES = FIXTURES / "seller" / "sp-api-v0"
V2026_EXAMPLE = FIXTURES / "sp-api-v2026" / "searchOrders-example.json"
MARKETPLACE = "ATVPDKIKX0DER"
# Amazon wants LastUpdatedBefore / CreatedBefore at least this far before now (sp-api.md §5).
LAG = timedelta(minutes=2)

_V2026_STATUS = {"Pending": "PENDING", "Unshipped": "UNSHIPPED",
                 "PartiallyShipped": "PARTIALLY_SHIPPED", "Shipped": "SHIPPED",
                 "Canceled": "CANCELLED"}


def stamp(moment: datetime) -> str:
    """A UTC time as the API writes it."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _parse(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


@dataclass
class Request:
    """One request the fake received."""

    method: str
    path: str
    query: dict[str, str]
    body: Any
    headers: dict[str, str]
    status: int = 200


@dataclass
class _Order:
    order_id: str
    created: datetime
    updated: datetime
    status: str
    ship_by: datetime
    v0: dict[str, Any]
    items: list[dict[str, Any]]
    confirmations: list[dict[str, Any]] = field(default_factory=list)
    # Top-level fields sent as given, over what the fake would send (tests of broken orders).
    overrides: dict[str, Any] = field(default_factory=dict)


class FakeSpApi:
    """Start with `FakeSpApi()`; stop with `.close()`. `url` is SP_API_ENDPOINT and
    `token_url` LWA_TOKEN_URL."""

    def __init__(self) -> None:
        self.requests: list[Request] = []
        self.orders: dict[str, _Order] = {}
        self.page_size_limit = 100
        # getOrderItems pages too (NextToken); tests make its pages small.
        self.items_page_size = 100
        self._script: dict[str, list[tuple[int, dict[str, Any], dict[str, str]]]] = {}
        self._tokens: set[str] = set()
        self._numbers = itertools.count(1)
        self._lock = threading.Lock()
        self._v0_orders = [o for page in ("getOrders-page1.json", "getOrders-page2.json")
                           for o in json.loads((V0_SAMPLES / page).read_text())["payload"]["Orders"]]
        self._v0_items = {p.stem.removeprefix("getOrderItems-"): json.loads(p.read_text())
                          ["payload"]["OrderItems"] for p in V0_SAMPLES.glob("getOrderItems-*.json")}
        self._v2026 = json.loads(V2026_EXAMPLE.read_text())["orders"][0]
        self.solicitations = FakeSolicitations()
        fake = self

        class Handler(QuietHandler):
            def do_GET(self) -> None:
                self._handle(None)

            def do_POST(self) -> None:
                self._handle(self.body())

            def _handle(self, body: Any) -> None:
                parts = urlsplit(self.path)
                query = {k: v[0] for k, v in parse_qs(parts.query).items()}
                request = Request(self.command, parts.path, query, body, dict(self.headers))
                status, answer, headers = fake._answer(request)
                request.status = status
                with fake._lock:
                    fake.requests.append(request)
                # A gateway's own error page is HTML, not JSON.
                html = isinstance(answer, bytes)
                data = b"" if status == 204 else answer if html else json.dumps(answer).encode()
                self.answer(status, data,
                            {"x-amzn-RequestId": f"fake-{next(fake._numbers)}", **headers},
                            "text/html" if html else "application/json")

        self._server = serve(Handler)

    @property
    def url(self) -> str:
        """The API's base URL (SP_API_ENDPOINT)."""
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def token_url(self) -> str:
        """The LWA token endpoint (LWA_TOKEN_URL)."""
        return self.url + "/auth/o2/token"

    def close(self) -> None:
        """Stop serving."""
        self._server.shutdown()
        self._server.server_close()

    # What the tests set up --------------------------------------------------------------

    def add_order(self, order_id: str, *, created: datetime, updated: datetime | None = None,
                  status: str = "Unshipped", ship_by: datetime | None = None,
                  sample: int = 2) -> None:
        """An MFN order shaped like the `sample`-th order of tests/fixtures/seller/sp-api-v0
        (getOrders page 1 then page 2; tests/fixtures/seller/README.md lists them). The
        default, order #27, is a plain unshipped one: one line of quantity 1, nothing shipped,
        neither Prime nor business."""
        template = self._v0_orders[sample % len(self._v0_orders)]
        items = copy.deepcopy(self._v0_items[template["AmazonOrderId"]])
        order = _Order(order_id, created, updated or created, status,
                       ship_by or created + timedelta(days=2), copy.deepcopy(template), items)
        with self._lock:
            self.orders[order_id] = order

    def update(self, order_id: str, *, status: str, at: datetime) -> None:
        """A change on Amazon's side: a new status and last-update time."""
        with self._lock:
            self.orders[order_id].status = status
            self.orders[order_id].updated = at

    def fail(self, path_prefix: str, status: int, *, times: int = 1,
             headers: dict[str, str] | None = None,
             body: dict[str, Any] | bytes | None = None) -> None:
        """Answer the next `times` requests under `path_prefix` with `status`: Amazon's error
        list, or `body` (a dict as JSON, bytes as an HTML page)."""
        code = {429: "QuotaExceeded", 500: "InternalFailure", 400: "InvalidInput"}.get(status,
                                                                                       "Error")
        answer = body or {"errors": [{"code": code, "message": f"Fake {status}"}]}
        with self._lock:
            self._script.setdefault(path_prefix, []).extend(
                [(status, answer, headers or {})] * times)

    def expire_tokens(self) -> None:
        """Every access token handed out so far stops working, as after an hour."""
        with self._lock:
            self._tokens.clear()

    def called(self, path_prefix: str) -> list[Request]:
        """The requests under `path_prefix`, in order."""
        with self._lock:
            return [r for r in self.requests if r.path.startswith(path_prefix)]

    # Answers -------------------------------------------------------------------------------

    def _answer(self, request: Request) -> tuple[int, Any, dict[str, str]]:
        # Scripted answers first: errors, throttling, a gateway's error page.
        with self._lock:
            for prefix, script in self._script.items():
                if request.path.startswith(prefix) and script:
                    return script.pop(0)
        if request.path == "/auth/o2/token":
            return self._token(request)
        if request.headers.get("x-amz-access-token") not in self._tokens:
            return 403, {"errors": [{"code": "Unauthorized",
                                     "message": "Access to requested resource is denied.",
                                     "details": "The access token you provided has expired."}]}, {}
        path = request.path
        if path == "/orders/v0/orders":
            return self._get_orders(request)
        if path == "/orders/2026-01-01/orders":
            return self._search_orders(request)
        parts = path.split("/")
        if path.startswith("/orders/v0/orders/") and path.endswith("/orderItems"):
            return self._get_order_items(parts[4], request.query.get("NextToken"))
        if path.startswith("/orders/v0/orders/") and path.endswith("/shipmentConfirmation"):
            return self._confirm(parts[4], request.body)
        if path.startswith(SOLICITATIONS):
            return self.solicitations.answer(request.method, path, request.query)
        return 404, {"errors": [{"code": "NotFound", "message": f"no resource {path}"}]}, {}

    def _token(self, request: Request) -> tuple[int, Any, dict[str, str]]:
        form = request.body or {}
        if form.get("grant_type") != "refresh_token" or not form.get("refresh_token"):
            return 400, {"error": "invalid_request", "error_description": "bad grant"}, {}
        token = f"Atza|fake-{next(self._numbers)}"
        with self._lock:
            self._tokens.add(token)
        return 200, {"access_token": token, "token_type": "bearer", "expires_in": 3600,
                     "refresh_token": form["refresh_token"]}, {}

    def _window(self, query: dict[str, str], created: str, updated: str,
                before_key: str) -> tuple[str, datetime, datetime] | str:
        """Which field filters and between which times, or what is wrong with the request."""
        if (created in query) == (updated in query):
            return f"exactly one of {created} and {updated} is required"
        key = created if created in query else updated
        after = _parse(query[key])
        before = _parse(query[before_key]) if before_key in query else datetime.now(UTC) - LAG
        if before > datetime.now(UTC) - LAG:
            return f"{before_key} must be at least 2 minutes before now"
        return ("created" if key == created else "updated"), after, before

    def _selected(self, field_name: str, after: datetime, before: datetime) -> list[_Order]:
        with self._lock:
            chosen = [o for o in self.orders.values()
                      if after <= getattr(o, field_name) <= before]
        return sorted(chosen, key=lambda o: (o.updated, o.order_id))

    def _page(self, orders: list[_Order], token: str | None,
              size: int) -> tuple[list[_Order], str | None]:
        start = int(token.removeprefix("page-")) if token else 0
        end = start + min(size, self.page_size_limit)
        return orders[start:end], (f"page-{end}" if end < len(orders) else None)

    def _bad(self, message: str) -> tuple[int, Any, dict[str, str]]:
        return 400, {"errors": [{"code": "InvalidInput", "message": message}]}, {}

    def _get_orders(self, request: Request) -> tuple[int, Any, dict[str, str]]:
        query = request.query
        if "NextToken" not in query and MARKETPLACE not in query.get("MarketplaceIds", ""):
            return self._bad("MarketplaceIds is required")
        window = self._window(query, "CreatedAfter", "LastUpdatedAfter",
                              "CreatedBefore" if "CreatedAfter" in query else "LastUpdatedBefore")
        if isinstance(window, str):
            return self._bad(window)
        kind, after, before = window
        orders = self._selected(kind, after, before)
        page, token = self._page(orders, query.get("NextToken"),
                                 int(query.get("MaxResultsPerPage", 100)))
        payload: dict[str, Any] = {"Orders": [self._as_v0(o) for o in page]}
        if token:
            payload["NextToken"] = token
        payload["LastUpdatedBefore" if kind == "updated" else "CreatedBefore"] = stamp(before)
        return 200, {"payload": payload}, {"x-amzn-RateLimit-Limit": "0.0167"}

    def _search_orders(self, request: Request) -> tuple[int, Any, dict[str, str]]:
        query = request.query
        window = self._window(query, "createdAfter", "lastUpdatedAfter",
                              "createdBefore" if "createdAfter" in query else "lastUpdatedBefore")
        if isinstance(window, str):
            return self._bad(window)
        kind, after, before = window
        orders = self._selected(kind, after, before)
        page, token = self._page(orders, query.get("paginationToken"),
                                 int(query.get("maxResultsPerPage", 100)))
        answer: dict[str, Any] = {"orders": [self._as_v2026(o) for o in page]}
        if token:
            answer["pagination"] = {"nextToken": token}
        answer["lastUpdatedBefore" if kind == "updated" else "createdBefore"] = stamp(before)
        return 200, answer, {"x-amzn-RateLimit-Limit": "0.0056"}

    def _get_order_items(self, order_id: str, token: str | None) -> tuple[int, Any, dict[str, str]]:
        with self._lock:
            order = self.orders.get(order_id)
        if order is None:
            return 404, {"errors": [{"code": "NotFound", "message": "Order not found"}]}, {}
        start = int(token.removeprefix("items-")) if token else 0
        end = start + self.items_page_size
        payload: dict[str, Any] = {"AmazonOrderId": order_id, "OrderItems": order.items[start:end]}
        if end < len(order.items):
            payload["NextToken"] = f"items-{end}"
        return 200, {"payload": payload}, {"x-amzn-RateLimit-Limit": "0.5"}

    def _confirm(self, order_id: str, body: Any) -> tuple[int, Any, dict[str, str]]:
        with self._lock:
            order = self.orders.get(order_id)
        if order is None:
            return 404, {"errors": [{"code": "NotFound", "message": "Order not found"}]}, {}
        detail = (body or {}).get("packageDetail") or {}
        for key in ("packageReferenceId", "carrierCode", "trackingNumber", "shipDate",
                    "orderItems"):
            if not detail.get(key):
                return self._bad(f"packageDetail.{key} is required")
        try:
            _parse(detail["shipDate"])
        except ValueError:
            return 400, {"errors": [{"code": "Invalid Input", "message": "Invalid Input"}]}, {}
        with self._lock:
            order.confirmations.append(body)
        return 204, None, {"x-amzn-RateLimit-Limit": "2.0"}

    def _as_v0(self, order: _Order) -> dict[str, Any]:
        v0 = copy.deepcopy(order.v0)
        v0.update(AmazonOrderId=order.order_id, SellerOrderId=order.order_id,
                  PurchaseDate=stamp(order.created), LastUpdateDate=stamp(order.updated),
                  OrderStatus=order.status, LatestShipDate=stamp(order.ship_by),
                  EarliestShipDate=stamp(order.created))
        v0.update(order.overrides)
        return v0

    def _as_v2026(self, order: _Order) -> dict[str, Any]:
        v2026 = copy.deepcopy(self._v2026)
        v2026.update(orderId=order.order_id, createdTime=stamp(order.created),
                     lastUpdatedTime=stamp(order.updated))
        v2026["orderAliases"] = [{"aliasId": order.order_id, "aliasType": "SELLER_ORDER_ID"}]
        v2026["associatedOrders"] = []
        fulfillment = v2026["fulfillment"]
        # A status Amazon never sends passes through as it is (tests of unreadable orders).
        fulfillment["fulfillmentStatus"] = _V2026_STATUS.get(order.status, order.status)
        fulfillment["shipByWindow"] = {"earliestDateTime": stamp(order.created),
                                       "latestDateTime": stamp(order.ship_by)}
        if order.status != "Shipped":
            v2026.pop("packages", None)
        items = []
        for item in order.items:
            shaped = copy.deepcopy(v2026["orderItems"][0])
            shaped["orderItemId"] = item["OrderItemId"]
            shaped["quantityOrdered"] = item["QuantityOrdered"]
            shaped["product"]["asin"] = item["ASIN"]
            shaped["product"]["sellerSku"] = item["SellerSKU"]
            shaped["product"]["title"] = item["Title"]
            shaped["fulfillment"]["quantityFulfilled"] = item.get("QuantityShipped", 0)
            shaped["fulfillment"]["quantityUnfulfilled"] = (
                item["QuantityOrdered"] - item.get("QuantityShipped", 0))
            shaped.pop("cancellation", None)
            items.append(shaped)
        v2026["orderItems"] = items
        v2026.update(order.overrides)
        return v2026
