"""Scheduled runs, once per job and period across every process: a claim, its heartbeats and
its outcome are rows in the store (bot/store/job_runs.py), which the scheduler and the CLI
reach through here; and forgetting what is older than the retention period."""

import time as clock
from collections.abc import Callable
from datetime import datetime, time, timedelta

from bot.domain.returns import returns_may_come_from, still_asked_about
from bot.domain.shipping import cancelled_by
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
from bot.usecases.messages import RECORD_DAYS
from bot.usecases.sellers import Seller

__all__ = ["CLAIMED", "FAILED", "POSTED", "Claim", "Run", "claim", "finish", "forget_before",
           "get", "heartbeat", "last_posted", "latest", "owner_id", "record_posted"]


def forget_before(db: Database, cutoff: datetime, period: str, seller: Seller,
                  now: datetime) -> int:
    """Delete imported data older than `cutoff` and job runs before `period`; rows deleted.
    Orders whose return may still be asked about at `now` are kept, whatever RETENTION_DAYS
    says: a question can come until the late period after the return-by (privacy.md §2), a
    window and a late period after delivery, or months after the purchase for one bought in
    a holiday window. The dates are the marketplace's, as the return decision reads them
    (bot/usecases/returns.py)."""
    zone = seller.marketplace_timezone
    today = now.astimezone(zone).date()
    first = returns_may_come_from(today, seller.returns)
    orders_cutoff = None if first is None else datetime.combine(first, time.min, tzinfo=zone)
    asked = still_asked_about(today, seller.returns, seller.calendar,
                              seller.longest_handling_days)
    returnable = retention.Returnable(*(datetime.combine(day, time.min, tzinfo=zone)
                                        for day in (asked.delivered, asked.shipped, asked.bought)))
    # The response record counts the messages of its longest window, answered or not.
    messages_cutoff = now - timedelta(days=max(RECORD_DAYS))
    # Open orders whose auto-cancel passed before the cutoff: cancelled RETENTION_DAYS ago.
    cancelled = datetime.combine(
        cancelled_by(cutoff.astimezone(zone).date(), seller.calendar, seller.rules), time.min,
        tzinfo=zone)
    return (retention.forget_before(db, cutoff, orders_cutoff, returnable, messages_cutoff,
                                    cancelled)
            + job_runs.forget_before(db, period, cutoff))


def running_from(now: datetime) -> Callable[[], datetime]:
    """A clock for a long run that began at `now`: `now` moved on by the time the run has
    taken (use cases read no wall clock; a test's `now` moves on as the real one does).

    What a run stamps as it goes must say when: a review request's claim stamped with the
    run's start looks stale to a second run ten minutes in; a sync's page stored with it
    would have orders a digest built meanwhile did not."""
    started = clock.monotonic()
    return lambda: now + timedelta(seconds=clock.monotonic() - started)

