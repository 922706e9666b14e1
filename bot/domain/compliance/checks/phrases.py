"""`phrases` and `words`: wording, as regular expressions or as a plain word list.

Patterns match whole words only, ignore case (a part can opt back in with `(?-i:...)`), and
a space in a pattern matches any run of spaces or line breaks ("web ?site": any run or none),
so a phrase wrapped across two lines of a pasted draft is still the phrase.
"""

import re
from collections.abc import Iterable, Mapping
from typing import Any

from bot.domain.compliance.checks import Detector, Hit
from bot.domain.compliance.checks.triggers import triggers
from bot.domain.compliance.text import Draft


def spaced(pattern: str) -> str:
    """Each literal space outside a character class as \\s+."""
    out: list[str] = []
    in_class = escaped = False
    for index, char in enumerate(pattern):
        if escaped:
            out.append(char)
            escaped = False
        elif char == "\\":
            out.append(char)
            escaped = True
        elif char == "[" and not in_class:
            in_class = True
            out.append(char)
        elif char == "]" and in_class:
            in_class = False
            out.append(char)
        elif char == " " and not in_class:
            # "web ?site": an optional space is any run of spaces, or none.
            optional = pattern[index + 1:index + 2] in ("?", "*")
            if not optional and out and out[-1] == r"\s+":
                continue
            out.append(r"\s*" if optional else r"\s+")
        elif char in "?*" and out and out[-1] == r"\s*" and pattern[index - 1] == " ":
            continue
        else:
            out.append(char)
    return "".join(out)


def compile_any(patterns: Iterable[str]) -> re.Pattern[str]:
    """One expression matching any of `patterns` as whole words, ignoring case."""
    body = "|".join(f"(?:{spaced(p)})" for p in patterns)
    return re.compile(rf"(?<!\w)(?:{body})(?!\w)", re.IGNORECASE)


def compile_each(patterns: Iterable[str]) -> list[re.Pattern[str]]:
    """Each of `patterns` as its own whole-word, case-blind expression."""
    return [compile_any([p]) for p in patterns]


def _matches(expressions: list[re.Pattern[str]]) -> Detector:
    # Each pattern on its own, with its own triggers: one common word in one pattern must not
    # make every pattern of the rule run over the whole reply.
    each = [(e, triggers(e)) for e in expressions]
    # Every pattern needs its rarest set present: when the checker's one pass found none of
    # these, no pattern of the rule can match (one set operation instead of one per pattern).
    firsts = frozenset(needed[0] for _, needed in each) if all(n for _, n in each) else None

    def detect(draft: Draft) -> Iterable[Hit]:
        if firsts is not None and draft.triggered is not None and (
                draft.triggered.keys().isdisjoint(firsts)):
            return []
        hits = []
        for expression, needed in each:
            # Only the clauses holding its triggers can hold a match (triggers.py).
            where = draft.clauses_holding(needed)
            hits.extend(Hit(m.start(), m.end()) for span in where
                        for m in expression.finditer(draft.text, span.start, span.end)
                        if m.end() > m.start())
        return hits

    # The checker finds every rule's triggers in one pass (triggers.Index).
    detect.trigger_sets = [t for _, needed in each for t in needed]  # type: ignore[attr-defined]
    return detect


def build(check: Mapping[str, Any]) -> Detector:
    """Any of the `patterns`."""
    return _matches(compile_each(check["patterns"]))


def build_words(check: Mapping[str, Any]) -> Detector:
    """Any of the `words` (read from the rule's `list` file), matched literally."""
    words = sorted({w.strip() for w in check["words"] if w.strip()}, key=len, reverse=True)
    # One expression for the whole list: its words share no trigger worth having.
    return _matches([compile_any(re.escape(w).replace(r"\ ", " ") for w in words)])
