"""Confirming a shipment to Amazon (confirmShipment, sp-api.md §6): once per order, whether
from Slack or the terminal, however often the button is pressed.

Amazon judges the Late Shipment Rate by when a shipment is *confirmed*, and pays only for
confirmed ones (shipping.md): a confirmation that never reaches Amazon is the costly mistake.
So the call is claimed in the database first (job_runs: one run per order), a failed call can
be retried, and only Amazon's 204 marks the stored order shipped.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING

from bot.domain.records import Order, OrderItem, OrderStatus
from bot.errors import BadInput, NotFound, SellerbotError, SpApiFailed
from bot.store import Database, job_runs, queries
from bot.store.writer import Writer
from bot.usecases.sellers import Seller

if TYPE_CHECKING:  # the SP-API client library loads only where a shipment is confirmed
    from bot.sources.sp_api import OrdersApi

# Carrier codes as Amazon spells them in confirmShipment's packageDetail.carrierCode; any other
# carrier is "Other" with its name in carrierName (sp-api.md §6). UNCONFIRMED beyond USPS,
# UPS, FedEx, DHL and Other: spelled as Seller Central's carrier list shows them.
CARRIERS = ("USPS", "UPS", "FedEx", "DHL", "OnTrac", "Royal Mail", "Canada Post", "DPD", "GLS",
            "Hermes", "Deutsche Post", "La Poste", "Other")
# A tracking number longer than this is no carrier's (the longest, USPS, has 34 characters).
MAX_TRACKING = 40
# A claim older than this belongs to a process that died mid-call: the call may be retried.
# Well past the longest a confirmation tries (sp_api.CONFIRM_BUDGET, then one more call).
STALE_CLAIM = timedelta(minutes=15)
_OPEN = (OrderStatus.UNSHIPPED, OrderStatus.PARTIALLY_SHIPPED)


def order_to_confirm(db: Database, order_id: str) -> Order | None:
    """The order a "Confirm shipment" form is for; None when the store has no such order."""
    with db.begin() as conn:
        return queries.get_order(conn, order_id)


@dataclass(frozen=True)
class Package:
    """What the person confirming says about the parcel."""

    carrier: str
    tracking: str
    ship_date: date
    carrier_name: str | None = None
    method: str | None = None


@dataclass(frozen=True)
class Confirmed:
    """A shipment Amazon has: just now, or `already` (by an earlier click or command)."""

    order_id: str
    carrier: str
    tracking: str
    shipped_at: datetime | None
    items: int
    already: bool


def carrier_code(text: str) -> str:
    """The carrier code Amazon wants for `text` (any case); BadInput listing them otherwise."""
    for code in CARRIERS:
        if text.strip().lower() == code.lower():
            return code
    raise BadInput("carrier_unknown", text=text.strip()[:40], carriers=list(CARRIERS))


def package_from(carrier: str, tracking: str, ship_date: str | None, carrier_name: str | None,
                 method: str | None, *, today: date) -> Package:
    """The package as typed (terminal or Slack modal), checked; BadInput names the field."""
    code = carrier_code(carrier)
    name = (carrier_name or "").strip() or None
    if code == "Other" and name is None:
        raise BadInput("carrier_name_missing")
    number = "".join(tracking.split())
    if not number or len(number) > MAX_TRACKING or not number.isascii() or not number.isalnum():
        raise BadInput("tracking_malformed", text=tracking.strip()[:MAX_TRACKING + 5])
    day = today
    if ship_date and ship_date.strip():
        try:
            day = date.fromisoformat(ship_date.strip())
        except ValueError:
            raise BadInput("ship_date_malformed", text=ship_date.strip()[:40]) from None
    return Package(code, number, day, name if code == "Other" else None,
                   (method or "").strip()[:100] or None)


def confirm(db: Database, api: "OrdersApi", seller: Seller, order_id: str, package: Package, *,
            now: datetime) -> Confirmed:
    """Tell Amazon that `order_id` shipped as `package`, once; raises BadInput, NotFound, or
    SellerbotError "confirm_refused" with Amazon's own message (then nothing is marked, and
    it can be confirmed again)."""
    with db.begin() as conn:
        order = queries.get_order(conn, order_id)
    if order is None:
        raise NotFound("order_not_found", order_id=order_id)
    job = f"confirm:{order_id}"
    done = job_runs.get(db, job, "shipment")
    if done is not None and done.status == job_runs.POSTED:
        return _already(order, done.ts)
    if order.status not in _OPEN:
        raise BadInput("confirm_not_open", order_id=order_id, status=str(order.status or "?"))
    lines = _lines(order)
    shipped_at = _ship_time(package, seller, now, order)
    claim = job_runs.claim(db, job, "shipment", job_runs.owner_id(), now,
                           stale_after=STALE_CLAIM, retry_failed_after=timedelta(0))
    if claim is None:
        done = job_runs.get(db, job, "shipment")
        if done is not None and done.status == job_runs.POSTED:
            return _already(order, done.ts)
        raise BadInput("confirm_in_progress", order_id=order_id)
    detail = {
        # Digits only, unique within the order: one package per confirmation.
        "packageReferenceId": "1",
        "carrierCode": package.carrier,
        "trackingNumber": package.tracking,
        "shipDate": shipped_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "orderItems": [{"orderItemId": item_id, "quantity": quantity}
                       for item_id, quantity in lines],
    }
    if package.carrier == "Other":
        detail["carrierName"] = package.carrier_name
    if package.method:
        detail["shippingMethod"] = package.method
    try:
        api.confirm_shipment(order_id, detail)
    except SpApiFailed as exc:
        job_runs.finish(db, claim, now, status=job_runs.FAILED, attempts=1,
                        error=str(exc.params.get("error") or "failed")[:64])
        raise SellerbotError("confirm_refused", order_id=order_id, **exc.params) from None
    # ts keeps what was confirmed, for "already confirmed" answers: the carrier and, when it
    # fits the column, the tracking number; never a cut one.
    kept = f"{package.carrier}|{package.tracking}"
    job_runs.finish(db, claim, now, status=job_runs.POSTED, attempts=1,
                    ts=kept if len(kept) <= job_runs.TS_CHARS else f"{package.carrier}|")
    _mark_shipped(db, order, shipped_at, now)
    return Confirmed(order_id, package.carrier, package.tracking, shipped_at,
                     sum(q for _, q in lines), already=False)


def _already(order: Order, ts: str | None) -> Confirmed:
    carrier, _, tracking = (ts or "|").partition("|")
    return Confirmed(order.order_id, carrier, tracking, order.shipped_at, 0, already=True)


def _lines(order: Order) -> list[tuple[str, int]]:
    """(order item id, quantity still to ship) for each line with something left to ship."""
    lines = []
    for item in order.items:
        left = (item.quantity_ordered or 0) - (item.quantity_shipped or 0)
        if left <= 0:
            continue
        if not item.order_item_id:
            # Report files without item ids (All Orders) cannot say which line shipped.
            raise BadInput("confirm_no_item_ids", order_id=order.order_id)
        lines.append((item.order_item_id, left))
    if not lines:
        raise BadInput("confirm_nothing_left", order_id=order.order_id)
    return lines


def _ship_time(package: Package, seller: Seller, now: datetime, order: Order) -> datetime:
    """When the parcel left: now if it left today (local), else noon local on its day."""
    today = now.astimezone(seller.timezone).date()
    if package.ship_date > today:
        raise BadInput("ship_date_future", day=package.ship_date.isoformat())
    if order.purchase_date and package.ship_date < order.purchase_date.astimezone(
            seller.timezone).date():
        raise BadInput("ship_date_before_order", day=package.ship_date.isoformat())
    if package.ship_date == today:
        return now.replace(microsecond=0)
    return datetime.combine(package.ship_date, time(12), seller.timezone)


def _mark_shipped(db: Database, order: Order, shipped_at: datetime, now: datetime) -> None:
    """The stored order as Amazon now has it: shipped, every line in full."""
    with db.begin() as conn:
        writer = Writer(conn)
        # A newer last update wins over what the store holds (store/writer.py).
        writer.add(Order(order.order_id, status=OrderStatus.SHIPPED, shipped_at=shipped_at,
                         confirmed_at=now, last_update=now))
        for item in order.items:
            writer.add(OrderItem(order.order_id, item.sku, quantity_shipped=item.quantity_ordered,
                                 last_update=now))
        writer.flush()
