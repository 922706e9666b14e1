"""The digest under every fault Slack's side can show: exactly one message per channel and day.

A post whose answer is lost (too slow, the connection dropped on the way back, a 5xx from a
Slack that stored it anyway) may have landed: sellerbot reads the channel before posting again.
What Slack refused (429, a 5xx before storing) is retried with backoff; what only a person can
fix fails once and says how. Two schedulers on one PostgreSQL are in test_jobs.py
(test_two_scheduler_processes_post_one_digest).
"""

import time
from datetime import date, datetime, timedelta

import pytest
from slack_sdk import WebClient

from bot import jobs
from bot.app import web_client
from bot.store import job_runs
from tests.test_jobs import CHANNEL, Clock, configure, digests_at, local, posted

FRIDAY = date(2026, 11, 27)
JOB = f"digest:{CHANNEL}"


def run_once(db, slack, *, timeout: float | None = None) -> jobs.Outcome:
    settings = configure(db, slack)
    client = web_client(settings)
    if timeout is not None:
        client.timeout = timeout
    return digests_at(settings, db, Clock(local(FRIDAY, 8, 0)), client).run(settings.digests[0])


def exactly_one(db, slack, outcome: jobs.Outcome) -> None:
    assert outcome.status == "posted", outcome
    assert len(posted(slack)) == 1
    run = job_runs.get(db, JOB, FRIDAY.isoformat())
    assert (run.status, run.ts) == (job_runs.POSTED, posted(slack)[0]["ts"]) == (
        job_runs.POSTED, outcome.ts)


def test_slack_slower_than_the_client_timeout(db, slack):
    slack.slow("chat.postMessage", seconds=1.5)  # stored at once, answered too late
    outcome = run_once(db, slack, timeout=0.5)
    exactly_one(db, slack, outcome)
    assert len(slack.wait("chat.postMessage")) == 1  # the fake logs a call once it answers
    assert len(slack.called("conversations.history")) == 1


def test_the_connection_drops_after_slack_posted(db, slack):
    slack.drop("chat.postMessage", done=True)
    exactly_one(db, slack, run_once(db, slack))
    assert len(slack.called("chat.postMessage")) == 1  # no retry by slack_sdk, none by us


@pytest.mark.parametrize("status", [500, 503])
def test_a_server_error_from_a_slack_that_posted_anyway(db, slack, status):
    slack.fail("chat.postMessage", status=status, done=True)
    exactly_one(db, slack, run_once(db, slack))
    assert len(slack.called("chat.postMessage")) == 1


def test_the_answer_is_cut_off_half_way(db, slack):
    slack.cut("chat.postMessage")  # posted, then half the answer and the connection gone
    exactly_one(db, slack, run_once(db, slack))
    assert len(slack.called("chat.postMessage")) == 1


@pytest.mark.parametrize("error", ["fatal_error", "internal_error"])
def test_slacks_own_failure_in_a_200_answer_may_have_posted(db, slack, error):
    slack.fail("chat.postMessage", error=error, done=True)
    exactly_one(db, slack, run_once(db, slack))
    assert len(slack.called("chat.postMessage")) == 1


def test_a_history_slack_will_not_show_fails_the_run_without_posting_twice(db, slack):
    slack.drop("chat.postMessage", done=True)
    slack.fail("conversations.history", error="missing_scope")
    outcome = run_once(db, slack)
    assert outcome == jobs.Outcome("failed", error="missing_scope")
    assert len(posted(slack)) == 1 and len(slack.called("chat.postMessage")) == 1


@pytest.mark.parametrize("status", [500, 503])
def test_a_server_error_before_posting_is_posted_after_a_look(db, slack, status):
    slack.fail("chat.postMessage", status=status)
    exactly_one(db, slack, run_once(db, slack))
    assert len(slack.called("chat.postMessage")) == 2
    assert len(slack.called("conversations.history")) == 1


def test_a_connection_dropped_before_slack_posted(db, slack):
    slack.drop("chat.postMessage")
    exactly_one(db, slack, run_once(db, slack))
    assert len(slack.called("chat.postMessage")) == 2


def test_rate_limited_is_waited_out_without_a_look(db, slack):
    slack.fail("chat.postMessage", status=429, retry_after=1)
    slack.fail("chat.postMessage", status=429, retry_after=1)
    slack.fail("chat.postMessage", status=429, retry_after=1)  # past slack_sdk's two retries
    exactly_one(db, slack, run_once(db, slack))
    assert slack.called("conversations.history") == []  # a 429 is Slack doing nothing


def test_when_nobody_can_tell_nothing_is_posted_until_slack_can(db, slack):
    slack.drop("chat.postMessage", done=True)
    for _ in range(3):  # Slack's history is down too, for a while
        slack.fail("conversations.history", status=503)
    exactly_one(db, slack, run_once(db, slack))
    assert len(slack.called("chat.postMessage")) == 1


@pytest.mark.parametrize("error", ["channel_not_found", "not_in_channel", "invalid_auth",
                                   "is_archived", "missing_scope"])
def test_a_permanent_error_fails_once_and_posts_nothing(db, slack, error):
    slack.fail("chat.postMessage", error=error)
    outcome = run_once(db, slack)
    assert outcome == jobs.Outcome("failed", error=error)
    assert posted(slack) == [] and len(slack.called("chat.postMessage")) == 1


def test_a_failed_run_tried_again_looks_first(db, slack):
    # The answer was lost for 15 minutes and Slack's history could not be read: the run failed.
    # It had landed after all; the watch's later try finds it and posts nothing.
    settings = configure(db, slack)
    slack.drop("chat.postMessage", done=True)
    for _ in range(40):
        slack.fail("conversations.history", status=500)
    clock = Clock(local(FRIDAY, 8, 0))
    # Without slack_sdk's own retries of the reads, which would sleep in real time.
    client = WebClient(token="xoxb-test", base_url=slack.api_url, retry_handlers=[])
    assert digests_at(settings, db, clock, client).run(settings.digests[0]).status == "failed"
    slack.reset_script()
    clock.now += jobs.TAKEOVER_AFTER
    retried = digests_at(settings, db, clock).catch_up(retry_failed_after=jobs.TAKEOVER_AFTER)
    assert [(o.status, o.why) for o in retried] == [("skipped", "posted")]
    assert len(posted(slack)) == 1 and len(slack.called("chat.postMessage")) == 1
    assert job_runs.get(db, JOB, FRIDAY.isoformat()).status == job_runs.POSTED


# --- `sellerbot digest --post` tells the truth ------------------------------------------------

def test_digest_post_after_a_fixed_failure_posts_and_says_each_state(db, slack, cli):
    env = {"DATABASE_URL": db.url, "SLACK_BOT_TOKEN": "xoxb-test",
           "SLACK_API_URL": slack.api_url, "DIGEST_CHANNEL": CHANNEL}
    slack.fail("chat.postMessage", error="not_in_channel")
    failed = cli("digest", "--post", env=env)
    assert failed.returncode == 1
    assert "not posted (not_in_channel): invite sellerbot to the channel" in failed.stdout
    # The seller invites the bot: the failed run is tried again now, not "already posted".
    fixed = cli("digest", "--post", env=env)
    assert fixed.returncode == 0 and "digest posted" in fixed.stdout, fixed
    assert len(posted(slack)) == 1
    again = cli("digest", "--post", env=env)
    assert again.returncode == 3 and "already posted (message" in again.stdout
    assert len(posted(slack)) == 1


def test_digest_post_while_another_process_posts_says_so_with_its_age(db, slack, cli):
    env = {"DATABASE_URL": db.url, "SLACK_BOT_TOKEN": "xoxb-test",
           "SLACK_API_URL": slack.api_url, "DIGEST_CHANNEL": CHANNEL}
    settings = configure(db, slack)
    now = datetime.now(settings.timezone)
    job_runs.claim(db, JOB, now.date().isoformat(), "other-host:77:abcd",
                   now - timedelta(minutes=3), stale_after=jobs.TAKEOVER_AFTER)
    busy = cli("digest", "--post", env=env)
    assert busy.returncode == 75
    assert "being posted by another sellerbot process" in busy.stdout and "3 min ago" in busy.stdout
    assert posted(slack) == []


def test_a_run_paused_past_its_takeover_does_not_post_after_the_copy_that_took_it_over(
        db, slack, monkeypatch):
    # A process claims Friday's digest, builds it and is suspended for 25 minutes before it
    # posts; another copy's watch takes the stale run over and posts it. Resumed, the first
    # finds the run is no longer its own: one digest in the channel, not two.
    from bot.jobs import digests as digest_jobs

    settings = configure(db, slack)
    friday = date(2026, 11, 27)
    first_clock = Clock(local(friday, 8, 0))
    first = digests_at(settings, db, first_clock)
    other = digests_at(settings, db, Clock(local(friday, 8, 25)))
    build = digest_jobs.Digests._message

    def built_then_paused(self, schedule, late, now=None):
        message = build(self, schedule, late, now)
        if self is first:
            outcomes = other.catch_up(after=jobs.WATCH_AFTER,
                                      retry_failed_after=jobs.TAKEOVER_AFTER)
            assert [o.status for o in outcomes] == ["posted"]
            first_clock.now += timedelta(minutes=25)
        return message

    monkeypatch.setattr(digest_jobs.Digests, "_message", built_then_paused)
    outcome = first.run(settings.digests[0])
    assert (outcome.status, outcome.why) == ("skipped", "running")
    assert len(posted(slack)) == 1


def test_a_post_stopped_with_ctrl_c_leaves_no_claim_of_a_process_that_is_gone(db, slack):
    # `digest --post` stopped while it waited to try Slack again: its claim stayed, and for 20
    # minutes the next one said another sellerbot process was posting it (exit 75).
    settings = configure(db, slack)
    friday = date(2026, 11, 27)
    slack.fail("chat.postMessage", status=503)
    clock = Clock(local(friday, 8, 0))

    def ctrl_c(seconds: float) -> None:
        raise KeyboardInterrupt

    stopped = jobs.Digests(settings, db, web_client(settings), clock=clock, sleep=ctrl_c)
    with pytest.raises(KeyboardInterrupt):
        stopped.run(settings.digests[0], retry_failed_after=timedelta(0))
    run = job_runs.get(db, f"digest:{CHANNEL}", friday.isoformat())
    assert (run.status, run.error) == (job_runs.FAILED, "interrupted")
    clock.now += timedelta(seconds=5)
    again = digests_at(settings, db, clock).run(settings.digests[0],
                                                retry_failed_after=timedelta(0))
    assert again.status == "posted" and len(posted(slack)) == 1


def test_a_forced_post_slack_does_not_answer_or_refuses_once_is_said_as_it_is(cli, slack):
    # Unreachable: 'something went wrong (URLError)' before; refused once (fatal_error) at once:
    # 'Slack did not take it for 15 minutes', which nobody had waited.
    env = {"DIGEST_CHANNEL": "C0123ABCD", "SLACK_BOT_TOKEN": "xoxb-test",
           "SLACK_API_URL": "http://127.0.0.1:9/"}
    ran = cli("digest", "--post", "--force", env=env)
    said = ran.stdout + ran.stderr
    assert ran.returncode == 1 and "something went wrong" not in said
    assert "Slack could not be reached, or its answer was lost" in said
    slack.fail("chat.postMessage", error="channel_is_busy")
    ran = cli("digest", "--post", "--force", env={**env, "SLACK_API_URL": slack.api_url})
    said = ran.stdout + ran.stderr
    assert ran.returncode == 1 and "Slack did not take it" in said and "15 minutes" not in said


def test_an_answer_slack_did_not_write_is_a_lost_answer_not_a_refusal(db, slack):
    # A 200 with no body at all (closed after the headers): slack_sdk puts a note of its own
    # in "error". The digest had landed: found in the channel, recorded, not reported failed.
    slack.garble("chat.postMessage", done=True)
    exactly_one(db, slack, run_once(db, slack))
    assert len(slack.called("chat.postMessage")) == 1


def test_a_proxys_page_instead_of_slacks_answer_is_looked_into_and_tried_again(db, slack):
    slack.garble("chat.postMessage", b"<html><body><h1>Bad gateway</h1></body></html>")
    exactly_one(db, slack, run_once(db, slack))
    assert len(slack.called("conversations.history")) == 1  # looked before posting again


def test_a_page_that_is_not_slacks_with_a_404_is_a_refusal_said_at_once(db, slack):
    # SLACK_API_URL pointing at the wrong place: its web server's page is no lost answer, and
    # fifteen minutes of retries would only delay the message that says so.
    slack.garble("chat.postMessage", b"<html><body>Not Found</body></html>", status=404)
    outcome = run_once(db, slack)
    assert outcome.status == "failed" and posted(slack) == []
    assert len(slack.called("chat.postMessage")) == 1


def test_ratelimited_in_a_200_answer_is_tried_again_not_failed(db, slack):
    slack.fail("chat.postMessage", 200, "ratelimited")
    exactly_one(db, slack, run_once(db, slack))


def test_the_digest_waits_as_long_as_slacks_429_asks(db, slack):
    settings = configure(db, slack)
    # Longer than a call waits out itself: the 429 reaches the digest's own retries.
    slack.fail("chat.postMessage", status=429, retry_after=60)
    clock = Clock(local(FRIDAY, 8, 0))
    exactly_one(db, slack, digests_at(settings, db, clock).run(settings.digests[0]))
    assert clock.slept and clock.slept[0] >= 60, clock.slept


def test_a_429_longer_than_the_retries_fails_the_run_at_once_and_posts_nothing(
        db, slack, monkeypatch):
    # slack_sdk would sleep 22 minutes inside the call, the run's claim not renewed: another
    # copy would take the run over and post, then the first post again. The run fails at
    # once instead, and a later try (the watch's, 20 minutes on) posts it.
    import slack_sdk.http_retry.builtin_handlers as handlers

    waits: list[float] = []
    monkeypatch.setattr(handlers.time, "sleep", waits.append)
    slack.fail("chat.postMessage", status=429, retry_after=22 * 60)
    outcome = run_once(db, slack)
    assert outcome == jobs.Outcome("failed", error="ratelimited")
    assert waits == [] and posted(slack) == []
    assert job_runs.get(db, JOB, FRIDAY.isoformat()).status == job_runs.FAILED


def test_a_channel_slack_keeps_refusing_does_not_hold_back_the_others_caught_up_digest(
        db, slack):
    # Slack's chat.postMessage limit is per channel: one channel's retries (up to 15 minutes)
    # ran before the next channel's digest was even tried.
    busy, quiet = "C0000BUSY1", "C0000QUIET"
    settings = configure(db, slack, digest_channel=f"{busy},{quiet}")
    for _ in range(3):
        slack.fail("chat.postMessage", status=429, retry_after=5, channel=busy)
    start = local(FRIDAY, 9, 30)  # after the 08:00 digests: caught up at start
    clock = Clock(start)
    seen_quiet: list[bool] = []

    def sleep(seconds: float) -> None:
        # The busy channel waits out its 429: meanwhile, the quiet one's digest goes out.
        deadline = time.monotonic() + 5
        while not posted(slack, quiet) and time.monotonic() < deadline:
            time.sleep(0.01)
        seen_quiet.append(bool(posted(slack, quiet)))
        clock.sleep(seconds)

    client = WebClient(token="xoxb-test", base_url=slack.api_url, retry_handlers=[])
    runner = jobs.Digests(settings, db, client, clock=clock, sleep=sleep)
    outcomes = runner.catch_up(as_of=start)
    assert [o.status for o in outcomes] == ["posted", "posted"]
    assert seen_quiet and seen_quiet[0], "the quiet channel waited for the busy one's retries"
    assert len(posted(slack, busy)) == len(posted(slack, quiet)) == 1
