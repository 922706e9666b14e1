"""Seller Central's tab-delimited reports: a header row, then one record per line.

Columns are found by header name, never by position: column sets differ by report age and
marketplace (reports.md §2). Unknown columns are ignored, which is also how every column holding
personal data is dropped: a parser reads only the columns it names.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, TextIO

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
    """A report file opened for reading: its header and its numbered rows."""

    def __init__(self, text: TextIO) -> None:
        self._text = text
        self.header = text.readline().rstrip("\r\n").split("\t")
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
        number = 1
        try:
            for number, line in enumerate(self._text, start=2):
                fields = line.rstrip("\r\n").split("\t")
                if len(fields) == width:
                    fields.append("")
                    yield number, fields
                elif len(fields) > width and not any(f.strip() for f in fields[width:]):
                    yield number, [*fields[:width], ""]
                elif line.strip():
                    # A missing or extra tab shifts every later value into the wrong column;
                    # reading on would store values (possibly personal ones) under wrong names.
                    yield BadRow(number, "field_count", {"expected": width, "found": len(fields)})
        except UnicodeDecodeError as exc:
            # Text is decoded in blocks: the line is where the undecodable bytes were met.
            yield BadRow(number + 1, "not_text", {"encoding": exc.encoding})
