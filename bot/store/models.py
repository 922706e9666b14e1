"""The tables, in SQLAlchemy Core. Nothing outside bot/store/ sees them.

Core tables, not ORM classes: the store reads and writes rows with Core statements only, and
the ORM's import and class mapping cost every command's start a tenth of a second.
"""

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    Text,
    text,
)

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
# A demo seller's row, as SQLAlchemy writes `where(ORDERS.c.is_demo)` on each database.
DEMO = {"sqlite_where": text("is_demo = 1"), "postgresql_where": text("is_demo")}

# Numeric(12, 2): exact money; every Amazon marketplace currency has at most 2 decimals.
MONEY = Numeric(12, 2)

metadata = MetaData()


def _time(name: str, *, nullable: bool = True, index: bool = False) -> Column:
    """A point in time, stored UTC-aware (bot/store/types.py)."""
    return Column(name, UTCDateTime(), nullable=nullable, index=index)


def _money(name: str) -> Column:
    return Column(name, MONEY)


# An order (privacy.md: no buyer name, address, e-mail or phone has a column).
ORDERS = Table(
    "orders", metadata,
    Column("order_id", ORDER_ID, primary_key=True),
    Column("merchant_order_id", Text),
    _time("purchase_date"),
    _time("last_update"),
    Column("status", String(24)),
    Column("fulfillment_channel", String(3)),
    Column("marketplace_id", Text),
    Column("ship_service_level", Text),
    Column("is_prime", Boolean),
    Column("is_business", Boolean),
    _time("earliest_ship_date"),
    _time("latest_ship_date"),
    _time("earliest_delivery_date"),
    _time("latest_delivery_date"),
    _time("shipped_at"),
    # When Amazon took the shipment confirmation sellerbot sent (shipped_at is the ship date
    # typed into it): the Late Shipment Rate counts by it where known.
    _time("confirmed_at"),
    _time("delivered_at"),
    _money("order_total"),
    Column("currency", String(3)),
    Column("ship_country", String(2)),
    # An open order's deadline: Amazon's ship-by, or the one sellerbot computed when it stored
    # the order (the basis it was computed on is in DERIVED); what /orders and the digest
    # select by. None once the order is closed (the domain computes it when asked).
    _time("deadline"),
    Column("is_demo", Boolean, nullable=False, default=False),
    # When sellerbot first stored the order (the import's or sync's moment; never changed
    # after, NULL for orders stored before it was kept): the digest's new orders include one
    # placed shortly before the previous digest that only reached the store after it.
    _time("first_seen"),
    # Open orders by deadline: /orders and the digest read a range of this small index, so
    # their cost grows with the orders due, not with the orders stored.
    Index("ix_orders_open", "deadline",
          sqlite_where=text(OPEN_ORDER), postgresql_where=text(OPEN_ORDER)),
    # Merchant orders by Amazon's ship-by, covering what the Late Shipment Rate reads.
    Index("ix_orders_ship_by", "latest_ship_date", "shipped_at", "confirmed_at", "status",
          sqlite_where=text(WITH_SHIP_BY), postgresql_where=text(WITH_SHIP_BY)),
    # New orders since an instant.
    Index("ix_orders_purchase_date", "purchase_date"),
    # The demo seller's orders, which every import and sync removes once the seller's own
    # arrive: an index of none of them once they have gone, so finding them reads nothing
    # (without it, the whole orders table at every import: 44 ms at 166,000 orders).
    Index("ix_orders_demo", "order_id", **DEMO),
)

# One line of an order. Keyed by (order_id, sku): the All Orders report has no order-item-id,
# and the SKU is the one key every source (reports, SP-API v0 and v2026) gives for a line.
ORDER_ITEMS = Table(
    "order_items", metadata,
    Column("order_id", ORDER_ID, ForeignKey("orders.order_id", ondelete="CASCADE"),
           primary_key=True),
    Column("sku", String(64), primary_key=True),
    Column("order_item_id", Text),
    Column("asin", Text),
    Column("title", Text),
    Column("quantity_ordered", Integer),
    Column("quantity_shipped", Integer),
    _money("item_price"),
    _money("item_tax"),
    _money("shipping_price"),
    _money("shipping_tax"),
    _money("promotion_discount"),
    Column("condition", Text),
    Column("product_category", Text),
    Column("buyer_requested_cancel", Boolean),
    _time("last_update"),
)

# A return request from the MFN returns report, minus its tracking number (privacy.md §3).
RETURNS = Table(
    "returns", metadata,
    Column("id", Integer, primary_key=True),
    # No foreign key: the returns report reaches back further than the order reports may.
    Column("order_id", ORDER_ID, nullable=False),
    Column("amazon_rma_id", Text, nullable=False),
    Column("sku", String(64), nullable=False),
    Column("order_date", Date),
    Column("request_date", Date),
    Column("status", Text),
    Column("merchant_rma_id", Text),
    Column("label_type", Text),
    _money("label_cost"),
    Column("currency", String(3)),
    Column("carrier", Text),
    Column("label_paid_by", Text),
    Column("a_to_z_claim", Boolean),
    Column("is_prime", Boolean),
    Column("asin", Text),
    Column("item_name", Text),
    Column("quantity", Integer),
    Column("reason", Text),
    Column("in_policy", Boolean),
    Column("return_type", Text),
    Column("resolution", Text),
    Column("invoice_number", Text),
    Column("return_delivery_date", Date),
    _money("order_amount"),
    Column("order_quantity", Integer),
    Column("safet_action_reason", Text),
    Column("safet_claim_id", Text),
    Column("safet_claim_state", Text),
    Column("safet_claim_date", Date),
    _money("safet_reimbursement"),
    _money("refunded_amount"),
    Column("order_item_id", Text),
    Column("category", Text),
    Column("is_demo", Boolean, nullable=False, default=False),
    Index("uq_returns_line", "order_id", "amazon_rma_id", "sku", unique=True),
)

# One imported file: what it was and what came of it.
IMPORTS = Table(
    "imports", metadata,
    Column("id", Integer, primary_key=True),
    Column("file_name", Text, nullable=False),
    Column("kind", String(32), nullable=False),
    Column("rows", Integer, nullable=False),
    Column("skipped_rows", Integer, nullable=False, default=0),
    Column("checksum", String(64), nullable=False),
    _time("imported_at", nullable=False),
)

# A message sellerbot posted to a channel on someone's click, keyed so it posts once.
SLACK_POSTS = Table(
    "slack_posts", metadata,
    Column("key", String(64), primary_key=True),
    Column("channel", String(32), nullable=False),
    Column("ts", String(32)),
    _time("posted_at", nullable=False),
)

# One "Check reply" run: what was found and who asked, never the text (a SHA-256 of it).
REPLY_CHECKS = Table(
    "reply_checks", metadata,
    Column("id", Integer, primary_key=True),
    _time("checked_at", nullable=False, index=True),
    Column("verdict", String(8), nullable=False),
    # Comma-separated ids: categories (messaging.md §5) and rules (rules/compliance/).
    Column("categories", Text, nullable=False),
    Column("rules", Text, nullable=False),
    Column("surface", String(16), nullable=False),
    Column("slack_user", String(32)),
    Column("slack_channel", String(32)),
    Column("text_sha256", String(64), nullable=False),
    Column("length", Integer, nullable=False),
)

# One run of a once-a-day job (a channel's digest): claimed before it acts, so that two
# processes, or a restart, never do it twice (slack.md §13).
JOB_RUNS = Table(
    "job_runs", metadata,
    Column("id", Integer, primary_key=True),
    Column("job", String(64), nullable=False),
    # The local date the run is for (ISO 8601).
    Column("period", String(16), nullable=False),
    # claimed, posted or failed.
    Column("status", String(8), nullable=False),
    Column("owner", String(96), nullable=False),
    _time("claimed_at", nullable=False),
    _time("finished_at"),
    Column("attempts", Integer, nullable=False, default=0),
    Column("ts", String(32)),
    Column("error", String(64)),
    Column("late", Boolean, nullable=False, default=False),
    Index("uq_job_runs_period", "job", "period", unique=True),
)

# Amazon's "Request a Review" for one order: claimed before it is sent, so that two processes,
# a restart or a double click never send it twice; then what came of it (never buyer data).
REVIEW_REQUESTS = Table(
    "review_requests", metadata,
    Column("order_id", ORDER_ID, primary_key=True),
    # sending, sent, not-offered or failed (bot/domain/reviews.py Asked).
    Column("status", String(12), nullable=False),
    Column("owner", String(96), nullable=False),
    _time("claimed_at", nullable=False),
    _time("finished_at"),
    Column("attempts", Integer, nullable=False, default=1),
    # Amazon's status and error code, and its words, when it refused.
    Column("error", String(64)),
    Column("detail", Text),
)

# A buyer's message Amazon relayed to the seller's mailbox (issue 20): never its text, the
# buyer's name or the relay address; the key is a SHA-256 of its Message-ID.
BUYER_MESSAGES = Table(
    "buyer_messages", metadata,
    Column("key", String(64), primary_key=True),
    Column("marketplace", String(2), nullable=False),
    Column("order_id", ORDER_ID),
    _time("received_at", nullable=False, index=True),
    # Where the mailbox keeps it: a reply reads the relay address from there when it is sent.
    Column("folder", Text, nullable=False),
    Column("uidvalidity", BigInteger, nullable=False),
    Column("uid", BigInteger, nullable=False),
    _time("answered_at"),
    Column("answered_by", String(32)),
    # Its Slack post: claimed (being posted: by whom, since when), then posted (channel, ts).
    Column("post_state", String(8)),
    Column("post_owner", String(96)),
    _time("post_claimed_at"),
    Column("channel", String(32)),
    Column("post_ts", String(32)),
    # Its reply: sending, sent, failed (the server's words, no address) or unknown.
    Column("reply_state", String(8)),
    _time("reply_claimed_at"),
    Column("reply_error", String(200)),
    # replied or no-response.
    Column("outcome", String(12)),
    # How many of BUYER_MESSAGE_REMINDERS have been posted in its thread.
    Column("reminded", Integer, nullable=False, server_default="0"),
)

# How far sellerbot has read each mailbox folder: its UIDVALIDITY and the last UID read.
MAILBOX_STATE = Table(
    "mailbox_state", metadata,
    Column("folder", String(255), primary_key=True),
    Column("uidvalidity", BigInteger, nullable=False),
    Column("last_uid", BigInteger, nullable=False),
)

# What the store's derived values were computed from: for "deadline", a digest of the settings
# and calendar that decide a computed ship-by (bot/domain/shipping.py deadline_basis).
DERIVED = Table(
    "derived", metadata,
    Column("name", String(32), primary_key=True),
    Column("basis", String(64), nullable=False),
)

# Where the SP-API sync of one marketplace stands: its cursor and how its runs went.
SYNC_STATE = Table(
    "sync_state", metadata,
    Column("marketplace_id", String(32), primary_key=True),
    # Orders last updated up to this time are in the store (sp-api.md §5).
    _time("watermark"),
    _time("last_success_at"),
    _time("last_attempt_at"),
    # Set by the first failure after a success, cleared by the next success.
    _time("failing_since"),
    Column("last_error", Text),
    # Orders a sync left out because a field of theirs cannot be read, comma-separated, until
    # a later sync reads them: the cursor has moved past them, so the digest must say so.
    Column("left_out", Text),
)
