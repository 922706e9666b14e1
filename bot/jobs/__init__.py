"""The scheduler: each channel's morning digest at its local time, exactly once a day, caught
up after downtime and retried on failure (digests.py); the nightly clean-up and the SP-API
sync (upkeep.py).

APScheduler 3.x runs the timing; the database decides who acts (bot/usecases/runs.py), since
several processes each run every job and a shared job store does not prevent it (slack.md
§13). The jobs call the same use cases and render the same messages as the commands.
"""

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from datetime import time as clock_time

from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_MISSED, JobExecutionEvent
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from slack_sdk import WebClient

from bot.config import Settings
from bot.domain.schedule import DigestSchedule
from bot.jobs.buyer_messages import BuyerMessagePosts, watch
from bot.jobs.digests import LATE_FIRE, METADATA_EVENT, TAKEOVER_AFTER, Digests, Outcome
from bot.jobs.upkeep import ReviewRequests, Syncs, clean_up
from bot.wiring import Database

__all__ = [
    "LATE_FIRE",
    "METADATA_EVENT",
    "TAKEOVER_AFTER",
    "WATCH_AFTER",
    "BuyerMessagePosts",
    "Digests",
    "Outcome",
    "ReviewRequests",
    "Running",
    "Syncs",
    "clean_up",
    "scheduler",
    "start",
]

log = logging.getLogger(__name__)

# Jobs fired late still run, up to the digests' grace (bot/jobs/digests.py).
MISFIRE_GRACE_SECONDS = int(LATE_FIRE.total_seconds())
# Every few minutes each process looks for a digest whose run died or failed (a claim is
# taken over only once stale, TAKEOVER_AFTER), starting a little after the digest's time so
# that the scheduled run itself claims it first.
WATCH_EVERY_MINUTES = 5
WATCH_AFTER = timedelta(minutes=2)
# The longest a digest waits at start for the first sync (another copy's included) to end.
FIRST_SYNC_WAIT = timedelta(minutes=10)
# The clean-up runs at 04:30 local: outside 01:00-03:00, where DST skips or repeats times.
CLEANUP_AT = clock_time(4, 30)
# REVIEW_REQUESTS=auto: the day's review requests go this long after the last morning digest
# (at REVIEWS_AT without one), when the day's lists are out.
REVIEWS_AFTER_DIGEST = timedelta(minutes=30)
REVIEWS_AT = clock_time(9, 0)



def scheduler(settings: Settings, db: Database,
              run_digest: Callable[[DigestSchedule], object],
              watch: Callable[[], object] = lambda: None,
              sync: Callable[[], object] = lambda: None,
              review: Callable[[], object] = lambda: None,
              messages: Callable[[], object] = lambda: None,
              sync_at_once: bool = True) -> BackgroundScheduler:
    """A scheduler with every job, not started: `run_digest` per DIGEST_CHANNEL entry at its
    local time, `watch` every few minutes, `sync` every SYNC_INTERVAL_MINUTES when the SP-API
    is set up (first at once, unless not `sync_at_once`), `review` daily with
    REVIEW_REQUESTS=auto, `messages` every MAILBOX_POLL_SECONDS with buyer messages set up
    (first at once), and the clean-up."""
    tz = settings.timezone
    jobs = BackgroundScheduler(timezone=tz, job_defaults={
        "coalesce": True, "max_instances": 1, "misfire_grace_time": MISFIRE_GRACE_SECONDS})
    for schedule in settings.digests:
        # Day names, not numbers: in APScheduler 3.x 0 is Monday (slack.md §13).
        days = "mon-fri" if schedule.weekdays_only else "*"
        jobs.add_job(run_digest, CronTrigger(day_of_week=days, hour=schedule.at.hour,
                                              minute=schedule.at.minute, timezone=tz),
                     args=[schedule], id=schedule.job, name=schedule.job, replace_existing=True)
    if settings.digests:
        jobs.add_job(watch, CronTrigger(minute=f"*/{WATCH_EVERY_MINUTES}", timezone=tz),
                     id="digest-watch", name="digest-watch", replace_existing=True)
    if settings.sp_api_configured:
        first = timedelta(0) if sync_at_once else timedelta(minutes=settings.sync_interval_minutes)
        jobs.add_job(sync, IntervalTrigger(minutes=settings.sync_interval_minutes, timezone=tz),
                     id="sp-api-sync", name="sp-api-sync", replace_existing=True,
                     next_run_time=datetime.now(tz) + first)
    if settings.review_requests == "auto" and settings.sp_api_configured:
        at = _reviews_at(settings)
        jobs.add_job(review, CronTrigger(hour=at.hour, minute=at.minute, timezone=tz),
                     id="review-requests", name="review-requests", replace_existing=True)
    if settings.buyer_messages_on:
        jobs.add_job(messages, IntervalTrigger(seconds=settings.mailbox_poll_seconds,
                                               timezone=tz),
                     id="buyer-messages", name="buyer-messages", replace_existing=True,
                     next_run_time=datetime.now(tz))
    jobs.add_job(clean_up, CronTrigger(hour=CLEANUP_AT.hour, minute=CLEANUP_AT.minute,
                                       timezone=tz),
                 args=[settings, db], id="clean-up", name="clean-up", replace_existing=True)
    jobs.add_listener(_report, EVENT_JOB_ERROR | EVENT_JOB_MISSED)
    return jobs


def _reviews_at(settings: Settings) -> clock_time:
    """When the day's review requests go: after the last morning digest, or at REVIEWS_AT."""
    if not settings.digests:
        return REVIEWS_AT
    last = max(datetime.combine(datetime.min, s.at) for s in settings.digests)
    return (last + REVIEWS_AFTER_DIGEST).time()


def _report(event: JobExecutionEvent) -> None:
    """Jobs that raised or were missed are logged: a failure is never swallowed."""
    if event.code == EVENT_JOB_MISSED:
        log.error("job %s missed its run at %s", event.job_id, event.scheduled_run_time)
    else:
        log.error("job %s failed", event.job_id, exc_info=event.exception)


@dataclass
class Running:
    """The jobs started in this process: the scheduler and the start-up catch-up."""

    scheduler: BackgroundScheduler
    catching_up: threading.Thread
    # Set on stop: the mailbox watch (IMAP IDLE) ends after its current wait.
    stopping: threading.Event = field(default_factory=threading.Event)

    def stop(self) -> None:
        """Stop the scheduler (a run in progress finishes first)."""
        self.stopping.set()
        self.scheduler.shutdown(wait=True)


def start(settings: Settings, db: Database, client: WebClient) -> Running:
    """Start the jobs in this process, and catch up on today's missed digests (in the
    background: serving Slack must not wait for it), after a first sync with Amazon."""
    posting = Digests(settings, db, client)
    syncing = Syncs(settings, db)
    buyer = BuyerMessagePosts(settings, db, client) if settings.buyer_messages_on else None
    # A digest goes out once a day and is never corrected: built from the last sync before
    # sellerbot stopped, it would miss the night's orders, some already late. Every digest
    # (caught up, watched for or due) waits for the first sync to end, FIRST_SYNC_WAIT at
    # most: a first sync of weeks of orders takes hours, and the morning digest must not
    # come in the afternoon. `ready` is set when it has ended or that wait is over.
    ready, stopping = threading.Event(), threading.Event()

    def due(schedule: DigestSchedule) -> None:
        ready.wait(FIRST_SYNC_WAIT.total_seconds())
        posting.run(schedule)

    def watched() -> None:
        if ready.is_set():  # else the catch-up below posts, after the first sync
            posting.catch_up(after=WATCH_AFTER, retry_failed_after=TAKEOVER_AFTER)

    jobs = scheduler(settings, db, due, watch=watched, sync=syncing.run,
                     review=ReviewRequests(settings, db).run,
                     messages=buyer.run if buyer is not None else lambda: None,
                     sync_at_once=False)
    jobs.start()

    started = datetime.now(settings.timezone)  # what was due then is due, however long the sync

    def first_sync() -> None:
        try:
            if settings.sp_api_configured:
                # Another copy's sync under way (slack.md §13) is waited out, then one more.
                syncing.run(wait=FIRST_SYNC_WAIT, stopping=stopping)
        except Exception:  # a fault in the sync must not cost the day's digest
            log.exception("the start-up sync failed")
        finally:
            ready.set()

    def catch_up() -> None:
        ready.wait(FIRST_SYNC_WAIT.total_seconds())
        ready.set()
        posting.catch_up(as_of=started)

    threading.Thread(target=first_sync, name="sellerbot-first-sync", daemon=True).start()
    catching_up = threading.Thread(target=catch_up, name="sellerbot-catch-up", daemon=True)
    catching_up.start()
    if buyer is not None:
        # New mail runs the posting job at once; the interval is the backstop.
        def wake() -> None:
            jobs.modify_job("buyer-messages", next_run_time=datetime.now(settings.timezone))

        threading.Thread(target=watch, args=(buyer.mailbox, wake, stopping),
                         name="sellerbot-mailbox-idle", daemon=True).start()
    for job in jobs.get_jobs():
        log.info("job %s: next run %s", job.id, job.next_run_time)
    return Running(jobs, catching_up, stopping)
