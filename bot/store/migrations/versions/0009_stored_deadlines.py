"""orders.deadline: each order's ship-by kept with it, so the lists are index range scans

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

# Written out here, not imported: a migration must keep meaning what it meant when written.
TIME = sa.DateTime(timezone=True).with_variant(sa.Float(), "sqlite")
OPEN_ORDER = "fulfillment_channel = 'MFN' AND status IN ('Unshipped', 'PartiallyShipped')"

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("orders") as batch:
        batch.add_column(sa.Column("deadline", TIME, nullable=True))
    # An open order's deadline is Amazon's ship-by wherever it is known. The others are
    # computed by the first command that reads orders: with no basis stored, every open
    # order's deadline is computed from the settings (bot/usecases/deadlines.py).
    op.execute(f"UPDATE orders SET deadline = latest_ship_date WHERE {OPEN_ORDER}")
    op.drop_index("ix_orders_open", "orders")
    op.create_index("ix_orders_open", "orders", ["deadline"],
                    sqlite_where=sa.text(OPEN_ORDER), postgresql_where=sa.text(OPEN_ORDER))
    op.create_table(
        "derived",
        sa.Column("name", sa.String(32), primary_key=True),
        sa.Column("basis", sa.String(64), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("derived")
    op.drop_index("ix_orders_open", "orders")
    op.create_index("ix_orders_open", "orders", ["latest_ship_date"],
                    sqlite_where=sa.text(OPEN_ORDER), postgresql_where=sa.text(OPEN_ORDER))
    with op.batch_alter_table("orders") as batch:
        batch.drop_column("deadline")
