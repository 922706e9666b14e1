"""Requests an attacker can send to `sellerbot serve`, over real HTTP: each one is refused with
a 4xx, makes no outgoing request (the fake Slack sees nothing, response_url included), runs no
listener (nothing is audited), and leaves nothing of its body in the log."""

import contextlib
import hashlib
import hmac
import http.client
import time
from urllib.parse import urlencode

import pytest

from bot.store import Database
from tests.fake_slack import FakeSlack
from tests.test_slack_e2e import SECRET, Served

# Recognisable buyer data: none of it may reach the log, whatever happens to the request.
BUYER = "Jane Buyerson, 12 Elm Street, jane.buyerson@example.com, +1 206 555 0199"
MARKERS = ("Buyerson", "Elm Street", "jane.buyerson", "555 0199")


@pytest.fixture(scope="module")
def fake():
    server = FakeSlack()
    yield server
    server.close()


@pytest.fixture(scope="module")
def served(fake, tmp_path_factory):
    # With --debug: the most a log ever holds, and still nothing from a request body.
    running = Served(tmp_path_factory.mktemp("hostile"), fake, "--debug")
    yield running
    running.stop()


@pytest.fixture(autouse=True)
def clean(fake):
    fake.reset()


def check_reply_body(fake: FakeSlack, hook: str = "hostile") -> bytes:
    """A /check-reply command with buyer data in it, answering at the fake's response_url."""
    return urlencode({
        "token": "legacy", "team_id": "T0001", "channel_id": "C0000ORDERS", "user_id": "U0000PAT",
        "command": "/check-reply", "text": f"Dear {BUYER}, thanks for your order!",
        "api_app_id": "A0001", "response_url": fake.webhook(hook), "trigger_id": "1.2.3",
    }).encode()


def sign(body: bytes, timestamp: str, secret: str = SECRET) -> str:
    base = b"v0:" + timestamp.encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def send(served: Served, body: bytes, headers: dict[str, str]) -> int:
    """POST exactly these bytes and headers (urllib would add or fix some); the status."""
    connection = http.client.HTTPConnection("127.0.0.1", served.port, timeout=10)
    try:
        connection.putrequest("POST", "/slack/events")
        for name, value in {"Content-Type": "application/x-www-form-urlencoded",
                            "Content-Length": str(len(body)), **headers}.items():
            connection.putheader(name, value)
        connection.endheaders()
        # The server may answer (413) and close before reading everything.
        with contextlib.suppress(OSError):
            connection.send(body)
        return connection.getresponse().status
    finally:
        connection.close()


def audited(served: Served) -> int:
    with Database(f"sqlite:///{served.database}").begin() as conn:
        return conn.exec_driver_sql("SELECT count(*) FROM reply_checks").scalar()


def signed(body: bytes, age: int = 0) -> dict[str, str]:
    ts = str(int(time.time()) - age)
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": sign(body, ts)}


def hostile(fake: FakeSlack) -> dict[str, tuple[bytes, dict[str, str]]]:
    body = check_reply_body(fake)
    now = str(int(time.time()))
    latin = body.replace(b"Buyerson", "Buyerson \u00e9t\u00e9".encode("latin-1"))
    return {
        "no signature": (body, {"X-Slack-Request-Timestamp": now}),
        "no headers": (body, {}),
        "wrong signature": (body, {"X-Slack-Request-Timestamp": now,
                                   "X-Slack-Signature": sign(body, now, "not-the-secret")}),
        "stale timestamp": (body, signed(body, age=301)),
        "future timestamp": (body, signed(body, age=-301)),
        "non-numeric timestamp": (body, {"X-Slack-Request-Timestamp": "soon",
                                         "X-Slack-Signature": sign(body, "soon")}),
        "empty timestamp": (body, {"X-Slack-Request-Timestamp": "",
                                   "X-Slack-Signature": sign(body, "")}),
        "huge timestamp": (body, {"X-Slack-Request-Timestamp": "9" * 400,
                                  "X-Slack-Signature": sign(body, "9" * 400)}),
        "non-ASCII digits": (body, {"X-Slack-Request-Timestamp": "\u00b2" * 10,
                                    "X-Slack-Signature": "v0=" + "0" * 64}),
        "not UTF-8, unsigned": (latin, {"X-Slack-Request-Timestamp": now,
                                        "X-Slack-Signature": "v0=" + "0" * 64}),
        "not UTF-8, signed": (latin, signed(latin)),
        "tampered body": (body.replace(b"thanks", b"THANKS"), signed(body)),
        "not JSON, unsigned": (b'{"type": "url_verif' + BUYER.encode(),
                               {"Content-Type": "application/json",
                                "X-Slack-Request-Timestamp": now, "X-Slack-Signature": "v0=x"}),
    }


NAMES = ("no signature", "no headers", "wrong signature", "stale timestamp", "future timestamp",
         "non-numeric timestamp", "empty timestamp", "huge timestamp", "non-ASCII digits",
         "not UTF-8, unsigned", "not UTF-8, signed", "tampered body", "not JSON, unsigned")


@pytest.mark.parametrize("name", NAMES)
def test_a_request_that_fails_verification_does_nothing(served, fake, name):
    before = audited(served)
    body, headers = hostile(fake)[name]
    status = send(served, body, headers)
    assert 400 <= status < 500, status
    time.sleep(0.3)  # anything it set off would have reached the fake by now
    assert fake.calls == []
    assert audited(served) == before
    logged = served.logged()
    assert not [m for m in MARKERS if m in logged], logged[-2000:]


def test_an_oversized_body_is_413_and_never_read_into_the_log(served, fake):
    padding = urlencode({"padding": BUYER * 20_000}).encode()  # about 1.5 MB
    body = check_reply_body(fake) + b"&" + padding
    assert send(served, body, signed(body)) == 413
    assert send(served, body, {"X-Slack-Request-Timestamp": "soon"}) == 413
    time.sleep(0.3)
    assert fake.calls == []
    assert not [m for m in MARKERS if m in served.logged()]


def test_a_replayed_request_is_refused(served, fake):
    body = check_reply_body(fake, "replayed")
    headers = signed(body)
    assert send(served, body, headers) == 200
    fake.wait("webhook/replayed")
    assert send(served, body, headers) == 401
    time.sleep(0.3)
    assert len(fake.called("webhook/replayed")) == 1
    assert not [m for m in MARKERS if m in served.logged()]


def test_a_good_request_still_works_and_logs_no_text(served, fake):
    body = check_reply_body(fake, "good")
    assert send(served, body, signed(body)) == 200
    fake.wait("webhook/good")
    assert not [m for m in MARKERS if m in served.logged()]


def test_other_methods_and_paths(served, fake):
    connection = http.client.HTTPConnection("127.0.0.1", served.port, timeout=10)
    try:
        connection.request("GET", "/slack/events")
        assert connection.getresponse().status == 405
    finally:
        connection.close()
    connection = http.client.HTTPConnection("127.0.0.1", served.port, timeout=10)
    try:
        connection.request("POST", "/elsewhere", body=b"x")
        assert connection.getresponse().status == 404
    finally:
        connection.close()
    assert fake.calls == []


def test_the_app_refuses_a_request_the_edge_did_not_verify(settings, fake, tmp_path):
    """Handed to Bolt some other way (another adapter, a test), an unverified request is 401
    before any middleware or listener, so nothing in it is acted on."""
    from slack_bolt import BoltRequest

    from bot.app import create_app
    from bot.config import load_settings

    app = create_app(load_settings(
        database_url=f"sqlite:///{tmp_path / 'app.db'}", slack_bot_token="xoxb-test",
        slack_signing_secret=SECRET, slack_api_url=fake.api_url))
    fake.reset()  # Bolt checks its token (auth.test) when it is made
    # A malformed timestamp made Bolt's own check raise, and the error handler then answered
    # at the body's response_url.
    headers = {"content-type": "application/x-www-form-urlencoded",
               "x-slack-request-timestamp": "soon", "x-slack-signature": "v0=0"}
    answer = app.dispatch(BoltRequest(body=check_reply_body(fake).decode(), headers=headers))
    assert answer.status == 401
    time.sleep(0.3)
    assert fake.calls == []
