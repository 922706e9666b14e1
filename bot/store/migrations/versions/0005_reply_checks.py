"""reply_checks: the audit of "Check reply" runs, without the text

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

# A point in time: timestamptz on PostgreSQL; on SQLite, Unix epoch seconds as REAL.
TIME = sa.DateTime(timezone=True).with_variant(sa.Float(), "sqlite")

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "reply_checks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("checked_at", TIME, nullable=False),
        sa.Column("verdict", sa.String(length=8), nullable=False),
        sa.Column("categories", sa.Text(), nullable=False),
        sa.Column("rules", sa.Text(), nullable=False),
        sa.Column("surface", sa.String(length=16), nullable=False),
        sa.Column("slack_user", sa.String(length=32), nullable=True),
        sa.Column("slack_channel", sa.String(length=32), nullable=True),
        sa.Column("text_sha256", sa.String(length=64), nullable=False),
        sa.Column("length", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_reply_checks_checked_at", "reply_checks", ["checked_at"])


def downgrade() -> None:
    op.drop_index("ix_reply_checks_checked_at", table_name="reply_checks")
    op.drop_table("reply_checks")
