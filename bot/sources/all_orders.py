"""The All Orders report (GET_FLAT_FILE_ALL_ORDERS_DATA_BY_*_GENERAL): one row per order line.

Columns and variations: ../shared/spec/reports.md §3. Kept: ids, times, status, channel, service
level, product, quantity, money, ship-country, business flag. Never read: ship-city, ship-state,
ship-postal-code, cpf, purchase-order-number, address-type (privacy.md §3.1).
"""

from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal
from typing import NamedTuple

from bot.domain.marketplaces import find_marketplace
from bot.domain.order_ids import STORED_ORDER_ID
from bot.domain.records import Channel, Order, OrderItem, OrderStatus
from bot.sources.codes import channel, order_status, squash
from bot.sources.context import SellerContext
from bot.sources.flatfile import BadCell, BadRow, FlatFile, Note, Part, Place
from bot.sources.values import (
    BadValue,
    asin_cell,
    count_cell,
    currency_cell,
    flag_cell,
    money_cell,
    sku,
    sku_cell,
    text_cell,
    timestamp,
)

KIND = "all-orders"
SIGNATURE = ("amazon-order-id", "order-status", "item-status", "purchase-date")
REQUIRED = ("amazon-order-id", "purchase-date", "order-status", "sku", "quantity")

# A report read in parts (Part) splits where an order begins at or after the part's line, and
# after a readable row among the lines this many before (its window): the part after it is read
# from there, so both parts see the same rows around the split, know the same order before it,
# and split at the same line. Runs of an order's lines stay whole, so a deadline sees all of its
# lines, and bad rows inside a run cannot move the split.
SPLIT_WINDOW = 100

# item-status -> how much of the line has shipped (All Orders has no quantity-shipped column).
_SHIPPED_ALL = "shipped"
_SHIPPED_NONE = frozenset({"unshipped", "pending"})
_CANCELLED = frozenset({"cancelled", "canceled"})
_NOTHING = Decimal(0)


class _Columns:
    """Where this file holds each column the parser reads (found once, by header name)."""

    def __init__(self, flat: FlatFile) -> None:
        at = flat.position
        self.id, self.merchant_id = at("amazon-order-id"), at("merchant-order-id")
        self.purchase, self.updated = at("purchase-date"), at("last-updated-date")
        self.status, self.channel, self.sales = (
            at("order-status"), at("fulfillment-channel"), at("sales-channel"))
        self.level, self.title, self.sku, self.asin = (
            at("ship-service-level"), at("product-name"), at("sku"), at("asin"))
        self.item_status, self.quantity, self.currency = (
            at("item-status"), at("quantity"), at("currency"))
        self.price, self.tax, self.ship, self.ship_tax = (
            at("item-price"), at("item-tax"), at("shipping-price"), at("shipping-tax"))
        self.promo, self.ship_promo = at("item-promotion-discount"), at("ship-promotion-discount")
        self.country, self.business = at("ship-country"), at("is-business-order")


class _Line(NamedTuple):
    """The checked values of one row."""

    order_id: str
    purchase: datetime
    updated: datetime | None
    status: OrderStatus | None
    fulfilled_by: Channel | None
    quantity: int
    money: tuple[Decimal | None, ...]  # price, tax, shipping, shipping tax, promotions
    business: bool | None
    currency: str | None
    sku: str
    asin: str | None


def _read(f: list[str], c: _Columns) -> _Line:
    """The values of row `f`; raises BadCell naming the first column that cannot be read."""
    column = "amazon-order-id"
    try:
        order_id = f[c.id].strip()
        if STORED_ORDER_ID.fullmatch(order_id) is None:
            raise BadValue("bad_order_id", order_id)
        column = "purchase-date"
        purchase = timestamp(f[c.purchase].strip())
        column = "last-updated-date"
        updated = timestamp(f[c.updated].strip()) if f[c.updated].strip() else None
        column = "order-status"
        status = order_status(f[c.status])
        column = "fulfillment-channel"
        fulfilled_by = channel(f[c.channel]) if f[c.channel].strip() else None
        column = "quantity"
        quantity = count_cell(f[c.quantity])
        column = "item-price"
        price = money_cell(f[c.price])
        column = "item-tax"
        tax = money_cell(f[c.tax])
        column = "shipping-price"
        shipping = money_cell(f[c.ship])
        column = "shipping-tax"
        shipping_tax = money_cell(f[c.ship_tax])
        column = "item-promotion-discount"
        promo = money_cell(f[c.promo])
        column = "ship-promotion-discount"
        ship_promo = money_cell(f[c.ship_promo])
        column = "is-business-order"
        business = flag_cell(f[c.business])
        column = "currency"
        currency = currency_cell(f[c.currency])
        column = "asin"
        line_asin = asin_cell(f[c.asin])
        column = "sku"
        line_sku = sku_cell(f[c.sku]) or sku(line_asin or "")
    except BadValue as exc:
        raise BadCell(column, exc) from None
    return _Line(order_id, purchase, updated, status, fulfilled_by, quantity,
                 (price, tax, shipping, shipping_tax, promo, ship_promo), business, currency,
                 line_sku, line_asin)


def _order(line: _Line, f: list[str], c: _Columns, marketplace_id: str | None) -> Order:
    """The order a run of lines belongs to, as this report states it."""
    # Not in this report: Prime, the ship and delivery windows, shipping and delivery times,
    # and the order total (Order.total sums the lines).
    return Order(
        order_id=line.order_id,
        merchant_order_id=f[c.merchant_id].strip() or None,
        purchase_date=line.purchase,
        last_update=line.updated,
        status=line.status,
        fulfillment_channel=line.fulfilled_by,
        marketplace_id=marketplace_id,
        ship_service_level=text_cell(f[c.level]),
        is_business=line.business,
        currency=line.currency,
        ship_country=f[c.country].strip().upper()[:2] or None,
    )


def _item(line: _Line, f: list[str], c: _Columns) -> OrderItem:
    """One line of the order."""
    item_status = squash(f[c.item_status])
    if item_status in _CANCELLED:
        # None ordered, nothing charged: stated as the report states it (its quantity and
        # item-price), it counted in the order's total and the digest's units and revenue.
        # Zeros, not blanks: a blank never erases what an earlier report stored (merge.py).
        return OrderItem(order_id=line.order_id, sku=line.sku, asin=line.asin,
                         title=text_cell(f[c.title]), quantity_ordered=0,
                         quantity_shipped=0, item_price=_NOTHING, item_tax=_NOTHING,
                         shipping_price=_NOTHING, shipping_tax=_NOTHING,
                         promotion_discount=_NOTHING, last_update=line.updated)
    if item_status == _SHIPPED_ALL:
        shipped: int | None = line.quantity
    elif item_status in _SHIPPED_NONE:
        shipped = 0
    else:
        shipped = line.quantity if line.status is OrderStatus.SHIPPED else None
    price, tax, shipping, shipping_tax, promo, ship_promo = line.money
    if promo is None or ship_promo is None:
        discount = promo if ship_promo is None else ship_promo
    else:
        discount = abs(promo) + abs(ship_promo)
    return OrderItem(
        order_id=line.order_id,
        sku=line.sku,
        asin=line.asin,
        title=text_cell(f[c.title]),
        quantity_ordered=line.quantity,
        quantity_shipped=shipped,
        item_price=price,
        item_tax=tax,
        shipping_price=shipping,
        shipping_tax=shipping_tax,
        # Amazon writes discounts negative in some reports; stored as positive amounts.
        promotion_discount=abs(discount) if discount is not None else None,
        last_update=line.updated,
    )


def parse(flat: FlatFile, ctx: SellerContext, part: Part | None = None,
          known: Place | None = None) -> Iterator[Order | OrderItem | BadRow | Note]:
    """Yield each order (once per run of its lines), each line, and each unreadable row: of the
    whole report, or of a `part` of it; lines before the part are counted from `known`."""
    missing = flat.missing(REQUIRED)
    if missing:
        if part is None or part.begin is None:
            yield BadRow(1, "missing_columns", {"columns": missing})
        return
    columns = _Columns(flat)
    marketplaces: dict[str, str | None] = {}
    previous_order, last_readable = None, 0
    begin, end, window = (part.begin or 0, part.end, part.window) if part else (0, None, 0)
    # A part yields nothing before its first split, and stops at the next.
    reading = begin == 0
    start = max(2, begin - window)
    for row in flat.rows(from_line=start, known=known):
        if type(row) is BadRow:
            if reading:
                yield row
            continue
        number, f = row
        try:
            line = _read(f, columns)
        except BadCell as bad:
            if reading:
                yield bad.row(number)
            continue
        if line.order_id != previous_order:
            if not reading and number >= begin and last_readable >= begin - window:
                reading = True
            if reading and end is not None and number >= end and last_readable >= end - window:
                return
            previous_order = line.order_id
            if line.status is None and reading:
                yield Note(number, "unknown_status", {"column": "order-status",
                                                      "value": f[columns.status].strip()[:40]})
            sales = f[columns.sales].strip()
            if sales not in marketplaces:
                found = find_marketplace(sales) if sales else None
                marketplaces[sales] = found.marketplace_id if found else None
            if reading:
                yield _order(line, f, columns, marketplaces[sales])
        last_readable = number
        if reading:
            yield _item(line, f, columns)
