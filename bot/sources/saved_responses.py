"""Selling Partner API responses saved to a file: getOrders, getOrderItems, searchOrders, getOrder.

Recognised by their content (sp-api.md §2, §4): v0 wraps results in `payload` (a copy saved
from python-amazon-sp-api's `.payload` lacks that wrapper; both are read), v2026-01-01 has
`orders` (searchOrders) or `order` (getOrder). Files are read as a stream of objects with ijson.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

import ijson

from bot.domain.records import Order, OrderItem
from bot.sources.flatfile import BadRow
from bot.sources.orders_api import FieldError, item_from_v0, order_from_v0, order_from_v2026


@dataclass(frozen=True)
class ResponseKind:
    """One saved response shape: its kind name and the JSON path of its list of objects."""

    kind: str
    prefix: str
    # Orders first, then items: items need their order in the store already.
    holds_orders: bool


_SHAPES: dict[tuple[str, str], ResponseKind] = {
    ("payload.Orders", "start_array"): ResponseKind(
        "sp-api-getorders", "payload.Orders.item", True
    ),
    ("Orders", "start_array"): ResponseKind("sp-api-getorders", "Orders.item", True),
    ("payload.OrderItems", "start_array"): ResponseKind(
        "sp-api-getorderitems", "payload.OrderItems.item", False
    ),
    ("OrderItems", "start_array"): ResponseKind("sp-api-getorderitems", "OrderItems.item", False),
    ("orders", "start_array"): ResponseKind("sp-api-searchorders", "orders.item", True),
    ("order", "start_map"): ResponseKind("sp-api-getorder", "order", True),
    ("errors", "start_array"): ResponseKind("sp-api-errors", "errors.item", False),
}


class NotAResponse(ValueError):
    """The JSON is not a response sellerbot knows, or not JSON at all."""


def detect(binary: BinaryIO) -> ResponseKind:
    """Find which saved response `binary` holds, reading only as far as needed."""
    try:
        for prefix, event, _value in ijson.parse(binary):
            shape = _SHAPES.get((prefix, event))
            if shape is not None:
                return shape
    except ijson.JSONError as exc:
        raise NotAResponse(str(exc)) from None
    raise NotAResponse("no Orders, OrderItems, orders or order list in it")


def _first(binary: BinaryIO, path: str) -> object:
    binary.seek(0)
    return next(iter(ijson.items(binary, path)), None)


def read(binary: BinaryIO, shape: ResponseKind) -> Iterator[Order | OrderItem | BadRow]:
    """Yield the records of a saved response, and a BadRow for each unreadable object."""
    order_id = None
    if shape.kind == "sp-api-getorderitems":
        order_id = _first(binary, shape.prefix.replace("OrderItems.item", "AmazonOrderId"))
        if not isinstance(order_id, str):
            yield BadRow(shape.prefix.removesuffix(".item"), "items_without_order")
            return
    if shape.kind == "sp-api-errors":
        error = _first(binary, shape.prefix) or {}
        code = error.get("code", "") if isinstance(error, dict) else ""
        message = error.get("message", "") if isinstance(error, dict) else ""
        yield BadRow("errors[0]", "api_error", {"api_code": code, "message": message[:200]})
        return
    binary.seek(0)
    list_path = shape.prefix.removesuffix(".item")
    try:
        for number, obj in enumerate(ijson.items(binary, shape.prefix, use_float=False)):
            where = f"{list_path}[{number}]" if shape.prefix.endswith(".item") else list_path
            if not isinstance(obj, dict):
                yield BadRow(where, "not_an_object")
                continue
            try:
                if shape.kind == "sp-api-getorders":
                    yield order_from_v0(obj)
                elif shape.kind == "sp-api-getorderitems":
                    assert order_id is not None
                    yield item_from_v0(order_id, obj)
                else:
                    order, items = order_from_v2026(obj)
                    yield order
                    yield from items
            except FieldError as exc:
                yield BadRow(where, exc.code, {"column": exc.path, "value": exc.value})
    except ijson.JSONError:
        # The parser's message quotes the text around the fault, which can be a buyer's data.
        yield BadRow(list_path, "bad_json")
