"""When each channel's morning digest is due: DIGEST_CHANNEL's entries, read and reasoned about
in the seller's local time."""

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.domain.slack_ids import channel_id

_ENTRY = re.compile(
    r"(?P<channel>[^@\s+]+)(?:[@ ](?P<at>\d{1,2}:\d{2}))?(?:[@ +](?P<days>weekdays))?",
    re.IGNORECASE)
# Monday to Friday, as date.weekday() numbers them.
WEEKDAYS = range(5)


@dataclass(frozen=True)
class DigestSchedule:
    """One channel's digest: the local time it is due, and whether only on weekdays."""

    channel: str
    at: time
    weekdays_only: bool = False

    @property
    def job(self) -> str:
        """The job's name: one per channel."""
        return f"digest:{self.channel}"

    def due_on(self, day: date) -> bool:
        """Whether a digest is due on `day` at all."""
        return not self.weekdays_only or day.weekday() in WEEKDAYS

    def due_at(self, day: date, tz: ZoneInfo) -> datetime:
        """The instant the digest of `day` is due (in a DST gap, the first valid time after)."""
        local = datetime.combine(day, self.at, tz)
        # A wall time skipped by a DST change does not exist; fold it forward through UTC.
        return local.astimezone(ZoneInfo("UTC")).astimezone(tz)

    def day_of_run(self, now: datetime, tz: ZoneInfo, late_fire: timedelta) -> date:
        """The day whose digest a run at `now` posts: yesterday's when today's is not due yet
        and yesterday's was due at most `late_fire` ago, else today's. The scheduler fires a
        digest up to `late_fire` late (a busy or suspended machine), which for a late-evening
        digest may be past midnight: that run is still the day before's, and the new day's own
        digest goes at its time. A run asked for earlier in the day (`digest --post`) is
        today's."""
        today = now.astimezone(tz).date()
        yesterday = today - timedelta(days=1)
        if (self.due_at(today, tz) > now and self.due_on(yesterday)
                and now - self.due_at(yesterday, tz) <= late_fire):
            return yesterday
        return today


class ScheduleError(ValueError):
    """A DIGEST_CHANNEL entry that is not CHANNEL[@HH:MM][@weekdays]; `channel` is what stood
    where the channel's id belongs when that is the fault (a name such as "general"), or the
    channel listed twice when `repeated`."""

    def __init__(self, entry: str, channel: str | None = None, *, repeated: bool = False
                 ) -> None:
        super().__init__(entry)
        self.entry = entry
        self.channel = channel
        self.repeated = repeated


def parse_schedules(text: str | None, default_at: time) -> tuple[DigestSchedule, ...]:
    """DIGEST_CHANNEL: entries separated by commas, each CHANNEL[@HH:MM][@weekdays], e.g.
    "C0123ABCD, C0456EFGH@07:30@weekdays"; the time defaults to DIGEST_TIME."""
    schedules = []
    for raw in (text or "").replace(";", ",").split(","):
        entry = raw.strip()
        if not entry:
            continue
        match = _ENTRY.fullmatch(entry)
        if match is None:
            raise ScheduleError(entry)
        channel = channel_id(match["channel"])
        if channel is None:
            raise ScheduleError(entry, match["channel"])
        at = default_at
        if match["at"]:
            hours, minutes = map(int, match["at"].split(":"))
            if hours > 23 or minutes > 59:
                raise ScheduleError(entry)
            at = time(hours, minutes)
        if any(s.channel == channel for s in schedules):
            # A channel has one digest a day (its run is claimed by channel and day).
            raise ScheduleError(entry, channel, repeated=True)
        schedules.append(DigestSchedule(channel, at, bool(match["days"])))
    return tuple(schedules)


def catch_up_due(schedule: DigestSchedule, now: datetime, tz: ZoneInfo, until: time,
                 after: timedelta = timedelta(0)) -> bool:
    """Whether a digest missed earlier today should still go out at `now`: it was due today,
    at least `after` ago, and it is not yet `until` (DIGEST_CATCHUP_UNTIL) local time, or, for
    a digest due at or after that time (an afternoon one), not yet the end of its day: the
    cut-off would otherwise leave it no catch-up after a restart and no retry after a failure."""
    local = now.astimezone(tz)
    today = local.date()
    last = until if schedule.at < until else time.max
    return (schedule.due_on(today) and schedule.due_at(today, tz) + after <= local
            and local.time() < last)


def period(now: datetime, tz: ZoneInfo) -> str:
    """The once-a-day key of `now`: the local date, ISO 8601."""
    return now.astimezone(tz).date().isoformat()


DEFAULT_SINCE = timedelta(hours=24)
