"""Once-a-day jobs, exactly once: a run claims (job, period) in the database before it acts.

The unique index on (job, period) decides between two processes that fire together, on SQLite
and PostgreSQL alike: one insert wins, the other sees the row. A claim left behind by a process
that died is taken over after a timeout by a compare-and-set on the claim's time, so that two
processes taking it over at once cannot both win either.
"""

import os
import socket
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.exc import IntegrityError

from bot.store.database import Database
from bot.store.models import JOB_RUNS, ORDERS

CLAIMED, POSTED, FAILED = "claimed", "posted", "failed"


@dataclass(frozen=True)
class Run:
    """A job run as stored."""

    job: str
    period: str
    status: str
    owner: str
    claimed_at: datetime
    finished_at: datetime | None
    attempts: int
    ts: str | None
    error: str | None
    late: bool


@dataclass(frozen=True)
class Claim:
    """A run this process now owns; `previous` is the status of the run it took over (CLAIMED
    by a process that died, or FAILED), None for a new one."""

    job: str
    period: str
    owner: str
    claimed_at: datetime
    previous: str | None = None


_TABLE = JOB_RUNS
# The longest `ts` a run keeps (a Slack message ts; what a confirmation sent).
TS_CHARS: int = _TABLE.c.ts.type.length


def owner_id() -> str:
    """This process, as a claim's owner: host, pid and a random part (pids are reused)."""
    return f"{socket.gethostname()[:48]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def _run(row: object) -> Run:
    m = row._mapping  # type: ignore[attr-defined]
    return Run(m["job"], m["period"], m["status"], m["owner"], m["claimed_at"],
               m["finished_at"], m["attempts"], m["ts"], m["error"], m["late"])


def get(db: Database, job: str, period: str) -> Run | None:
    """The run of `job` for `period`, if any."""
    with db.begin() as conn:
        row = conn.execute(select(_TABLE).where(_TABLE.c.job == job,
                                                _TABLE.c.period == period)).first()
    return _run(row) if row else None


def claim(db: Database, job: str, period: str, owner: str, now: datetime, *,
          stale_after: timedelta, late: bool = False,
          retry_failed_after: timedelta | None = None) -> Claim | None:
    """Claim the run, or None when it is done or another live process has it. A claim older
    than `stale_after` is taken over; a failed run only when `retry_failed_after` is given and
    it failed at least that long ago."""
    try:
        with db.begin() as conn:
            conn.execute(_TABLE.insert().values(
                job=job, period=period, status=CLAIMED, owner=owner, claimed_at=now,
                attempts=0, late=late))
        return Claim(job, period, owner, now)
    except IntegrityError:
        pass
    existing = get(db, job, period)
    if existing is None or existing.status == POSTED:
        return None
    # A claim's age runs from when it was made or last renewed; a failure's from when it
    # failed.
    age = now - (existing.claimed_at if existing.status == CLAIMED
                 else existing.finished_at or existing.claimed_at)
    stale = existing.status == CLAIMED and age >= stale_after
    retry = (existing.status == FAILED and retry_failed_after is not None
             and age >= retry_failed_after)
    if not (stale or retry):
        return None
    # Compare and set: only the process that still sees the old claim gets the new one.
    with db.begin() as conn:
        taken = conn.execute(update(JOB_RUNS).where(
            JOB_RUNS.c.job == job, JOB_RUNS.c.period == period,
            JOB_RUNS.c.status == existing.status, JOB_RUNS.c.owner == existing.owner,
            JOB_RUNS.c.claimed_at == existing.claimed_at,
        ).values(status=CLAIMED, owner=owner, claimed_at=now, finished_at=None, error=None,
                 late=late)).rowcount
    return Claim(job, period, owner, now, existing.status) if taken == 1 else None


def heartbeat(db: Database, claim: Claim, now: datetime, attempts: int) -> Claim | None:
    """Renew a claim while its run keeps trying, so that nobody takes it over; None when
    somebody already has (this process was paused past the takeover time: a suspended
    machine, a long lock wait), and the run is no longer this process's to finish."""
    with db.begin() as conn:
        renewed = conn.execute(update(JOB_RUNS).where(
            JOB_RUNS.c.job == claim.job, JOB_RUNS.c.period == claim.period,
            JOB_RUNS.c.owner == claim.owner, JOB_RUNS.c.status == CLAIMED,
        ).values(claimed_at=now, attempts=attempts)).rowcount
    return Claim(claim.job, claim.period, claim.owner, now, claim.previous) if renewed else None


def finish(db: Database, claim: Claim, now: datetime, *, status: str, attempts: int,
           ts: str | None = None, error: str | None = None) -> None:
    """Record how the run ended: POSTED with Slack's message ts, or FAILED with the error."""
    with db.begin() as conn:
        conn.execute(update(JOB_RUNS).where(
            JOB_RUNS.c.job == claim.job, JOB_RUNS.c.period == claim.period,
            JOB_RUNS.c.owner == claim.owner,
        ).values(status=status, finished_at=now, attempts=attempts, ts=ts, error=error))


def release(db: Database, claim: Claim) -> None:
    """Give up a claim that only marks work under way (a sync), so the next run can claim."""
    with db.begin() as conn:
        conn.execute(_TABLE.delete().where(
            _TABLE.c.job == claim.job, _TABLE.c.period == claim.period,
            _TABLE.c.owner == claim.owner))


def record_posted(db: Database, job: str, period: str, owner: str, now: datetime,
                  ts: str) -> None:
    """Record a run done outside the claim (sellerbot digest --post --force)."""
    with db.begin() as conn:
        done = conn.execute(update(JOB_RUNS).where(
            JOB_RUNS.c.job == job, JOB_RUNS.c.period == period).values(
            status=POSTED, owner=owner, finished_at=now, ts=ts, error=None)).rowcount
        if not done:
            conn.execute(_TABLE.insert().values(
                job=job, period=period, status=POSTED, owner=owner, claimed_at=now,
                finished_at=now, attempts=1, ts=ts, late=False))


def last_posted(db: Database, job: str) -> Run | None:
    """The latest successful run of `job`."""
    with db.begin() as conn:
        row = conn.execute(select(_TABLE).where(
            _TABLE.c.job == job, _TABLE.c.status == POSTED,
        ).order_by(_TABLE.c.finished_at.desc()).limit(1)).first()
    return _run(row) if row else None


def latest(db: Database, jobs: Iterable[str]) -> dict[str, Run]:
    """Each job's most recent run, by job."""
    names = list(jobs)
    if not names:
        return {}
    with db.begin() as conn:
        rows = conn.execute(select(_TABLE).where(_TABLE.c.job.in_(names)).order_by(
            _TABLE.c.claimed_at)).all()
    return {run.job: run for run in map(_run, rows)}


# A shipment's confirmation is the run of job "confirm:<order id>" (bot/usecases/shipments.py).
_CONFIRM = "confirm:"


def forget_before(db: Database, period: str, cutoff: datetime) -> int:
    """Delete runs of periods before `period`, and runs claimed before `cutoff` whatever their
    period (a shipment's confirmation, with its tracking number: clean-up), but not the
    confirmation of an order still kept (a second "Confirm shipment" says it was); how many."""
    confirmed_order = and_(
        _TABLE.c.job.startswith(_CONFIRM, autoescape=True),
        select(ORDERS.c.order_id).where(
            ORDERS.c.order_id == func.substr(_TABLE.c.job, len(_CONFIRM) + 1)).exists())
    with db.begin() as conn:
        return conn.execute(_TABLE.delete().where(or_(
            _TABLE.c.period < period,
            and_(_TABLE.c.claimed_at < cutoff, ~confirmed_order)))).rowcount
