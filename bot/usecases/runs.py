"""Scheduled runs, once per job and period across every process: a claim, its heartbeats and
its outcome are rows in the store (bot/store/job_runs.py), which the scheduler and the CLI
reach through here; and forgetting what is older than the retention period."""

from datetime import datetime

from bot.store import Database, job_runs, retention
from bot.store.job_runs import (
    CLAIMED,
    FAILED,
    POSTED,
    Claim,
    Run,
    claim,
    finish,
    get,
    heartbeat,
    last_posted,
    latest,
    owner_id,
    record_posted,
)

__all__ = ["CLAIMED", "FAILED", "POSTED", "Claim", "Run", "claim", "finish", "forget_before",
           "get", "heartbeat", "last_posted", "latest", "owner_id", "record_posted"]


def forget_before(db: Database, cutoff: datetime, period: str) -> int:
    """Delete imported data older than `cutoff` and job runs before `period`; rows deleted."""
    return retention.forget_before(db, cutoff) + job_runs.forget_before(db, period)
