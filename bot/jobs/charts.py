"""The week's shipping-health chart, posted as a file in the thread of each channel's Monday
digest: once per week and channel, claimed like the digest (bot/usecases/runs.py); a failed
upload is tried again by the watch without the digest being posted again, and a claim taken
over from a stopped process first looks in the thread for the chart it may have posted."""

import logging
from collections.abc import Callable
from datetime import date, datetime, timedelta

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackRequestError

from bot.config import Settings
from bot.domain.schedule import DigestSchedule
from bot.jobs.slack_calls import Unknown, call
from bot.render import message
from bot.render.chart import chart_png
from bot.usecases import runs
from bot.usecases.sellers import Seller
from bot.usecases.shipping_health import shipping_health
from bot.wiring import Database

log = logging.getLogger(__name__)

# As the digest's: a live run renews nothing here, and an upload takes seconds.
TAKEOVER_AFTER = timedelta(minutes=20)


def chart_job(schedule: DigestSchedule) -> str:
    """The run name of a channel's weekly chart."""
    return f"{schedule.job}:chart"


def file_name(monday: date) -> str:
    """The chart's file name for the week starting `monday`: how it is found again."""
    return f"shipping-health-{monday.isoformat()}.png"


class WeeklyCharts:
    """Posts the weekly chart under the Monday digests of DIGEST_CHANNEL."""

    def __init__(self, settings: Settings, db: Database, client: WebClient, seller: Seller,
                 owner: str, clock: Callable[[], datetime]) -> None:
        self.settings, self.db, self.client, self.seller = settings, db, client, seller
        self.owner, self.clock = owner, clock

    def due(self, day: date) -> bool:
        """Whether the digest of `day` carries the chart: Monday's does."""
        return day.weekday() == 0

    def run(self, schedule: DigestSchedule, digest_ts: str, monday: date,
            retry_failed_after: timedelta | None = None) -> str:
        """Post the chart of the week from `monday` in the thread of that day's digest
        `digest_ts`, unless it is posted or being posted: "posted", "skipped" or "failed"."""
        now = self.clock()
        claim = runs.claim(self.db, chart_job(schedule), monday.isoformat(), self.owner, now,
                           stale_after=TAKEOVER_AFTER, retry_failed_after=retry_failed_after)
        if claim is None:
            return "skipped"
        try:
            found = (self._in_thread(schedule, digest_ts, monday)
                     if claim.previous is not None else None)
            if found is None:
                health = shipping_health(self.db, self.seller, now)
                call(self.client.files_upload_v2, channel=schedule.channel,
                     thread_ts=digest_ts, content=chart_png(health), filename=file_name(monday),
                     title=message("chart", "file_title", monday=monday, health=health))
        except Unknown as lost:
            # It may have landed: the claim goes stale and whoever takes it over looks first.
            log.warning("%s: the chart's upload answer was lost (%s)", schedule.job, lost)
            return "failed"
        except (SlackApiError, SlackRequestError) as exc:
            # Refused (or the file's bytes refused): nothing was shared; the watch tries again.
            error = (str(exc.response.get("error") or exc.response.status_code)
                     if isinstance(exc, SlackApiError) else "upload_failed")
            runs.finish(self.db, claim, self.clock(), status=runs.FAILED, attempts=1,
                        error=error[:64])
            log.error("%s: the weekly chart was not posted: %s", schedule.job, error)
            return "failed"
        runs.finish(self.db, claim, self.clock(), status=runs.POSTED, attempts=1,
                    ts=digest_ts)
        return "posted"

    def _in_thread(self, schedule: DigestSchedule, digest_ts: str, monday: date) -> str | None:
        """The id of this week's chart if it is in the digest's thread already."""
        replies = call(self.client.conversations_replies, channel=schedule.channel,
                       ts=digest_ts, limit=200)
        for posted in replies.get("messages") or []:
            for shared in posted.get("files") or []:
                if shared.get("name") == file_name(monday):
                    return str(shared.get("id"))
        return None
