"""The Unshipped Orders report (GET_FLAT_FILE_ACTIONABLE_ORDER_DATA_SHIPPING): open MFN lines.

Columns: ../shared/spec/reports.md §4. Its `promise-date` is Amazon's ship-by deadline. This is
a restricted report full of buyer data; only the columns below are read, so buyer-email,
buyer-phone-number, buyer-name, recipient-name, ship-address-*, ship-city, ship-state,
ship-postal-code, purchase-order-number, cpf and customization columns never leave the file.
"""

from collections.abc import Iterator
from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

from bot.domain.marketplaces import Marketplace, find_marketplace
from bot.domain.order_ids import STORED_ORDER_ID
from bot.domain.records import Channel, Order, OrderItem, OrderStatus
from bot.domain.shipping import end_of_day
from bot.sources.context import SellerContext
from bot.sources.flatfile import BadCell, BadRow, FlatFile
from bot.sources.values import BadValue, count, flag, item_id, sku, timestamp

KIND = "unshipped-orders"
SIGNATURE = ("order-id", "order-item-id", "promise-date")
REQUIRED = ("order-id", "order-item-id", "purchase-date", "sku", "quantity-purchased")


def _deadline(text: str, market: Marketplace) -> datetime:
    """The ship-by instant a promise-date of `market` stands for.

    Amazon writes the promise as midnight of the promise day in the marketplace's zone (every
    sample is T08:00:00+00:00 on amazon.com, i.e. 00:00 Pacific), and days-past-promise is 0
    for a line due that same day: the promise is the whole day, so it ends at 23:59:59 there,
    exactly like the API's LatestShipDate, whatever SELLER_TIMEZONE says (a New York seller's
    promise day still ends at midnight Pacific). Any other time is taken as given.
    """
    promise = timestamp(text)
    zone = ZoneInfo(market.time_zone)
    local = promise.astimezone(zone)
    if local.time() == time(0, 0):
        return end_of_day(local.date(), zone).astimezone(UTC)
    return promise


class _Columns:
    """Where this file holds each column the parser reads (found once, by header name)."""

    def __init__(self, flat: FlatFile) -> None:
        at = flat.position
        self.id, self.item, self.purchase = at("order-id"), at("order-item-id"), at("purchase-date")
        self.reported, self.promise = at("reporting-date"), at("promise-date")
        self.sku, self.title = at("sku"), at("product-name")
        self.bought, self.shipped = at("quantity-purchased"), at("quantity-shipped")
        self.level, self.country = at("ship-service-level"), at("ship-country")
        self.business, self.prime, self.sales = (
            at("is-business-order"), at("is-prime"), at("sales-channel"))


def _read(f: list[str], c: _Columns, ctx: SellerContext) -> tuple[Order, OrderItem]:
    """The order and the line row `f` states; raises BadCell naming the first column that
    cannot be read."""
    def cell(at: int) -> str:
        # Only the cells read are touched: the buyer's columns stay as the file has them.
        return f[at].strip()

    column = "order-id"
    try:
        order_id = cell(c.id)
        if STORED_ORDER_ID.fullmatch(order_id) is None:
            raise BadValue("bad_order_id", order_id)
        column = "order-item-id"
        line_id = item_id(cell(c.item))
        column = "purchase-date"
        purchase = timestamp(cell(c.purchase))
        column = "reporting-date"
        reported = timestamp(cell(c.reported)) if cell(c.reported) else None
        column = "promise-date"
        market = (find_marketplace(cell(c.sales)) if cell(c.sales) else None) or ctx.marketplace
        promise = _deadline(cell(c.promise), market) if cell(c.promise) else None
        column = "quantity-purchased"
        bought = count(cell(c.bought))
        column = "quantity-shipped"
        shipped = count(cell(c.shipped)) if cell(c.shipped) else 0
        column = "is-business-order"
        business = flag(cell(c.business)) if cell(c.business) else None
        column = "is-prime"
        prime = flag(cell(c.prime)) if cell(c.prime) else None
        column = "sku"
        line_sku = sku(cell(c.sku))
    except BadValue as exc:
        raise BadCell(column, exc) from None
    order = Order(
        order_id=order_id,
        purchase_date=purchase,
        # The report has no last-update time; its lines are true as of reporting-date.
        last_update=reported,
        status=OrderStatus.PARTIALLY_SHIPPED if shipped else OrderStatus.UNSHIPPED,
        fulfillment_channel=Channel.MERCHANT,
        marketplace_id=market.marketplace_id,
        ship_service_level=cell(c.level) or None,
        is_prime=prime,
        is_business=business,
        latest_ship_date=promise,
        ship_country=cell(c.country).upper()[:2] or None,
    )
    item = OrderItem(order_id=order_id, sku=line_sku, order_item_id=line_id,
                     title=cell(c.title) or None, quantity_ordered=bought,
                     quantity_shipped=shipped, last_update=reported)
    return order, item


def parse(flat: FlatFile, ctx: SellerContext) -> Iterator[Order | OrderItem | BadRow]:
    """Yield each open order (once per run of its lines), each line, and each unreadable row."""
    missing = flat.missing(REQUIRED)
    if missing:
        yield BadRow(1, "missing_columns", {"columns": missing})
        return
    columns = _Columns(flat)
    # An order's run of lines, held until it ends: the order is partly shipped when any of
    # its lines is, not only its first.
    order: Order | None = None
    lines: list[OrderItem] = []
    for row in flat.rows():
        if type(row) is BadRow:
            yield row
            continue
        number, f = row
        try:
            line_order, item = _read(f, columns, ctx)
        except BadCell as bad:
            yield bad.row(number)
            continue
        if order is None or line_order.order_id != order.order_id:
            yield from _run(order, lines)
            order, lines = line_order, []
        lines.append(item)
    yield from _run(order, lines)


def _run(order: Order | None, lines: list[OrderItem]) -> Iterator[Order | OrderItem]:
    """An order, as its lines together say it stands, then its lines."""
    if order is None:
        return
    if any(line.quantity_shipped for line in lines):
        order.status = OrderStatus.PARTIALLY_SHIPPED
    yield order
    yield from lines
