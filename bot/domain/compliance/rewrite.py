"""The suggested rewrite: the reply with links, addresses and numbers taken out and the
sentences that exist only to market, ask for reviews or steer the buyer away dropped.

It never adds a word of its own: what is left is the user's text, tidied where a removal left
a gap ("write to ." loses its "to"), and everything taken out is listed.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.domain.compliance.checks import Hit
from bot.domain.compliance.text import Draft

if TYPE_CHECKING:
    from bot.domain.compliance.rules import Rule

_GAP = "\x00"
# A removal that leaves its preposition or label dangling before the end of a clause.
_DANGLING = re.compile(
    rf"(?:[ \t]*\b(?:at|on|to|via|from|is|are|here|by)\b)?[ \t]*[:(]?[ \t]*{_GAP}[ \t]*\)?"
    r"(?=[ \t]*(?:[,.;!?]|$))", re.IGNORECASE | re.MULTILINE)
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


def _clean(text: str) -> str:
    text = re.sub(r"[ \t]{2,}", " ", text)
    text = re.sub(r"[ \t]+([,.;!?])", r"\1", text)
    text = re.sub(r"[,;](?=[ \t]*[.!?,;])", "", text)
    text = "\n".join(line.rstrip() for line in text.split("\n"))
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def rewrite(draft: Draft, located: Sequence[tuple["Rule", Hit]]) -> tuple[str | None,
                                                                          tuple[Removal, ...]]:
    """The suggestion for `draft` given its findings, and what it took out."""
    original = draft.original
    sentences = [(draft.where(s.start, s.end), s) for s in draft.sentences]
    dropped: dict[tuple[int, int], list[str]] = {}
    cuts: list[tuple[int, int, str, str]] = []  # start, end, replacement, category
    for rule, hit in located:
        start, end = draft.where(hit.start, hit.end)
        if rule.rewrite == "drop-sentence":
            for (s_start, s_end), _ in sentences:
                if s_start < end and start < s_end:
                    dropped.setdefault((s_start, s_end), []).append(rule.category)
        elif rule.rewrite == "remove":
            cuts.append((start, end, hit.replacement, rule.category))

    # A sentence that keeps fewer than two words once its cuts are made goes as a whole.
    for (s_start, s_end), _ in sentences:
        inside = [c for c in cuts if s_start <= c[0] and c[1] <= s_end]
        if not inside or (s_start, s_end) in dropped:
            continue
        rest = _apply(original[s_start:s_end], [(a - s_start, b - s_start, _GAP, "")
                                                for a, b, _, _ in inside])
        if len(_WORD.findall(rest.replace(_GAP, " "))) < _MIN_WORDS:
            dropped[(s_start, s_end)] = [c[3] for c in inside]

    edits: list[tuple[int, int, str, tuple[str, ...]]] = []
    for (s_start, s_end), categories in dropped.items():
        inner = [c[3] for c in cuts if s_start <= c[0] and c[1] <= s_end]
        # A sentence that was a line of its own takes its line break with it.
        whole_line = original[s_end:s_end + 1] == "\n" and original[s_start - 1:s_start] in (
            "", "\n")
        edits.append((s_start, s_end + whole_line, "", tuple(dict.fromkeys(categories + inner))))
    for start, end, replacement, category in cuts:
        if not any(s <= start and end <= e for s, e in dropped):
            edits.append((start, end, replacement or _GAP, (category,)))
    edits.sort()
    if not edits:
        return None, ()

    removed = tuple(Removal(a, b, original[a:b].strip("\n") or original[a:b], cats)
                    for a, b, _, cats in edits)
    text = _apply(original, [(a, b, r, "") for a, b, r, _ in edits])
    text = _clean(_DANGLING.sub("", text).replace(_GAP, ""))
    return (text if _WORD.search(text) else ""), removed


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
