"""Orders API payloads (v0 and v2026-01-01) as records: the mapping in ../shared/spec/sp-api.md §2.

Only the fields named here are read. `ShippingAddress`, `BuyerInfo`, `BuyerTaxInformation`,
`buyer`, `recipient`, `tax`, `payment`, gift messages and customizations are never touched, so
they cannot reach the store (privacy.md §3.2).
"""

import logging
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Any

from bot.domain.order_ids import STORED_ORDER_ID
from bot.domain.records import Order, OrderItem, OrderStatus
from bot.sources.codes import channel, order_status
from bot.sources.values import BadValue, clipped, count, currency, flag, money, timestamp
from bot.sources.values import sku as sku_value

log = logging.getLogger(__name__)


class FieldError(ValueError):
    """A field of an API object that cannot be read: its path and what is wrong."""

    def __init__(self, path: str, code: str, value: str) -> None:
        super().__init__(f"{path}: {code}")
        self.path, self.code, self.value = path, code, value


# An absent object: every field of it reads as absent.
_ABSENT: dict[str, Any] = {}


def _obj(value: Any) -> dict[str, Any]:
    """`value` if it is a JSON object; anything else (absent, null, a list, a string) reads as
    an object without fields, so a missing level means missing fields, not an error."""
    return value if isinstance(value, dict) else _ABSENT


# Fields are read by direct lookups, each level through _obj or _list, so a number or a string
# where Amazon's object or list belongs reads as absent rather than raising a TypeError that
# would stop a whole sync. Each reader is told its field's path only for the message when the
# value cannot be read.
def _read(value: Any, path: str, convert: Callable[[str], Any]) -> Any:
    """A present value converted; an absent or empty one is None."""
    if value is None or value == "":
        return None
    # JSON booleans arrive as True/False, while v0 sends some flags ("IsGift",
    # "IsReplacementOrder") as strings: both read the same through str() and `flag`.
    try:
        return convert(value if isinstance(value, str) else str(value))
    except BadValue as exc:
        raise FieldError(path, exc.code, exc.value) from None


def _text(value: Any, path: str) -> str | None:
    """A text field: JSON numbers read as their digits; an object or a list is an error."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return clipped(value) or None
    if isinstance(value, dict | list):
        raise FieldError(path, "not_a_string", "")
    return str(value)


def _status(value: Any, path: str) -> OrderStatus | None:
    """An order status; one sellerbot does not know reads as unknown (None), with a warning."""
    text = _text(value, path)
    status = order_status(text) if text else None
    if text and status is None:
        log.warning("Amazon sent the order status %r, which sellerbot does not know; the order "
                    "is stored without a status and does not show as due or late", text[:40])
    return status


def _order_id(value: Any, path: str) -> str:
    if not isinstance(value, str) or STORED_ORDER_ID.fullmatch(value) is None:
        raise FieldError(path, "bad_order_id", str(value)[:40])
    return value


def _amount(money_object: Any, path: str, amount_key: str) -> Decimal | None:
    """The amount of a money object (`Amount` in v0, `amount` in v2026)."""
    return _read(_obj(money_object).get(amount_key), f"{path}.{amount_key}", money)


def _line_key(sku: str | None, asin: str | None, item_id: str | None, path: str) -> str:
    # Lines are keyed by SKU in every source (the All Orders report has no item id).
    try:
        return sku_value(sku or asin or item_id or "")
    except BadValue as exc:
        raise FieldError(path, exc.code, exc.value) from None


def order_from_v0(obj: dict) -> Order:
    """An Orders API v0 `Order` object as a record."""
    get = obj.get
    total = _obj(get("OrderTotal"))
    return Order(
        order_id=_order_id(get("AmazonOrderId"), "AmazonOrderId"),
        merchant_order_id=_text(get("SellerOrderId"), "SellerOrderId"),
        purchase_date=_read(get("PurchaseDate"), "PurchaseDate", timestamp),
        last_update=_read(get("LastUpdateDate"), "LastUpdateDate", timestamp),
        status=_status(get("OrderStatus"), "OrderStatus"),
        fulfillment_channel=_read(get("FulfillmentChannel"), "FulfillmentChannel", channel),
        marketplace_id=_text(get("MarketplaceId"), "MarketplaceId"),
        ship_service_level=(
            _text(get("ShipmentServiceLevelCategory"), "ShipmentServiceLevelCategory")
            or _text(get("ShipServiceLevel"), "ShipServiceLevel")
        ),
        is_prime=_read(get("IsPrime"), "IsPrime", flag),
        is_business=_read(get("IsBusinessOrder"), "IsBusinessOrder", flag),
        earliest_ship_date=_read(get("EarliestShipDate"), "EarliestShipDate", timestamp),
        latest_ship_date=_read(get("LatestShipDate"), "LatestShipDate", timestamp),
        earliest_delivery_date=_read(get("EarliestDeliveryDate"), "EarliestDeliveryDate",
                                     timestamp),
        latest_delivery_date=_read(get("LatestDeliveryDate"), "LatestDeliveryDate", timestamp),
        order_total=_read(total.get("Amount"), "OrderTotal.Amount", money),
        currency=_read(total.get("CurrencyCode"), "OrderTotal.CurrencyCode", currency),
    )


def item_from_v0(order_id: str, obj: dict, last_update: datetime | None = None) -> OrderItem:
    """An Orders API v0 `OrderItem` object (from getOrderItems) as a record; `last_update`, the
    order's when it was read with its order (getOrderItems gives none of its own), so that it
    wins over older lines in the store, as v2026's lines do (bot/store/merge.py)."""
    get = obj.get
    sku, asin = _text(get("SellerSKU"), "SellerSKU"), _text(get("ASIN"), "ASIN")
    item_id = _text(get("OrderItemId"), "OrderItemId")
    discounts = [
        d for d in (_amount(get("PromotionDiscount"), "PromotionDiscount", "Amount"),
                    _amount(get("ShippingDiscount"), "ShippingDiscount", "Amount"))
        if d is not None
    ]
    return OrderItem(
        order_id=order_id,
        sku=_line_key(sku, asin, item_id, "SellerSKU"),
        order_item_id=item_id,
        asin=asin,
        title=_text(get("Title"), "Title"),
        quantity_ordered=_read(get("QuantityOrdered"), "QuantityOrdered", count),
        quantity_shipped=_read(get("QuantityShipped"), "QuantityShipped", count),
        item_price=_amount(get("ItemPrice"), "ItemPrice", "Amount"),
        item_tax=_amount(get("ItemTax"), "ItemTax", "Amount"),
        shipping_price=_amount(get("ShippingPrice"), "ShippingPrice", "Amount"),
        shipping_tax=_amount(get("ShippingTax"), "ShippingTax", "Amount"),
        promotion_discount=sum((abs(d) for d in discounts), Decimal(0)) if discounts else None,
        condition=_text(get("ConditionId"), "ConditionId"),
        buyer_requested_cancel=_read(
            _obj(get("BuyerRequestedCancel")).get("IsBuyerRequestedCancel"),
            "BuyerRequestedCancel.IsBuyerRequestedCancel", flag),
        last_update=last_update,
    )


def _service_level(value: str | None) -> str | None:
    # v2026 writes NEXT_DAY where v0 and the reports write NextDay; keep one spelling.
    if not value:
        return None
    return "".join(word.capitalize() for word in value.split("_"))


_PROCEEDS = frozenset(("ITEM", "TAX", "SHIPPING", "DISCOUNT"))


def _breakdowns(proceeds: dict[str, Any]) -> dict[tuple[str, str | None], Decimal | None]:
    """An item's proceeds by (type, subtype): ("TAX", None) is the tax subtotal, ("TAX",
    "SHIPPING") the tax on shipping; the first of each wins."""
    found: dict[tuple[str, str | None], Decimal | None] = {}
    for part in _list(proceeds.get("breakdowns")):
        kind = part.get("type") if isinstance(part, dict) else None
        if kind not in _PROCEEDS:
            continue  # fees and the like are not read, so they cannot fail an order
        found.setdefault((kind, None), _amount(part.get("subtotal"), "subtotal", "amount"))
        for detail in _list(part.get("detailedBreakdowns")):
            if isinstance(detail, dict) and isinstance(detail.get("subtype"), str):
                found.setdefault((kind, detail["subtype"]),
                                 _amount(detail.get("value"), "value", "amount"))
    return found


def _list(value: Any) -> list[Any] | tuple[()]:
    """`value` if it is a JSON list; absent, null or anything else reads as an empty list."""
    return value if isinstance(value, list) else ()


def _item_from_v2026(order_id: str, obj: dict, updated: datetime | None) -> OrderItem:
    get = obj.get
    product = _obj(get("product"))
    sku = _text(product.get("sellerSku"), "product.sellerSku")
    asin = _text(product.get("asin"), "product.asin")
    item_id = _text(get("orderItemId"), "orderItemId")
    quantity = _read(get("quantityOrdered"), "quantityOrdered", count)
    proceeds = _breakdowns(_obj(get("proceeds")))
    price = proceeds.get(("ITEM", None))
    unit_price = _amount(_obj(product.get("price")).get("unitPrice"),
                         "product.price.unitPrice", "amount")
    if price is None and unit_price is not None and quantity is not None:
        price = unit_price * quantity
    tax = proceeds.get(("TAX", "ITEM"))
    if tax is None and proceeds.get(("TAX", "SHIPPING")) is None:
        tax = proceeds.get(("TAX", None))
    discount = proceeds.get(("DISCOUNT", None))
    cancellation = _obj(_obj(get("cancellation")).get("cancellationRequest"))
    return OrderItem(
        order_id=order_id,
        sku=_line_key(sku, asin, item_id, "product.sellerSku"),
        order_item_id=item_id,
        asin=asin,
        title=_text(product.get("title"), "product.title"),
        quantity_ordered=quantity,
        quantity_shipped=_read(_obj(get("fulfillment")).get("quantityFulfilled"),
                               "fulfillment.quantityFulfilled", count),
        item_price=price,
        item_tax=tax,
        shipping_price=proceeds.get(("SHIPPING", None)),
        shipping_tax=proceeds.get(("TAX", "SHIPPING")),
        promotion_discount=abs(discount) if discount is not None else None,
        condition=_text(_obj(product.get("condition")).get("conditionType"),
                        "product.condition.conditionType"),
        buyer_requested_cancel=cancellation.get("requester") == "BUYER" or None,
        last_update=updated,
    )


def order_from_v2026(obj: dict) -> tuple[Order, list[OrderItem]]:
    """An Orders API v2026-01-01 `Order` object (items inside) as records."""
    get = obj.get
    order_id = _order_id(get("orderId"), "orderId")
    updated = _read(get("lastUpdatedTime"), "lastUpdatedTime", timestamp)
    programs = get("programs")
    fulfillment = _obj(get("fulfillment"))
    ship_by = _obj(fulfillment.get("shipByWindow"))
    deliver_by = _obj(fulfillment.get("deliverByWindow"))
    total = _obj(_obj(get("proceeds")).get("grandTotal"))
    status = _status(fulfillment.get("fulfillmentStatus"), "fulfillment.fulfillmentStatus")
    merchant_id = next(
        (str(a["aliasId"]) for a in _list(get("orderAliases"))
         if isinstance(a, dict) and a.get("aliasType") == "SELLER_ORDER_ID" and a.get("aliasId")),
        None,
    )
    shipped_at = _shipped_at(get("packages")) if status is OrderStatus.SHIPPED else None
    order = Order(
        order_id=order_id,
        merchant_order_id=merchant_id,
        purchase_date=_read(get("createdTime"), "createdTime", timestamp),
        last_update=updated,
        status=status,
        fulfillment_channel=_read(fulfillment.get("fulfilledBy"), "fulfillment.fulfilledBy",
                                  channel),
        marketplace_id=_text(_obj(get("salesChannel")).get("marketplaceId"),
                             "salesChannel.marketplaceId"),
        ship_service_level=_service_level(_text(fulfillment.get("fulfillmentServiceLevel"),
                                                "fulfillment.fulfillmentServiceLevel")),
        is_prime="PRIME" in programs if isinstance(programs, list) else None,
        is_business="AMAZON_BUSINESS" in programs if isinstance(programs, list) else None,
        earliest_ship_date=_read(ship_by.get("earliestDateTime"),
                                 "fulfillment.shipByWindow.earliestDateTime", timestamp),
        latest_ship_date=_read(ship_by.get("latestDateTime"),
                               "fulfillment.shipByWindow.latestDateTime", timestamp),
        earliest_delivery_date=_read(deliver_by.get("earliestDateTime"),
                                     "fulfillment.deliverByWindow.earliestDateTime", timestamp),
        latest_delivery_date=_read(deliver_by.get("latestDateTime"),
                                   "fulfillment.deliverByWindow.latestDateTime", timestamp),
        shipped_at=shipped_at,
        order_total=_read(total.get("amount"), "proceeds.grandTotal.amount", money),
        currency=_read(total.get("currencyCode"), "proceeds.grandTotal.currencyCode", currency),
    )
    return order, _items_from_v2026(order_id, get("orderItems"), updated)


def _shipped_at(packages: object) -> datetime | None:
    """When the last of a shipped order's packages left (v2026 `packages[].shipTime`)."""
    times = [_read(package.get("shipTime"), "shipTime", timestamp)
             for package in _list(packages) if isinstance(package, dict)]
    return max((t for t in times if t is not None), default=None)


def _items_from_v2026(order_id: str, lines: object, updated: datetime | None) -> list[OrderItem]:
    """A v2026 order's `orderItems` as records; a FieldError names the line it is in."""
    if lines is not None and not isinstance(lines, list):
        raise FieldError("orderItems", "not_a_list", "")
    items = []
    for number, item in enumerate(lines or ()):
        path = f"orderItems[{number}]"
        if not isinstance(item, dict):
            raise FieldError(path, "not_an_object", "")
        try:
            items.append(_item_from_v2026(order_id, item, updated))
        except FieldError as exc:
            raise FieldError(f"{path}.{exc.path}", exc.code, exc.value) from None
    return items
