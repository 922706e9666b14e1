"""Scheduled runs, once per job and period across every process: a claim, its heartbeats and
its outcome are rows in the store (bot/store/job_runs.py), which the scheduler and the CLI
reach through here; and forgetting what is older than the retention period."""

from datetime import datetime, time

from bot.domain.returns import returns_may_come_from
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
from bot.usecases.sellers import Seller

__all__ = ["CLAIMED", "FAILED", "POSTED", "Claim", "Run", "claim", "finish", "forget_before",
           "get", "heartbeat", "last_posted", "latest", "owner_id", "record_posted"]


def forget_before(db: Database, cutoff: datetime, period: str, seller: Seller,
                  now: datetime) -> int:
    """Delete imported data older than `cutoff` and job runs before `period`; rows deleted.
    Orders bought in a holiday window whose returns may still come at `now` are kept: a
    question about one can come until the late period after its return-by (privacy.md §2),
    months after the purchase. The windows' dates are the marketplace's, as the return
    decision reads them (bot/usecases/returns.py)."""
    zone = seller.marketplace_timezone
    first = returns_may_come_from(now.astimezone(zone).date(), seller.returns)
    orders_cutoff = None if first is None else datetime.combine(first, time.min, tzinfo=zone)
    return (retention.forget_before(db, cutoff, orders_cutoff)
            + job_runs.forget_before(db, period, cutoff))
