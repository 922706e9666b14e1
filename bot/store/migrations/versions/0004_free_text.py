"""free text from Amazon as TEXT on PostgreSQL, which refused values past VARCHAR lengths

SQLite never enforced the lengths, so the same file imported there and failed on PostgreSQL.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

COLUMNS = (
    ("orders", "merchant_order_id"),
    ("orders", "marketplace_id"),
    ("orders", "ship_service_level"),
    ("order_items", "order_item_id"),
    ("order_items", "asin"),
    ("order_items", "condition"),
    ("order_items", "product_category"),
    ("returns", "amazon_rma_id"),
    ("returns", "status"),
    ("returns", "merchant_rma_id"),
    ("returns", "label_type"),
    ("returns", "carrier"),
    ("returns", "label_paid_by"),
    ("returns", "asin"),
    ("returns", "reason"),
    ("returns", "return_type"),
    ("returns", "resolution"),
    ("returns", "invoice_number"),
    ("returns", "safet_action_reason"),
    ("returns", "safet_claim_id"),
    ("returns", "safet_claim_state"),
    ("returns", "order_item_id"),
    ("returns", "category"),
)


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return  # SQLite keeps any text in any column
    for table, column in COLUMNS:
        op.alter_column(table, column, type_=sa.Text())


def downgrade() -> None:
    """Lengths are not restored: values longer than the old limits may now be stored."""
