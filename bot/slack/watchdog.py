"""A watchdog for Socket Mode: a connection that has gone silent is replaced by a new one.

A Socket Mode connection can stay open, answering pings, while Slack has stopped sending it
anything (bolt-python #1529, python-slack-sdk #1701): the app looks alive and hears nothing.
slack_sdk's own check only catches a connection that stops answering pings. This one notes
every message that arrives and, after SILENT_AFTER with none, asks Slack for a fresh
connection. An idle workspace at night costs a reconnect every half hour; a deaf app costs the
morning's requests.
"""

import logging
import threading
import time
from typing import Any

from slack_sdk.socket_mode.client import BaseSocketModeClient

log = logging.getLogger(__name__)

# Without a single message for this long, the connection is replaced.
SILENT_AFTER = 30 * 60
CHECK_EVERY = 60


class Watchdog:
    """Replaces `client`'s connection when nothing has arrived for `silent_after` seconds."""

    def __init__(self, client: BaseSocketModeClient, *, silent_after: float = SILENT_AFTER,
                 check_every: float = CHECK_EVERY) -> None:
        self.client = client
        self.silent_after, self.check_every = silent_after, check_every
        self.last_heard = time.monotonic()
        self.reconnects = 0
        self._stop = threading.Event()
        client.message_listeners.append(self._heard)

    def _heard(self, _client: Any, _message: dict, _raw: str | None) -> None:
        self.last_heard = time.monotonic()

    def start(self) -> None:
        """Watch in a daemon thread until stop()."""
        threading.Thread(target=self._watch, name="sellerbot-socket-watchdog",
                         daemon=True).start()

    def stop(self) -> None:
        """Stop watching."""
        self._stop.set()

    def _watch(self) -> None:
        while not self._stop.wait(self.check_every):
            silent = time.monotonic() - self.last_heard
            if silent < self.silent_after:
                continue
            log.warning("Socket Mode: nothing from Slack for %.0f s; opening a new connection",
                        silent)
            self.last_heard = time.monotonic()  # one try per silent period, not a storm
            try:
                self.client.connect_to_new_endpoint(force=True)
                self.reconnects += 1
            except Exception as exc:  # Slack out of reach: the next period tries again
                log.warning("Socket Mode: reconnecting failed (%s)", type(exc).__name__)
