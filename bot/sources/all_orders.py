"""The All Orders report (GET_FLAT_FILE_ALL_ORDERS_DATA_BY_*_GENERAL): one row per order line.

Columns and variations: ../shared/spec/reports.md §3. Kept: ids, times, status, channel, service
level, product, quantity, money, ship-country, business flag. Never read: ship-city, ship-state,
ship-postal-code, cpf, purchase-order-number, address-type (privacy.md §3.1).
"""

from collections.abc import Iterator

from bot.domain.marketplaces import find_marketplace
from bot.domain.order_ids import STORED_ORDER_ID
from bot.domain.records import Order, OrderItem, OrderStatus
from bot.sources.codes import channel, order_status, squash
from bot.sources.context import SellerContext
from bot.sources.flatfile import BadRow, FlatFile, Note
from bot.sources.values import (
    BadValue,
    count_cell,
    currency_cell,
    flag_cell,
    money_cell,
    sku,
    timestamp,
)

KIND = "all-orders"
SIGNATURE = ("amazon-order-id", "order-status", "item-status", "purchase-date")
REQUIRED = ("amazon-order-id", "purchase-date", "order-status", "sku", "quantity")

# item-status -> how much of the line has shipped (All Orders has no quantity-shipped column).
_SHIPPED_ALL = "shipped"
_SHIPPED_NONE = frozenset({"unshipped", "pending", "cancelled", "canceled"})


def parse(flat: FlatFile, ctx: SellerContext) -> Iterator[Order | OrderItem | BadRow | Note]:
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
            quantity = count_cell(f[i_quantity])
            column = "item-price"
            price = money_cell(f[i_price])
            column = "item-tax"
            tax = money_cell(f[i_tax])
            column = "shipping-price"
            shipping = money_cell(f[i_ship])
            column = "shipping-tax"
            shipping_tax = money_cell(f[i_ship_tax])
            column = "item-promotion-discount"
            promo = money_cell(f[i_promo])
            column = "ship-promotion-discount"
            ship_promo = money_cell(f[i_ship_promo])
            column = "is-business-order"
            business = flag_cell(f[i_business])
            column = "currency"
            currency = currency_cell(f[i_currency])
            column = "sku"
            line_sku = sku(f[i_sku].strip() or f[i_asin].strip())
        except BadValue as exc:
            yield BadRow(number, exc.code, {"column": column, "value": exc.value})
            continue

        if order_id != previous_order:
            previous_order = order_id
            if status is None:
                yield Note(number, "unknown_status", {"column": "order-status",
                                                      "value": f[i_status].strip()[:40]})
            sales = f[i_sales].strip()
            if sales not in marketplaces:
                found = find_marketplace(sales) if sales else None
                marketplaces[sales] = found.marketplace_id if found else None
            # Positional arguments, in field order: a third of the cost of keywords at a
            # million rows (tests/test_records.py pins the field order).
            yield Order(
                order_id,
                f[i_merchant_id].strip() or None,  # merchant_order_id
                purchase,  # purchase_date
                updated,  # last_update
                status,
                fulfilled_by,  # fulfillment_channel
                marketplaces[sales],  # marketplace_id
                f[i_level].strip() or None,  # ship_service_level
                None,  # is_prime: not in this report
                business,  # is_business
                None, None, None, None,  # ship and delivery windows: not in this report
                None, None,  # shipped_at, delivered_at
                None,  # order_total: not stated; Order.total sums the lines
                currency,
                f[i_country].strip().upper()[:2] or None,  # ship_country
            )
        item_status = squash(f[i_item_status])
        if item_status == _SHIPPED_ALL:
            shipped: int | None = quantity
        elif item_status in _SHIPPED_NONE:
            shipped = 0
        else:
            shipped = quantity if status is OrderStatus.SHIPPED else None
        if promo is None or ship_promo is None:
            discount = promo if ship_promo is None else ship_promo
        else:
            discount = abs(promo) + abs(ship_promo)
        yield OrderItem(
            order_id,
            line_sku,
            None,  # order_item_id: not in this report
            f[i_asin].strip() or None,  # asin
            f[i_title].strip() or None,  # title
            quantity,  # quantity_ordered
            shipped,  # quantity_shipped
            price,  # item_price
            tax,  # item_tax
            shipping,  # shipping_price
            shipping_tax,
            # Amazon writes discounts negative in some reports; stored as positive amounts.
            abs(discount) if discount is not None else None,  # promotion_discount
            None, None, None,  # condition, product_category, buyer_requested_cancel
            updated,  # last_update
        )
