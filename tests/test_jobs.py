"""The morning digest's delivery: on time in the seller's zone, exactly once per channel and day
(two processes, restarts, crashed runs), caught up after downtime, retried, failures reported.

The clock is moved with time-machine, the scheduler is the real APScheduler (woken after each
move, slack.md §13), the database is a real SQLite file or PostgreSQL, and Slack is the local
fake (tests/fake_slack.py) spoken to by the real slack_sdk client.
"""

import json
import logging
import subprocess
import sys
import threading
import time
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from zoneinfo import ZoneInfo

import pytest
import time_machine
from slack_sdk import WebClient

from bot import jobs, wiring
from bot.app import web_client
from bot.config import Settings, load_settings
from bot.domain.schedule import DigestSchedule, catch_up_due, parse_schedules
from bot.render.blocks import home_view
from bot.store import Database, job_runs
from bot.usecases import demo, digests
from bot.wiring import seller_of
from tests.conftest import ROOT
from tests.fake_slack import FakeSlack

LA = ZoneInfo("America/Los_Angeles")
CHANNEL = "C0000ORDERS"


def configure(db: Database, slack: FakeSlack, **extra: str) -> Settings:
    """Settings for a seller in Los Angeles whose digest goes to CHANNEL at 08:00."""
    values = {"database_url": db.url, "slack_bot_token": "xoxb-test",
              "slack_api_url": slack.api_url, "digest_channel": CHANNEL, **extra}
    return load_settings(**values)


def local(day: date, hours: int, minutes: int = 0, seconds: int = 0) -> datetime:
    """A wall-clock time in Los Angeles."""
    return datetime.combine(day, clock_time(hours, minutes, seconds), LA)


class Clock:
    """A clock the test moves; `sleep` moves it instead of waiting."""

    def __init__(self, start: datetime) -> None:
        self.now = start
        self.slept: list[float] = []

    def __call__(self) -> datetime:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += timedelta(seconds=seconds)


def digests_at(settings: Settings, db: Database, clock: Clock,
               client: WebClient | None = None) -> jobs.Digests:
    """The digest runner as the scheduler builds it, on a clock the test moves."""
    return jobs.Digests(settings, db, client or web_client(settings), clock=clock,
                        sleep=clock.sleep)


def posted(slack: FakeSlack, channel: str = CHANNEL) -> list[dict]:
    """The messages the fake Slack holds in a channel."""
    return slack.history.get(channel, [])


def texts(message: dict) -> str:
    """All the text of a posted message, blocks included."""
    return json.dumps(message)


def race(runners: list[jobs.Digests], act) -> list[str]:
    """Each runner acts in its own thread, all released at once; the outcomes' statuses."""
    barrier = threading.Barrier(len(runners))
    outcomes: list[str] = []

    def go(runner: jobs.Digests) -> None:
        barrier.wait()
        outcomes.extend(o.status for o in act(runner))

    threads = [threading.Thread(target=go, args=(r,)) for r in runners]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return outcomes


def wait_for(condition, timeout: float = 10.0) -> None:
    """Wait for something a scheduler thread does."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


# --- DIGEST_CHANNEL and when a digest is due ----------------------------------------------

def test_digest_channel_lists_channels_with_times_and_weekdays():
    # Ids as Slack shows them (upper case: Slack's channel names are lower case, issue 16).
    parsed = parse_schedules("C0123ABCD, C0456EFGH@07:30@weekdays ; G0789IJKL 9:05",
                             clock_time(8, 0))
    assert parsed == (DigestSchedule("C0123ABCD", clock_time(8, 0)),
                      DigestSchedule("C0456EFGH", clock_time(7, 30), weekdays_only=True),
                      DigestSchedule("G0789IJKL", clock_time(9, 5)))
    assert [s.job for s in parsed] == ["digest:C0123ABCD", "digest:C0456EFGH",
                                       "digest:G0789IJKL"]


def test_catch_up_is_due_after_the_time_and_before_the_cut_off():
    schedule = DigestSchedule(CHANNEL, clock_time(8, 0))
    weekdays = DigestSchedule(CHANNEL, clock_time(8, 0), weekdays_only=True)
    friday, saturday = date(2026, 11, 27), date(2026, 11, 28)
    noon = clock_time(12, 0)
    assert not catch_up_due(schedule, local(friday, 7, 59), LA, noon)
    assert catch_up_due(schedule, local(friday, 8, 0), LA, noon)
    assert catch_up_due(schedule, local(friday, 11, 59), LA, noon)
    assert not catch_up_due(schedule, local(friday, 12, 0), LA, noon)
    assert catch_up_due(schedule, local(saturday, 9, 30), LA, noon)
    assert not catch_up_due(weekdays, local(saturday, 9, 30), LA, noon)


def test_a_digest_due_after_the_cut_off_is_caught_up_until_its_day_ends():
    # A 13:00 digest with the default 12:00 cut-off: without this, a restart at 13:30 or the
    # watch after a failed run could never post it, and the day had none.
    afternoon = DigestSchedule(CHANNEL, clock_time(13, 0))
    friday, noon = date(2026, 11, 27), clock_time(12, 0)
    assert not catch_up_due(afternoon, local(friday, 12, 59), LA, noon)
    assert catch_up_due(afternoon, local(friday, 13, 30), LA, noon)
    assert catch_up_due(afternoon, local(friday, 23, 59), LA, noon)
    assert not catch_up_due(afternoon, local(date(2026, 11, 28), 0, 30), LA, noon)


def test_a_digest_time_skipped_by_dst_is_due_at_the_first_time_after():
    # 2026-03-08: Los Angeles clocks go from 02:00 to 03:00; 02:30 does not exist.
    schedule = DigestSchedule(CHANNEL, clock_time(2, 30))
    due = schedule.due_at(date(2026, 3, 8), LA)
    assert due.astimezone(UTC) == datetime(2026, 3, 8, 10, 30, tzinfo=UTC)
    assert due.astimezone(LA).hour == 3


# --- the scheduler fires at DIGEST_TIME local, on both sides of a DST change ----------------

@pytest.mark.parametrize("days", [
    # Autumn: PDT (UTC-7) Saturday, PST (UTC-8) from Sunday 2026-11-01 02:00.
    [date(2026, 10, 31), date(2026, 11, 1), date(2026, 11, 2)],
    # Spring: PST Saturday, PDT from Sunday 2026-03-08 02:00.
    [date(2026, 3, 7), date(2026, 3, 8), date(2026, 3, 9)],
], ids=["autumn", "spring"])
def test_the_digest_fires_at_8_local_on_both_sides_of_a_dst_change(days, db, slack):
    settings = configure(db, slack)
    fired: list[datetime] = []
    with time_machine.travel(local(days[0], 6, 0), tick=False) as traveller:
        scheduler = jobs.scheduler(settings, db, lambda _s: fired.append(datetime.now(UTC)))
        scheduler.start()
        try:
            for day in days:
                traveller.move_to(local(day, 7, 59, 59))
                scheduler.wakeup()
                job = scheduler.get_job(f"digest:{CHANNEL}")
                assert job.next_run_time == local(day, 8, 0)
                time.sleep(0.2)
                assert len(fired) == days.index(day), "fired before 08:00"
                traveller.move_to(local(day, 8, 0))
                scheduler.wakeup()
                count = days.index(day) + 1
                wait_for(lambda n=count: len(fired) == n)
        finally:
            scheduler.shutdown()
    assert [f.astimezone(LA).time() for f in fired] == [clock_time(8, 0)] * 3
    offsets = [f.astimezone(LA).utcoffset() for f in fired]
    assert offsets[0] != offsets[2], "the three days do not straddle a DST change"
    assert [f.hour for f in fired] == [(datetime.combine(d, clock_time(8), LA)
                                        .astimezone(UTC).hour) for d in days]


def test_a_weekdays_only_digest_skips_the_weekend(db, slack):
    settings = configure(db, slack, digest_channel=f"{CHANNEL}@07:30@weekdays")
    scheduler = jobs.scheduler(settings, db, lambda _s: None)
    trigger = scheduler.get_jobs()[0].trigger
    friday = local(date(2026, 11, 27), 7, 30)
    following = trigger.get_next_fire_time(None, friday + timedelta(minutes=1))
    assert following == local(date(2026, 11, 30), 7, 30)


# --- exactly once: two scheduler processes against one database -----------------------------

def test_two_scheduler_processes_post_one_digest(db, slack, tmp_path):
    env = {"DATABASE_URL": db.url, "SLACK_API_URL": slack.api_url,
           "SLACK_BOT_TOKEN": "xoxb-test", "DIGEST_CHANNEL": f"{CHANNEL},C0000SECOND",
           "SELLER_TIMEZONE": "America/Los_Angeles", "PATH": "/usr/bin:/bin"}
    start = local(date(2026, 11, 27), 7, 59, 59).isoformat()
    processes = [
        subprocess.Popen([sys.executable, str(ROOT / "tests" / "scheduler_process.py"), start],
                         env=env, cwd=tmp_path, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
        for _ in range(2)]
    try:
        for process in processes:
            assert process.stdout.readline().strip() == "ready", process.stderr.read()
        for process in processes:  # both clocks start together: both fire within ~1 ms
            process.stdin.write("go\n")
            process.stdin.flush()
        results = [json.loads(process.communicate(timeout=60)[0]) for process in processes]
    finally:
        for process in processes:
            process.kill()
    # Each process ran both channels' jobs; for each channel one posted and one stood back.
    assert sorted(results[0] + results[1]) == ["posted", "posted", "skipped", "skipped"]
    assert len(posted(slack)) == 1 and len(posted(slack, "C0000SECOND")) == 1
    assert len(slack.called("chat.postMessage")) == 2
    for channel in (CHANNEL, "C0000SECOND"):
        run = job_runs.get(db, f"digest:{channel}", "2026-11-27")
        assert run.status == job_runs.POSTED and run.ts == posted(slack, channel)[0]["ts"]


def test_two_runners_racing_in_threads_post_once(db, slack):
    settings = configure(db, slack)
    clock = Clock(local(date(2026, 11, 27), 8, 0))
    runners = [digests_at(settings, db, clock) for _ in range(4)]
    outcomes = race(runners, lambda r: [r.run(settings.digests[0])])
    assert sorted(outcomes) == ["posted", "skipped", "skipped", "skipped"]
    assert len(posted(slack)) == 1


def test_a_retry_of_a_failed_run_is_a_live_claim_not_a_stale_one(db):
    # The retry kept the failure's finished_at, from which a claim's age was measured: it was
    # "stale" from its first second, and a third process took it over and posted too.
    job, day = f"digest:{CHANNEL}", "2026-11-27"
    failed_at = local(date(2026, 11, 27), 8, 0)
    first = job_runs.claim(db, job, day, "a", failed_at, stale_after=jobs.TAKEOVER_AFTER)
    job_runs.finish(db, first, failed_at, status=job_runs.FAILED, attempts=1,
                    error="not_in_channel")
    later = failed_at + timedelta(minutes=25)
    assert job_runs.claim(db, job, day, "b", later, stale_after=jobs.TAKEOVER_AFTER,
                          retry_failed_after=jobs.TAKEOVER_AFTER) is not None
    assert job_runs.claim(db, job, day, "c", later + timedelta(seconds=1),
                          stale_after=jobs.TAKEOVER_AFTER,
                          retry_failed_after=jobs.TAKEOVER_AFTER) is None
    assert job_runs.get(db, job, day).finished_at is None


def test_two_watches_retrying_a_failed_digest_post_it_once(db, slack):
    settings = configure(db, slack)
    schedule = settings.digests[0]
    friday = date(2026, 11, 27)
    slack.fail("chat.postMessage", error="not_in_channel")  # 08:00: not invited yet
    clock = Clock(local(friday, 8, 0))
    assert digests_at(settings, db, clock).run(schedule).status == "failed"
    # Invited since; at 08:25 two replicas' watches fire, the second while the first posts.
    clock.now = local(friday, 8, 25)
    first, second = digests_at(settings, db, clock, web_client(settings)), digests_at(
        settings, db, clock)
    behind: list = []
    post = first.client.chat_postMessage

    def post_while_the_other_fires(**kwargs):
        if not behind:
            behind.extend(second.catch_up(after=jobs.WATCH_AFTER,
                                          retry_failed_after=jobs.TAKEOVER_AFTER))
        return post(**kwargs)

    first.client.chat_postMessage = post_while_the_other_fires
    mine = first.catch_up(after=jobs.WATCH_AFTER, retry_failed_after=jobs.TAKEOVER_AFTER)
    assert [o.status for o in mine] == ["posted"] and [o.why for o in behind] == ["running"]
    assert len(posted(slack)) == 1


# --- catch-up after downtime -----------------------------------------------------------------

def start_at(moment: datetime, settings: Settings, db: Database) -> None:
    """Start sellerbot's jobs as `serve` does, at `moment`, and stop them once caught up."""
    with time_machine.travel(moment, tick=False):
        running = jobs.start(settings, db, web_client(settings))
        running.catching_up.join(30)
        running.stop()


def test_a_restart_at_0930_posts_the_missed_digest_once_saying_it_is_late(db, slack):
    settings = configure(db, slack)
    friday = date(2026, 11, 27)
    start_at(local(friday, 9, 30), settings, db)
    start_at(local(friday, 9, 45), settings, db)  # restarted again: nothing more
    assert len(posted(slack)) == 1
    message = slack.called("chat.postMessage")[0].body
    assert "late: due at 08:00, when sellerbot was not running" in texts(message)
    run = job_runs.get(db, f"digest:{CHANNEL}", "2026-11-27")
    assert run.status == job_runs.POSTED and run.late


def test_a_restart_at_1230_posts_nothing(db, slack):
    settings = configure(db, slack)
    start_at(local(date(2026, 11, 27), 12, 30), settings, db)
    assert slack.called("chat.postMessage") == []
    assert job_runs.get(db, f"digest:{CHANNEL}", "2026-11-27") is None


def test_a_restart_before_the_digest_time_posts_nothing_yet(db, slack):
    settings = configure(db, slack)
    start_at(local(date(2026, 11, 27), 7, 0), settings, db)
    assert slack.called("chat.postMessage") == []


def test_the_cut_off_is_a_setting(db, slack):
    settings = configure(db, slack, digest_catchup_until="13:00")
    start_at(local(date(2026, 11, 27), 12, 30), settings, db)
    assert len(posted(slack)) == 1


def test_a_restart_after_the_digest_was_posted_posts_nothing(db, slack):
    settings = configure(db, slack)
    friday = date(2026, 11, 27)
    digests_at(settings, db, Clock(local(friday, 8, 0))).run(settings.digests[0])
    start_at(local(friday, 9, 30), settings, db)
    assert len(posted(slack)) == 1


# --- retries -----------------------------------------------------------------------------

def test_a_429_then_success_posts_once(db, slack):
    settings = configure(db, slack)
    slack.fail("chat.postMessage", status=429, retry_after=1)
    outcome = digests_at(settings, db, Clock(local(date(2026, 11, 27), 8, 0))).run(
        settings.digests[0])
    assert outcome.status == "posted"
    assert len(slack.called("chat.postMessage")) == 2 and len(posted(slack)) == 1
    assert job_runs.get(db, f"digest:{CHANNEL}", "2026-11-27").ts == outcome.ts


def test_server_errors_and_dropped_connections_are_retried_with_backoff(db, slack):
    settings = configure(db, slack)
    slack.fail("chat.postMessage", status=500)
    slack.fail("chat.postMessage", status=503)
    # No blind retry by slack_sdk: each lost answer reaches sellerbot, which reads the
    # channel (the post may have landed) before it posts again.
    slack.drop("chat.postMessage", times=2)
    clock = Clock(local(date(2026, 11, 27), 8, 0))
    outcome = digests_at(settings, db, clock).run(settings.digests[0])
    assert outcome.status == "posted" and len(posted(slack)) == 1
    # After a lost answer the look waits as long as the client's timeout (15 s) at least.
    assert clock.slept == [15, 30, 60, 120] and len(slack.called("chat.postMessage")) == 5
    assert len(slack.called("conversations.history")) == 4
    assert job_runs.get(db, f"digest:{CHANNEL}", "2026-11-27").attempts == 5


def test_retries_stop_after_15_minutes_and_the_failure_is_recorded(db, slack, caplog):
    settings = configure(db, slack)
    for _ in range(20):
        slack.fail("chat.postMessage", status=500)
    clock = Clock(local(date(2026, 11, 27), 8, 0))
    with caplog.at_level(logging.WARNING, logger="bot.jobs"):
        outcome = digests_at(settings, db, clock).run(settings.digests[0])
    assert outcome.status == "failed" and posted(slack) == []
    assert sum(clock.slept) <= 15 * 60 and sum(clock.slept) > 10 * 60
    run = job_runs.get(db, f"digest:{CHANNEL}", "2026-11-27")
    assert run.status == job_runs.FAILED and run.error == "fatal_error"
    assert "retrying" in caplog.text and "was not posted" in caplog.text


@pytest.mark.parametrize(("error", "fix"), [
    ("channel_not_found", "check DIGEST_CHANNEL: C0000ORDERS is no channel sellerbot can see"),
    ("not_in_channel", "/invite @sellerbot in"),
    ("invalid_auth", "SLACK_BOT_TOKEN is no longer valid"),
])
def test_a_permanent_error_is_recorded_with_its_fix_and_shown_on_app_home(
        error, fix, db, slack, caplog):
    settings = configure(db, slack)
    slack.fail("chat.postMessage", error=error)
    clock = Clock(local(date(2026, 11, 27), 8, 0))
    with caplog.at_level(logging.ERROR, logger="bot.jobs"):
        outcome = digests_at(settings, db, clock).run(settings.digests[0])
    assert outcome == jobs.Outcome("failed", error=error)
    assert clock.slept == [] and len(slack.called("chat.postMessage")) == 1
    run = job_runs.get(db, f"digest:{CHANNEL}", "2026-11-27")
    assert (run.status, run.error) == (job_runs.FAILED, error)
    assert fix in caplog.text
    seller = wiring.seller_of(settings)
    failures = digests.delivery_failures(db, settings.digests)
    assert [(f.channel, f.error) for f in failures] == [(CHANNEL, error)]
    home = json.dumps(home_view(digests.digest(db, seller, clock.now), seller, failures))
    assert fix in home and f"<#{CHANNEL}>" in home
    # Once the seller fixes it, the next try (the watch, or a restart) posts and Home clears.
    clock.now += jobs.TAKEOVER_AFTER
    retried = digests_at(settings, db, clock).catch_up(retry_failed_after=jobs.TAKEOVER_AFTER)
    assert [o.status for o in retried] == ["posted"]
    assert "when Slack would not take it" in texts(posted(slack)[0])
    assert digests.delivery_failures(db, settings.digests) == []


def test_a_failed_run_is_not_retried_by_the_watch_too_soon(db, slack):
    settings = configure(db, slack)
    slack.fail("chat.postMessage", error="not_in_channel")
    clock = Clock(local(date(2026, 11, 27), 8, 0))
    digests_at(settings, db, clock).run(settings.digests[0])
    clock.now += timedelta(minutes=5)
    assert [o.status for o in digests_at(settings, db, clock).catch_up(
        after=jobs.WATCH_AFTER, retry_failed_after=jobs.TAKEOVER_AFTER)] == ["skipped"]
    assert len(slack.called("chat.postMessage")) == 1


# --- a run whose process died ----------------------------------------------------------------

def dead_claim(db: Database, at: datetime) -> None:
    """What a process leaves when it dies after claiming today's run: a claim nobody renews."""
    claim = job_runs.claim(db, f"digest:{CHANNEL}", at.astimezone(LA).date().isoformat(),
                           "gone-host:4242:dead", at, stale_after=jobs.TAKEOVER_AFTER)
    assert claim is not None


def test_a_crashed_claim_is_taken_over_once(db, slack):
    settings = configure(db, slack)
    friday = date(2026, 11, 27)
    dead_claim(db, local(friday, 8, 0))
    # While the claim is fresh, nobody else posts: its owner may still be at it.
    early = Clock(local(friday, 8, 10))
    assert digests_at(settings, db, early).catch_up().pop().status == "skipped"
    # Once stale, four processes' watches race for it: one takes it over and posts.
    clock = Clock(local(friday, 8, 0) + jobs.TAKEOVER_AFTER + timedelta(minutes=1))
    runners = [digests_at(settings, db, clock) for _ in range(4)]
    outcomes = race(runners, lambda r: r.catch_up(after=jobs.WATCH_AFTER,
                                                  retry_failed_after=jobs.TAKEOVER_AFTER))
    assert sorted(outcomes) == ["posted", "skipped", "skipped", "skipped"]
    assert len(posted(slack)) == 1
    assert "when the sellerbot process posting it stopped" in texts(posted(slack)[0])
    run = job_runs.get(db, f"digest:{CHANNEL}", "2026-11-27")
    assert run.status == job_runs.POSTED and run.owner in {r.owner for r in runners}


@pytest.mark.parametrize("later", [jobs.TAKEOVER_AFTER + timedelta(minutes=1),
                                   timedelta(hours=3)], ids=["watch", "restart-at-11"])
def test_a_crashed_run_that_had_posted_is_recorded_not_posted_again(later, db, slack):
    settings = configure(db, slack)
    friday = date(2026, 11, 27)
    with time_machine.travel(local(friday, 8, 0), tick=False):
        # The process that died got its message to Slack, then died before recording it.
        dead_claim(db, local(friday, 8, 0))
        dying = web_client(settings).chat_postMessage(
            channel=CHANNEL, text="Morning digest",
            metadata={"event_type": jobs.METADATA_EVENT,
                      "event_payload": {"period": "2026-11-27"}})
    clock = Clock(local(friday, 8, 0) + later)
    outcome = digests_at(settings, db, clock).catch_up().pop()
    assert outcome == jobs.Outcome("skipped", ts=dying["ts"], why="posted")
    assert len(posted(slack)) == 1 and len(slack.called("conversations.history")) == 1
    run = job_runs.get(db, f"digest:{CHANNEL}", "2026-11-27")
    assert run.status == job_runs.POSTED and run.ts == dying["ts"]


# --- what the digest covers, --force, clean-up ------------------------------------------------

def test_each_digest_covers_the_time_since_the_previous_one(db, slack):
    settings = configure(db, slack)
    thursday, friday = date(2026, 11, 26), date(2026, 11, 27)
    first = Clock(local(thursday, 8, 0, 7))
    digests_at(settings, db, first).run(settings.digests[0])
    assert "since Wed 25 Nov 2026, 08:00 PST" in texts(posted(slack)[0])  # none before: 24 h
    digests_at(settings, db, Clock(local(friday, 8, 0))).run(settings.digests[0])
    assert "since Thu 26 Nov 2026, 08:00 PST" in texts(posted(slack)[1])
    assert len(posted(slack)) == 2


def test_a_digest_fired_late_past_midnight_is_the_one_of_the_day_it_was_due(db, slack):
    # The scheduler runs a digest up to an hour late (a suspended machine): Thursday's 23:30
    # digest fired at 00:20 on Friday is Thursday's, and Friday's own 23:30 one still goes.
    settings = configure(db, slack, digest_channel=f"{CHANNEL}@23:30")
    schedule = settings.digests[0]
    thursday, friday = date(2026, 11, 26), date(2026, 11, 27)
    clock = Clock(local(friday, 0, 20))
    assert digests_at(settings, db, clock).run(schedule).status == "posted"
    assert job_runs.get(db, schedule.job, "2026-11-26").status == job_runs.POSTED
    assert job_runs.get(db, schedule.job, "2026-11-27") is None
    clock.now = local(friday, 23, 30)
    assert digests_at(settings, db, clock).run(schedule).status == "posted"
    assert job_runs.get(db, schedule.job, "2026-11-27").status == job_runs.POSTED
    assert len(posted(slack)) == 2
    assert schedule.day_of_run(local(thursday, 23, 30), LA, jobs.LATE_FIRE) == thursday
    # Asked for by hand before the day's time (`digest --post` at 07:00): the day's own.
    morning = configure(db, slack).digests[0]
    assert morning.day_of_run(local(friday, 7, 0), LA, jobs.LATE_FIRE) == friday


def test_force_posts_again_and_records_it(db, slack):
    settings = configure(db, slack)
    clock = Clock(local(date(2026, 11, 27), 8, 0))
    runner = digests_at(settings, db, clock)
    first = runner.run(settings.digests[0])
    assert runner.run(settings.digests[0]).status == "skipped"
    clock.now += timedelta(hours=1)
    again = runner.run(settings.digests[0], force=True)
    assert again.status == "posted" and again.ts != first.ts and len(posted(slack)) == 2
    assert job_runs.get(db, f"digest:{CHANNEL}", "2026-11-27").ts == again.ts


def test_the_jobs_include_the_watch_and_the_nightly_clean_up(db, slack):
    settings = configure(db, slack, digest_channel=f"{CHANNEL},C0000SECOND@07:15")
    scheduler = jobs.scheduler(settings, db, lambda _s: None)
    assert sorted(j.id for j in scheduler.get_jobs()) == [
        "clean-up", "digest-watch", "digest:C0000ORDERS", "digest:C0000SECOND"]
    after = local(date(2026, 11, 27), 9, 0)
    cleanup = scheduler.get_job("clean-up").trigger.get_next_fire_time(None, after)
    assert cleanup == local(date(2026, 11, 28), 4, 30)


def test_the_clean_up_forgets_old_data_but_keeps_open_orders(db, slack):
    from sqlalchemy import select

    from bot.store.models import ORDERS

    settings = configure(db, slack, retention_days="30")
    now = datetime(2026, 11, 27, 16, 0, tzinfo=UTC)
    demo.load_demo(db, seller_of(settings), now - timedelta(days=45))
    open_statuses = ("Pending", "PendingAvailability", "Unshipped", "PartiallyShipped")
    with db.begin() as conn:
        before = dict(conn.execute(select(ORDERS.c.order_id, ORDERS.c.status)).all())
    assert jobs.clean_up(settings, db, now) > 0
    with db.begin() as conn:
        kept = set(conn.scalars(select(ORDERS.c.order_id)))
    assert kept and len(kept) < len(before)
    # Open orders stay whatever their age (which orders whose return may still be asked about
    # stay too: the next test).
    assert {order_id for order_id, status in before.items() if status in open_statuses} <= kept
    assert demo.load_demo(db, seller_of(settings), now).orders > 0  # the store still works after it


def test_the_clean_up_keeps_every_order_whose_return_can_still_be_asked_about(db, slack):
    from sqlalchemy import select

    from bot.domain.returns import Verdict
    from bot.store import queries
    from bot.store.models import ORDERS
    from bot.usecases.returns import return_answer

    # RETENTION_DAYS may be shorter than a return window and its late period after delivery:
    # /can-return was asked about orders the clean-up had deleted ("no such order").
    settings = configure(db, slack, retention_days="30")
    seller, now = seller_of(settings), datetime(2026, 11, 27, 16, 0, tzinfo=UTC)
    demo.load_demo(db, seller, now - timedelta(days=45))
    today = now.astimezone(seller.timezone).date()
    with db.begin() as conn:
        orders = [queries.get_order(conn, order_id)
                  for order_id in conn.scalars(select(ORDERS.c.order_id))]
    verdicts = {order.order_id: return_answer(order, [], seller, today).decision.verdict
                for order in orders}
    asked_about = {order_id for order_id, verdict in verdicts.items()
                   if verdict in (Verdict.RETURNABLE, Verdict.LATE)}
    old = {order.order_id for order in orders if order.purchase_date < now - timedelta(days=30)}
    assert asked_about & old, "the demo has old orders whose return can still be asked about"
    jobs.clean_up(settings, db, now)
    with db.begin() as conn:
        left = set(conn.scalars(select(ORDERS.c.order_id)))
    assert asked_about <= left
    # ... and what goes is what nobody can ask about any more.
    gone = set(verdicts) - left
    assert gone and {verdicts[order_id] for order_id in gone} <= {
        Verdict.CLOSED, Verdict.CANCELED, Verdict.AMAZON_FULFILLED}


def test_the_clean_up_keeps_a_pre_order_that_has_not_shipped_whatever_its_age(db, slack):
    from bot.domain.records import Channel, Order, OrderStatus
    from bot.store import queries
    from bot.store.writer import Writer

    # A pre-order waits for its release date, months after it was placed: still to ship.
    settings = configure(db, slack)  # RETENTION_DAYS 90
    now = datetime(2026, 11, 27, 16, 0, tzinfo=UTC)
    placed = now - timedelta(days=100)
    with db.begin() as conn:
        writer = Writer(conn)
        for order_id, status in (("111-0000000-0000001", OrderStatus.PENDING_AVAILABILITY),
                                 ("111-0000000-0000002", OrderStatus.SHIPPED)):
            writer.add(Order(order_id, purchase_date=placed, status=status,
                             fulfillment_channel=Channel.MERCHANT))
        writer.flush()
    jobs.clean_up(settings, db, now)
    with db.begin() as conn:
        assert queries.get_order(conn, "111-0000000-0000001") is not None
        assert queries.get_order(conn, "111-0000000-0000002") is None


def test_the_clean_up_keeps_a_pre_order_delivered_lately_and_its_returns(db, slack):
    from sqlalchemy import select

    from bot.domain.records import Channel, Order, OrderStatus, ReturnRequest
    from bot.store.models import ORDERS, RETURNS

    # Bought 100 days ago, released and delivered 10 days ago: well inside its return window,
    # past RETENTION_DAYS' 90 days since the purchase.
    settings = configure(db, slack)
    now = datetime(2026, 11, 27, 16, 0, tzinfo=UTC)
    bought = now - timedelta(days=100)
    for order_id, delivered in (("111-0000000-0000061", now - timedelta(days=10)),
                                ("111-0000000-0000062", bought + timedelta(days=5))):
        store(db, Order(order_id, purchase_date=bought, status=OrderStatus.SHIPPED,
                        fulfillment_channel=Channel.MERCHANT, latest_delivery_date=delivered),
              ReturnRequest(order_id, "R1", "SKU-1",
                            request_date=bought.date() + timedelta(days=3)))
    assert kept_after_clean_up(db, settings, now, ORDERS.c.order_id) == ["111-0000000-0000061"]
    with db.begin() as conn:
        assert conn.execute(select(RETURNS.c.order_id)).scalars().all() == [
            "111-0000000-0000061"]


def test_an_order_an_old_report_brings_back_open_is_forgotten_again(db, slack):
    from bot.store import queries
    from bot.usecases import shipments
    from bot.usecases.imports import import_file
    from tests.conftest import SAMPLES

    # Confirmed, forgotten by the clean-up months later; then `sellerbot import ~/Downloads/*`
    # read last November's Unshipped report again: the order came back open, months late,
    # and open orders were kept whatever their age. Amazon cancels an order left unconfirmed
    # 7 days past its ship-by: one whose auto-cancel passed RETENTION_DAYS ago goes.
    settings = configure(db, slack)
    seller, reported = seller_of(settings), datetime(2026, 11, 25, 15, 0, tzinfo=UTC)
    order_id = "209-5165469-2552960"  # Unshipped in the sample, due 24 November
    import_file(db, SAMPLES / "unshipped-orders.txt", seller, now=reported)
    shipments.confirm(db, AmazonTakesIt(), seller, order_id,
                      shipments.Package("UPS", "1Z999AA10123456784", reported.date()),
                      now=reported)
    later = reported + timedelta(days=150)
    jobs.clean_up(settings, db, later)
    import_file(db, SAMPLES / "unshipped-orders.txt", seller, now=later)
    with db.begin() as conn:
        assert queries.get_order(conn, order_id).status == "Unshipped"
    jobs.clean_up(settings, db, later + timedelta(days=1))
    with db.begin() as conn:
        assert queries.get_order(conn, order_id) is None
    # Still open in the store, its auto-cancel passed less than RETENTION_DAYS (90) ago: kept.
    import_file(db, SAMPLES / "unshipped-orders.txt", seller, now=later)
    jobs.clean_up(settings, db, reported + timedelta(days=94))
    with db.begin() as conn:
        assert queries.get_order(conn, order_id) is not None


def test_the_clean_up_forgets_a_pending_order_long_past_its_ship_by(db, slack):
    from bot.domain.records import Channel, Order, OrderStatus
    from bot.store.models import ORDERS

    # Pending is a payment not yet authorised, not a pre-order: brought back by an old report,
    # it was kept for ever. A pre-order (PendingAvailability) still waits for its release.
    settings = configure(db, slack)  # RETENTION_DAYS 90
    now = datetime(2026, 11, 27, 16, 0, tzinfo=UTC)
    placed = now - timedelta(days=400)
    store(db, Order("111-0000000-0000081", purchase_date=placed, status=OrderStatus.PENDING,
                    fulfillment_channel=Channel.MERCHANT,
                    latest_ship_date=placed + timedelta(days=2)),
          Order("111-0000000-0000082", purchase_date=placed, status=OrderStatus.PENDING,
                fulfillment_channel=Channel.MERCHANT),
          Order("111-0000000-0000083", purchase_date=placed,
                status=OrderStatus.PENDING_AVAILABILITY, fulfillment_channel=Channel.MERCHANT))
    assert kept_after_clean_up(db, settings, now, ORDERS.c.order_id) == ["111-0000000-0000083"]


def store(db: Database, *records) -> None:
    """Write `records` (orders before their lines) as an import would."""
    from bot.store.writer import Writer

    with db.begin() as conn:
        writer = Writer(conn)
        for record in records:
            writer.add(record)
        writer.flush()


def kept_after_clean_up(db: Database, settings: Settings, now: datetime, column) -> list:
    """Run the nightly clean-up at `now`; the values of `column` left in its table."""
    from sqlalchemy import select

    jobs.clean_up(settings, db, now)
    with db.begin() as conn:
        return conn.execute(select(column)).scalars().all()


class AmazonTakesIt:
    """Amazon's Orders API taking every shipment confirmation (its 204)."""

    def confirm_shipment(self, order_id, detail):
        return None


def confirmed_order(db: Database, seller, order_id: str, at: datetime, **fields):
    """Store an unshipped one-line order bought the day before `at` and confirm its shipment
    at `at`; the package confirmed."""
    from bot.domain.records import Channel, Order, OrderItem, OrderStatus
    from bot.usecases import shipments

    store(db, Order(order_id, purchase_date=at - timedelta(days=1), status=OrderStatus.UNSHIPPED,
                    fulfillment_channel=Channel.MERCHANT, **fields),
          OrderItem(order_id, "SKU-1", order_item_id="11111111111111", quantity_ordered=1,
                    quantity_shipped=0))
    package = shipments.Package("UPS", "1Z999AA10123456784",
                                at.astimezone(seller.timezone).date())
    shipments.confirm(db, AmazonTakesIt(), seller, order_id, package, now=at)
    return package


def test_the_clean_up_forgets_old_shipment_confirmations_and_their_tracking_numbers(db, slack):
    from bot.store.models import JOB_RUNS

    # A tracking number leads to the buyer's address through the carrier (privacy.md §3.1):
    # its confirmation's record goes with the retention, as the order does.
    settings = configure(db, slack, retention_days="30")
    seller, now = seller_of(settings), datetime(2026, 11, 27, 16, 0, tzinfo=UTC)
    for order_id, days in (("111-0000000-0000042", 100), ("111-0000000-0000043", 3)):
        confirmed_order(db, seller, order_id, now - timedelta(days=days))
    assert kept_after_clean_up(db, settings, now, JOB_RUNS.c.job) == [
        "confirm:111-0000000-0000043"]


def test_the_clean_up_keeps_the_shipment_confirmation_of_an_order_it_keeps(db, slack):
    from bot.store import job_runs
    from bot.usecases import shipments

    # Kept while its return may be asked about, past RETENTION_DAYS: a second "Confirm
    # shipment" must still say it was confirmed (with what), not that the order is not open.
    settings = configure(db, slack, retention_days="30")
    seller, confirmed = seller_of(settings), datetime(2026, 10, 5, 18, 0, tzinfo=UTC)
    order_id = "111-0000000-0000044"
    package = confirmed_order(db, seller, order_id, confirmed,
                              latest_ship_date=confirmed + timedelta(days=1))
    later = confirmed + timedelta(days=40)
    jobs.clean_up(settings, db, later)
    assert job_runs.get(db, f"confirm:{order_id}", "shipment") is not None
    again = shipments.confirm(db, AmazonTakesIt(), seller, order_id, package, now=later)
    assert again.already and again.tracking == "1Z999AA10123456784"


def test_the_clean_up_forgets_the_review_requests_of_orders_it_deleted(db, slack):
    from bot.domain.records import Channel, Order, OrderStatus
    from bot.domain.reviews import Asked
    from bot.store import review_requests
    from bot.store.models import REVIEW_REQUESTS

    # Amazon's words when it refused a request stay no longer than the order they are about.
    settings = configure(db, slack, retention_days="30")
    now = datetime(2026, 11, 27, 16, 0, tzinfo=UTC)
    for order_id, days in (("111-0000000-0000051", 100), ("111-0000000-0000052", 10)):
        asked = now - timedelta(days=days)
        store(db, Order(order_id, purchase_date=asked - timedelta(days=15),
                        status=OrderStatus.SHIPPED, fulfillment_channel=Channel.MERCHANT))
        assert review_requests.claim(db, order_id, "test", asked)
        review_requests.finish(db, order_id, "test", review_requests.Outcome(
            Asked.FAILED, "400 InvalidInput", "Amazon's words"), asked)
    assert kept_after_clean_up(db, settings, now, REVIEW_REQUESTS.c.order_id) == [
        "111-0000000-0000052"]


def test_the_clean_up_keeps_orders_whose_holiday_returns_may_still_come(db, slack):
    from sqlalchemy import func, select

    from bot.store.models import ORDERS

    # Bought in November 2026's holiday window: returnable until 31 January 2027, and a late
    # return may come for 30 days after that (rules/returns.yaml), past any 90 days.
    settings = configure(db, slack, retention_days="30")
    demo.load_demo(db, seller_of(settings), datetime(2026, 11, 20, 16, 0, tzinfo=UTC))

    def closed_orders() -> int:
        with db.begin() as conn:
            return conn.scalar(select(func.count()).select_from(ORDERS).where(
                ORDERS.c.status.not_in(("Pending", "Unshipped", "PartiallyShipped")),
                ORDERS.c.purchase_date >= datetime(2026, 11, 2, tzinfo=UTC)))

    bought = closed_orders()
    assert bought > 0
    jobs.clean_up(settings, db, datetime(2027, 1, 31, 12, 30, tzinfo=UTC))
    jobs.clean_up(settings, db, datetime(2027, 3, 1, 12, 30, tzinfo=UTC))
    assert closed_orders() == bought
    jobs.clean_up(settings, db, datetime(2027, 3, 15, 12, 30, tzinfo=UTC))
    assert closed_orders() == 0


def test_the_holiday_window_the_clean_up_keeps_is_the_marketplaces(db, slack):
    from bot.domain.records import Channel, Order, OrderStatus
    from bot.store import queries
    from bot.store.writer import Writer

    # 1 November 01:00 Pacific is a holiday-season purchase on amazon.com, though it is still
    # 31 October in Honolulu: kept until its late returns can no longer come.
    settings = configure(db, slack, retention_days="30", seller_timezone="Pacific/Honolulu")
    with db.begin() as conn:
        writer = Writer(conn)
        writer.add(Order("111-0000000-0000001", status=OrderStatus.SHIPPED,
                         purchase_date=datetime(2026, 11, 1, 8, 0, tzinfo=UTC),
                         fulfillment_channel=Channel.MERCHANT))
        writer.flush()
    jobs.clean_up(settings, db, datetime(2027, 1, 31, 12, 30, tzinfo=UTC))
    with db.begin() as conn:
        assert queries.get_order(conn, "111-0000000-0000001") is not None


# --- the terminal: sellerbot digest --post and sellerbot jobs -----------------------------

def sellerbot(*args: str, env: dict[str, str], cwd) -> subprocess.CompletedProcess:
    """The sellerbot command in its own process."""
    return subprocess.run([sys.executable, "-m", "bot", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=180, env={"PATH": "/usr/bin:/bin", **env})


def test_digest_post_posts_once_a_day_and_jobs_lists_the_result(slack, tmp_path):
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}", "SLACK_BOT_TOKEN": "xoxb-test",
           "SLACK_API_URL": slack.api_url, "DIGEST_CHANNEL": CHANNEL}
    first = sellerbot("digest", "--post", env=env, cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    again = sellerbot("digest", "--post", env=env, cwd=tmp_path)
    assert "already posted" in again.stdout and len(posted(slack)) == 1
    listed = sellerbot("jobs", env=env, cwd=tmp_path)
    assert listed.returncode == 0, listed.stderr
    line = next(row for row in listed.stdout.splitlines() if row.startswith(f"digest:{CHANNEL}"))
    assert ": posted" in line and posted(slack)[0]["ts"] in line
    assert "clean-up" in listed.stdout and "digest-watch" in listed.stdout
    unset = sellerbot("digest", "--post", env={**env, "DIGEST_CHANNEL": ""}, cwd=tmp_path)
    assert unset.returncode == 2 and "DIGEST_CHANNEL is not set" in unset.stderr


def test_jobs_says_how_the_sync_stands(slack, tmp_path):
    from bot.store import Database, sync_state

    # The sync keeps its own record: `jobs` said only when it runs next, even while Amazon
    # had refused the refresh token for two hours.
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}", "SLACK_BOT_TOKEN": "xoxb-test",
           "SLACK_API_URL": slack.api_url, "LWA_APP_ID": "amzn1.application-oa2-client.test",
           "LWA_CLIENT_SECRET": "x", "SP_API_REFRESH_TOKEN": "Atzr|revoked"}

    def sync_line() -> str:
        listed = sellerbot("jobs", env=env, cwd=tmp_path)
        assert listed.returncode == 0, listed.stderr
        return next(row for row in listed.stdout.splitlines() if row.startswith("sp-api-sync"))

    assert "never run" in sync_line()
    db = Database.open(env["DATABASE_URL"])
    market, now = load_settings(database_url=db.url).market.marketplace_id, datetime.now(UTC)
    sync_state.succeeded(db, market, watermark=now - timedelta(hours=3),
                         at=now - timedelta(hours=3))
    assert "last success" in sync_line() and "failing" not in sync_line()
    sync_state.failed(db, market, at=now - timedelta(hours=2), error="400 invalid_grant")
    db.close()
    line = sync_line()
    assert "failing since" in line and "(400 invalid_grant)" in line and "last success" in line


def sp_api_seller(db, slack, amazon) -> Settings:
    """A seller whose digest was missed overnight, with the SP-API set up."""
    from bot.store import sync_state

    settings = configure(db, slack, digest_channel="C0000ORDERS@00:00",
                         digest_catchup_until="23:59",
                         lwa_app_id="amzn1.application-oa2-client.test",
                         lwa_client_secret="not-a-secret", sp_api_refresh_token="Atzr|test",
                         sp_api_endpoint=amazon.url, lwa_token_url=amazon.token_url)
    now = datetime.now(UTC)
    sync_state.succeeded(db, settings.market.marketplace_id, watermark=now - timedelta(hours=10),
                         at=now - timedelta(hours=10))
    return settings


def test_the_digest_caught_up_at_start_is_built_after_a_first_sync(db, slack, amazon):
    # sellerbot was down overnight: its last sync 10 hours ago, this morning's digest missed,
    # and an order came meanwhile that is already past its ship-by. Amazon throttles the first
    # call, so the start-up sync takes a few seconds; the missed digest, posted once and never
    # corrected, must wait for it.
    settings = sp_api_seller(db, slack, amazon)
    now = datetime.now(UTC)
    amazon.add_order("113-5550000-0000001", created=now - timedelta(hours=3),
                     ship_by=now - timedelta(hours=1))
    amazon.fail("/orders/2026-01-01/orders", 429, headers={"x-amzn-RateLimit-Limit": "0.5"})
    running = jobs.start(settings, db, web_client(settings))
    try:
        posted = slack.wait("chat.postMessage", timeout=60)[0].body
        # One sync, not a second at once beside it: the next is the interval's.
        next_sync = running.scheduler.get_job("sp-api-sync").next_run_time
        assert next_sync > datetime.now(UTC) + timedelta(minutes=1)
    finally:
        running.stop()
    assert "113-5550000-0000001" in json.dumps(posted)


def test_the_digest_watch_does_not_post_a_missed_digest_before_the_first_sync_ends(
        db, slack, amazon, monkeypatch):
    from bot.jobs import upkeep

    settings = sp_api_seller(db, slack, amazon)
    syncing, release = threading.Event(), threading.Event()

    def slow_sync(self, **_waiting):  # a night's orders at Amazon's pace
        syncing.set()
        release.wait(30)

    monkeypatch.setattr(upkeep.Syncs, "run", slow_sync)
    running = jobs.start(settings, db, web_client(settings))
    try:
        assert syncing.wait(10)
        # The watch's next five-minute mark comes while the first sync still runs.
        running.scheduler.modify_job("digest-watch", next_run_time=datetime.now(UTC))
        time.sleep(2)
        assert slack.called("chat.postMessage") == []
        release.set()
        assert slack.wait("chat.postMessage", timeout=30)  # then it goes, once
    finally:
        release.set()
        running.stop()
    assert len(slack.called("chat.postMessage")) == 1


def test_a_second_copy_waits_for_the_first_copys_sync_before_its_catch_up(
        db, slack, amazon, monkeypatch):
    from bot.jobs import upkeep
    from bot.usecases.syncs import RUNNING

    # Two copies start together; the other one holds the sync and is still syncing.
    monkeypatch.setattr(upkeep, "BUSY_RETRY_SECONDS", 0.2)
    settings = sp_api_seller(db, slack, amazon)
    market = settings.market.marketplace_id
    other = job_runs.claim(db, f"sync:{market}", RUNNING, "other-host:1:abcd",
                           datetime.now(UTC), stale_after=timedelta(hours=1))
    running = jobs.start(settings, db, web_client(settings))
    try:
        time.sleep(2)
        assert slack.called("chat.postMessage") == []
        job_runs.release(db, other)  # its sync ends
        assert slack.wait("chat.postMessage", timeout=30)
    finally:
        running.stop()
    # This copy synced after the other one, then posted.
    assert amazon.called("/orders/2026-01-01/orders")


def test_a_missed_digest_due_when_serve_starts_is_posted_when_the_sync_passes_the_cut_off(
        db, slack, amazon, monkeypatch):
    from bot.jobs import upkeep

    # serve starts at 11:55, before DIGEST_CATCHUP_UNTIL (12:00); the first sync (another
    # copy's, waited out) ends at 12:05. What was due at the start is still posted.
    settings = configure(db, slack, digest_channel="C0000ORDERS@08:00",
                         digest_catchup_until="12:00",
                         lwa_app_id="amzn1.application-oa2-client.test",
                         lwa_client_secret="not-a-secret", sp_api_refresh_token="Atzr|test",
                         sp_api_endpoint=amazon.url, lwa_token_url=amazon.token_url)
    with time_machine.travel(local(date(2026, 12, 7), 11, 55), tick=True) as traveller:
        def long_sync(self, **_waiting):
            traveller.shift(timedelta(minutes=10))

        monkeypatch.setattr(upkeep.Syncs, "run", long_sync)
        running = jobs.start(settings, db, web_client(settings))
        try:
            slack.wait("chat.postMessage", timeout=30)
        finally:
            running.stop()
    assert len(posted(slack)) == 1


def test_a_first_sync_of_hours_does_not_hold_the_morning_digest_past_first_sync_wait(
        db, slack, amazon, monkeypatch):
    from bot.jobs import upkeep

    # A first sync of 30 days of orders at Amazon's pace runs for hours: the missed 08:00
    # digest went out after it, in the afternoon. It waits FIRST_SYNC_WAIT at most (here
    # 0.2 s), then goes from what the store has.
    monkeypatch.setattr(jobs, "FIRST_SYNC_WAIT", timedelta(seconds=0.2))
    settings = sp_api_seller(db, slack, amazon)
    release = threading.Event()

    def endless_sync(self, **_waiting):
        release.wait(30)

    monkeypatch.setattr(upkeep.Syncs, "run", endless_sync)
    running = jobs.start(settings, db, web_client(settings))
    try:
        assert slack.wait("chat.postMessage", timeout=10)
        assert not release.is_set()  # the sync still runs
    finally:
        release.set()
        running.stop()
    assert len(posted(slack)) == 1


def test_a_catch_up_whose_first_sync_ends_past_midnight_claims_no_day_of_the_next(
        db, slack, amazon, monkeypatch):
    from bot.jobs import upkeep

    # serve starts at 23:55 with the 18:00 digest missed; the first sync ends at 00:05. The
    # digest due at the start is Thursday's, whose day is over: Friday's was claimed and
    # posted at 00:05 instead, marked late, and Friday's own 18:00 digest then never came.
    settings = configure(db, slack, digest_channel=f"{CHANNEL}@18:00",
                         lwa_app_id="amzn1.application-oa2-client.test",
                         lwa_client_secret="not-a-secret", sp_api_refresh_token="Atzr|test",
                         sp_api_endpoint=amazon.url, lwa_token_url=amazon.token_url)
    thursday, friday = date(2026, 11, 26), date(2026, 11, 27)
    with time_machine.travel(local(thursday, 23, 55), tick=True) as traveller:
        def long_sync(self, **_waiting):
            traveller.shift(timedelta(minutes=10))

        monkeypatch.setattr(upkeep.Syncs, "run", long_sync)
        running = jobs.start(settings, db, web_client(settings))
        try:
            running.catching_up.join(30)
        finally:
            running.stop()
    assert job_runs.get(db, settings.digests[0].job, friday.isoformat()) is None
    assert posted(slack) == []


def test_orders_between_a_crashed_post_and_its_discovery_are_new_in_the_next_digest(db, slack):
    from decimal import Decimal

    from bot.domain.records import Channel, Order, OrderItem, OrderStatus
    from bot.store.writer import Writer

    # The process posting Friday's digest got it into Slack at 08:00 and died before it
    # recorded it; a restart at 11:00 found it and recorded it as of 11:00, and an order
    # placed at 09:00 was new in no digest.
    settings = configure(db, slack)
    friday, saturday = date(2026, 11, 27), date(2026, 11, 28)
    with time_machine.travel(local(friday, 8, 0), tick=False):
        assert job_runs.claim(db, f"digest:{CHANNEL}", friday.isoformat(), "gone:1:dead",
                              local(friday, 8, 0), stale_after=jobs.TAKEOVER_AFTER)
        web_client(settings).chat_postMessage(
            channel=CHANNEL, text="Morning digest",
            metadata={"event_type": jobs.METADATA_EVENT,
                      "event_payload": {"period": friday.isoformat()}})
    placed = local(friday, 9, 0)
    with db.begin() as conn:
        writer = Writer(conn, seen=placed + timedelta(minutes=5))
        writer.add(Order("113-0000000-0000009", purchase_date=placed,
                         status=OrderStatus.SHIPPED, fulfillment_channel=Channel.MERCHANT,
                         order_total=Decimal("20.00"), currency="USD"))
        writer.add(OrderItem("113-0000000-0000009", "SKU-9", quantity_ordered=1))
        writer.flush()
    found = digests_at(settings, db, Clock(local(friday, 11, 0))).catch_up()
    assert [o.why for o in found] == ["posted"]
    assert digests_at(settings, db, Clock(local(saturday, 8, 0))).run(
        settings.digests[0]).status == "posted"
    text = texts(posted(slack)[-1])
    assert "since Fri 27 Nov 2026, 08:00" in text and "1 new order" in text


def test_digest_post_at_a_weekend_skips_a_weekdays_only_channel(cli, slack, tmp_path):
    # `digest --post` run by cron every day posted weekend digests to a channel set to
    # weekdays only; --force still posts one.
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}", "SLACK_BOT_TOKEN": "xoxb-test",
           "SLACK_API_URL": slack.api_url, "DIGEST_CHANNEL": f"{CHANNEL}@08:00@weekdays",
           "SELLER_TIMEZONE": "America/Los_Angeles"}
    with time_machine.travel(local(date(2026, 11, 28), 8, 0), tick=False):  # a Saturday
        quiet = cli("digest", "--post", env=env)
        assert posted(slack) == []
        assert quiet.returncode == 0 and "no digest is due today" in quiet.stdout
        assert cli("digest", "--post", "--force", env=env).returncode == 0
    assert len(posted(slack)) == 1


def test_digests_caught_up_side_by_side_do_not_keep_sellerbot_from_stopping():
    # Two channels' digests waiting out Slack's 429s (up to RETRY_FOR) on the catch-up's
    # daemon thread, then Ctrl-C: the process ends at once. A ThreadPoolExecutor's threads
    # were waited for at exit, through every retry.
    script = ("import threading, time\n"
              "from bot.jobs.side_by_side import side_by_side\n"
              "threading.Thread(target=side_by_side, daemon=True,\n"
              "                 args=(lambda n: time.sleep(60), [1, 2], 'digest')).start()\n"
              "time.sleep(0.5)\n")
    started = time.monotonic()
    ran = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True,
                         text=True, timeout=40)
    assert ran.returncode == 0, ran.stderr
    assert time.monotonic() - started < 20


def test_work_side_by_side_comes_back_in_order_and_raises_what_one_raised():
    from bot.jobs.side_by_side import side_by_side

    assert side_by_side(lambda n: n * 2, [3, 1, 2], "t") == [6, 2, 4]

    def fails(n: int) -> int:
        if n == 2:
            raise ValueError("two")
        return n

    with pytest.raises(ValueError, match="two"):
        side_by_side(fails, [1, 2, 3], "t")
