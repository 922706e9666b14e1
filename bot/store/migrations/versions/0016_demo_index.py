"""orders.is_demo: a partial index of the demo seller's orders

Every import and sync removes the demo seller's orders once the seller's own arrive; finding
them read the whole orders table each time (44 ms at 166,000 orders, bench/import_orders.py).
The index holds the demo orders only: none, once they have gone.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-08
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Written out here, not imported: a migration must keep meaning what it meant when written.
    op.create_index("ix_orders_demo", "orders", ["order_id"],
                    sqlite_where=sa.text("is_demo = 1"), postgresql_where=sa.text("is_demo"))


def downgrade() -> None:
    op.drop_index("ix_orders_demo", "orders")
