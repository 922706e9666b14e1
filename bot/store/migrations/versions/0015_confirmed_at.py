"""orders.confirmed_at: when Amazon took a shipment confirmation sellerbot sent

The Late Shipment Rate counts a confirmation by when it reached Amazon, not by the ship date
typed into it (shipping.md §4): an order due Sunday and confirmed on Monday with Sunday's date
is late. shipped_at keeps the ship date (what Amazon's own answers give); the rate reads
confirmed_at where sellerbot knows it. The rate's covering index takes the column too.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

# Written out here, not imported: a migration must keep meaning what it meant when written.
TIME = sa.DateTime(timezone=True).with_variant(sa.Float(), "sqlite")
WITH_SHIP_BY = "fulfillment_channel = 'MFN' AND latest_ship_date IS NOT NULL"

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def _ship_by_index(columns: list[str]) -> None:
    op.drop_index("ix_orders_ship_by", "orders")
    op.create_index("ix_orders_ship_by", "orders", columns,
                    sqlite_where=sa.text(WITH_SHIP_BY), postgresql_where=sa.text(WITH_SHIP_BY))


def upgrade() -> None:
    with op.batch_alter_table("orders") as batch:
        batch.add_column(sa.Column("confirmed_at", TIME, nullable=True))
    _ship_by_index(["latest_ship_date", "shipped_at", "confirmed_at", "status"])


def downgrade() -> None:
    _ship_by_index(["latest_ship_date", "shipped_at", "status"])
    with op.batch_alter_table("orders") as batch:
        batch.drop_column("confirmed_at")
