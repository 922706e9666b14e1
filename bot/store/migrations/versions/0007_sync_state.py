"""sync_state: the SP-API sync's cursor and the outcome of its runs, per marketplace

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

# A point in time: timestamptz on PostgreSQL; on SQLite, Unix epoch seconds as REAL.
TIME = sa.DateTime(timezone=True).with_variant(sa.Float(), "sqlite")

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sync_state",
        sa.Column("marketplace_id", sa.String(length=32), nullable=False),
        sa.Column("watermark", TIME, nullable=True),
        sa.Column("last_success_at", TIME, nullable=True),
        sa.Column("last_attempt_at", TIME, nullable=True),
        sa.Column("failing_since", TIME, nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("marketplace_id"),
    )


def downgrade() -> None:
    op.drop_table("sync_state")
