"""indexes for the reports: open orders by deadline, ship-by window, purchase time

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

# Written out here, not imported: a migration must keep meaning what it meant when written.
OPEN_ORDER = "fulfillment_channel = 'MFN' AND status IN ('Unshipped', 'PartiallyShipped')"
WITH_SHIP_BY = "fulfillment_channel = 'MFN' AND latest_ship_date IS NOT NULL"

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_orders_open", "orders", ["latest_ship_date"],
                    sqlite_where=sa.text(OPEN_ORDER), postgresql_where=sa.text(OPEN_ORDER))
    op.create_index("ix_orders_ship_by", "orders", ["latest_ship_date", "shipped_at", "status"],
                    sqlite_where=sa.text(WITH_SHIP_BY), postgresql_where=sa.text(WITH_SHIP_BY))
    op.create_index("ix_orders_purchase_date", "orders", ["purchase_date"])


def downgrade() -> None:
    op.drop_index("ix_orders_purchase_date", "orders")
    op.drop_index("ix_orders_ship_by", "orders")
    op.drop_index("ix_orders_open", "orders")
