"""Orders, order items and return requests as plain records: what sources emit and the store keeps.

A field left as None means "this source does not say"; the store then keeps what it knew.
Records are not frozen dataclasses only because those take five times longer to build, which
matters at a million rows (bench/import_orders.py); treat them as immutable.
No record has a field for a buyer's name, address, e-mail or phone (Amazon's Data Protection
Policy; ../shared/spec/privacy.md): sources drop them while parsing.
"""

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum


class OrderStatus(StrEnum):
    """Amazon's order statuses, in the Orders API v0 spelling (shipping.md §6)."""

    PENDING_AVAILABILITY = "PendingAvailability"
    PENDING = "Pending"
    UNSHIPPED = "Unshipped"
    PARTIALLY_SHIPPED = "PartiallyShipped"
    SHIPPED = "Shipped"
    INVOICE_UNCONFIRMED = "InvoiceUnconfirmed"
    CANCELED = "Canceled"
    UNFULFILLABLE = "Unfulfillable"


class Channel(StrEnum):
    """Who fulfils the order: the seller (MFN, sellerbot's concern) or Amazon (AFN)."""

    MERCHANT = "MFN"
    AMAZON = "AFN"


@dataclass(slots=True)
class OrderItem:
    """One line of an order: a SKU and its quantities and money."""

    order_id: str
    sku: str
    order_item_id: str | None = None
    asin: str | None = None
    title: str | None = None
    quantity_ordered: int | None = None
    quantity_shipped: int | None = None
    # Line totals (unit price x quantity), as Amazon reports them.
    item_price: Decimal | None = None
    item_tax: Decimal | None = None
    shipping_price: Decimal | None = None
    shipping_tax: Decimal | None = None
    promotion_discount: Decimal | None = None
    condition: str | None = None
    product_category: str | None = None
    buyer_requested_cancel: bool | None = None
    # The order's last update when this line was read: the newer line wins on re-import.
    last_update: datetime | None = None


@dataclass(slots=True)
class Order:
    """An Amazon order without any buyer data; all times are UTC-aware."""

    order_id: str
    merchant_order_id: str | None = None
    purchase_date: datetime | None = None
    last_update: datetime | None = None
    status: OrderStatus | None = None
    fulfillment_channel: Channel | None = None
    marketplace_id: str | None = None
    ship_service_level: str | None = None
    is_prime: bool | None = None
    is_business: bool | None = None
    earliest_ship_date: datetime | None = None
    latest_ship_date: datetime | None = None
    earliest_delivery_date: datetime | None = None
    latest_delivery_date: datetime | None = None
    shipped_at: datetime | None = None
    # When Amazon took the shipment confirmation, where sellerbot sent it (no source states
    # it): the Late Shipment Rate judges by it, not by the ship date typed in (shipped_at).
    confirmed_at: datetime | None = None
    delivered_at: datetime | None = None
    # Only when the source states it (the SP-API does, reports do not); see `total`.
    order_total: Decimal | None = None
    currency: str | None = None
    ship_country: str | None = None
    # An open order's ship-by deadline as the store keeps it: Amazon's, or the one computed
    # from the seller's handling times and calendar when the order was stored
    # (bot/usecases/deadlines.py). None from every source, and for a closed order. Not
    # compared: it is derived, not a fact about the order.
    deadline: datetime | None = field(default=None, compare=False)
    items: tuple[OrderItem, ...] = field(default=(), compare=False)

    @property
    def total(self) -> Decimal | None:
        """The order total Amazon stated, else the sum of the items' money."""
        if self.order_total is not None:
            return self.order_total
        amounts = [
            value
            for item in self.items
            for value in (item.item_price, item.item_tax, item.shipping_price, item.shipping_tax)
            if value is not None
        ]
        discounts = [i.promotion_discount for i in self.items if i.promotion_discount is not None]
        if not amounts:
            return None
        return sum(amounts, Decimal(0)) - sum(discounts, Decimal(0))


@dataclass(slots=True)
class ReturnRequest:
    """One line of the MFN returns report, without the return tracking number (privacy.md §3)."""

    order_id: str
    amazon_rma_id: str
    sku: str
    order_date: date | None = None
    request_date: date | None = None
    status: str | None = None
    merchant_rma_id: str | None = None
    label_type: str | None = None
    label_cost: Decimal | None = None
    currency: str | None = None
    carrier: str | None = None
    label_paid_by: str | None = None
    a_to_z_claim: bool | None = None
    is_prime: bool | None = None
    asin: str | None = None
    item_name: str | None = None
    quantity: int | None = None
    reason: str | None = None
    in_policy: bool | None = None
    return_type: str | None = None
    resolution: str | None = None
    invoice_number: str | None = None
    return_delivery_date: date | None = None
    order_amount: Decimal | None = None
    order_quantity: int | None = None
    safet_action_reason: str | None = None
    safet_claim_id: str | None = None
    safet_claim_state: str | None = None
    safet_claim_date: date | None = None
    safet_reimbursement: Decimal | None = None
    refunded_amount: Decimal | None = None
    order_item_id: str | None = None
    category: str | None = None


OPEN_STATUSES = frozenset({OrderStatus.UNSHIPPED, OrderStatus.PARTIALLY_SHIPPED})
"""Statuses that still need a shipment confirmation (shipping.md §6)."""
