"""initial tables: orders, order items, returns, imports

Revision ID: 0001
Revises:
Create Date: 2026-11-26 16:01:02.952248
"""

import sqlalchemy as sa
from alembic import op

# A point in time: timestamptz on PostgreSQL; on SQLite, Unix epoch seconds as REAL
# (bot/store/types.py).
TIME = sa.DateTime(timezone=True).with_variant(sa.Float(), "sqlite")

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("imports",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("file_name", sa.Text(), nullable=False),
    sa.Column("kind", sa.String(length=32), nullable=False),
    sa.Column("rows", sa.Integer(), nullable=False),
    sa.Column("skipped_rows", sa.Integer(), nullable=False),
    sa.Column("checksum", sa.String(length=64), nullable=False),
    sa.Column("imported_at", TIME, nullable=False),
    sa.PrimaryKeyConstraint("id")
    )
    op.create_table("orders",
    sa.Column("order_id", sa.String(length=32), nullable=False),
    sa.Column("merchant_order_id", sa.String(length=64), nullable=True),
    sa.Column("purchase_date", TIME, nullable=True),
    sa.Column("last_update", TIME, nullable=True),
    sa.Column("status", sa.String(length=24), nullable=True),
    sa.Column("fulfillment_channel", sa.String(length=3), nullable=True),
    sa.Column("marketplace_id", sa.String(length=16), nullable=True),
    sa.Column("ship_service_level", sa.String(length=64), nullable=True),
    sa.Column("is_prime", sa.Boolean(), nullable=True),
    sa.Column("is_business", sa.Boolean(), nullable=True),
    sa.Column("earliest_ship_date", TIME, nullable=True),
    sa.Column("latest_ship_date", TIME, nullable=True),
    sa.Column("earliest_delivery_date", TIME, nullable=True),
    sa.Column("latest_delivery_date", TIME, nullable=True),
    sa.Column("shipped_at", TIME, nullable=True),
    sa.Column("delivered_at", TIME, nullable=True),
    sa.Column("order_total", sa.Numeric(precision=12, scale=2), nullable=True),
    sa.Column("currency", sa.String(length=3), nullable=True),
    sa.Column("ship_country", sa.String(length=2), nullable=True),
    sa.Column("is_demo", sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint("order_id")
    )
    op.create_table("returns",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("order_id", sa.String(length=32), nullable=False),
    sa.Column("amazon_rma_id", sa.String(length=32), nullable=False),
    sa.Column("sku", sa.String(length=64), nullable=False),
    sa.Column("order_date", sa.Date(), nullable=True),
    sa.Column("request_date", sa.Date(), nullable=True),
    sa.Column("status", sa.String(length=32), nullable=True),
    sa.Column("merchant_rma_id", sa.String(length=64), nullable=True),
    sa.Column("label_type", sa.String(length=64), nullable=True),
    sa.Column("label_cost", sa.Numeric(precision=12, scale=2), nullable=True),
    sa.Column("currency", sa.String(length=3), nullable=True),
    sa.Column("carrier", sa.String(length=64), nullable=True),
    sa.Column("label_paid_by", sa.String(length=32), nullable=True),
    sa.Column("a_to_z_claim", sa.Boolean(), nullable=True),
    sa.Column("is_prime", sa.Boolean(), nullable=True),
    sa.Column("asin", sa.String(length=16), nullable=True),
    sa.Column("item_name", sa.Text(), nullable=True),
    sa.Column("quantity", sa.Integer(), nullable=True),
    sa.Column("reason", sa.String(length=64), nullable=True),
    sa.Column("in_policy", sa.Boolean(), nullable=True),
    sa.Column("return_type", sa.String(length=64), nullable=True),
    sa.Column("resolution", sa.String(length=64), nullable=True),
    sa.Column("invoice_number", sa.String(length=64), nullable=True),
    sa.Column("return_delivery_date", sa.Date(), nullable=True),
    sa.Column("order_amount", sa.Numeric(precision=12, scale=2), nullable=True),
    sa.Column("order_quantity", sa.Integer(), nullable=True),
    sa.Column("safet_action_reason", sa.String(length=128), nullable=True),
    sa.Column("safet_claim_id", sa.String(length=64), nullable=True),
    sa.Column("safet_claim_state", sa.String(length=64), nullable=True),
    sa.Column("safet_claim_date", sa.Date(), nullable=True),
    sa.Column("safet_reimbursement", sa.Numeric(precision=12, scale=2), nullable=True),
    sa.Column("refunded_amount", sa.Numeric(precision=12, scale=2), nullable=True),
    sa.Column("order_item_id", sa.String(length=32), nullable=True),
    sa.Column("category", sa.String(length=64), nullable=True),
    sa.Column("is_demo", sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint("id")
    )
    with op.batch_alter_table("returns", schema=None) as batch_op:
        batch_op.create_index("uq_returns_line", ["order_id", "amazon_rma_id", "sku"], unique=True)

    op.create_table("order_items",
    sa.Column("order_id", sa.String(length=32), nullable=False),
    sa.Column("sku", sa.String(length=64), nullable=False),
    sa.Column("order_item_id", sa.String(length=32), nullable=True),
    sa.Column("asin", sa.String(length=16), nullable=True),
    sa.Column("title", sa.Text(), nullable=True),
    sa.Column("quantity_ordered", sa.Integer(), nullable=True),
    sa.Column("quantity_shipped", sa.Integer(), nullable=True),
    sa.Column("item_price", sa.Numeric(precision=12, scale=2), nullable=True),
    sa.Column("item_tax", sa.Numeric(precision=12, scale=2), nullable=True),
    sa.Column("shipping_price", sa.Numeric(precision=12, scale=2), nullable=True),
    sa.Column("shipping_tax", sa.Numeric(precision=12, scale=2), nullable=True),
    sa.Column("promotion_discount", sa.Numeric(precision=12, scale=2), nullable=True),
    sa.Column("condition", sa.String(length=32), nullable=True),
    sa.Column("product_category", sa.String(length=64), nullable=True),
    sa.Column("buyer_requested_cancel", sa.Boolean(), nullable=True),
    sa.Column("last_update", TIME, nullable=True),
    sa.ForeignKeyConstraint(["order_id"], ["orders.order_id"], ondelete="CASCADE"),
    sa.PrimaryKeyConstraint("order_id", "sku")
    )


def downgrade() -> None:
    op.drop_table("order_items")
    with op.batch_alter_table("returns", schema=None) as batch_op:
        batch_op.drop_index("uq_returns_line")

    op.drop_table("returns")
    op.drop_table("orders")
    op.drop_table("imports")
