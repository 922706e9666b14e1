"""orders.deadline: none on closed orders, for databases that took 0009 in its first form

0009 first kept Amazon's ship-by as the deadline of every merchant order, closed ones too; it
now keeps it on open orders only, as every write since does. A database migrated by the first
form keeps deadlines that nothing reads; they are cleared, so that PostgreSQL's statistics
on the column describe open orders only.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06
"""

from alembic import op

# Written out here, not imported: a migration must keep meaning what it meant when written.
OPEN_ORDER = "fulfillment_channel = 'MFN' AND status IN ('Unshipped', 'PartiallyShipped')"

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A NULL status or channel is not open either: NOT (...) alone would skip those rows.
    op.execute(f"UPDATE orders SET deadline = NULL "
               f"WHERE deadline IS NOT NULL AND NOT COALESCE(({OPEN_ORDER}), FALSE)")


def downgrade() -> None:
    """Nothing to undo: no reader needs a closed order's deadline."""
