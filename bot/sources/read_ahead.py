"""A generator's items produced ahead in a thread of their own: the next page is on its way
from Amazon while this one is read and stored."""

import queue
import threading
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

# Pages fetched ahead of the one being stored: one hides sellerbot's own work (reading and
# storing a page) behind the wait for the next (bench/sync.py); more would only hold memory.
READ_AHEAD = 1

T = TypeVar("T")


@dataclass(frozen=True)
class _End:
    """The last thing a read-ahead thread hands over: what stopped it, if anything did."""

    error: BaseException | None


def ahead(items: Generator[T, None, None], depth: int = READ_AHEAD) -> Iterator[T]:
    """`items`, produced `depth` ahead in a thread of their own: the next page is on its way
    from Amazon while this one is read and stored. What `items` raises is raised here; when the
    caller stops early (a failed write), no further page is asked for."""
    ready: queue.Queue[Any] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def produce() -> None:
        try:
            for item in items:
                if not _offer(ready, item, stop):
                    break
        except BaseException as exc:  # handed to the caller and raised there
            _offer(ready, _End(exc), stop)
        else:
            _offer(ready, _End(None), stop)
        finally:
            items.close()

    threading.Thread(target=produce, name="sp-api-pages", daemon=True).start()
    try:
        while True:
            item = ready.get()
            if isinstance(item, _End):
                if item.error is not None:
                    raise item.error
                return
            yield item
    finally:
        # The producer may be waiting to hand over a page, or in the middle of a call: it
        # sees `stop` at its next hand-over and asks for nothing more.
        stop.set()


def _offer(ready: queue.Queue[Any], item: Any, stop: threading.Event) -> bool:
    """Put `item` for the consumer unless it has stopped; False once it has."""
    while not stop.is_set():
        try:
            ready.put(item, timeout=0.1)
            return True
        except queue.Full:
            continue
    return False
