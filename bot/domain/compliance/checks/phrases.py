"""`phrases` and `words`: wording, as regular expressions or as a plain word list.

Patterns match whole words only, ignore case (a part can opt back in with `(?-i:...)`), and
a space in a pattern matches any run of spaces or line breaks ("web ?site": any run or none),
so a phrase wrapped across two lines of a pasted draft is still the phrase.
"""

import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from bot.domain.compliance.checks import Detector, Hit
from bot.domain.compliance.checks.triggers import compile_with_triggers
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


class PatternError(ValueError):
    """A rule's pattern that is no regular expression; says which and why."""

    def __init__(self, pattern: str, reason: str) -> None:
        super().__init__(f"{pattern!r}: {reason}")
        self.pattern, self.reason = pattern, reason


def _whole_words(patterns: Iterable[str]) -> str:
    body = "|".join(f"(?:{spaced(p)})" for p in patterns)
    return rf"(?<!\w)(?:{body})(?!\w)"


def _lowered(pattern: str) -> str:
    """`pattern` in lower case, its escapes (\\S, \\W, \\D...) kept as written."""
    out, escaped = [], False
    for char in pattern:
        out.append(char if escaped else char.lower())
        escaped = not escaped and char == "\\"
    # Named groups keep their syntax: (?P<name>...), (?P=name).
    return re.sub(r"\(\?p([<=])", r"(?P\1", "".join(out))


class Phrase:
    """One pattern, compiled to run on the draft in lower case.

    Matching lower-cased text with a case-sensitive expression finds what a case-blind one
    finds in the text, and compiles four times faster (some four hundred patterns load at
    start-up; bench/check_reply.py). A pattern with a case-sensitive part, `(?-i:...)`, runs
    case-blind on the text as typed.
    """

    def __init__(self, pattern: str) -> None:
        self.source = _whole_words([pattern])
        self.cased = "(?-i:" in pattern
        try:
            self.expression, self.triggers = (
                compile_with_triggers(self.source, re.IGNORECASE, word_start=True) if self.cased
                else compile_with_triggers(_lowered(self.source), 0, word_start=True))
        except re.error as exc:
            raise PatternError(pattern, str(exc)) from None
        self._blind: re.Pattern[str] | None = None

    def _target(self, draft: Draft) -> tuple[re.Pattern[str], str]:
        if self.cased:
            return self.expression, draft.text
        if draft.lower_aligned:
            return self.expression, draft.lower
        # Lower-casing changed the length (a rare letter such as "İ"): positions would shift,
        # so this draft is matched case-blind as typed.
        if self._blind is None:
            self._blind = re.compile(self.source, re.IGNORECASE)
        return self._blind, draft.text

    def finditer(self, draft: Draft, start: int, end: int) -> Iterator[re.Match[str]]:
        """The matches in draft[start:end]; their positions are the draft's."""
        expression, text = self._target(draft)
        return expression.finditer(text, start, end)

    def search(self, draft: Draft, start: int, end: int) -> re.Match[str] | None:
        """The first match in draft[start:end]."""
        expression, text = self._target(draft)
        return expression.search(text, start, end)


def compile_each(patterns: Iterable[str]) -> list[Phrase]:
    """Each of `patterns` as its own whole-word, case-blind Phrase, with its triggers.
    Raises PatternError naming a pattern that is no regular expression."""
    return [Phrase(pattern) for pattern in patterns]


def _matches(each: list[Phrase]) -> Detector:
    # Each pattern on its own, with its own triggers: one common word in one pattern must not
    # make every pattern of the rule run over the whole reply.
    # Every pattern needs its rarest set present: when the checker's one pass found none of
    # these, no pattern of the rule can match (one set operation instead of one per pattern).
    firsts = (frozenset(p.triggers[0] for p in each) if all(p.triggers for p in each)
              else None)

    def detect(draft: Draft) -> Iterable[Hit]:
        if firsts is not None and draft.triggered is not None and (
                draft.triggered.keys().isdisjoint(firsts)):
            return []
        hits = []
        triggered = draft.triggered
        for phrase in each:
            needed = phrase.triggers
            if needed and triggered is not None and needed[0] not in triggered:
                continue  # its rarest trigger is nowhere in the reply
            # Only the clauses holding its triggers can hold a match (triggers.py).
            for start, end in draft.clauses_holding(needed):
                for m in phrase.finditer(draft, start, end):
                    if m.end() > m.start():
                        hits.append(Hit(m.start(), m.end()))
        return hits

    # The checker finds every rule's triggers in one pass (triggers.Index).
    detect.trigger_sets = [t for p in each for t in p.triggers]  # type: ignore[attr-defined]
    return detect


def build(check: Mapping[str, Any]) -> Detector:
    """Any of the `patterns`."""
    return _matches(compile_each(check["patterns"]))


def build_words(check: Mapping[str, Any]) -> Detector:
    """Any of the `words` (read from the rule's `list` file), matched literally."""
    # Longest first, then alphabetical: the same pattern in every process (a set's order
    # follows the hash seed), so that the rule cache finds it.
    words = sorted({w.strip() for w in check["words"] if w.strip()}, key=lambda w: (-len(w), w))
    # One expression for the whole list: its words share no trigger worth having.
    return _matches([Phrase("|".join(re.escape(w).replace(r"\ ", " ") for w in words))])
