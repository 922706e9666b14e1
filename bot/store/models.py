"""The tables, as SQLAlchemy 2 typed models. Nothing outside bot/store/ sees them."""

from datetime import date, datetime
from decimal import Decimal
from typing import ClassVar

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, Numeric, String, Text, text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from bot.store.types import UTCDateTime

# Amazon order ids are 19 characters; other sales channels' ids are no longer. Keys and codes
# have lengths the sources check; free text from Amazon is Text, which PostgreSQL would
# otherwise refuse past a length SQLite never checks.
ORDER_ID = String(32)
# Open for shipping (shipping.md §6), written out as SQL so that the partial indexes below and
# the queries that use them (bot/store/queries.py) say exactly the same thing: SQLite uses a
# partial index only for a WHERE clause that repeats the index's own.
OPEN_ORDER = "fulfillment_channel = 'MFN' AND status IN ('Unshipped', 'PartiallyShipped')"
WITH_SHIP_BY = "fulfillment_channel = 'MFN' AND latest_ship_date IS NOT NULL"

# Numeric(12, 2): exact money; every Amazon marketplace currency has at most 2 decimals.
MONEY = Numeric(12, 2)


class Base(DeclarativeBase):
    """Declarative base: maps Python types to the columns below."""

    type_annotation_map: ClassVar = {datetime: UTCDateTime(), Decimal: MONEY}


class OrderRow(Base):
    """An order (privacy.md: no buyer name, address, e-mail or phone has a column)."""

    __tablename__ = "orders"

    order_id: Mapped[str] = mapped_column(ORDER_ID, primary_key=True)
    merchant_order_id: Mapped[str | None] = mapped_column(Text)
    purchase_date: Mapped[datetime | None]
    last_update: Mapped[datetime | None]
    status: Mapped[str | None] = mapped_column(String(24))
    fulfillment_channel: Mapped[str | None] = mapped_column(String(3))
    marketplace_id: Mapped[str | None] = mapped_column(Text)
    ship_service_level: Mapped[str | None] = mapped_column(Text)
    is_prime: Mapped[bool | None] = mapped_column(Boolean)
    is_business: Mapped[bool | None] = mapped_column(Boolean)
    earliest_ship_date: Mapped[datetime | None]
    latest_ship_date: Mapped[datetime | None]
    earliest_delivery_date: Mapped[datetime | None]
    latest_delivery_date: Mapped[datetime | None]
    shipped_at: Mapped[datetime | None]
    delivered_at: Mapped[datetime | None]
    order_total: Mapped[Decimal | None]
    currency: Mapped[str | None] = mapped_column(String(3))
    ship_country: Mapped[str | None] = mapped_column(String(2))
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)

    __table_args__ = (
        # Open orders by deadline: /orders and the digest read only these.
        Index("ix_orders_open", "latest_ship_date",
              sqlite_where=text(OPEN_ORDER), postgresql_where=text(OPEN_ORDER)),
        # Merchant orders by Amazon's ship-by, covering what the Late Shipment Rate reads.
        Index("ix_orders_ship_by", "latest_ship_date", "shipped_at", "status",
              sqlite_where=text(WITH_SHIP_BY), postgresql_where=text(WITH_SHIP_BY)),
        # New orders since an instant.
        Index("ix_orders_purchase_date", "purchase_date"),
    )


class OrderItemRow(Base):
    """One line of an order.

    Keyed by (order_id, sku): the All Orders report has no order-item-id, and the SKU is the one
    key every source (reports, SP-API v0 and v2026) gives for a line.
    """

    __tablename__ = "order_items"

    order_id: Mapped[str] = mapped_column(
        ORDER_ID, ForeignKey("orders.order_id", ondelete="CASCADE"), primary_key=True
    )
    sku: Mapped[str] = mapped_column(String(64), primary_key=True)
    order_item_id: Mapped[str | None] = mapped_column(Text)
    asin: Mapped[str | None] = mapped_column(Text)
    title: Mapped[str | None] = mapped_column(Text)
    quantity_ordered: Mapped[int | None] = mapped_column(Integer)
    quantity_shipped: Mapped[int | None] = mapped_column(Integer)
    item_price: Mapped[Decimal | None]
    item_tax: Mapped[Decimal | None]
    shipping_price: Mapped[Decimal | None]
    shipping_tax: Mapped[Decimal | None]
    promotion_discount: Mapped[Decimal | None]
    condition: Mapped[str | None] = mapped_column(Text)
    product_category: Mapped[str | None] = mapped_column(Text)
    buyer_requested_cancel: Mapped[bool | None] = mapped_column(Boolean)
    last_update: Mapped[datetime | None]


class ReturnRow(Base):
    """A return request from the MFN returns report, minus its tracking number (privacy.md §3)."""

    __tablename__ = "returns"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # No foreign key: the returns report reaches back further than the order reports may.
    order_id: Mapped[str] = mapped_column(ORDER_ID)
    amazon_rma_id: Mapped[str] = mapped_column(Text)
    sku: Mapped[str] = mapped_column(String(64))
    order_date: Mapped[date | None] = mapped_column(Date)
    request_date: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str | None] = mapped_column(Text)
    merchant_rma_id: Mapped[str | None] = mapped_column(Text)
    label_type: Mapped[str | None] = mapped_column(Text)
    label_cost: Mapped[Decimal | None]
    currency: Mapped[str | None] = mapped_column(String(3))
    carrier: Mapped[str | None] = mapped_column(Text)
    label_paid_by: Mapped[str | None] = mapped_column(Text)
    a_to_z_claim: Mapped[bool | None] = mapped_column(Boolean)
    is_prime: Mapped[bool | None] = mapped_column(Boolean)
    asin: Mapped[str | None] = mapped_column(Text)
    item_name: Mapped[str | None] = mapped_column(Text)
    quantity: Mapped[int | None] = mapped_column(Integer)
    reason: Mapped[str | None] = mapped_column(Text)
    in_policy: Mapped[bool | None] = mapped_column(Boolean)
    return_type: Mapped[str | None] = mapped_column(Text)
    resolution: Mapped[str | None] = mapped_column(Text)
    invoice_number: Mapped[str | None] = mapped_column(Text)
    return_delivery_date: Mapped[date | None] = mapped_column(Date)
    order_amount: Mapped[Decimal | None]
    order_quantity: Mapped[int | None] = mapped_column(Integer)
    safet_action_reason: Mapped[str | None] = mapped_column(Text)
    safet_claim_id: Mapped[str | None] = mapped_column(Text)
    safet_claim_state: Mapped[str | None] = mapped_column(Text)
    safet_claim_date: Mapped[date | None] = mapped_column(Date)
    safet_reimbursement: Mapped[Decimal | None]
    refunded_amount: Mapped[Decimal | None]
    order_item_id: Mapped[str | None] = mapped_column(Text)
    category: Mapped[str | None] = mapped_column(Text)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)

    __table_args__ = (
        Index("uq_returns_line", "order_id", "amazon_rma_id", "sku", unique=True),
    )


class ImportRow(Base):
    """One imported file: what it was and what came of it."""

    __tablename__ = "imports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    file_name: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(32))
    rows: Mapped[int] = mapped_column(Integer)
    skipped_rows: Mapped[int] = mapped_column(Integer, default=0)
    checksum: Mapped[str] = mapped_column(String(64))
    imported_at: Mapped[datetime]


class SlackPostRow(Base):
    """A message sellerbot posted to a channel on someone's click, keyed so it posts once."""

    __tablename__ = "slack_posts"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    channel: Mapped[str] = mapped_column(String(32))
    ts: Mapped[str | None] = mapped_column(String(32))
    posted_at: Mapped[datetime]


class ReplyCheckRow(Base):
    """One "Check reply" run: what was found and who asked, never the text (a SHA-256 of it)."""

    __tablename__ = "reply_checks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    checked_at: Mapped[datetime] = mapped_column(index=True)
    verdict: Mapped[str] = mapped_column(String(8))
    # Comma-separated ids: categories (messaging.md §5) and rules (rules/compliance/).
    categories: Mapped[str] = mapped_column(Text)
    rules: Mapped[str] = mapped_column(Text)
    surface: Mapped[str] = mapped_column(String(16))
    slack_user: Mapped[str | None] = mapped_column(String(32))
    slack_channel: Mapped[str | None] = mapped_column(String(32))
    text_sha256: Mapped[str] = mapped_column(String(64))
    length: Mapped[int] = mapped_column(Integer)


class JobRunRow(Base):
    """One run of a once-a-day job (a channel's digest): claimed before it acts, so that two
    processes, or a restart, never do it twice (slack.md §13)."""

    __tablename__ = "job_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    job: Mapped[str] = mapped_column(String(64))
    # The local date the run is for (ISO 8601).
    period: Mapped[str] = mapped_column(String(16))
    # claimed, posted or failed.
    status: Mapped[str] = mapped_column(String(8))
    owner: Mapped[str] = mapped_column(String(96))
    claimed_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    ts: Mapped[str | None] = mapped_column(String(32))
    error: Mapped[str | None] = mapped_column(String(64))
    late: Mapped[bool] = mapped_column(Boolean, default=False)

    __table_args__ = (Index("uq_job_runs_period", "job", "period", unique=True),)


class SyncStateRow(Base):
    """Where the SP-API sync of one marketplace stands: its cursor and how its runs went."""

    __tablename__ = "sync_state"

    marketplace_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    # Orders last updated up to this time are in the store (sp-api.md §5).
    watermark: Mapped[datetime | None]
    last_success_at: Mapped[datetime | None]
    last_attempt_at: Mapped[datetime | None]
    # Set by the first failure after a success, cleared by the next success.
    failing_since: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    # Orders a sync left out because a field of theirs cannot be read, comma-separated, until
    # a later sync reads them: the cursor has moved past them, so the digest must say so.
    left_out: Mapped[str | None] = mapped_column(Text)
