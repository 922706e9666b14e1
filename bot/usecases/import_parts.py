"""An All Orders report read in parts by two processes at once, each taking the next part
nobody has taken whenever it is free, and written in the file's order.

A fixed share for each process balanced them on one machine only: the share of parsing that
the writing process could take beside its writes moved with the machine, the size of the file
and whatever else ran (bench/import_orders.py measured a 0.27 share best on one machine and
0.15 on the next). Taking parts as they come balances them wherever: the parser process parses
all the time, and this process parses a part only when the parser has none finished for it
to write.
"""

import fcntl
import os
import tempfile
from collections.abc import Iterator
from typing import TYPE_CHECKING

from bot.sources.files import SourceFile
from bot.store.driver_rows import RowMakers
from bot.usecases.import_batches import Batch, batches
from bot.usecases.sellers import Seller

if TYPE_CHECKING:
    from bot.usecases.import_pipeline import ParserProcess


class Claims:
    """The next part of a file to parse, taken by either process: a counter in a small file
    without a name, read and moved on under a POSIX record lock, so no part is taken twice.
    The lock goes with the process that holds it, however it ends."""

    def __init__(self, fd: int, count: int) -> None:
        self.fd, self.count = fd, count

    @classmethod
    def new(cls, count: int) -> "Claims":
        """Claims of `count` parts, none taken yet, in a new file (TMPDIR) that goes when the
        last process holding it closes it."""
        fd, name = tempfile.mkstemp(prefix="sellerbot-import-", suffix=".claims")
        os.unlink(name)
        return cls(fd, count)

    def take(self) -> int | None:
        """The number of the next part, now taken; None when all are."""
        fcntl.lockf(self.fd, fcntl.LOCK_EX)
        try:
            taken = int.from_bytes(os.pread(self.fd, 8, 0), "little")  # nothing there: 0
            if taken >= self.count:
                return None
            os.pwrite(self.fd, (taken + 1).to_bytes(8, "little"), 0)
            return taken
        finally:
            fcntl.lockf(self.fd, fcntl.LOCK_UN)

    def close(self) -> None:
        """Let go of the file (again: nothing more)."""
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1


def shared(process: "ParserProcess", source: SourceFile, seller: Seller, makers: RowMakers
           ) -> Iterator[Batch]:
    """The batches of `source`, read in parts with `process`, in the file's order: each part
    as the parser process finished it or, while it has not finished the next one due, as this
    process parses the next part nobody has taken. The last batch holds no rows, only the
    file's checksum (the parser process hashes the file while it waits for its seller)."""
    assert process.parts is not None, "a file read in parts"
    parts = process.parts
    # A part parsed here before its turn, kept until then: at most one, so memory stays flat.
    held: tuple[int, list[Batch]] | None = None
    for due in range(len(parts)):
        while held is None and not process.finished(due):
            taken = process.take()
            if taken is None:
                break
            held = (taken, list(batches(source, seller, makers, parts[taken])))
        if held is not None and held[0] == due:
            yield from held[1]
            held = None
        else:
            yield from process.part_batches(due)
    yield Batch({}, bytes_read=source.size, checksum=process.finish())
