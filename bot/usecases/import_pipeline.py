"""Parsing a large file in a second process while this one writes to the database.

Parsing takes about two thirds of a big import and the write the rest, and Python runs one of
them at a time per process. A parser process overlaps them on a machine with two or more cores.
Threads would not: sqlite3 hands the GIL back and forth on every row (bench/import_orders.py).

An All Orders report is read in two parts at once, split between two orders: the parser process
parses the tail while this process parses the head and writes it, then writes the tail. This
process takes the smaller share (head_share), since it also writes every row. The tail's
batches wait in a spill file, not in a pipe: a pipe holds 64 KB, and the parser would stop and
wait for the head to be written. Other large files are parsed whole by the parser process.

The parser is `python -m bot.usecases.import_pipeline`, handed its task as two pickles on its
stdin: the file, at once, and the seller and row makers when the importer has them (hand).
Started before the importer loads its settings, rules and database libraries, it loads its own
modules and the holiday tables meanwhile, instead of after (0.2-0.3 s). It writes each batch as
a pickle to the spill file (in the temporary directory, TMPDIR, without a name), then a line to
its stdout to say so, or what stopped it (a full disk included): a plain child process, so it
works under any host program (multiprocessing's spawn re-imports the host's __main__, which not
every program embedding sellerbot guards). It loads no SQLAlchemy: it is handed the row makers
(bot/store/driver_rows.py).
"""

import os
import pickle
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from bot.domain.calendar import load_holidays
from bot.sources.files import SourceFile, open_source
from bot.sources.flatfile import Part
from bot.store.driver_rows import RowMakers
from bot.usecases.import_batches import Batch, batches, collector_paused
from bot.usecases.sellers import Seller

# Files smaller than this parse in-process: below it, handing batches over costs what the
# overlap saves (a 20 MB report of 50,000 rows imports in 0.9 s either way).
MIN_BYTES = 32 * 1024 * 1024
# The share of a split file this process parses itself. It also writes every row, the parser
# process's too: 0.27 balances the two on a 2-core machine (15 runs each of
# bench/import_orders.py's report: 3.11 s median against 3.18 s at 0.3; 0.25 no better)...
HEAD_SHARE = 0.27
# ...for a file up to this size (200,000 rows). A larger one's rows cost more to write: each
# random order id lands anywhere in key indexes that outgrow SQLite's page cache. So this
# process parses a share that shrinks in proportion: at 1,000,000 rows (391 MB), 0.05 took
# 20.3-21.4 s against 23.3-24.1 s at 0.27 (0.15: 20.3-22.2 s).
HEAD_SHARE_UP_TO = 80 * 1024 * 1024


def worthwhile(size: int) -> bool:
    """True when a file of `size` bytes imports faster with a parser process (on Linux and
    macOS: it is handed its spill file as an open descriptor, which Windows cannot do)."""
    if os.name != "posix":
        return False
    # sched_getaffinity (the CPUs this process may use) exists on Linux only.
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return size >= MIN_BYTES and (cpus or 1) >= 2


def head_share(size: int) -> float:
    """The share of a split file of `size` bytes this process parses itself."""
    return HEAD_SHARE * min(1.0, HEAD_SHARE_UP_TO / max(size, 1))


def part_of(source: SourceFile) -> Part | None:
    """The tail of `source` a parser process reads while this process reads the head; None
    for a file it reads whole."""
    return source.tail(head_share(source.size))


# What the parser process says on its stdout: a batch is in the spill file, or it is done.
# Any other line is what stopped it.
_BATCH, _END = b"\n", b"end\n"


class ParserFailed(RuntimeError):
    """The parser process stopped on an error it could not report as a bad row."""


class ParserProcess:
    """A parser process started on one file, or on the tail of it (`part`): handed the seller
    and row makers once, its batches, read once, and a way to stop it."""

    def __init__(self, path: Path, encoding: str, part: Part | None = None) -> None:
        self.path, self.encoding, self.part = path, encoding, part
        self.makers: RowMakers | None = None  # until handed
        self.file = identity(path)
        self.unread = True  # until batches() is asked for: a file listed twice parses twice
        self._spill, handed = _spill_file()
        try:
            self._process = subprocess.Popen(
                [sys.executable, "-m", "bot.usecases.import_pipeline"],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, pass_fds=(handed,),
                # A process group of its own: Ctrl-C reaches only the importer, which stops
                # this process (below) and says so in one line; it prints no traceback.
                process_group=0,
            )
        except BaseException:
            self._spill.close()
            raise
        finally:
            os.close(handed)
        self._send((path, encoding, part, handed))

    def hand(self, seller: Seller, makers: RowMakers) -> None:
        """What the process needs to parse: the seller (deadlines) and the row makers of the
        database written to. Once."""
        assert self.makers is None, "handed once"
        self.makers = makers
        self._send((seller, makers))
        assert self._process.stdin is not None
        self._process.stdin.close()

    def _send(self, message: tuple) -> None:
        try:
            assert self._process.stdin is not None
            pickle.dump(message, self._process.stdin)
            self._process.stdin.flush()
        except BrokenPipeError:
            pass  # it is gone already: batches() says so
        except BaseException:
            self.stop()
            raise

    def batches(self) -> Iterator[Batch]:
        """The batches as the process writes them, once handed its seller and row makers; to
        be read once; stopping early (or never starting) stops the process."""
        assert self.makers is not None, "handed its seller and row makers first"
        self.unread = False
        return self._read()

    def _read(self) -> Iterator[Batch]:
        said = self._process.stdout
        assert said is not None
        try:
            while line := said.readline():
                if line == _BATCH:
                    # Our own child process wrote these pickles, from our own code.
                    yield pickle.load(self._spill)  # noqa: S301
                elif line == _END:
                    return
                else:
                    raise ParserFailed(line.decode(errors="replace").strip())
            raise ParserFailed("the parser process ended without a word")
        finally:
            self.stop()

    @property
    def running(self) -> bool:
        """True until the process has ended."""
        return self._process.poll() is None

    def stop(self) -> None:
        """Stop the process, if it still runs, and wait for it; its spill file goes with it."""
        assert self._process.stdin is not None and self._process.stdout is not None
        self._process.stdin.close()
        self._process.stdout.close()
        if self._process.poll() is None:
            self._process.terminate()
        self._process.wait()
        self._spill.close()


def identity(path: Path) -> tuple[int, ...] | None:
    """What tells the file at `path` from another saved there later; None when it cannot be
    looked at (the parser process says why)."""
    try:
        found = path.stat()
    except OSError:
        return None
    return found.st_dev, found.st_ino, found.st_size, found.st_mtime_ns


def _spill_file() -> tuple[BinaryIO, int]:
    """An unnamed temporary file: this process's handle to read it, and a descriptor of its own
    to hand the parser process for writing. Its name is gone at once, so nothing is left behind
    however the import ends (even killed); the disk space goes with the last handle."""
    spill, name = tempfile.mkstemp(prefix="sellerbot-import-", suffix=".batches")
    try:
        handed = os.open(name, os.O_WRONLY)
    finally:
        os.unlink(name)
    return os.fdopen(spill, "rb"), handed


def main() -> None:
    """The parser process: read its task from stdin, write each batch to the spill file and a
    line to stdout to say so; then a line that it is done, or what stopped it."""
    said = sys.stdout.buffer
    try:
        # Both written by ParserProcess: the file now, the rest when the importer has it.
        path, encoding, part, spill_fd = pickle.load(sys.stdin.buffer)  # noqa: S301
        load_holidays()  # meanwhile: the first deadline would load them
        seller, makers = pickle.load(sys.stdin.buffer)  # noqa: S301
        with os.fdopen(spill_fd, "wb") as spill, collector_paused(), \
                open_source(path, encoding) as source:
            for batch in batches(source, seller, makers, part):
                pickle.dump(batch, spill, protocol=pickle.HIGHEST_PROTOCOL)
                spill.flush()
                said.write(_BATCH)
                said.flush()
        said.write(_END)
        said.flush()
    except EOFError:
        sys.exit(1)  # stopped before it was handed its seller: nobody is listening
    except BrokenPipeError:
        # The importer stopped reading (Ctrl-C, a file it rejected) and stops this process:
        # nothing to say. Output goes nowhere from here, so that exiting cannot fail again
        # (the recipe of Python's signal documentation, "Note on SIGPIPE").
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(1)
    except Exception as exc:  # every failure must reach the importer (a full disk included)
        said.write(f"{type(exc).__name__}: {exc}".replace("\n", " ").encode() + b"\n")
        said.flush()


if __name__ == "__main__":
    main()
