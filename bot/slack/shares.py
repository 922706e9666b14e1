"""Checks waiting for a "Share" click: kept in memory, never in the database.

The database keeps no draft text (the audit holds only a SHA-256), so what a Share button posts
is kept here, for a day at most and for the newest few hundred checks. After a restart a click
finds nothing and the user is asked to check again.
"""

import threading
import time
import uuid
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

# Long enough for anyone to decide whether to share; short enough to hold little text.
TTL_SECONDS = 24 * 3600
# A few hundred checks a day is a busy team; the oldest unshared ones go first.
CAPACITY = 500


@dataclass(frozen=True)
class Shareable:
    """A check that can be shared: its result and where a share goes."""

    result: Any
    channel: str
    thread_ts: str | None
    created: float


class Shares:
    """The checks waiting for a Share click, by key."""

    def __init__(self, ttl: float = TTL_SECONDS, capacity: int = CAPACITY) -> None:
        self._items: OrderedDict[str, Shareable] = OrderedDict()
        self._lock = threading.Lock()
        self.ttl, self.capacity = ttl, capacity

    def keep(self, result: Any, channel: str, thread_ts: str | None = None) -> str:
        """Keep a result for sharing in `channel` (in the thread `thread_ts`); its key."""
        key = uuid.uuid4().hex
        with self._lock:
            self._items[key] = Shareable(result, channel, thread_ts, time.monotonic())
            while len(self._items) > self.capacity:
                self._items.popitem(last=False)
        return key

    def get(self, key: str) -> Shareable | None:
        """The check kept under `key`, or None once it expired or was pushed out."""
        with self._lock:
            item = self._items.get(key)
            if item is None or time.monotonic() - item.created > self.ttl:
                self._items.pop(key, None)
                return None
            return item
