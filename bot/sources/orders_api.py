"""Orders API payloads (v0 and v2026-01-01) as records: the mapping in ../shared/spec/sp-api.md §2.

Only the fields named here are read. `ShippingAddress`, `BuyerInfo`, `BuyerTaxInformation`,
`buyer`, `recipient`, `tax`, `payment`, gift messages and customizations are never touched, so
they cannot reach the store (privacy.md §3.2).
"""

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Any

from bot.domain.order_ids import STORED_ORDER_ID
from bot.domain.records import Order, OrderItem, OrderStatus
from bot.sources.codes import channel, order_status
from bot.sources.values import BadValue, count, currency, flag, money, timestamp
from bot.sources.values import sku as sku_value


class FieldError(ValueError):
    """A field of an API object that cannot be read: its path and what is wrong."""

    def __init__(self, path: str, code: str, value: str) -> None:
        super().__init__(f"{path}: {code}")
        self.path, self.code, self.value = path, code, value


# Each dotted path made once into a chain of dict lookups: a sync reads tens of fields of
# every one of thousands of orders (bench/sync.py).
_GETTERS: dict[str, Callable[[Any], Any]] = {}


def _getter(path: str) -> Callable[[Any], Any]:
    chain = "".join(f".get({key!r})" for key in path.split("."))
    # Only our own literal paths are compiled; a missing level (None) or a list or a string
    # where an object should be has no .get, and reads as absent.
    return eval(f"lambda o: o{chain}")  # noqa: S307


def _get(obj: Any, path: str) -> Any:
    getter = _GETTERS.get(path)
    if getter is None:
        getter = _GETTERS[path] = _getter(path)
    try:
        value = getter(obj)
    except AttributeError:
        return None
    return None if value == "" else value


def _read(obj: Any, path: str, convert: Callable[[str], Any] | None = None) -> Any:
    value = _get(obj, path)
    if value is None or convert is None:
        return value
    # JSON booleans arrive as True/False, while v0 sends some flags ("IsGift",
    # "IsReplacementOrder") as strings: both read the same through str() and `flag`.
    try:
        return convert(value if isinstance(value, str) else str(value))
    except BadValue as exc:
        raise FieldError(path, exc.code, exc.value) from None


def _text(obj: Any, path: str) -> str | None:
    """A text field: JSON numbers read as their digits; an object or a list is an error."""
    value = _get(obj, path)
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, dict | list):
        raise FieldError(path, "not_a_string", "")
    return str(value)


def _order_id(obj: dict, key: str) -> str:
    order_id = _get(obj, key)
    if not isinstance(order_id, str) or STORED_ORDER_ID.fullmatch(order_id) is None:
        raise FieldError(key, "bad_order_id", str(order_id)[:40])
    return order_id


def _amount(obj: Any, path: str, amount_key: str) -> Decimal | None:
    return _read(obj, f"{path}.{amount_key}", money)


def _line_key(sku: str | None, asin: str | None, item_id: str | None, path: str) -> str:
    # Lines are keyed by SKU in every source (the All Orders report has no item id).
    try:
        return sku_value(sku or asin or item_id or "")
    except BadValue as exc:
        raise FieldError(path, exc.code, exc.value) from None


def order_from_v0(obj: dict) -> Order:
    """An Orders API v0 `Order` object as a record."""
    return Order(
        order_id=_order_id(obj, "AmazonOrderId"),
        merchant_order_id=_text(obj, "SellerOrderId"),
        purchase_date=_read(obj, "PurchaseDate", timestamp),
        last_update=_read(obj, "LastUpdateDate", timestamp),
        status=_read(obj, "OrderStatus", order_status),
        fulfillment_channel=_read(obj, "FulfillmentChannel", channel),
        marketplace_id=_text(obj, "MarketplaceId"),
        ship_service_level=(
            _text(obj, "ShipmentServiceLevelCategory") or _text(obj, "ShipServiceLevel")
        ),
        is_prime=_read(obj, "IsPrime", flag),
        is_business=_read(obj, "IsBusinessOrder", flag),
        earliest_ship_date=_read(obj, "EarliestShipDate", timestamp),
        latest_ship_date=_read(obj, "LatestShipDate", timestamp),
        earliest_delivery_date=_read(obj, "EarliestDeliveryDate", timestamp),
        latest_delivery_date=_read(obj, "LatestDeliveryDate", timestamp),
        order_total=_amount(obj, "OrderTotal", "Amount"),
        currency=_read(obj, "OrderTotal.CurrencyCode", currency),
    )


def item_from_v0(order_id: str, obj: dict) -> OrderItem:
    """An Orders API v0 `OrderItem` object (from getOrderItems) as a record."""
    sku, asin, item_id = _text(obj, "SellerSKU"), _text(obj, "ASIN"), _text(obj, "OrderItemId")
    discounts = [
        d for d in (_amount(obj, "PromotionDiscount", "Amount"),
                    _amount(obj, "ShippingDiscount", "Amount")) if d is not None
    ]
    return OrderItem(
        order_id=order_id,
        sku=_line_key(sku, asin, item_id, "SellerSKU"),
        order_item_id=item_id,
        asin=asin,
        title=_text(obj, "Title"),
        quantity_ordered=_read(obj, "QuantityOrdered", count),
        quantity_shipped=_read(obj, "QuantityShipped", count),
        item_price=_amount(obj, "ItemPrice", "Amount"),
        item_tax=_amount(obj, "ItemTax", "Amount"),
        shipping_price=_amount(obj, "ShippingPrice", "Amount"),
        shipping_tax=_amount(obj, "ShippingTax", "Amount"),
        promotion_discount=sum((abs(d) for d in discounts), Decimal(0)) if discounts else None,
        condition=_text(obj, "ConditionId"),
        buyer_requested_cancel=_read(obj, "BuyerRequestedCancel.IsBuyerRequestedCancel", flag),
    )


def _service_level(value: str | None) -> str | None:
    # v2026 writes NEXT_DAY where v0 and the reports write NextDay; keep one spelling.
    if not value:
        return None
    return "".join(word.capitalize() for word in value.split("_"))


_PROCEEDS = frozenset(("ITEM", "TAX", "SHIPPING", "DISCOUNT"))


def _breakdowns(obj: dict) -> dict[tuple[str, str | None], Decimal | None]:
    """An item's proceeds by (type, subtype): ("TAX", None) is the tax subtotal, ("TAX",
    "SHIPPING") the tax on shipping; the first of each wins."""
    found: dict[tuple[str, str | None], Decimal | None] = {}
    for part in _get(obj, "proceeds.breakdowns") or ():
        kind = part.get("type") if isinstance(part, dict) else None
        if kind not in _PROCEEDS:
            continue  # fees and the like are not read, so they cannot fail an order
        found.setdefault((kind, None), _amount(part, "subtotal", "amount"))
        for detail in part.get("detailedBreakdowns") or ():
            if isinstance(detail, dict) and isinstance(detail.get("subtype"), str):
                found.setdefault((kind, detail["subtype"]), _amount(detail, "value", "amount"))
    return found


def _item_from_v2026(order_id: str, obj: dict, updated: datetime | None) -> OrderItem:
    sku, asin = _text(obj, "product.sellerSku"), _text(obj, "product.asin")
    item_id = _text(obj, "orderItemId")
    quantity = _read(obj, "quantityOrdered", count)
    proceeds = _breakdowns(obj)
    price = proceeds.get(("ITEM", None))
    unit_price = _amount(obj, "product.price.unitPrice", "amount")
    if price is None and unit_price is not None and quantity is not None:
        price = unit_price * quantity
    tax = proceeds.get(("TAX", "ITEM"))
    if tax is None and proceeds.get(("TAX", "SHIPPING")) is None:
        tax = proceeds.get(("TAX", None))
    discount = proceeds.get(("DISCOUNT", None))
    return OrderItem(
        order_id=order_id,
        sku=_line_key(sku, asin, item_id, "product.sellerSku"),
        order_item_id=item_id,
        asin=asin,
        title=_text(obj, "product.title"),
        quantity_ordered=quantity,
        quantity_shipped=_read(obj, "fulfillment.quantityFulfilled", count),
        item_price=price,
        item_tax=tax,
        shipping_price=proceeds.get(("SHIPPING", None)),
        shipping_tax=proceeds.get(("TAX", "SHIPPING")),
        promotion_discount=abs(discount) if discount is not None else None,
        condition=_text(obj, "product.condition.conditionType"),
        buyer_requested_cancel=(
            _get(obj, "cancellation.cancellationRequest.requester") == "BUYER" or None
        ),
        last_update=updated,
    )


def order_from_v2026(obj: dict) -> tuple[Order, list[OrderItem]]:
    """An Orders API v2026-01-01 `Order` object (items inside) as records."""
    order_id = _order_id(obj, "orderId")
    updated = _read(obj, "lastUpdatedTime", timestamp)
    programs = _get(obj, "programs")
    status = _read(obj, "fulfillment.fulfillmentStatus", order_status)
    aliases = _get(obj, "orderAliases") or ()
    merchant_id = next(
        (str(a["aliasId"]) for a in aliases
         if isinstance(a, dict) and a.get("aliasType") == "SELLER_ORDER_ID" and a.get("aliasId")),
        None,
    )
    shipped_at = None
    if status is OrderStatus.SHIPPED:
        times = [
            _read(package, "shipTime", timestamp)
            for package in _get(obj, "packages") or ()
            if isinstance(package, dict)
        ]
        shipped_at = max((t for t in times if t is not None), default=None)
    order = Order(
        order_id=order_id,
        merchant_order_id=merchant_id,
        purchase_date=_read(obj, "createdTime", timestamp),
        last_update=updated,
        status=status,
        fulfillment_channel=_read(obj, "fulfillment.fulfilledBy", channel),
        marketplace_id=_text(obj, "salesChannel.marketplaceId"),
        ship_service_level=_service_level(_text(obj, "fulfillment.fulfillmentServiceLevel")),
        is_prime="PRIME" in programs if isinstance(programs, list) else None,
        is_business="AMAZON_BUSINESS" in programs if isinstance(programs, list) else None,
        earliest_ship_date=_read(obj, "fulfillment.shipByWindow.earliestDateTime", timestamp),
        latest_ship_date=_read(obj, "fulfillment.shipByWindow.latestDateTime", timestamp),
        earliest_delivery_date=_read(
            obj, "fulfillment.deliverByWindow.earliestDateTime", timestamp
        ),
        latest_delivery_date=_read(obj, "fulfillment.deliverByWindow.latestDateTime", timestamp),
        shipped_at=shipped_at,
        order_total=_amount(obj, "proceeds.grandTotal", "amount"),
        currency=_read(obj, "proceeds.grandTotal.currencyCode", currency),
    )
    items = []
    for number, item in enumerate(_get(obj, "orderItems") or ()):
        path = f"orderItems[{number}]"
        if not isinstance(item, dict):
            raise FieldError(path, "not_an_object", "")
        try:
            items.append(_item_from_v2026(order_id, item, updated))
        except FieldError as exc:
            raise FieldError(f"{path}.{exc.path}", exc.code, exc.value) from None
    return order, items
