"""Opening a file a seller hands over and recognising what it is from its content alone."""

import codecs
import hashlib
import io
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from bot.domain.records import Order, OrderItem, ReturnRequest
from bot.sources import all_orders, returns_report, saved_responses, unshipped
from bot.sources.context import SellerContext
from bot.sources.flatfile import BadHeader, BadRow, FlatFile, Part, Place, counts_line_ends

REPORTS = (all_orders, unshipped, returns_report)
"""Flat-file report parsers, tried in this order against a file's header."""

Record = Order | OrderItem | ReturnRequest


class Unrecognized(ValueError):
    """Not a report or saved response sellerbot can read."""


class _Tally(io.RawIOBase):
    """A binary file that tells how far it has been read (progress) and hashes the bytes read
    through it (checksum), until told not to."""

    def __init__(self, raw: BinaryIO) -> None:
        self._raw = raw
        self.bytes_read = 0
        self.digest: Any = hashlib.sha256()  # None once reading goes back and forth

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        count = self._raw.readinto(buffer)  # type: ignore[attr-defined]
        if count:
            self.bytes_read += count
            if self.digest is not None:
                self.digest.update(memoryview(buffer)[:count])
        return count

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        position = self._raw.seek(offset, whence)
        self.bytes_read = position
        if position == 0 and self.digest is not None:
            # Reading starts over (JSON is read in passes): hash only the last pass.
            self.digest = hashlib.sha256()
        return position

    def close(self) -> None:
        self._raw.close()
        super().close()


@dataclass
class SourceFile:
    """A file opened for import: its kind, size, records, and how far reading has got."""

    path: Path
    kind: str
    holds_orders: bool
    size: int
    _tally: _Tally
    _binary: io.BufferedReader
    _encoding: str
    _shape: saved_responses.ResponseKind | None = None
    _reached: Place | None = None  # where counting lines for a Part last stopped

    @property
    def bytes_read(self) -> int:
        """How far into the file reading has got, in bytes (for a progress bar): a Part read
        in the middle of the file counts from its start."""
        return self._tally.bytes_read

    @property
    def checksum(self) -> str:
        """SHA-256 of the bytes read, once the file has been read through (or `hashed`)."""
        assert self._tally.digest is not None, "read in parts: the checksum is hashed()"
        return self._tally.digest.hexdigest()

    def hashed(self) -> str:
        """SHA-256 of the whole file, read through once for it: reading a Part of it is not
        hashed (parts are read back and forth)."""
        self._binary.seek(0)
        while self._binary.read(1 << 20):
            pass
        checksum = self.checksum
        self._tally.digest = None
        return checksum

    def parts(self, rows: int) -> list[Part] | None:
        """The file in Parts of about `rows` rows each (judged from the length of its first
        lines), in order, for processes to read at once; None for a file read whole: other
        kinds, and encodings whose lines cannot be counted in the bytes (UTF-16)."""
        if self.kind != all_orders.KIND or not counts_line_ends(self._encoding):
            return None
        self._binary.seek(0)
        start = self._binary.peek(1 << 20)[: 1 << 20]
        lines = start.count(b"\n") or start.count(b"\r")  # LF or CRLF, else a Mac's lone CR
        estimate = self.size * lines // len(start)
        # Line 1 is the header: part k begins near line 2 + k * rows.
        splits = [2 + k * rows for k in range(1, -(-estimate // rows))]
        ends = [*splits, None]
        return [Part(begin, end, all_orders.SPLIT_WINDOW)
                for begin, end in zip([None, *splits], ends, strict=True)]

    def records(self, ctx: SellerContext, part: Part | None = None) -> Iterator[Record | BadRow]:
        """Stream the file's records, and a BadRow for each part that cannot be read: of the
        whole file, or of a `part` of it (from `parts`)."""
        self._binary.seek(0)
        if self._shape is not None:
            yield from saved_responses.read(self._binary, self._shape)
            return
        try:
            flat = FlatFile(self._binary, self._encoding)
        except BadHeader:
            yield BadRow(1, "not_text", {"encoding": self._encoding})
            return
        try:
            parser = next(r for r in REPORTS if self.kind == r.KIND)
            if part is None:
                yield from parser.parse(flat, ctx)  # type: ignore[attr-defined]
            else:
                assert self.kind == all_orders.KIND, f"a {self.kind} file is read whole"
                self._tally.digest = None  # parts are read back and forth: see hashed()
                # Parts are read in order: the lines before the next are counted from here.
                yield from all_orders.parse(flat, ctx, part, self._reached)
                self._reached = flat.reached or self._reached
        finally:
            flat.close()


def _kind_of_report(binary: io.BufferedReader, encoding: str) -> str:
    binary.seek(0)
    try:
        flat = FlatFile(binary, encoding)
    except BadHeader as exc:
        raise Unrecognized(exc.code) from None
    try:
        for report in REPORTS:
            if flat.has(*report.SIGNATURE):
                return report.KIND
    finally:
        flat.close()
    raise Unrecognized("unknown_header")


_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
# How files a seller has instead of a report begin: Seller Central's download zipped, or the
# report opened in Excel and saved as a workbook (an .xlsx is a zip of its own).
_SIGNATURES = ((b"PK\x03\x04", "zip"), (b"\x1f\x8b", "gzip"),
               (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "excel"))


def _packed(head: bytes) -> str | None:
    """"zip", "gzip" or "excel" for a file that is an archive or an old Excel workbook, which
    no --encoding would make a report of; else None."""
    return next((kind for signature, kind in _SIGNATURES if head.startswith(signature)), None)


def _encoding_of(start: bytes, given: str) -> str:
    """The encoding to read a report in: UTF-16 when its byte-order mark or its NUL-interleaved
    ASCII header says so (Excel's "Unicode Text"), UTF-8 when its byte-order mark does, whatever
    was given (`--encoding cp1252` for a folder of reports, some saved as UTF-8); else `given`."""
    if start.startswith(_UTF16_BOMS):
        return "utf-16"
    if start.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    even, odd = start[0:16:2], start[1:16:2]
    if len(start) >= 16 and odd == bytes(len(odd)) and even.isascii() and b"\x00" not in even:
        return "utf-16-le"
    if len(start) >= 16 and even == bytes(len(even)) and odd.isascii() and b"\x00" not in odd:
        return "utf-16-be"
    return given


@contextmanager
def open_source(path: Path, encoding: str = "utf-8-sig") -> Iterator[SourceFile]:
    """Open `path` and recognise it from its first bytes: a report header or a JSON response."""
    raw = path.open("rb", buffering=0)
    tally = _Tally(raw)
    binary = io.BufferedReader(tally, buffer_size=1 << 20)
    try:
        head = binary.peek(64)[:64]
        encoding = _encoding_of(head, encoding)
        start = head.lstrip(b"\xef\xbb\xbf \t\r\n")
        if not start:
            raise Unrecognized("empty")
        packed = _packed(head)
        if packed is not None:
            raise Unrecognized(packed)
        if start[:1] in (b"{", b"["):
            try:
                shape = saved_responses.detect(binary)
            except saved_responses.NotAResponse as exc:
                raise Unrecognized(str(exc)) from None
            kind, holds_orders = shape.kind, shape.holds_orders
        else:
            shape = None
            kind = _kind_of_report(binary, encoding)
            holds_orders = kind != returns_report.KIND
        yield SourceFile(
            path=path, kind=kind, holds_orders=holds_orders, size=path.stat().st_size,
            _tally=tally, _binary=binary, _encoding=encoding, _shape=shape,
        )
    finally:
        binary.close()
