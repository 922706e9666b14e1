"""orders.first_seen: when sellerbot first stored each order, for the digest's new orders

An order placed shortly before a digest that reaches the store after it (the next sync, a
report imported later) was new in neither digest. Orders stored before this keep NULL: they
were stored before any digest that follows.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

# Written out here, not imported: a migration must keep meaning what it meant when written.
TIME = sa.DateTime(timezone=True).with_variant(sa.Float(), "sqlite")

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("orders") as batch:
        batch.add_column(sa.Column("first_seen", TIME, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("orders") as batch:
        batch.drop_column("first_seen")
