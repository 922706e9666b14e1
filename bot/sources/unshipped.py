"""The Unshipped Orders report (GET_FLAT_FILE_ACTIONABLE_ORDER_DATA_SHIPPING): open MFN lines.

Columns: ../shared/spec/reports.md §4. Its `promise-date` is Amazon's ship-by deadline. This is
a restricted report full of buyer data; only the columns below are read, so buyer-email,
buyer-phone-number, buyer-name, recipient-name, ship-address-*, ship-city, ship-state,
ship-postal-code, purchase-order-number, cpf and customization columns never leave the file.
"""

from collections.abc import Iterator
from datetime import UTC, datetime, time

from bot.domain.marketplaces import find_marketplace
from bot.domain.order_ids import STORED_ORDER_ID
from bot.domain.records import Channel, Order, OrderItem, OrderStatus
from bot.domain.shipping import end_of_day
from bot.sources.context import SellerContext
from bot.sources.flatfile import BadRow, FlatFile
from bot.sources.values import BadValue, count, flag, sku, timestamp

KIND = "unshipped-orders"
SIGNATURE = ("order-id", "order-item-id", "promise-date")
REQUIRED = ("order-id", "order-item-id", "purchase-date", "sku", "quantity-purchased")


def _deadline(text: str, ctx: SellerContext) -> datetime:
    """The ship-by instant a promise-date stands for.

    Amazon writes the promise as local midnight of the promise day (every sample is
    T08:00:00+00:00 on amazon.com, i.e. 00:00 Pacific), and days-past-promise is 0 for a line
    due that same day: the promise is the whole day, so it ends at 23:59:59 local, exactly like
    the API's LatestShipDate. A promise-date carrying any other time is taken as given.
    """
    promise = timestamp(text)
    local = promise.astimezone(ctx.timezone)
    if local.time() == time(0, 0):
        return end_of_day(local.date(), ctx.timezone).astimezone(UTC)
    return promise


def parse(flat: FlatFile, ctx: SellerContext) -> Iterator[Order | OrderItem | BadRow]:
    """Yield each open order (once per run of its lines), each line, and each unreadable row."""
    missing = flat.missing(REQUIRED)
    if missing:
        yield BadRow(1, "missing_columns", {"columns": missing})
        return
    at = flat.position
    i_id, i_item, i_purchase = at("order-id"), at("order-item-id"), at("purchase-date")
    i_reported, i_promise = at("reporting-date"), at("promise-date")
    i_sku, i_title = at("sku"), at("product-name")
    i_bought, i_shipped = at("quantity-purchased"), at("quantity-shipped")
    i_level, i_country = at("ship-service-level"), at("ship-country")
    i_business, i_prime, i_sales = at("is-business-order"), at("is-prime"), at("sales-channel")

    previous_order = None
    for row in flat.rows():
        if type(row) is BadRow:
            yield row
            continue
        number, f = row
        column = "order-id"
        try:
            order_id = f[i_id].strip()
            if STORED_ORDER_ID.fullmatch(order_id) is None:
                raise BadValue("bad_order_id", order_id)
            column = "order-item-id"
            item_id = f[i_item].strip()
            if not item_id:
                raise BadValue("empty", "")
            column = "purchase-date"
            purchase = timestamp(f[i_purchase].strip())
            column = "reporting-date"
            reported = timestamp(f[i_reported].strip()) if f[i_reported].strip() else None
            column = "promise-date"
            promise = _deadline(f[i_promise].strip(), ctx) if f[i_promise].strip() else None
            column = "quantity-purchased"
            bought = count(f[i_bought].strip())
            column = "quantity-shipped"
            shipped = count(f[i_shipped].strip()) if f[i_shipped].strip() else 0
            column = "is-business-order"
            business = flag(f[i_business].strip()) if f[i_business].strip() else None
            column = "is-prime"
            prime = flag(f[i_prime].strip()) if f[i_prime].strip() else None
            column = "sku"
            line_sku = sku(f[i_sku].strip())
        except BadValue as exc:
            yield BadRow(number, exc.code, {"column": column, "value": exc.value})
            continue

        if order_id != previous_order:
            previous_order = order_id
            sales = f[i_sales].strip()
            market = (find_marketplace(sales) if sales else None) or ctx.marketplace
            yield Order(
                order_id=order_id,
                purchase_date=purchase,
                # The report has no last-update time; its lines are true as of reporting-date.
                last_update=reported,
                status=OrderStatus.PARTIALLY_SHIPPED if shipped else OrderStatus.UNSHIPPED,
                fulfillment_channel=Channel.MERCHANT,
                marketplace_id=market.marketplace_id,
                ship_service_level=f[i_level].strip() or None,
                is_prime=prime,
                is_business=business,
                latest_ship_date=promise,
                ship_country=f[i_country].strip().upper()[:2] or None,
            )
        yield OrderItem(
            order_id=order_id,
            sku=line_sku,
            order_item_id=item_id,
            title=f[i_title].strip() or None,
            quantity_ordered=bought,
            quantity_shipped=shipped,
            last_update=reported,
        )
