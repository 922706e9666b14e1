"""Parsing a large file in a second process while this one writes to the database.

Parsing takes about two thirds of a big import and the write the rest, and Python runs one of
them at a time per process. A parser process overlaps them on a machine with two or more cores.
Threads would not: sqlite3 hands the GIL back and forth on every row (bench/import_orders.py).

An All Orders report is read in parts that both processes take as they come
(bot/usecases/import_parts.py): the parser process says on its stdout which part it parses,
and this process parses one itself when the parser has none finished for it to write. Other
large files are parsed whole by the parser process. Its batches wait in a spill file, not in a
pipe: a pipe holds 64 KB, and the parser would stop and wait for this process to write.

The parser is `python -m bot.usecases.import_pipeline`, handed its task as two pickles on its
stdin: the file, at once, and the seller and row makers when the importer has them (hand).
Started before the importer loads its settings, rules and database libraries, it loads its own
modules and the holiday tables meanwhile, and hashes the file, instead of after (0.2-0.3 s).
It writes each batch as a pickle to the spill file (in the temporary directory, TMPDIR,
without a name), then a line to its stdout to say so, or what stopped it (a full disk
included): a plain child process, so it works under any host program (multiprocessing's spawn
re-imports the host's __main__, which not every program embedding sellerbot guards). It loads
no SQLAlchemy: it is handed the row makers (bot/store/driver_rows.py).
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
from bot.usecases.import_messages import BATCH, END, PART, Messages, ParserFailed, part_line
from bot.usecases.import_parts import Claims, shared
from bot.usecases.sellers import Seller

# Files smaller than this parse in-process: below it, handing batches over costs what the
# overlap saves (a 20 MB report of 50,000 rows imports in 0.9 s either way).
MIN_BYTES = 32 * 1024 * 1024
# File rows in a part: small enough that the importer, which may take the last part while the
# parser process parses the one before, ends soon after it (strace on bench/import_orders.py:
# 0.03-0.06 s after, against 0.03-0.16 s with parts of 5,000 rows), large enough that the
# lines each part reads before its split (all_orders.SPLIT_WINDOW) cost next to nothing.
PART_ROWS = 2500


def worthwhile(size: int) -> bool:
    """True when a file of `size` bytes imports faster with a parser process (on Linux and
    macOS: it is handed its spill file as an open descriptor, which Windows cannot do)."""
    if os.name != "posix":
        return False
    # sched_getaffinity (the CPUs this process may use) exists on Linux only.
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return size >= MIN_BYTES and (cpus or 1) >= 2


def parts_of(source: SourceFile) -> list[Part] | None:
    """The parts of `source` that the two processes share; None for a file that the parser
    process reads whole."""
    return source.parts(PART_ROWS)


class ParserProcess:
    """A parser process started on one file, read whole or in `parts` taken from `claims`:
    handed the seller and row makers once, its batches, read once, and a way to stop it."""

    def __init__(self, path: Path, encoding: str, parts: list[Part] | None = None) -> None:
        self.path, self.encoding, self.parts = path, encoding, parts
        self.makers: RowMakers | None = None  # until handed
        self.file = identity(path)
        self.unread = True  # until its batches are asked for: a file listed twice parses twice
        self._spill, handed = _spill_file()
        self.claims: Claims | None = None
        try:
            self.claims = Claims.new(len(parts)) if parts is not None else None
            claims_fd = () if self.claims is None else (self.claims.fd,)
            self._process = subprocess.Popen(
                [sys.executable, "-m", "bot.usecases.import_pipeline"],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, pass_fds=(handed, *claims_fd),
                # A process group of its own: Ctrl-C reaches only the importer, which stops
                # this process (below) and says so in one line; it prints no traceback.
                process_group=0,
            )
        except BaseException:
            self._close_files()
            raise
        finally:
            os.close(handed)
        assert self._process.stdout is not None
        self._said = Messages(self._process.stdout.fileno())
        self._send((path, encoding, parts, handed, claims_fd[0] if claims_fd else None))

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

    def batches(self, source: SourceFile | None = None, seller: Seller | None = None
                ) -> Iterator[Batch]:
        """The file's batches, once handed its seller and row makers: the process's own, or
        for a file read in parts, theirs and those of the parts parsed here from `source` for
        `seller` (import_parts.py). To be read once; stopping early (or never starting) stops
        the process."""
        assert self.makers is not None, "handed its seller and row makers first"
        self.unread = False
        return self._batches(source, seller, self.makers)

    def _batches(self, source: SourceFile | None, seller: Seller | None, makers: RowMakers
                 ) -> Iterator[Batch]:
        try:
            if self.parts is None:
                while (line := self._said.next()) != END:
                    yield self._batch(line)
            else:
                assert source is not None and seller is not None, "parts are parsed here too"
                yield from shared(self, source, seller, makers)
        finally:
            self.stop()

    def finished(self, part: int) -> bool:
        """True when the process has said every batch of `part`, the next of its parts to be
        read; asks without waiting, and raises ParserFailed at once if it has stopped."""
        said = self._said.said()
        if said and not said[0].startswith((PART, END)):
            raise ParserFailed(said[0].decode(errors="replace"))
        return bool(said) and said[0] == part_line(part) and any(
            line.startswith((PART, END)) for line in said[1:])

    def take(self) -> int | None:
        """The next part nobody has taken, now taken by this process; None when all are."""
        assert self.claims is not None, "a file read in parts"
        try:
            return self.claims.take()
        except OSError as exc:  # a TMPDIR whose files cannot be locked (some network disks)
            raise ParserFailed(f"{type(exc).__name__}: {exc}") from None

    def part_batches(self, part: int) -> Iterator[Batch]:
        """The batches of `part`, the next of the process's parts, as it says them."""
        line = self._said.next()
        if line != part_line(part):
            raise ParserFailed(line.decode(errors="replace"))
        while not self._said.peek_next().startswith((PART, END)):
            yield self._batch(self._said.next())

    def finish(self) -> str:
        """The file's checksum, which the process says when it has no part left to parse."""
        line = self._said.next()
        if not line.startswith(END + b" "):
            raise ParserFailed(line.decode(errors="replace"))
        return line.removeprefix(END + b" ").decode()

    def _batch(self, line: bytes) -> Batch:
        if line != BATCH:
            raise ParserFailed(line.decode(errors="replace"))
        # Our own child process wrote these pickles, from our own code.
        return pickle.load(self._spill)  # noqa: S301

    @property
    def running(self) -> bool:
        """True until the process has ended."""
        return self._process.poll() is None

    def stop(self) -> None:
        """Stop the process, if it still runs, and wait for it; its files go with it."""
        assert self._process.stdin is not None and self._process.stdout is not None
        self._process.stdin.close()
        self._process.stdout.close()
        if self._process.poll() is None:
            self._process.terminate()
        self._process.wait()
        self._close_files()

    def _close_files(self) -> None:
        self._spill.close()
        if self.claims is not None:
            self.claims.close()


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
        path, encoding, parts, spill_fd, claims_fd = pickle.load(sys.stdin.buffer)  # noqa: S301
        with open_source(path, encoding) as source:
            # Meanwhile: parts are not hashed as they are read, and the first deadline would
            # load the holidays.
            checksum = source.hashed() if parts is not None else None
            load_holidays()
            seller, makers = pickle.load(sys.stdin.buffer)  # noqa: S301
            with os.fdopen(spill_fd, "wb") as spill, collector_paused():
                if parts is None:
                    _spilled(batches(source, seller, makers), spill, said)
                else:
                    claims = Claims(claims_fd, len(parts))
                    while (taken := claims.take()) is not None:
                        _say(said, part_line(taken))
                        _spilled(batches(source, seller, makers, parts[taken]), spill, said)
        _say(said, END if checksum is None else END + b" " + checksum.encode())
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


def _spilled(made: Iterator[Batch], spill: BinaryIO, said: BinaryIO) -> None:
    """Write each batch of `made` to the spill file, and say so."""
    for batch in made:
        pickle.dump(batch, spill, protocol=pickle.HIGHEST_PROTOCOL)
        spill.flush()
        _say(said, BATCH)


def _say(said: BinaryIO, line: bytes) -> None:
    said.write(line + b"\n")
    said.flush()


if __name__ == "__main__":
    main()
