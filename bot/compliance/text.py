"""A draft reply as the checks read it: folded for matching, every position mapped back.

Folding defeats the cheap tricks that hide a link or an address from a plain pattern:
invisible characters inside it ("shop\u200b.com"), full-width or styled letters (NFKC turns
full-width "shop.com" into plain ASCII) and Cyrillic or Greek look-alikes (a Cyrillic o in
"shop.com"). Findings are
reported at the positions the user typed, so the excerpt is exactly what they wrote.
"""

import re
import unicodedata
from bisect import bisect_left, bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, NamedTuple

# Characters that render as nothing (zero-width spaces and joiners, soft hyphens, direction
# marks, variation selectors, tag characters): they split a word without showing.
_INVISIBLE = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e"
    "\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\U000e0000-\U000e007f]"
)

# Look-alikes NFKC keeps apart: Cyrillic and Greek letters drawn like Latin ones, and the
# typographic quotes and dashes that word patterns should read as ' and -.
_NON_ASCII = re.compile(r"[^\x00-\x7f]+")
_LOOKALIKES = str.maketrans({
    **dict(zip("аВвЕеіІјЈКкМНОоРрСсТтуҮХхЅѕԁԛԝɡ", "aBBEeiIjJKkMHOoPpCcTTyYXxSsdqwg", strict=True)),
    **dict(zip("ΑΒΕΖΗΙΚΜΝΟΡΤΥΧαοκνρτυχ", "ABEZHIKMNOPTYXaoKvptux", strict=True)),
    **dict.fromkeys("\u2018\u2019\u201a\u201b\u2032\u00b4\u0060", "'"),
    **dict.fromkeys("\u201c\u201d\u201e\u201f\u2033", '"'),
    **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212", "-"),
    **dict.fromkeys("\u3002\uff61\u2024", "."),
})

# Pictographs: Unicode's emoji blocks (Emoticons, Miscellaneous Symbols and Pictographs,
# Transport, Supplemental Symbols, Symbols and Pictographs Extended-A, Dingbats, Miscellaneous
# Symbols, regional-indicator flags). Text symbols a reply may need (™ © ® € £ °, arrows) are
# outside them.
PICTOGRAPH = ("[\U0001f000-\U0001faff\u2600-\u27bf\u2b05-\u2b07\u2b1b\u2b1c\u2b50\u2b55\u231a"
              "\u231b\u23e9-\u23fa\u3030\u303d\u3297\u3299]")
# Scripts written without spaces between words (Chinese, Japanese, Thai; Korean's particles
# join the word before): a link or an address typed straight after such a word begins there
# ("説明書はhttps://…", "お問い合わせはinfo@shop.co.jpまで"), and one before it ends there.
UNSPACED = "\u0e00-\u0e7f\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
# A letter, digit or underscore of a script written with spaces: where a word goes on.
WORD = rf"[^\W{UNSPACED}]"
# An HTML tag. No space after "<": "<b>" is a tag, "press < and >" is not (HTML allows none).
TAG = r"<(?P<close>/)?(?P<name>[a-z][a-z0-9]*)(?:\s[^<>]*)?/?\s*>"
# What can hide a link, an address or a number from a pattern while a reader still reads one:
# markup inside it ("help@<b>shop</b>.com"), a pictograph between its parts ("415🙂555"), and
# Slack's emphasis around it ("_shop.com/manual_", "*5-star*"): a marker at a word's edge,
# never the one inside "bob_smith" (_at_edge).
_STYLING = re.compile(rf"{TAG}|{PICTOGRAPH}|[*_~]+", re.IGNORECASE)
_MARKERS = frozenset("*_~")

# Abbreviations whose full stop does not end a sentence ("tel. 617-555-0183").
_ABBREVIATIONS = frozenset((
    "tel", "ph", "no", "nr", "mr", "mrs", "ms", "dr", "st", "vs", "etc", "approx", "inc", "ltd",
    "co", "jr", "sr", "dept", "ext", "e.g", "i.e", "p.s"))
# A run of stops is matched from its first character only (the look-behind), and
# possessively: tried from every character of "!!!!…" it would take time quadratic in the
# run (seconds for 10,000).
_BOUNDARY = re.compile(r"(?<![.!?])[.!?]++[\"')\]]*+(?=\s)|\n")
_CONTENT = re.compile(r"\S(?:[\s\S]*\S)?")
_WORD_BEFORE = re.compile(r"([\w.]+)$")
# How far back an abbreviation is looked for: the longest one, "approx", and its dots.
_ABBREVIATION_REACH = 8


class Span(NamedTuple):
    """A stretch of the folded text, [start, end)."""

    start: int
    end: int


@dataclass
class Draft:
    """The reply (and the buyer's message it answers, if known), folded once for every check."""

    original: str
    in_reply_to: str | None = None
    # The marketplace's country (ISO 3166 alpha-2): how local phone numbers are written.
    region: str = "US"
    text: str = field(init=False)
    # _starts[i]: where folded character i came from in the original; None when they are
    # the same string (plain ASCII, the common case, costs nothing).
    _starts: list[int] | None = field(init=False, default=None)
    _memo: dict[object, Any] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        if self.original.isascii():
            self.text = self.original
            return
        # Only the non-ASCII stretches need folding; ASCII between them is copied as it is.
        pieces: list[str] = []
        starts: list[int] = []
        at = 0
        for run in _NON_ASCII.finditer(self.original):
            pieces.append(self.original[at:run.start()])
            starts.extend(range(at, run.start()))
            for index in range(run.start(), run.end()):
                char = self.original[index]
                if _INVISIBLE.match(char):
                    continue
                piece = unicodedata.normalize("NFKC", char).translate(_LOOKALIKES)
                piece = _INVISIBLE.sub("", piece)
                pieces.append(piece)
                starts.extend([index] * len(piece))
            at = run.end()
        pieces.append(self.original[at:])
        starts.extend(range(at, len(self.original)))
        self.text = "".join(pieces)
        self._starts = starts

    def destyled(self) -> "Draft | None":
        """The sentences that hold styling (_STYLING), one a line, without it: for finding
        what the styling hid. Positions still map to the original. None when it has none."""
        found = [m for m in _STYLING.finditer(self.text)
                 if m.group()[0] not in _MARKERS or self._at_edge(m.start(), m.end())]
        if not found:
            return None
        # Only those sentences: a long reply with one pictograph is not read twice.
        spans: list[Span] = []
        for styling in found:
            sentence = self.sentence_at(styling.start())
            if not spans or sentence.start >= spans[-1].end:
                spans.append(sentence)
        own = self._starts if self._starts is not None else range(len(self.text))
        pieces: list[str] = []
        starts: list[int] = []
        for span in spans:
            at = span.start
            for styling in found:
                if span.start <= styling.start() and styling.end() <= span.end:
                    pieces.append(self.text[at:styling.start()])
                    starts.extend(own[at:styling.start()])
                    at = styling.end()
            pieces.append(self.text[at:span.end] + "\n")
            starts.extend([*own[at:span.end], own[max(span.end - 1, 0)]])
        bare = Draft(self.original, self.in_reply_to, self.region)
        bare.text, bare._starts = "".join(pieces), starts
        return bare

    def _at_edge(self, start: int, end: int) -> bool:
        """Whether [start, end) begins or ends a word: a letter or digit on one side only."""
        before = start > 0 and self.text[start - 1].isalnum()
        after = end < len(self.text) and self.text[end].isalnum()
        return before != after

    def memo(self, key: object, compute: Callable[[], Any]) -> Any:
        """compute(), once per draft for `key`: checks that share work share the result."""
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]

    @cached_property
    def lower(self) -> str:
        """The folded text in lower case, for the checks' quick "could this match?" tests."""
        return self.text.lower()

    @cached_property
    def lower_aligned(self) -> bool:
        """Whether `lower` has the text's positions (lower-casing a rare letter such as "İ"
        changes the length)."""
        return len(self.lower) == len(self.text)

    @cached_property
    def whole(self) -> Span:
        """The whole folded text as a span."""
        return Span(0, len(self.text))

    @cached_property
    def reply(self) -> "Draft | None":
        """The buyer's message, folded the same way; None when not known."""
        return Draft(self.in_reply_to) if self.in_reply_to else None

    def where(self, start: int, end: int) -> tuple[int, int]:
        """The folded span [start, end) as positions in the original text."""
        if self._starts is None:
            return start, end
        if start >= len(self._starts):
            return len(self.original), len(self.original)
        first = self._starts[start]
        last = self._starts[end - 1] + 1 if end > start else first
        return first, last

    def folded_at(self, position: int) -> int:
        """The folded position of the original position `position`."""
        if self._starts is None:
            return min(position, len(self.text))
        return bisect_left(self._starts, position)

    @cached_property
    def sentences(self) -> list[Span]:
        """The sentences and lines of the folded text, trimmed of surrounding space."""
        text = self.text
        trimmed: list[Span] = []
        begin = 0
        for boundary in _BOUNDARY.finditer(text):
            if text[boundary.start()] == "." and self._abbreviation(boundary.start()):
                continue
            # The sentence without the space around it: from its first to its last non-space.
            content = _CONTENT.search(text, begin, boundary.end())
            if content:
                trimmed.append(Span(*content.span()))
            begin = boundary.end()
        content = _CONTENT.search(text, begin)
        if content:
            trimmed.append(Span(*content.span()))
        return trimmed

    @cached_property
    def _sentence_starts(self) -> list[int]:
        return [span.start for span in self.sentences]

    def sentence_at(self, position: int) -> Span:
        """The sentence holding folded position `position` (the whole text if it has none,
        being only invisible characters)."""
        if not self.sentences:
            return self.whole
        index = max(bisect_right(self._sentence_starts, position) - 1, 0)
        return self.sentences[index]

    def _abbreviation(self, dot: int) -> bool:
        if self.text[dot] != ".":
            return False
        word = _WORD_BEFORE.search(self.text[max(dot - _ABBREVIATION_REACH, 0):dot])
        if word is None:
            return False
        token = word.group(1).lower()
        # A single letter before the stop is an initial ("J. Smith"), not a sentence's end.
        return token in _ABBREVIATIONS or (len(token) == 1 and token.isalpha())
