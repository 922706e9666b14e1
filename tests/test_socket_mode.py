"""Socket Mode with the real slack_sdk client against a local fake of Slack's WebSocket: a
connection that goes silent is replaced by a new one (bot/slack/watchdog.py)."""

import time

import pytest
from slack_sdk import WebClient
from slack_sdk.socket_mode.builtin import SocketModeClient

from bot.slack.watchdog import Watchdog
from tests.fake_socket_mode import FakeSocketMode


@pytest.fixture
def socket_mode(slack):
    server = FakeSocketMode()
    slack.socket_url = server.url
    yield server
    server.close()


def wait_for(condition, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_a_silent_connection_is_replaced(slack, socket_mode):
    client = SocketModeClient(app_token="xapp-test",
                              web_client=WebClient(token="xoxb-test", base_url=slack.api_url))
    watchdog = Watchdog(client, silent_after=1.0, check_every=0.1)
    try:
        client.connect()
        wait_for(lambda: socket_mode.connections == 1)
        watchdog.start()
        # Slack says hello and then nothing: after a second of silence, a new connection.
        wait_for(lambda: watchdog.reconnects >= 1 and socket_mode.connections >= 2)
        assert len(slack.called("apps.connections.open")) >= 2
    finally:
        watchdog.stop()
        client.close()


def test_a_connection_that_hears_from_slack_is_left_alone(slack):
    chatty = FakeSocketMode(chatty_every=0.2)  # an event every 0.2 s
    slack.socket_url = chatty.url
    client = SocketModeClient(app_token="xapp-test",
                              web_client=WebClient(token="xoxb-test", base_url=slack.api_url))
    watchdog = Watchdog(client, silent_after=1.0, check_every=0.1)
    try:
        client.connect()
        wait_for(lambda: chatty.connections == 1)
        watchdog.start()
        time.sleep(2.0)  # twice the silence allowed: events kept arriving
        assert chatty.connections == 1 and watchdog.reconnects == 0
    finally:
        watchdog.stop()
        client.close()
        chatty.close()
