"""The suggested rewrite: the reply with links, addresses and numbers taken out and the
sentences that exist only to market, ask for reviews or steer the buyer away dropped.

It never adds a word of its own: what is left is the user's text, tidied where a removal left
a gap ("write to ." loses its "to"), and everything taken out is listed.
"""

import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.compliance.checks import Hit
from bot.compliance.text import Draft

if TYPE_CHECKING:
    from bot.compliance.rules import Rule

_GAP = "\x00"
# A removal that leaves its preposition, label or verb dangling before the end of a clause
# (a stop, or a dash between spaces: "see the manual at <link> - let me know").
_DANGLING = re.compile(
    rf"(?:[ \t]*\b(?:at|on|to|via|from|is|are|here|by|see|visit|under)\b)?[ \t]*[:(]?[ \t]*"
    rf"{_GAP}[ \t]*\)?(?=[ \t]*(?:[,.;!?]|[-\u2013\u2014](?:[ \t]|$)|$))",
    re.IGNORECASE | re.MULTILINE)
_WORD = re.compile(r"[^\W\d_]{2,}")
# A sentence left with fewer words than this said nothing but what was taken out of it
# ("Tel. 617-555-0183", "Questions? help@shop.com").
_MIN_WORDS = 2


@dataclass(frozen=True)
class Removal:
    """One piece taken out of the reply, as typed, and the categories it broke."""

    start: int
    end: int
    text: str
    categories: tuple[str, ...]


_SPACES = re.compile(r"[ \t]{2,}")
_SPACE_BEFORE_STOP = re.compile(r"[ \t]+([,.;!?])")
_COMMA_BEFORE_STOP = re.compile(r"[,;](?=[ \t]*[.!?,;])")
_BLANK_LINES = re.compile(r"\n{3,}")


def _clean(text: str) -> str:
    # Each tidy-up only where what it tidies can be: most suggestions need none of them.
    if "  " in text or "\t" in text:
        text = _SPACES.sub(" ", text)
    if any(f" {stop}" in text for stop in ",.;!?") or "\t" in text:
        text = _SPACE_BEFORE_STOP.sub(r"\1", text)
    if "," in text or ";" in text:
        text = _COMMA_BEFORE_STOP.sub("", text)
    text = "\n".join(line.rstrip() for line in text.split("\n"))
    return _BLANK_LINES.sub("\n\n", text).strip()


def rewrite(draft: Draft, located: Sequence[tuple["Rule", Hit]]) -> tuple[str | None,
                                                                          tuple[Removal, ...]]:
    """The suggestion for `draft` given its findings, and what it took out."""
    original = draft.original
    # A text of only line breaks or invisible characters has no sentence: treat it as one.
    sentences = draft.sentences or [draft.whole]
    starts = [s.start for s in sentences]

    def sentence_index(position: int) -> int:
        return max(bisect_right(starts, position) - 1, 0)

    dropped: dict[int, list[str]] = {}  # sentence index -> categories
    cuts: list[tuple[int, int, str, str, int]] = []  # start, end, replacement, category, sentence
    for rule, hit in located:
        if rule.rewrite == "drop-sentence":
            index = sentence_index(hit.start)
            while index < len(sentences) and sentences[index].start < hit.end:
                if sentences[index].end > hit.start:
                    dropped.setdefault(index, []).append(rule.category)
                index += 1
        elif rule.rewrite == "remove":
            start, end = draft.where(hit.start, hit.end)
            cuts.append((start, end, hit.replacement, rule.category, sentence_index(hit.start)))

    # A sentence that keeps fewer than two words once its cuts are made goes as a whole.
    by_sentence: dict[int, list[tuple[int, int, str, str, int]]] = {}
    for cut in cuts:
        by_sentence.setdefault(cut[4], []).append(cut)
    spans = {i: draft.where(*sentences[i]) for i in set(by_sentence) | set(dropped)}
    for index, inside in by_sentence.items():
        s_start, s_end = spans[index]
        inside = [c for c in inside if s_start <= c[0] and c[1] <= s_end]
        if not inside or index in dropped:
            continue
        rest = _apply(original[s_start:s_end], [(a - s_start, b - s_start, _GAP, "")
                                                for a, b, *_ in inside])
        if len(_WORD.findall(rest.replace(_GAP, " "))) < _MIN_WORDS:
            dropped[index] = [c[3] for c in inside]

    edits: list[tuple[int, int, str, tuple[str, ...]]] = []
    gone = []
    for index, categories in dropped.items():
        s_start, s_end = spans[index]
        inner = [c[3] for c in by_sentence.get(index, ()) if s_start <= c[0] and c[1] <= s_end]
        # A sentence that was a line of its own takes its line break with it.
        whole_line = original[s_end:s_end + 1] == "\n" and original[s_start - 1:s_start] in (
            "", "\n")
        edits.append((s_start, s_end + whole_line, "", tuple(dict.fromkeys(categories + inner))))
        gone.append((s_start, s_end))
    for start, end, replacement, category, _ in cuts:
        if not any(s <= start and end <= e for s, e in gone):
            edits.append((start, end, replacement or _GAP, (category,)))
    edits.sort()
    if not edits:
        return None, ()

    removed = tuple(Removal(a, b, original[a:b].strip("\n") or original[a:b], cats)
                    for a, b, _, cats in edits)
    return _edited(original, edits), removed


def _edited(original: str, edits: list[tuple[int, int, str, tuple[str, ...]]]) -> str:
    """`original` with the edits made, the gaps they leave closed and spacing tidied; "" when
    no word is left."""
    text = _apply(original, [(a, b, r, "") for a, b, r, _ in edits])
    if _GAP in text:
        # The pattern never crosses a line break: only the lines with a gap need it.
        text = "\n".join(_DANGLING.sub(_close_gap, line).replace(_GAP, "") if _GAP in line
                         else line for line in text.split("\n"))
    text = _clean(text)
    return text if _WORD.search(text) else ""


def _close_gap(found: re.Match[str]) -> str:
    # Before a dash the clause break keeps its space ("see the manual - let me know").
    following = found.string[found.end():].lstrip(" \t")[:1]
    return " " if following and following in "-\u2013\u2014" else ""


def _apply(text: str, edits: Sequence[tuple[int, int, str, str]]) -> str:
    """`text` with each [start, end) replaced; overlapping edits keep the first."""
    out, at = [], 0
    for start, end, replacement, _ in sorted(edits):
        if start < at:
            continue
        out.append(text[at:start])
        out.append(replacement)
        at = end
    out.append(text[at:])
    return "".join(out)
