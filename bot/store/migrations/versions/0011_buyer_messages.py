"""buyer_messages and mailbox_state: relayed buyer messages known, and how far the mailbox is read

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

TIME = sa.DateTime(timezone=True).with_variant(sa.Float(), "sqlite")

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "buyer_messages",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("marketplace", sa.String(2), nullable=False),
        sa.Column("order_id", sa.String(32), nullable=True),
        sa.Column("received_at", TIME, nullable=False),
        sa.Column("folder", sa.Text(), nullable=False),
        sa.Column("uidvalidity", sa.BigInteger(), nullable=False),
        sa.Column("uid", sa.BigInteger(), nullable=False),
        sa.Column("answered_at", TIME, nullable=True),
        sa.Column("answered_by", sa.String(32), nullable=True),
    )
    op.create_index("ix_buyer_messages_received_at", "buyer_messages", ["received_at"])
    op.create_table(
        "mailbox_state",
        sa.Column("folder", sa.String(255), primary_key=True),
        sa.Column("uidvalidity", sa.BigInteger(), nullable=False),
        sa.Column("last_uid", sa.BigInteger(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("mailbox_state")
    op.drop_index("ix_buyer_messages_received_at", "buyer_messages")
    op.drop_table("buyer_messages")
