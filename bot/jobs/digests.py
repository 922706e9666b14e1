"""Posting each channel's morning digest exactly once a day: a run claimed in the database
(bot/usecases/runs.py), retried on Slack's passing failures, and never posted twice when an
answer was lost (Slack's history says whether it landed)."""

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot import wiring
from bot.config import Settings
from bot.domain.schedule import DigestSchedule, catch_up_due, period
from bot.jobs.charts import WeeklyCharts
from bot.jobs.side_by_side import side_by_side
from bot.jobs.slack_calls import Unknown, call, landed, rate_limited
from bot.render import message
from bot.render.blocks import DIGEST_LISTED, digest_message
from bot.slack.limits import retry_after
from bot.usecases import digests, runs
from bot.wiring import Database

log = logging.getLogger(__name__)

# A daily digest fired up to this late (a busy or suspended process) still runs, as the
# digest of the day it was due on; past that, catch-up at the next start decides (slack.md
# §13: APScheduler's default grace of 1 s loses it).
LATE_FIRE = timedelta(hours=1)
# Transient Slack failures (429, 5xx, timeouts) are retried for this long (issue 7).
RETRY_FOR = timedelta(minutes=15)
FIRST_DELAY, MAX_DELAY = 5.0, 120.0
# A claim not renewed for this long belongs to a process that died: longer than the retries,
# which renew it, so a live run is never taken over.
TAKEOVER_AFTER = RETRY_FOR + timedelta(minutes=5)
# Errors only a person can fix: retrying them only delays the message that says so.
PERMANENT = frozenset({"channel_not_found", "not_in_channel", "is_archived", "invalid_auth",
                       "account_inactive", "token_revoked", "not_authed", "missing_scope",
                       "restricted_action", "ekm_access_denied"})
# Messages carry this so that a process taking over a crashed run can see the post it made.
METADATA_EVENT = "sellerbot_digest"

@dataclass(frozen=True)
class Late:
    """Why a digest goes out after its time: sellerbot was not running ("down"), the process
    posting it stopped ("stopped"), or the first try failed ("failed")."""

    due: datetime
    why: str


@dataclass(frozen=True)
class Outcome:
    """What a digest run did: posted (with the message ts), skipped, or failed (with Slack's
    error). A skipped run says why: "posted" earlier (its ts), "running" in another process
    (since when), or "failed" earlier and not yet due to be tried again."""

    status: str
    ts: str | None = None
    error: str | None = None
    why: str | None = None
    since: datetime | None = None
    # On Mondays, what came of the week's chart: "posted", "skipped" or "failed".
    chart: str | None = None


class Digests:
    """Posts digests for the channels in DIGEST_CHANNEL."""

    def __init__(self, settings: Settings, db: Database, client: WebClient, *,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC),
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.settings, self.db, self.client = settings, db, client
        self.seller = wiring.seller_of(settings)
        self.owner = runs.owner_id()
        self.clock, self.sleep = clock, sleep
        self.charts = WeeklyCharts(settings, db, client, self.seller, self.owner, clock)

    def run(self, schedule: DigestSchedule, *, late: bool = False, force: bool = False,
            retry_failed_after: timedelta | None = None) -> Outcome:
        """Post today's digest for one channel, unless it is posted or being posted; a run
        that failed earlier today is tried again when it failed `retry_failed_after` ago."""
        now = self.clock()
        if force:
            return self._force(schedule, period(now, self.seller.timezone))
        due_day = schedule.day_of_run(now, self.seller.timezone, LATE_FIRE)
        if not schedule.due_on(due_day):
            # A channel's weekdays-only digest asked for at a weekend (`digest --post` run by
            # cron every day): nothing is due; --force posts one all the same.
            return Outcome("skipped", why="not_due")
        day = due_day.isoformat()
        claim = runs.claim(self.db, schedule.job, day, self.owner, now,
                               stale_after=TAKEOVER_AFTER, late=late,
                               retry_failed_after=retry_failed_after)
        if claim is None:
            return self._with_chart(schedule, self._not_claimed(schedule, day), due_day,
                                    retry_failed_after)
        tardy = None
        if late or claim.previous is not None:
            why = {runs.CLAIMED: "stopped", runs.FAILED: "failed"}.get(
                claim.previous or "", "down")
            tardy = Late(schedule.due_at(due_day, self.seller.timezone), why)
        return self._with_chart(schedule, self._post(schedule, claim, tardy), due_day,
                                retry_failed_after)

    def _with_chart(self, schedule: DigestSchedule, outcome: Outcome, day: date,
                    retry_failed_after: timedelta | None) -> Outcome:
        """Under Monday's digest (`day`, the one it is for: a Sunday's fired past midnight is
        Sunday's), once it is in the channel, the week's chart in its thread (the watch's
        later runs post one whose upload failed)."""
        landed = outcome.status == "posted" or outcome.why == "posted"
        if not (landed and outcome.ts and self.charts.due(day)):
            return outcome
        try:
            chart = self.charts.run(schedule, outcome.ts, day,
                                    retry_failed_after=retry_failed_after)
        except Exception:  # the digest is posted; a chart that cannot be made stops nothing
            # Its claim goes stale and is taken over later (the thread is read first), and
            # the other channels' digests go on.
            log.exception("%s: the weekly chart could not be made", schedule.job)
            chart = "failed"
        return replace(outcome, chart=chart)

    def _not_claimed(self, schedule: DigestSchedule, day: str) -> Outcome:
        """Why a run could not be claimed: posted, under way elsewhere, or failed too lately."""
        run = runs.get(self.db, schedule.job, day)
        if run is None:  # cleaned up between the claim and this look: nothing to say
            return Outcome("skipped")
        why = {runs.POSTED: "posted", runs.CLAIMED: "running"}.get(run.status, "failed")
        return Outcome("skipped", ts=run.ts, error=run.error, why=why, since=run.claimed_at)

    def catch_up(self, *, after: timedelta = timedelta(0),
                 retry_failed_after: timedelta = timedelta(0),
                 as_of: datetime | None = None) -> list[Outcome]:
        """Today's digests that were due (`after` ago at least) and are not posted, while it is
        not yet DIGEST_CATCHUP_UNTIL: at start, and every few minutes (the watch) for a run
        whose process died or that failed. Due as at `as_of` when given: sellerbot's start,
        when a first sync came between and may have passed the cut-off; but only while it is
        still that day (a digest is for its day: the next one is claimed as the next day's)."""
        tz = self.seller.timezone
        now = self.clock()
        as_of = as_of or now
        if as_of.astimezone(tz).date() != now.astimezone(tz).date():
            log.info("the digests due at %s were not posted: their day is over", as_of)
            return []
        due = [s for s in self.settings.digests
               if catch_up_due(s, as_of, tz, self.settings.catchup_until, after)]
        if len(due) < 2:
            return [self.run(s, late=True, retry_failed_after=retry_failed_after) for s in due]
        # A thread a channel: one whose posts Slack keeps refusing (its own rate limit, a
        # passing outage) is retried for up to RETRY_FOR, and the others must not wait for it.
        return side_by_side(
            lambda s: self.run(s, late=True, retry_failed_after=retry_failed_after), due,
            "digest")

    def _message(self, schedule: DigestSchedule, late: Late | None,
                 now: datetime | None = None) -> dict[str, Any]:
        now = now or self.clock()
        previous = runs.last_posted(self.db, schedule.job)
        since = previous.finished_at if previous and previous.finished_at else None
        digest = digests.digest(self.db, self.seller, now, since=since,
                                listed=DIGEST_LISTED)
        return digest_message(digest, self.seller, late=late,
                              confirm=self.settings.sp_api_configured)

    def _post(self, schedule: DigestSchedule, claim: runs.Claim,
              late: Late | None) -> Outcome:
        """Post (_posted); stopped (Ctrl-C on `digest --post`), the run is marked failed, not
        left to look like another process's for TAKEOVER_AFTER: its retry reads the channel
        first, as the post may have landed."""
        try:
            return self._posted(schedule, claim, late)
        except KeyboardInterrupt:
            self._failed(schedule, claim, 0, "interrupted")
            raise

    def _posted(self, schedule: DigestSchedule, claim: runs.Claim,
                late: Late | None) -> Outcome:
        """Post, retrying what Slack refused for now (429, 5xx, no connection) with backoff
        for RETRY_FOR. After an answer that was lost, and when taking over a run that died or
        failed, Slack's history is read first: a digest that landed is recorded, never posted
        again."""
        started = self.clock()
        delay, attempts = FIRST_DELAY, 0
        # A run taken over (its process died) or tried again (it failed) may have posted.
        unknown, sent = claim.previous is not None, False
        while True:
            attempts += 1
            try:
                if unknown:
                    found = self._found_landed(schedule, claim, attempts, sent)
                    if found is not None:
                        return found
                    unknown = False
                built = self.clock()
                body = {**self._message(schedule, late, built),
                        "metadata": _metadata(claim.period)}
                # Renewed just before the post: a process paused past the takeover time (a
                # suspended machine) finds another copy has the run, and may have posted it.
                renewed = runs.heartbeat(self.db, claim, self.clock(), attempts)
                if renewed is None:
                    return self._taken_over(schedule)
                claim, sent = renewed, True
                ts = self._send(schedule, body)
            except Unknown as lost:
                unknown, reason = True, str(lost)
                # A post Slack is still working on lands late: look only once the client would
                # have given up on it, so that the look cannot come before the post.
                delay = max(delay, float(getattr(self.client, "timeout", 0) or 0))
            except SlackApiError as exc:
                error = str(exc.response.get("error") or "")
                if error in PERMANENT or not rate_limited(exc):
                    return self._failed(schedule, claim, attempts, error or "unknown")
                reason = error or "429"
                delay = max(delay, retry_after(exc.response.headers) or 0.0)
            else:
                # As of when it was built: an order stored while it was on its way to Slack
                # is new in the next one.
                runs.finish(self.db, claim, built, status=runs.POSTED, attempts=attempts,
                            ts=ts)
                log.info("%s: digest posted (%d attempt%s)", schedule.job, attempts,
                         "s" if attempts > 1 else "")
                return Outcome("posted", ts=ts)
            if self.clock() + timedelta(seconds=delay) - started > RETRY_FOR:
                return self._failed(schedule, claim, attempts, reason)
            log.warning("%s: Slack failed (%s); retrying in %.0f s", schedule.job, reason, delay)
            self.sleep(delay)
            renewed = runs.heartbeat(self.db, claim, self.clock(), attempts)
            if renewed is None:
                return self._taken_over(schedule)
            claim, delay = renewed, min(delay * 2, MAX_DELAY)

    def _found_landed(self, schedule: DigestSchedule, claim: runs.Claim, attempts: int,
                      sent: bool) -> Outcome | None:
        """The digest in the channel already, recorded (ours when this run `sent` it, else
        the run's it took over); None when it is not there."""
        ts = self._landed(schedule, claim.period)
        if ts is None:
            return None
        # Recorded as of when it was posted, not found: the next digest's new orders start
        # there (_message).
        runs.finish(self.db, claim, datetime.fromtimestamp(float(ts), UTC), status=runs.POSTED,
                    attempts=attempts, ts=ts)
        log.info("%s: the digest had landed; recorded, not posted again", schedule.job)
        return Outcome("posted", ts=ts) if sent else Outcome("skipped", ts=ts, why="posted")

    def _send(self, schedule: DigestSchedule, body: dict[str, Any]) -> str:
        """chat.postMessage once (the client never retries it blindly, bot/app.py): its ts.
        A lost or unsure answer raises Unknown; Slack's refusal raises SlackApiError."""
        posted = call(self.client.chat_postMessage, channel=schedule.channel,
                      unfurl_links=False, **body)
        return str(posted["ts"])

    def _taken_over(self, schedule: DigestSchedule) -> Outcome:
        log.warning("%s: another sellerbot process took the run over; it posts the digest",
                    schedule.job)
        return Outcome("skipped", why="running")

    def _failed(self, schedule: DigestSchedule, claim: runs.Claim, attempts: int,
                error: str) -> Outcome:
        runs.finish(self.db, claim, self.clock(), status=runs.FAILED,
                        attempts=attempts, error=error[:64])
        log.error("%s: %s", schedule.job, message("schedule", "digest_failed",
                                                  channel=schedule.channel, error=error))
        return Outcome("failed", error=error)

    def _landed(self, schedule: DigestSchedule, day: str) -> str | None:
        """The ts of this period's digest if one is in the channel (found by the message's
        metadata), else None; Unknown when Slack cannot tell."""
        since = datetime.combine(date.fromisoformat(day), clock_time(0), self.seller.timezone)
        return landed(self.client, schedule.channel, since, METADATA_EVENT, {"period": day})

    def _force(self, schedule: DigestSchedule, day: str) -> Outcome:
        try:
            posted = call(self.client.chat_postMessage, channel=schedule.channel,
                          unfurl_links=False, metadata=_metadata(day),
                          **self._message(schedule, None))
        except Unknown:
            # Slack unreachable, or its answer lost: the post may have landed, and a forced
            # one is never looked for and tried again.
            return Outcome("failed", error="no_answer")
        except SlackApiError as exc:
            return Outcome("failed", error=str(exc.response.get("error") or ""))
        runs.record_posted(self.db, schedule.job, day, self.owner, self.clock(),
                               posted["ts"])
        return Outcome("posted", ts=posted["ts"])


def _metadata(day: str) -> dict[str, Any]:
    return {"event_type": METADATA_EVENT, "event_payload": {"period": day}}
