"""The MFN returns report (GET_FLAT_FILE_RETURNS_DATA_BY_RETURN_DATE): seller-fulfilled returns.

Columns: ../shared/spec/reports.md §5. Every column is kept except `Tracking ID`: a return
tracking number leads to the buyer's address through the carrier (privacy.md §3.1). Empty cells
sometimes hold a single space; values are trimmed. Dates are DD-Mon-YYYY or ISO 8601.
"""

from collections.abc import Callable, Iterator
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from bot.domain.order_ids import STORED_ORDER_ID
from bot.domain.records import ReturnRequest
from bot.sources.context import SellerContext
from bot.sources.flatfile import BadCell, BadRow, FlatFile
from bot.sources.values import BadValue, count, currency, flag, local_date, money, sku

KIND = "returns"
SIGNATURE = ("Order ID", "Return request date", "Amazon RMA ID")
REQUIRED = ("Order ID", "Amazon RMA ID", "Merchant SKU")


def _text(value: str) -> str:
    return value


# record field -> (report column, reader); readers get the trimmed, non-empty cell.
def _fields(ctx: SellerContext) -> dict[str, tuple[str, Callable[[str], Any]]]:
    # A time in a date column is read on the marketplace's calendar, as Amazon's dates are.
    day = partial(local_date, tz=ZoneInfo(ctx.marketplace.time_zone))
    return {
        "order_date": ("Order date", day),
        "request_date": ("Return request date", day),
        "status": ("Return request status", _text),
        "merchant_rma_id": ("Merchant RMA ID", _text),
        "label_type": ("Label type", _text),
        "label_cost": ("Label cost", money),
        "currency": ("Currency code", currency),
        "carrier": ("Return carrier", _text),
        "label_paid_by": ("Label to be paid by", _text),
        "a_to_z_claim": ("A-to-Z Claim", flag),
        "is_prime": ("Is prime", flag),
        "asin": ("ASIN", _text),
        "item_name": ("Item Name", _text),
        "quantity": ("Return quantity", count),
        "reason": ("Return Reason", _text),
        "in_policy": ("In policy", flag),
        "return_type": ("Return type", _text),
        "resolution": ("Resolution", _text),
        "invoice_number": ("Invoice number", _text),
        "return_delivery_date": ("Return delivery date", day),
        "order_amount": ("Order Amount", money),
        "order_quantity": ("Order quantity", count),
        "safet_action_reason": ("SafeT Action reason", _text),
        "safet_claim_id": ("SafeT claim id", _text),
        "safet_claim_state": ("SafeT claim state", _text),
        "safet_claim_date": ("SafeT claim creation time", day),
        "safet_reimbursement": ("SafeT claim reimbursement amount", money),
        "refunded_amount": ("Refunded Amount", money),
        "order_item_id": ("Order Item ID", _text),
        "category": ("Category", _text),
    }


def parse(flat: FlatFile, ctx: SellerContext) -> Iterator[ReturnRequest | BadRow]:
    """Yield each return line and each unreadable row."""
    missing = flat.missing(REQUIRED)
    if missing:
        yield BadRow(1, "missing_columns", {"columns": missing})
        return
    i_order, i_rma = flat.position("Order ID"), flat.position("Amazon RMA ID")
    i_sku = flat.position("Merchant SKU")
    fields = [
        (name, column, flat.position(column), read) for name, (column, read) in _fields(ctx).items()
    ]
    for row in flat.rows():
        if type(row) is BadRow:
            yield row
            continue
        number, f = row
        column = "Order ID"
        try:
            order_id = f[i_order].strip()
            if STORED_ORDER_ID.fullmatch(order_id) is None:
                raise BadValue("bad_order_id", order_id)
            column = "Amazon RMA ID"
            rma = f[i_rma].strip()
            if not rma:
                raise BadValue("empty", "")
            column = "Merchant SKU"
            line_sku = sku(f[i_sku].strip())
            values = {}
            for name, column_name, position, read in fields:
                column = column_name
                cell = f[position].strip()
                values[name] = read(cell) if cell else None
        except BadValue as exc:
            yield BadCell(column, exc).row(number)
            continue
        yield ReturnRequest(order_id=order_id, amazon_rma_id=rma, sku=line_sku, **values)
