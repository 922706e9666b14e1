"""Seller Central's tab-delimited reports: a header row, then one record per line.

Columns are found by header name, never by position: column sets differ by report age and
marketplace (reports.md §2). Unknown columns are ignored, which is also how every column holding
personal data is dropped: a parser reads only the columns it names.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from bot.sources.codes import squash


@dataclass(frozen=True, slots=True)
class BadRow:
    """A record that could not be read: where it is (line number or JSON path) and why."""

    where: int | str
    code: str
    params: dict[str, Any] = field(default_factory=dict)


def header_key(name: str) -> str:
    """Compare headers after trimming, lower-casing and ignoring spaces, hyphens and underscores."""
    # Returns headers vary in case ("A-to-Z Claim" / "A-to-z claim"); order headers use hyphens.
    return squash(name.strip().lstrip("\ufeff"))


class FlatFile:
    """A report file opened for reading: its header and its numbered rows.

    Lines are decoded one at a time, so a byte that is not in the file's encoding is reported
    on its own line (and a header that does not decode raises UnicodeDecodeError).
    """

    def __init__(self, binary: BinaryIO, encoding: str = "utf-8-sig") -> None:
        self._binary = binary
        # A byte-order mark can only open the file; later lines decode without it.
        self._encoding = encoding.removesuffix("-sig") if encoding.endswith("-sig") else encoding
        self.header = binary.readline().decode(encoding).rstrip("\r\n").split("\t")
        self.columns: dict[str, int] = {}
        for position, name in enumerate(self.header):
            self.columns.setdefault(header_key(name), position)

    def has(self, *names: str) -> bool:
        """True when every named column is present."""
        return all(header_key(name) in self.columns for name in names)

    def missing(self, names: tuple[str, ...]) -> list[str]:
        """The named columns this file lacks."""
        return [name for name in names if header_key(name) not in self.columns]

    def position(self, name: str) -> int:
        """Where column `name` is; a column the file lacks reads as blank on every row."""
        return self.columns.get(header_key(name), len(self.header))

    def rows(self) -> Iterator[tuple[int, list[str]] | BadRow]:
        """Each data line as (line number, fields); the header is line 1, blank lines are skipped.

        The fields end with one extra blank: where `position` points for absent columns.
        """
        width = len(self.header)
        encoding = self._encoding
        for number, raw in enumerate(self._binary, start=2):
            try:
                line = raw.decode(encoding)
            except UnicodeDecodeError:
                yield BadRow(number, "not_text", {"encoding": encoding})
                continue
            fields = line.rstrip("\r\n").split("\t")
            if len(fields) == width:
                fields.append("")
                yield number, fields
            elif len(fields) > width and not any(f.strip() for f in fields[width:]):
                yield number, [*fields[:width], ""]
            elif line.strip():
                # A missing or extra tab shifts every later value into the wrong column; reading
                # on would store values (possibly personal ones) under the wrong names.
                yield BadRow(number, "field_count", {"expected": width, "found": len(fields)})
