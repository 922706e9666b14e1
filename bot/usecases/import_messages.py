"""What an import's parser process says on its stdout, a line each, and how the importer reads
it: a batch is in the spill file (an empty line), the batches that follow are of a part
(`part N`), or it is done (`end`, with the file's checksum when it read parts). Any other line
is what stopped it (bot/usecases/import_pipeline.py)."""

import os
import select

BATCH, PART, END = b"", b"part ", b"end"


class ParserFailed(RuntimeError):
    """The parser process stopped on an error it could not report as a bad row."""


def part_line(part: int) -> bytes:
    """The line that says the batches of `part` follow."""
    return PART + b"%d" % part


class Messages:
    """The lines a parser process says on the pipe `fd`, read as they come: the next one
    (waiting for it), or those said so far (without waiting)."""

    def __init__(self, fd: int) -> None:
        self._fd = fd
        self._lines: list[bytes] = []  # read, not yet taken
        self._partial = b""  # and the start of the next

    def next(self) -> bytes:
        """The next line, taken (waiting for it), without its line end."""
        self.peek_next()
        return self._lines.pop(0)

    def peek_next(self) -> bytes:
        """The next line, left to be taken (waiting for it)."""
        if not self._lines:
            self._read(wait=True)
        return self._lines[0]

    def said(self) -> list[bytes]:
        """The lines said so far and not yet taken, read without waiting."""
        self._read(wait=False)
        return self._lines

    def _read(self, wait: bool) -> None:
        # Unbuffered, so that select sees all there is to read.
        while wait or select.select([self._fd], [], [], 0)[0]:
            chunk = os.read(self._fd, 1 << 16)
            if not chunk:
                if wait:  # the line waited for will never come
                    raise ParserFailed("the parser process ended without a word")
                return  # it has said all it will: the lines read tell
            self._partial += chunk
            *lines, self._partial = self._partial.split(b"\n")
            self._lines.extend(lines)
            if lines:
                return
