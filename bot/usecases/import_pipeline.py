"""Parsing a large file in a second process while this one writes to the database.

Parsing takes about two thirds of a big import and SQLite's write the rest, and Python runs one
of them at a time per process. A parser process overlaps them on a machine with two or more
cores. Threads would not: sqlite3 hands the GIL back and forth on every row
(bench/import_orders.py). The parser process loads no SQLAlchemy: it is handed the row makers
(bot/store/driver_rows.py) with its task.

The parser is `python -m bot.usecases.import_pipeline`, spoken to with pickles over its stdin
and stdout: a plain child process, so it works under any host program (multiprocessing's spawn
re-imports the host's __main__, which not every program embedding sellerbot guards).
"""

import os
import pickle
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

from bot.sources.files import open_source
from bot.store.driver_rows import RowMakers
from bot.usecases.import_batches import Batch, batches, collector_paused
from bot.usecases.sellers import Seller

# Files smaller than this parse in-process: below it, handing batches over costs what the
# overlap saves (a 20 MB report of 50,000 rows imports in 0.9 s either way).
MIN_BYTES = 32 * 1024 * 1024


def worthwhile(size: int) -> bool:
    """True when a file of `size` bytes imports faster with a parser process."""
    # sched_getaffinity (the CPUs this process may use) exists on Linux only.
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return size >= MIN_BYTES and (cpus or 1) >= 2


class ParserFailed(RuntimeError):
    """The parser process stopped on an error it could not report as a bad row."""


class ParserProcess:
    """A parser process started on one file: its batches, read once, and a way to stop it."""

    def __init__(self, path: Path, encoding: str, seller: Seller, makers: RowMakers) -> None:
        self.path, self.encoding, self.makers = path, encoding, makers
        self.unread = True  # until batches() is asked for: a file listed twice parses twice
        self._process = subprocess.Popen(
            [sys.executable, "-m", "bot.usecases.import_pipeline"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            # A process group of its own: Ctrl-C reaches only the importer, which stops this
            # process (below) and says so in one line; the parser prints no traceback of its own.
            process_group=0 if os.name == "posix" else None,
        )
        assert self._process.stdin is not None
        try:
            pickle.dump((path, encoding, seller, makers), self._process.stdin)
            self._process.stdin.close()
        except BrokenPipeError:
            pass  # it is gone already: batches() says so

    def batches(self) -> Iterator[Batch]:
        """The file's batches as the process sends them; stopping early stops the process."""
        self.unread = False
        out = self._process.stdout
        assert out is not None
        try:
            while True:
                try:
                    # Our own child process wrote these pickles, from our own code.
                    message = pickle.load(out)  # noqa: S301
                except EOFError:
                    raise ParserFailed("the parser process ended without a word") from None
                if message is None:
                    return
                if isinstance(message, str):
                    raise ParserFailed(message)
                yield message
        finally:
            self.stop()

    @property
    def running(self) -> bool:
        """True until the process has ended."""
        return self._process.poll() is None

    def stop(self) -> None:
        """Stop the process, if it still runs, and wait for it."""
        assert self._process.stdout is not None
        self._process.stdout.close()
        if self._process.poll() is None:
            self._process.terminate()
        self._process.wait()


def parsed_batches(path: Path, encoding: str, seller: Seller, makers: RowMakers) -> Iterator[Batch]:
    """Batches of `path` parsed by a separate process, started when the first is asked for;
    stopping early stops the process."""
    yield from ParserProcess(path, encoding, seller, makers).batches()


def main() -> None:
    """The parser process: read its task from stdin, write batches then None to stdout."""
    out = sys.stdout.buffer
    try:
        task = pickle.load(sys.stdin.buffer)  # noqa: S301 - written by parsed_batches
        path, encoding, seller, makers = task
        with collector_paused(), open_source(path, encoding) as source:
            for batch in batches(source, seller, makers):
                pickle.dump(batch, out, protocol=pickle.HIGHEST_PROTOCOL)
        pickle.dump(None, out)
        out.flush()
    except BrokenPipeError:
        # The importer stopped reading (Ctrl-C, a file it rejected) and stops this process:
        # nothing to say. Output goes nowhere from here, so that exiting cannot fail again
        # (the recipe of Python's signal documentation, "Note on SIGPIPE").
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(1)
    except Exception as exc:  # every failure must reach the importer
        pickle.dump(f"{type(exc).__name__}: {exc}", out)
        out.flush()


if __name__ == "__main__":
    main()
