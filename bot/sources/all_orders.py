"""The All Orders report (GET_FLAT_FILE_ALL_ORDERS_DATA_BY_*_GENERAL): one row per order line.

Columns and variations: ../shared/spec/reports.md §3. Kept: ids, times, status, channel, service
level, product, quantity, money, ship-country, business flag. Never read: ship-city, ship-state,
ship-postal-code, cpf, purchase-order-number, address-type (privacy.md §3.1).
"""

from collections.abc import Iterator
from decimal import Decimal

from bot.domain.marketplaces import find_marketplace
from bot.domain.order_ids import STORED_ORDER_ID
from bot.domain.records import Order, OrderItem, OrderStatus
from bot.sources.codes import channel, order_status, squash
from bot.sources.context import SellerContext
from bot.sources.flatfile import BadRow, FlatFile
from bot.sources.values import BadValue, count, flag, money, timestamp

KIND = "all-orders"
SIGNATURE = ("amazon-order-id", "order-status", "item-status", "purchase-date")
REQUIRED = ("amazon-order-id", "purchase-date", "order-status", "sku", "quantity")

# item-status -> how much of the line has shipped (All Orders has no quantity-shipped column).
_SHIPPED_ALL = "shipped"
_SHIPPED_NONE = frozenset({"unshipped", "pending", "cancelled", "canceled"})


def _money(text: str) -> Decimal | None:
    return money(text) if text else None


def parse(flat: FlatFile, ctx: SellerContext) -> Iterator[Order | OrderItem | BadRow]:
    """Yield each order (once per run of its lines), each line, and each unreadable row."""
    missing = flat.missing(REQUIRED)
    if missing:
        yield BadRow(1, "missing_columns", {"columns": missing})
        return
    at = flat.position
    i_id, i_merchant_id = at("amazon-order-id"), at("merchant-order-id")
    i_purchase, i_updated = at("purchase-date"), at("last-updated-date")
    i_status, i_channel = at("order-status"), at("fulfillment-channel")
    i_sales = at("sales-channel")
    i_level, i_title, i_sku, i_asin = (
        at("ship-service-level"), at("product-name"), at("sku"), at("asin"))
    i_item_status, i_quantity, i_currency = at("item-status"), at("quantity"), at("currency")
    i_price, i_tax, i_ship, i_ship_tax = (
        at("item-price"), at("item-tax"), at("shipping-price"), at("shipping-tax"))
    i_promo, i_ship_promo = at("item-promotion-discount"), at("ship-promotion-discount")
    i_country, i_business = at("ship-country"), at("is-business-order")

    marketplaces: dict[str, str | None] = {}
    previous_order = None
    for row in flat.rows():
        if type(row) is BadRow:
            yield row
            continue
        number, f = row
        column = "amazon-order-id"
        try:
            order_id = f[i_id].strip()
            if STORED_ORDER_ID.fullmatch(order_id) is None:
                raise BadValue("bad_order_id", order_id)
            column = "purchase-date"
            purchase = timestamp(f[i_purchase].strip())
            column = "last-updated-date"
            updated = timestamp(f[i_updated].strip()) if f[i_updated].strip() else None
            column = "order-status"
            status = order_status(f[i_status])
            column = "fulfillment-channel"
            fulfilled_by = channel(f[i_channel]) if f[i_channel].strip() else None
            column = "quantity"
            quantity = count(f[i_quantity].strip())
            column = "item-price"
            price = _money(f[i_price].strip())
            column = "item-tax"
            tax = _money(f[i_tax].strip())
            column = "shipping-price"
            shipping = _money(f[i_ship].strip())
            column = "shipping-tax"
            shipping_tax = _money(f[i_ship_tax].strip())
            column = "item-promotion-discount"
            promo = _money(f[i_promo].strip())
            column = "ship-promotion-discount"
            ship_promo = _money(f[i_ship_promo].strip())
            column = "is-business-order"
            business = flag(f[i_business].strip()) if f[i_business].strip() else None
            column = "sku"
            sku = f[i_sku].strip() or f[i_asin].strip()
            if not sku:
                raise BadValue("empty", "")
        except BadValue as exc:
            yield BadRow(number, exc.code, {"column": column, "value": exc.value})
            continue

        currency = f[i_currency].strip() or None
        if order_id != previous_order:
            previous_order = order_id
            sales = f[i_sales].strip()
            if sales not in marketplaces:
                found = find_marketplace(sales) if sales else None
                marketplaces[sales] = found.marketplace_id if found else None
            yield Order(
                order_id=order_id,
                merchant_order_id=f[i_merchant_id].strip() or None,
                purchase_date=purchase,
                last_update=updated,
                status=status,
                fulfillment_channel=fulfilled_by,
                marketplace_id=marketplaces[sales],
                ship_service_level=f[i_level].strip() or None,
                is_business=business,
                currency=currency,
                ship_country=f[i_country].strip().upper()[:2] or None,
            )
        item_status = squash(f[i_item_status])
        if item_status == _SHIPPED_ALL:
            shipped: int | None = quantity
        elif item_status in _SHIPPED_NONE:
            shipped = 0
        else:
            shipped = quantity if status is OrderStatus.SHIPPED else None
        discounts = [abs(d) for d in (promo, ship_promo) if d is not None]
        yield OrderItem(
            order_id=order_id,
            sku=sku,
            asin=f[i_asin].strip() or None,
            title=f[i_title].strip() or None,
            quantity_ordered=quantity,
            quantity_shipped=shipped,
            item_price=price,
            item_tax=tax,
            shipping_price=shipping,
            shipping_tax=shipping_tax,
            promotion_discount=sum(discounts, Decimal(0)) if discounts else None,
            last_update=updated,
        )
