"""buyer_messages: the Slack post, the reply's send, the outcome and the reminders of each message

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

TIME = sa.DateTime(timezone=True).with_variant(sa.Float(), "sqlite")

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

COLUMNS = (
    ("post_state", sa.String(8)), ("post_owner", sa.String(96)), ("post_claimed_at", TIME),
    ("channel", sa.String(32)), ("post_ts", sa.String(32)),
    ("reply_state", sa.String(8)), ("reply_claimed_at", TIME), ("reply_error", sa.String(200)),
    ("outcome", sa.String(12)),
)


def upgrade() -> None:
    with op.batch_alter_table("buyer_messages") as batch:
        for name, kind in COLUMNS:
            batch.add_column(sa.Column(name, kind, nullable=True))
        batch.add_column(sa.Column("reminded", sa.Integer(), nullable=False,
                                   server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("buyer_messages") as batch:
        batch.drop_column("reminded")
        for name, _kind in reversed(COLUMNS):
            batch.drop_column(name)
