"""The fake SP-API answers in the shapes of Amazon's own examples: no field the examples lack,
and no JSON type other than theirs, so the real client reads what it would read from Amazon."""

import json
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from tests.conftest import FIXTURES, SP_API_V0

V2026 = [FIXTURES / "sp-api-v2026" / name for name in (
    "searchOrders-example.json", "searchOrders-sandbox-brazil.json")]
V0_ORDERS = sorted(SP_API_V0.glob("getOrders-*.json"))
V0_ITEMS = sorted(SP_API_V0.glob("getOrderItems-*.json"))


def shapes(value, path="") -> set[tuple[str, str]]:
    """Every (path, JSON type) in `value`, list positions written as []."""
    if isinstance(value, dict):
        found = {(path, "object")}
        for key, item in value.items():
            found |= shapes(item, f"{path}.{key}")
        return found
    if isinstance(value, list):
        found = {(path, "array")}
        for item in value:
            found |= shapes(item, f"{path}[]")
        return found
    kind = ("null" if value is None else "boolean" if isinstance(value, bool)
            else "number" if isinstance(value, int | float) else "string")
    return {(path, kind)}


def documented(paths) -> set[tuple[str, str]]:
    return set().union(*(shapes(json.loads(p.read_text())) for p in paths))


def answer(amazon, path: str, **query) -> dict:
    token = httpx.post(amazon.token_url, data={
        "grant_type": "refresh_token", "refresh_token": "Atzr|test", "client_id": "x",
        "client_secret": "y"}).json()["access_token"]
    got = httpx.get(amazon.url + path, params=query, headers={"x-amz-access-token": token})
    assert got.status_code == 200, got.text
    return got.json()


@pytest.fixture
def orders(amazon):
    now = datetime.now(UTC).replace(microsecond=0)
    for number in range(3):
        amazon.add_order(f"121-000000{number}-0000001", created=now - timedelta(days=1),
                         sample=number, status=("Unshipped", "Shipped", "Canceled")[number])
    amazon.page_size_limit = 2  # a next-page token in the first answer
    return now


def test_search_orders_answers_as_amazons_examples(amazon, orders):
    since = (orders - timedelta(days=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
    got = answer(amazon, "/orders/2026-01-01/orders", createdAfter=since,
                 marketplaceIds="ATVPDKIKX0DER", maxResultsPerPage=2,
                 includedData="FULFILLMENT,PROCEEDS,PACKAGES,CANCELLATION")
    assert len(got["orders"]) == 2 and got["pagination"]["nextToken"]
    assert shapes(got) - documented(V2026) == set()


def test_get_orders_and_get_order_items_answer_as_amazons_samples(amazon, orders):
    since = (orders - timedelta(days=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
    # The request the fixtures answer (tests/fixtures/seller/README.md, sp-api-v0): updated
    # after a time, so the answer echoes LastUpdatedBefore as they do.
    got = answer(amazon, "/orders/v0/orders", LastUpdatedAfter=since,
                 MarketplaceIds="ATVPDKIKX0DER")
    assert got["payload"]["Orders"] and got["payload"]["NextToken"]
    assert shapes(got) - documented(V0_ORDERS) == set()
    # Asked by creation time, the answer differs only in the name of its echo (the v0 model's
    # CreatedBefore), which the fixtures, answering an update-time request, do not show.
    created = answer(amazon, "/orders/v0/orders", CreatedAfter=since,
                     MarketplaceIds="ATVPDKIKX0DER")
    assert created["payload"]["Orders"] and created["payload"]["NextToken"]
    assert shapes(created) - documented(V0_ORDERS) == {(".payload.CreatedBefore", "string")}
    items = answer(amazon, "/orders/v0/orders/121-0000000-0000001/orderItems")
    assert items["payload"]["OrderItems"]
    assert shapes(items) - documented(V0_ITEMS) == set()
