"""job_runs: once-a-day jobs (the digest) claimed before they act, exactly once per period

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

# A point in time: timestamptz on PostgreSQL; on SQLite, Unix epoch seconds as REAL.
TIME = sa.DateTime(timezone=True).with_variant(sa.Float(), "sqlite")

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "job_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("job", sa.String(length=64), nullable=False),
        sa.Column("period", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("owner", sa.String(length=96), nullable=False),
        sa.Column("claimed_at", TIME, nullable=False),
        sa.Column("finished_at", TIME, nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("ts", sa.String(length=32), nullable=True),
        sa.Column("error", sa.String(length=64), nullable=True),
        sa.Column("late", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("uq_job_runs_period", "job_runs", ["job", "period"], unique=True)


def downgrade() -> None:
    op.drop_index("uq_job_runs_period", table_name="job_runs")
    op.drop_table("job_runs")
