"""Work done side by side, on daemon threads: Ctrl-C or a service stop does not wait for it
(the threads of a ThreadPoolExecutor are waited for at exit, through a digest's 15 minutes of
retries)."""

import threading
from collections.abc import Callable, Sequence
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")


def side_by_side(work: Callable[[T], R], items: Sequence[T], name: str) -> list[R]:
    """`work` of each of `items`, each on a thread of its own, in the items' order; the first
    item's exception, if any, raised here once all are done."""
    results: list[R | BaseException | None] = [None] * len(items)

    def one(n: int) -> None:
        try:
            results[n] = work(items[n])
        except BaseException as exc:  # raised in the caller's thread, as a loop would
            results[n] = exc

    threads = [threading.Thread(target=one, args=(n,), name=f"{name}-{n}", daemon=True)
               for n in range(len(items))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for result in results:
        if isinstance(result, BaseException):
            raise result
    return results  # type: ignore[return-value]  # every one set: the threads are done
