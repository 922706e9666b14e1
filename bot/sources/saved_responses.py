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


# Amazon's responses nest about eight levels deep. ijson keeps the path of every open level,
# so memory grows with the square of the depth: 400 KB of "[[[[..." would take gigabytes.
MAX_DEPTH = 32


class NotAResponse(ValueError):
    """The JSON is not a response sellerbot knows, or not JSON at all; the argument is the
    reason's code (templates/text/errors.txt.j2, file_unrecognized)."""


class TooDeep(ijson.JSONError):
    """JSON nested deeper than any response of Amazon's (MAX_DEPTH)."""


def _events(binary: BinaryIO) -> Iterator[tuple[str, str, object]]:
    """ijson's (prefix, event, value) events of `binary`, refused past MAX_DEPTH levels."""

    def bounded() -> Iterator[tuple[str, object]]:
        depth = 0
        for event in ijson.basic_parse(binary, use_float=False):
            if event[0] in ("start_map", "start_array"):
                depth += 1
                if depth > MAX_DEPTH:
                    raise TooDeep(f"nested more than {MAX_DEPTH} levels deep")
            elif event[0] in ("end_map", "end_array"):
                depth -= 1
            yield event

    return ijson.parse(bounded())


def detect(binary: BinaryIO) -> ResponseKind:
    """Find which saved response `binary` holds, reading only as far as needed."""
    try:
        for prefix, event, _value in _events(binary):
            shape = _SHAPES.get((prefix, event))
            if shape is not None:
                return shape
    except TooDeep:
        raise NotAResponse("too_deep") from None
    except ijson.JSONError:
        raise NotAResponse("unknown_json") from None
    raise NotAResponse("unknown_json")  # no Orders, OrderItems, orders or order list in it


def _first(binary: BinaryIO, path: str) -> object:
    binary.seek(0)
    try:
        return next(iter(ijson.items(_events(binary), path)), None)
    except ijson.JSONError:
        return None


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
        for number, obj in enumerate(ijson.items(_events(binary), shape.prefix)):
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
    except TooDeep:
        yield BadRow(list_path, "too_deep", {"limit": MAX_DEPTH})
    except ijson.JSONError:
        # The parser's message quotes the text around the fault, which can be a buyer's data.
        yield BadRow(list_path, "bad_json")
