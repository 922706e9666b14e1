"""End to end over real HTTP: `sellerbot serve` as a process, signed requests as Slack sends
them, and the fake Slack (tests/fake_slack.py) in place of Slack's Web API and response_url."""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote, urlencode
from zoneinfo import ZoneInfo

import pytest
from slack_sdk.signature import SignatureVerifier

from bot.config import load_settings
from bot.store import Database
from bot.usecases.demo import load_demo
from bot.wiring import seller_of
from tests.fake_slack import FakeSlack

SECRET = "test-signing-secret"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Served:
    """A running `sellerbot serve` and the fake Slack it talks to."""

    def __init__(self, tmp: Path, fake: FakeSlack, *args: str, **env: str) -> None:
        self.fake = fake
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        database = self.database = tmp / "served.db"
        if not database.exists():
            settings = load_settings(database_url=f"sqlite:///{database}")
            load_demo(Database.open(settings.database_url), seller_of(settings), datetime.now(UTC))
        self.log = tmp / f"serve-{self.port}.log"
        environment = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "ALLOWED_"))}
        environment.update(
            DATABASE_URL=f"sqlite:///{database}", SLACK_API_URL=fake.api_url,
            SLACK_BOT_TOKEN="xoxb-test", SLACK_SIGNING_SECRET=SECRET, HOST="127.0.0.1",
            PORT=str(self.port), **env,
        )
        self.process = subprocess.Popen([sys.executable, "-m", "bot", *args, "serve"], env=environment,
                                        stdout=subprocess.DEVNULL, stderr=self.log.open("w"))
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=1) as answer:
                    if answer.status == 200:
                        return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise AssertionError(f"sellerbot serve did not come up: {self.log.read_text()}")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)

    @contextmanager
    def stalled(self) -> Iterator[None]:
        """Slack's API and response_url stand still until the block ends.

        Slack wants the ack within 3 seconds (slack.md §1), so every call to Slack comes after
        it. An ack that waited on one does not come back inside this block: that shows the order
        with no clock, which a busy machine would make flaky.
        """
        with self.fake.held():
            yield

    def logged(self) -> str:
        return self.log.read_text()

    def post(self, body: str, content_type: str = "application/x-www-form-urlencoded",
             secret: str = SECRET, timestamp: int | None = None) -> tuple[int, str]:
        ts = str(int(time.time()) if timestamp is None else timestamp)
        signature = SignatureVerifier(secret).generate_signature(timestamp=ts, body=body)
        request = urllib.request.Request(
            f"{self.url}/slack/events", data=body.encode(), method="POST",
            headers={"Content-Type": content_type, "X-Slack-Request-Timestamp": ts,
                     "X-Slack-Signature": signature})
        try:
            with urllib.request.urlopen(request, timeout=10) as answer:
                return answer.status, answer.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def command(self, command: str, text: str, hook: str, channel: str = "C0000ORDERS",
                user: str = "U0000PAT") -> tuple[int, str]:
        return self.post(urlencode({
            "token": "legacy", "team_id": "T0001", "team_domain": "example",
            "channel_id": channel, "channel_name": "orders", "user_id": user,
            "user_name": "pat", "command": command, "text": text, "api_app_id": "A0001",
            "response_url": self.fake.webhook(hook), "trigger_id": "1.2.3",
        }))

    def interact(self, payload: dict) -> tuple[int, str]:
        return self.post("payload=" + quote(json.dumps(payload)))

    def click(self, value: str, hook: str) -> tuple[int, str]:
        payload = {
            "type": "block_actions", "user": {"id": "U0000PAT", "name": "pat"},
            "team": {"id": "T0001", "domain": "example"}, "api_app_id": "A0001",
            "channel": {"id": "C0000ORDERS", "name": "orders"}, "trigger_id": "1.2.3",
            "container": {"type": "message", "message_ts": "1.0", "is_ephemeral": True},
            "response_url": self.fake.webhook(hook),
            "actions": [{"type": "button", "action_id": "post_to_channel", "block_id": "share",
                         "value": value, "action_ts": "1795000000.1"}],
        }
        return self.post("payload=" + quote(json.dumps(payload)))


@pytest.fixture(scope="module")
def fake():
    server = FakeSlack()
    yield server
    server.close()


@pytest.fixture(scope="module")
def served(fake, tmp_path_factory):
    running = Served(tmp_path_factory.mktemp("serve"), fake)
    yield running
    running.stop()


@pytest.fixture(autouse=True)
def clean(fake):
    fake.reset()


def blocks_of(call) -> list:
    blocks = call.body["blocks"]
    return json.loads(blocks) if isinstance(blocks, str) else blocks


def test_orders_today_acks_at_once_and_answers_at_response_url(served, fake):
    with served.stalled():
        status, body = served.command("/orders", "today", "today")
    # An empty ack: the answer comes at response_url, so nothing shows twice.
    assert status == 200 and body == ""
    answer = fake.wait("webhook/today")[0].body
    assert answer.get("response_type", "ephemeral") == "ephemeral"
    blocks = blocks_of(fake.called("webhook/today")[0])
    assert 2 <= len(blocks) <= 50
    assert blocks[0]["text"]["text"].startswith("Today's orders")
    assert blocks[-1]["elements"][0]["action_id"] == "post_to_channel"
    assert fake.called("webhook/today")[0].headers.get("Content-Type", "").startswith("application/json")


def test_help_for_empty_arguments_and_a_word_on_what_was_wrong(served, fake):
    for text in ("", "help"):
        status, body = served.command("/orders", text, "help")
        # Bolt sends a text-only ack as plain text, which Slack shows as the answer.
        assert status == 200 and "/orders at-risk" in body
    assert fake.called("webhook/help") == []
    # A word that is neither a list nor an order says so, rather than showing bare help.
    served.command("/orders", "tomorrow", "tomorrow")
    said = fake.wait("webhook/tomorrow")[0].body["text"]
    assert "'tomorrow' is neither a list (today, at-risk, late, unshipped)" in said
    # Slack sends the text escaped ("late&soon" as "late&amp;soon"): read and said as typed,
    # not escaped twice.
    served.command("/orders", "late&amp;soon", "escaped")
    said = fake.wait("webhook/escaped")[0].body["text"]
    assert "'late&amp;soon' is neither" in said and "&amp;amp;" not in said
    served.command("/can-return", "&lt;nonsense&gt;", "escaped2")
    said = fake.wait("webhook/escaped2")[0].body["text"]
    assert "&lt;nonsense&gt;" in said and "&amp;lt;" not in said


def test_a_command_whose_form_holds_the_word_payload_is_answered(served, fake):
    # Bolt took any form holding the letters "payload" for a button's or a modal's, found no
    # payload in it and answered 404: a draft about a drone's payload, or #payload-team.
    served.command("/orders", "payload", "payload-word")
    assert "'payload' is neither a list" in fake.wait("webhook/payload-word")[0].body["text"]
    status, _ = served.post(urlencode({
        "team_id": "T0001", "channel_id": "C0000ORDERS", "channel_name": "payload-team",
        "user_id": "U0000PAT", "command": "/orders", "text": "today",
        "response_url": fake.webhook("payload-channel"), "trigger_id": "1.2.3"}))
    assert status == 200
    assert fake.wait("webhook/payload-channel")[0].body["text"].startswith("Today's orders")


def test_part_of_an_order_id_finds_the_order_as_can_return_does(served, fake):
    db = Database(f"sqlite:///{served.database}")
    with db.begin() as conn:
        order_id = conn.exec_driver_sql("SELECT order_id FROM orders LIMIT 1").scalar()
    served.command("/orders", order_id[:8], "part")
    assert order_id in json.dumps(fake.wait("webhook/part")[0].body)


def test_one_order_and_an_unknown_one(served, fake):
    served.command("/orders", "111-1111111-1111111", "unknown")
    assert "no order 111-1111111-1111111" in fake.wait("webhook/unknown")[0].body["text"]


@pytest.mark.parametrize(("secret", "age"), [("wrong-secret", 0), (SECRET, 600)])
def test_bad_signature_or_old_timestamp_is_401_and_runs_nothing(served, fake, secret, age):
    body = urlencode({"command": "/orders", "text": "today", "user_id": "U0000PAT",
                      "channel_id": "C0000ORDERS", "team_id": "T0001",
                      "response_url": fake.webhook("forged")})
    status, _ = served.post(body, secret=secret, timestamp=int(time.time()) - age)
    assert status == 401
    time.sleep(0.5)
    assert fake.called("webhook/forged") == []


def test_url_verification_and_ssl_check(served):
    status, body = served.post(json.dumps({"token": "x", "challenge": "3eZbrw1aB",
                                              "type": "url_verification"}), "application/json")
    assert status == 200 and "3eZbrw1aB" in body
    status, body = served.post("ssl_check=1&token=x")
    assert status == 200 and body == ""


def test_post_to_channel_twice_posts_once(served, fake):
    served.command("/orders", "at-risk", "risk")
    button = blocks_of(fake.wait("webhook/risk")[0])[-1]["elements"][0]["value"]
    assert served.click(button, "click1")[0] == 200
    assert served.click(button, "click2")[0] == 200
    posted = fake.wait("chat.postMessage")
    time.sleep(0.5)
    assert len(fake.called("chat.postMessage")) == 1
    assert posted[0].body["channel"] == "C0000ORDERS"
    assert posted[0].headers["Authorization"] == "Bearer xoxb-test"
    replies = fake.wait("webhook/click1") + fake.wait("webhook/click2")
    texts = json.dumps([r.body for r in replies])
    assert "Posted to the channel by <@U0000PAT>" in texts and "already in the channel" in texts


def test_a_429_is_retried_after_retry_after(served, fake):
    served.command("/orders", "late", "late")
    button = blocks_of(fake.wait("webhook/late")[0])[-1]["elements"][0]["value"]
    fake.fail("chat.postMessage", status=429, retry_after=1)
    started = time.monotonic()
    served.click(button, "retry")
    calls = fake.wait("chat.postMessage", count=2)
    assert [c.status for c in calls] == [429, 200]
    assert time.monotonic() - started >= 1
    assert "Posted to the channel" in json.dumps(fake.wait("webhook/retry")[0].body)


def test_a_long_429_is_not_waited_out_ahead_of_everyone_elses_answers(served, fake):
    # slack_sdk sleeps a 429's Retry-After in the thread every answer runs on (slack.md §10:
    # keep it bounded): 5 s twice held back another person's /orders for 11 s.
    served.command("/orders", "late", "late5")
    button = blocks_of(fake.wait("webhook/late5")[0])[-1]["elements"][0]["value"]
    fake.fail("chat.postMessage", status=429, retry_after=5)
    fake.fail("chat.postMessage", status=429, retry_after=5)
    served.click(button, "post5")
    fake.wait("chat.postMessage")
    started = time.monotonic()
    assert served.command("/orders", "today", "other5", user="U0000SAM")[0] == 200
    fake.wait("webhook/other5", timeout=30)
    assert time.monotonic() - started < 3
    # The click is told to try again; nothing was posted (Slack did nothing on a 429).
    assert "click again" in fake.wait("webhook/post5")[0].body["text"]
    assert [c.status for c in fake.called("chat.postMessage")] == [429]


def test_an_answer_rate_limited_at_its_response_url_is_sent_again_after_retry_after(
        served, fake):
    # A 429 at a response_url: Slack did nothing, and the person would get no answer at all.
    fake.fail("webhook/busy", status=429, retry_after=1)
    assert served.command("/orders", "today", "busy")[0] == 200
    calls = fake.wait("webhook/busy", count=2, timeout=10)
    assert [c.status for c in calls] == [429, 200]
    assert calls[0].body == calls[1].body


def test_not_in_channel_says_how_to_fix_it(served, fake):
    served.command("/orders", "today", "today2")
    button = blocks_of(fake.wait("webhook/today2")[0])[-1]["elements"][0]["value"]
    fake.fail("chat.postMessage", error="not_in_channel")
    served.click(button, "nochan")
    assert "/invite @sellerbot" in fake.wait("webhook/nochan")[0].body["text"]


def test_a_lost_connection_frees_the_button_for_another_click(served, fake):
    served.command("/orders", "today", "lost")
    button = blocks_of(fake.wait("webhook/lost")[0])[-1]["elements"][0]["value"]
    # One try: a post whose answer is lost may have landed, so it is never retried blindly.
    fake.drop("chat.postMessage")
    served.click(button, "lost1")
    assert "something went wrong" in fake.wait("webhook/lost1")[0].body["text"]
    served.click(button, "lost2")
    fake.wait("chat.postMessage", count=2)
    assert "Posted to the channel" in json.dumps(fake.wait("webhook/lost2")[0].body)


def test_an_exception_in_a_listener_is_polite_and_logged(served, fake):
    status, _ = served.click("this is not the JSON the button carries", "broken")
    assert status == 200
    assert "something went wrong on sellerbot's side" in fake.wait("webhook/broken")[0].body["text"]
    deadline = time.monotonic() + 5
    while "listener for block_actions failed: JSONDecodeError" not in served.logged():
        assert time.monotonic() < deadline, served.logged()
        time.sleep(0.05)
    assert "this is not the JSON" not in served.logged()


def test_app_home_shows_todays_numbers(served, fake):
    event = {"token": "x", "team_id": "T0001", "api_app_id": "A0001", "type": "event_callback",
             "event_id": "Ev0001", "event_time": int(time.time()),
             "event": {"type": "app_home_opened", "user": "U0000PAT", "channel": "D0001",
                       "tab": "home", "event_ts": "1795000000.2"}}
    with served.stalled():
        status, _ = served.post(json.dumps(event), "application/json")
    assert status == 200
    view = fake.wait("views.publish")[0].body
    assert view["user_id"] == "U0000PAT"
    blocks = json.loads(view["view"])["blocks"] if isinstance(view["view"], str) else view["view"]["blocks"]
    assert len(blocks) <= 100 and "Late, not confirmed" in json.dumps(blocks)


def test_can_return_end_to_end_and_shared_once(served, fake):
    db = Database(f"sqlite:///{served.database}")
    with db.begin() as conn:
        # A request not yet authorized: the order may still come back (one whose units all
        # came back is answered "Already returned").
        order_id = conn.exec_driver_sql(
            "SELECT order_id FROM returns WHERE status = 'Pending' LIMIT 1").scalar()
    with served.stalled():
        status, body = served.command("/can-return", f"#{order_id}", "ret")
    assert status == 200 and body == ""
    answer = fake.wait("webhook/ret")[0]
    blocks = blocks_of(answer)
    assert answer.body["text"].startswith(("Full refund if returned", "Past return-by"))
    assert order_id in json.dumps(blocks) and "Return requested" in json.dumps(blocks)
    assert "sellercentral.amazon.com/gp/help/external/help.html?itemID=200708210" in json.dumps(blocks)
    share = blocks[-1]["elements"][0]
    assert share["action_id"] == "share_return"
    payload = {"type": "block_actions", "user": {"id": "U0000PAT"}, "team": {"id": "T0001"},
               "api_app_id": "A0001", "channel": {"id": "C0000ORDERS"}, "trigger_id": "1.2.3",
               "response_url": fake.webhook("shared"),
               "actions": [{"type": "button", "action_id": "share_return", "block_id": "share",
                            "value": share["value"], "action_ts": "1.1"}]}
    for click in ("1.1", "1.2"):  # two clicks: two requests, each with its own action_ts
        payload["actions"][0]["action_ts"] = click
        served.post("payload=" + quote(json.dumps(payload)))
    posted = fake.wait("chat.postMessage")
    fake.wait("webhook/shared", count=2)
    assert len(fake.called("chat.postMessage")) == 1
    assert posted[0].body["text"] == answer.body["text"]
    # A button posted before the moment asked was kept holds the seller's day: shared too.
    before = json.loads(share["value"])
    day = datetime.fromisoformat(before.pop("asked")).astimezone(ZoneInfo("America/Los_Angeles"))
    older = {**before, "today": day.date().isoformat(), "key": "an-older-button"}
    payload["actions"][0].update(value=json.dumps(older), action_ts="1.3")
    served.post("payload=" + quote(json.dumps(payload)))
    fake.wait("chat.postMessage", count=2)


def test_can_return_bad_input_and_unknown_orders(served, fake):
    status, body = served.command("/can-return", "", "help")
    assert status == 200 and "/can-return 123-4567" in body
    served.command("/can-return", "hello there", "nonsense")
    assert "is not an order id; give one like 123-4567890-1234567" in fake.wait("webhook/nonsense")[0].body["text"]
    served.command("/can-return", "999-9999999-9999999", "missing")
    assert "no order 999-9999999-9999999" in fake.wait("webhook/missing")[0].body["text"]


def test_healthz_reports_the_database_and_freshness(served):
    with urllib.request.urlopen(f"{served.url}/healthz") as answer:
        health = json.loads(answer.read())
    assert health["database"] == "ok" and health["stale"] is False and health["data_as_of"]


def test_outside_the_allowlist_is_refused_and_logged(fake, tmp_path):
    guarded = Served(tmp_path, fake, ALLOWED_CHANNELS="C0000ORDERS", ALLOWED_USERS="U0000PAT")
    try:
        status, body = guarded.command("/orders", "today", "elsewhere", channel="C0000OTHER")
        assert status == 200 and "not set up to answer here" in body
        status, body = guarded.command("/orders", "today", "stranger", user="U0000EVE")
        assert "not set up to answer here" in body
        time.sleep(0.5)
        assert fake.called("webhook/elsewhere") == [] and fake.called("webhook/stranger") == []
        assert "refused a request from user U0000PAT in channel C0000OTHER" in guarded.logged()
        guarded.command("/orders", "today", "inside")
        assert fake.wait("webhook/inside")
        # App Home has no channel: ALLOWED_USERS alone decides.
        home = {"token": "x", "team_id": "T0001", "api_app_id": "A0001", "type": "event_callback",
                "event_id": "Ev0002", "event_time": int(time.time()),
                "event": {"type": "app_home_opened", "user": "U0000PAT", "channel": "D0001",
                          "tab": "home", "event_ts": "1795000000.3"}}
        assert guarded.post(json.dumps(home), "application/json")[0] == 200
        assert fake.wait("views.publish")[0].body["user_id"] == "U0000PAT"
        # "Check reply" on a message elsewhere: Slack shows nothing an interaction is
        # acknowledged with, so the refusal goes to its response_url, only to its asker.
        status, body = guarded.interact({
            "type": "message_action", "callback_id": "check_reply", "trigger_id": "9.8.7",
            "user": {"id": "U0000PAT"}, "team": {"id": "T0001"},
            "channel": {"id": "C0000OTHER", "name": "other"}, "message_ts": "1.0",
            "message": {"type": "message", "text": "Hi there", "ts": "1.0"},
            "response_url": fake.webhook("shortcut-elsewhere")})
        assert status == 200 and body == ""
        refused = fake.wait("webhook/shortcut-elsewhere")[0].body
        assert "not set up to answer here" in refused["text"]
        assert refused["response_type"] == "ephemeral" and refused["replace_original"] is False
        assert fake.called("views.open") == []
        # "Check reply" from the shortcuts menu has no response_url: a small window says it.
        status, body = guarded.interact({
            "type": "shortcut", "callback_id": "check_reply_global", "trigger_id": "7.7.7",
            "user": {"id": "U0000EVE"}, "team": {"id": "T0001"}})
        assert status == 200 and body == ""
        opened = fake.wait("views.open")[0].body
        view = json.loads(opened["view"]) if isinstance(opened["view"], str) else opened["view"]
        assert opened["trigger_id"] == "7.7.7"
        assert "not set up to answer here" in json.dumps(view)
    finally:
        guarded.stop()


def test_serve_without_a_digest_channel_warns_that_no_digest_goes_out(served):
    assert "DIGEST_CHANNEL is not set: no morning digest will be posted" in served.logged()


def test_serve_with_part_of_the_sp_api_settings_says_which_is_missing(fake, tmp_path):
    # The refresh token's name misspelt in .env: no sync would run, and nothing said why.
    half = Served(tmp_path, fake, LWA_APP_ID="amzn1.application-oa2-client.test",
                  LWA_CLIENT_SECRET="not-a-secret")
    try:
        assert ("SP_API_REFRESH_TOKEN is not set, while the other SP-API settings are: orders "
                "will not be synced from Amazon") in half.logged()
    finally:
        half.stop()


def test_an_answer_slack_refuses_at_the_response_url_is_logged_not_lost_unseen(served, fake):
    # Thirty minutes gone, or five answers already: Slack refuses, and the answer is lost.
    fake.fail("webhook/expired", status=404, error="expired_url")
    assert served.command("/orders", "today", "expired")[0] == 200
    assert fake.wait("webhook/expired")
    deadline = time.monotonic() + 10
    while "Slack refused the answer" not in served.logged() and time.monotonic() < deadline:
        time.sleep(0.1)
    logged = served.logged()
    assert "Slack refused the answer to /orders: 404 expired_url" in logged
    assert "Today's orders" not in logged  # Slack's word, never the answer
