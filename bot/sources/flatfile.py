"""Seller Central's tab-delimited reports: a header row, then one record per line.

Columns are found by header name, never by position: column sets differ by report age and
marketplace (reports.md §2). Unknown columns are ignored, which is also how every column holding
personal data is dropped: a parser reads only the columns it names.
"""

import codecs
import io
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from bot.sources.codes import squash
from bot.sources.values import MAX_TEXT_CHARS, BadValue, clipped


@dataclass(frozen=True, slots=True)
class BadRow:
    """A record that could not be read: where it is (line number or JSON path) and why."""

    where: int | str
    code: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Note:
    """A record that was read, with something the seller should know: where and what."""

    where: int | str
    code: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Part:
    """One of the parts of a report that processes read at once: from where the first order
    whose lines start at or after line `begin` begins (the first row when None) to where the
    one at or after line `end` begins (the end of the file when None). Each split comes after
    a readable row among the `window` lines before its line (all_orders.py says why)."""

    begin: int | None
    end: int | None
    window: int


@dataclass(frozen=True, slots=True)
class Place:
    """Where a line of a file starts: its number and its first byte."""

    line: int
    byte: int


class BadCell(Exception):
    """A row's value that cannot be read: which column, and the problem (a BadValue)."""

    def __init__(self, column: str, problem: BadValue) -> None:
        super().__init__(column)
        self.column, self.problem = column, problem

    def row(self, number: int) -> BadRow:
        """The bad row this makes of line `number`."""
        return BadRow(number, self.problem.code,
                      {"column": self.column, "value": self.problem.value})


def header_key(name: str) -> str:
    """Compare headers after trimming, lower-casing and ignoring spaces, hyphens and underscores."""
    # Returns headers vary in case ("A-to-Z Claim" / "A-to-z claim"); order headers use hyphens.
    return squash(name.strip().lstrip("\ufeff"))


class BadHeader(ValueError):
    """The first line is not a report header; `code` names the reason (files.py)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


# A report row is a few hundred characters and its header under 1,000. Lines are read at most
# this long, so a file of one huge line is refused in bounded memory, not read whole first.
MAX_HEADER_CHARS = 64 * 1024
MAX_LINE_CHARS = 1024 * 1024
# A header with more columns than this is rows run together (an unknown line ending), not a
# header: Amazon's reports have 20 to 40 columns.
MAX_COLUMNS = 256


def _undecodable(text: str) -> bool:
    """True when `text` holds a byte that is not in the file's encoding.

    Such a byte decodes to a lone surrogate (errors="surrogateescape"), so the line that holds
    it can be reported on its own while the next lines read on. No encoder takes a lone
    surrogate: encoding the line finds one three times faster than searching it with a regex.
    """
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


class _Escapes:
    """The decoding errors of this process's report files: Python's surrogateescape, counting
    the runs of undecodable bytes it escapes.

    Most files hold none. Until a file's decoder has met one, no line of it needs looking at:
    looking at every line that is not ASCII (most lines of a catalogue) cost 3 % of an import
    (bench/import_orders.py). The decoder works ahead of the lines read, so the count has
    moved before the line that holds such a byte is read. Another file's bytes (another
    thread) move it too: lines are then looked at for nothing, never missed.
    """

    name = "sellerbot.counted-surrogateescape"

    def __init__(self) -> None:
        self.met = 0
        self._lock = threading.Lock()
        self._escape = codecs.lookup_error("surrogateescape")

    def __call__(self, error: UnicodeError) -> tuple[str, int]:
        """Escape the bytes `error` names, as surrogateescape does, and count them."""
        with self._lock:
            self.met += 1
        return self._escape(error)


_ESCAPES = _Escapes()
codecs.register_error(_Escapes.name, _ESCAPES)


def _line_end(binary: io.BufferedReader) -> str:
    """"\r" for a file whose lines end in a lone CR (Excel on a Mac saves them so), else "\n"
    (LF or CRLF): read from the first line ending in its bytes, in any of the encodings (a
    UTF-16 CR is 0D 00 or 00 0D, so NULs are skipped)."""
    start = binary.peek(MAX_HEADER_CHARS * 2)[: MAX_HEADER_CHARS * 2]
    ends = [i for i in (start.find(b"\r"), start.find(b"\n")) if i >= 0]
    if not ends or start[min(ends)] != ord("\r"):
        return "\n"
    after = start[min(ends) + 1:].lstrip(b"\x00")[:1]
    return "\n" if after == b"\n" else "\r"


# Encodings in which a line end is the byte it is in ASCII and no other character holds that
# byte: the lines before a Part are counted in the bytes instead of decoded (FlatFile).
_LINE_END_BYTES = frozenset({"utf-8", "utf-8-sig", "ascii", "iso8859-1", "iso8859-15", "cp1252",
                             "cp932", "shift_jis", "euc_jp"})


def counts_line_ends(encoding: str) -> bool:
    """True when the lines of a file in `encoding` can be counted in its bytes."""
    return codecs.lookup(encoding).name in _LINE_END_BYTES


class FlatFile:
    """A report file opened for reading: its header and its numbered rows.

    Read as text in the file's encoding, so UTF-16 splits into rows like UTF-8. Lines end as
    the first one does (LF, CRLF, or a lone CR), so a stray CR inside a field of an LF file
    stays in its row. Each line is read at most MAX_LINE_CHARS long. `close` hands the binary
    file back unclosed.
    """

    def __init__(self, binary: io.BufferedReader, encoding: str = "utf-8-sig") -> None:
        self._end = _line_end(binary)
        self._escapes = _ESCAPES.met  # before the first bytes are decoded
        self._text = io.TextIOWrapper(binary, encoding=encoding, errors=_Escapes.name,
                                      newline=self._end)
        self.encoding = encoding.removesuffix("-sig")
        self._counts_line_ends = counts_line_ends(encoding)
        self.reached: Place | None = None  # where counting line ends last stopped
        try:
            self.header = self._header()
        except BadHeader:
            self.close()  # a wrapper left behind would close the owner's file when collected
            raise
        self.columns: dict[str, int] = {}
        for position, name in enumerate(self.header):
            self.columns.setdefault(header_key(name), position)

    def _header(self) -> list[str]:
        try:
            line = self._text.readline(MAX_HEADER_CHARS + 1)
        except UnicodeDecodeError:  # UTF-16 that is not: decoding cannot resynchronise
            raise BadHeader("not_text") from None
        if len(line) > MAX_HEADER_CHARS:
            raise BadHeader("header_too_long")
        if _undecodable(line):
            raise BadHeader("not_text")
        header = line.rstrip("\r\n").split("\t")
        if len(header) > MAX_COLUMNS or any(len(n) > MAX_TEXT_CHARS for n in header):
            raise BadHeader("header_not_a_header")
        return header

    def _count_lines_to(self, line: int, known: Place) -> int:
        """Go to the start of `line` counting the line ends in the bytes from `known` (a line
        start before it), without decoding them: a part starts anywhere in the file, and
        reading the lines before it as text cost 2,500 instructions each (valgrind on
        bench/import_orders.py's report). Returns the number of the last line gone past, and
        sets `reached`, where counting stopped."""
        binary = self._text.detach()
        binary.seek(known.byte)  # the header's reader read ahead: reading goes back
        end = self._end.encode()
        left = line - known.line  # line ends before `line`
        while left:
            chunk = binary.peek(1 << 20)
            if not chunk:
                break  # the file ends before `line`
            found = chunk.count(end)
            if found < left:
                binary.read(len(chunk))
                left -= found
                continue
            at = -1
            for _ in range(left):
                at = chunk.index(end, at + 1)
            binary.read(at + 1)
            left = 0
        self.reached = Place(line - left, binary.tell())
        # In the middle of the file, a byte-order mark would be a character.
        middle = codecs.lookup(self.encoding).name.removesuffix("-sig")
        self._text = io.TextIOWrapper(binary, encoding=middle, errors=_Escapes.name,
                                      newline=self._end)
        return line - 1 - left

    def close(self) -> None:
        """Stop reading; the binary file stays open for its owner. Again: nothing more."""
        try:
            if not self._text.closed:  # its owner may have closed it first
                self._text.detach()
        except ValueError:
            pass  # detached already: counting lines for a Part was stopped (Ctrl-C)

    def has(self, *names: str) -> bool:
        """True when every named column is present."""
        return all(header_key(name) in self.columns for name in names)

    def missing(self, names: tuple[str, ...]) -> list[str]:
        """The named columns this file lacks."""
        return [name for name in names if header_key(name) not in self.columns]

    def position(self, name: str) -> int:
        """Where column `name` is; a column the file lacks reads as blank on every row."""
        return self.columns.get(header_key(name), len(self.header))

    def rows(self, from_line: int = 2, known: Place | None = None
             ) -> Iterator[tuple[int, list[str]] | BadRow]:
        """Each data line as (line number, fields); the header is line 1, blank lines are skipped.

        The fields end with one extra blank: where `position` points for absent columns. Lines
        before `from_line` are read past, unchecked (another process reads them: Part), counted
        from `known` when it is a place before `from_line` (`reached` by an earlier reading).
        """
        width = len(self.header)
        number = 1
        if from_line > 2 and self._counts_line_ends:
            start = known if known is not None and known.line <= from_line else Place(1, 0)
            number = self._count_lines_to(from_line, start)
        read = self._text.readline
        while True:
            number += 1
            try:
                line = read(MAX_LINE_CHARS + 1)
                too_long = len(line) > MAX_LINE_CHARS and not line.endswith(self._end)
                while too_long and line and not line.endswith(self._end):
                    line = read(MAX_LINE_CHARS)  # skip the rest, in bounded steps
            except UnicodeDecodeError:
                # Only multi-byte encodings raise here (UTF-16): nothing after can be trusted.
                yield BadRow(number, "not_text_from_here", {"encoding": self.encoding})
                return
            if too_long:
                if number >= from_line:
                    yield BadRow(number, "line_too_long", {"limit": MAX_LINE_CHARS})
                continue
            if not line:
                return
            if number < from_line:
                continue
            if _ESCAPES.met != self._escapes and not line.isascii() and _undecodable(line):
                yield BadRow(number, "not_text", {"encoding": self.encoding})
                continue
            fields = line.rstrip("\r\n").split("\t")
            if len(line) > MAX_TEXT_CHARS or "\x00" in line:
                fields = [clipped(f) for f in fields]
            if len(fields) == width:
                fields.append("")
                yield number, fields
            elif len(fields) > width and not any(f.strip() for f in fields[width:]):
                yield number, [*fields[:width], ""]
            elif line.strip():
                # A missing or extra tab shifts every later value into the wrong column; reading
                # on would store values (possibly personal ones) under the wrong names.
                yield BadRow(number, "field_count", {"expected": width, "found": len(fields)})
