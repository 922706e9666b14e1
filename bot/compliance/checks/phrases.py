"""`phrases` and `words`: wording, as regular expressions or as a plain word list.

Patterns match whole words only, ignore case (a part can opt back in with `(?-i:...)`), and
a space in a pattern matches any run of spaces or line breaks ("web ?site": any run or none),
so a phrase wrapped across two lines of a pasted draft is still the phrase.
"""

import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from bot.compliance.checks import Detector, Hit
from bot.compliance.text import Draft


def spaced(pattern: str) -> str:
    """Each literal space outside a character class as \\s+, and each apostrophe optional
    (outside a look-behind, which must keep a fixed width)."""
    out: list[str] = []
    in_class = escaped = False
    groups: list[bool] = []  # for each open group, whether it is a look-behind
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
        elif char == "(" and not in_class:
            groups.append(pattern[index:index + 4] in ("(?<=", "(?<!"))
            out.append(char)
        elif char == ")" and not in_class and groups:
            groups.pop()
            out.append(char)
        elif (char == "'" and not in_class and not any(groups)
              and pattern[index + 1:index + 2] not in ("?", "*")):
            # Typed fast, "don't" is "dont" and "can't" is "cant": the apostrophe is optional.
            out.append("'?")
        else:
            out.append(char)
    return "".join(out)


class PatternError(ValueError):
    """A rule's pattern that is no regular expression; says which and why."""

    def __init__(self, pattern: str, reason: str) -> None:
        super().__init__(f"{pattern!r}: {reason}")
        self.pattern, self.reason = pattern, reason


def _whole_words(patterns: Iterable[str]) -> str:
    # The end of a whole word is part of the expression; its start is checked by Phrase (a
    # look-behind at the front would make the expression try every position of the draft).
    body = "|".join(f"(?:{spaced(p)})" for p in patterns)
    return rf"(?:{body})(?!\w)"


# What `\w` matches: the character before a match must not be one.
_WORD = re.compile(r"\w")


def _lowered(pattern: str) -> str:
    """`pattern` in lower case, its escapes (\\S, \\W, \\D...) kept as written."""
    out, escaped = [], False
    for char in pattern:
        out.append(char if escaped else char.lower())
        escaped = not escaped and char == "\\"
    # Named groups keep their syntax: (?P<name>...), (?P=name).
    return re.sub(r"\(\?p([<=])", r"(?P\1", "".join(out))


class Phrase:
    """One pattern, compiled to run on the draft in lower case, when first used.

    Matching lower-cased text with a case-sensitive expression finds what a case-blind one
    finds in the text, and compiles four times faster. A pattern with a case-sensitive part,
    `(?-i:...)`, runs case-blind on the text as typed.

    Compiling waits for the first search: some six hundred patterns take a quarter of a second
    to compile, and a rule whose `needs` words a draft lacks never searches it (a one-line
    check in the terminal compiles a few dozen; bench/check_reply.py). `compile()` compiles now.

    A match must start a word: the expression itself only ends one. An expression that begins
    with a look-behind is tried at every position of the draft, while one that begins with its
    words lets `re` skip ahead to where they could start; checking the character before each
    match here halves the time the phrases take.
    """

    def __init__(self, pattern: str) -> None:
        self.pattern = pattern
        self.cased = "(?-i:" in pattern
        self._expression: re.Pattern[str] | None = None
        self._blind: re.Pattern[str] | None = None

    def compile(self) -> re.Pattern[str]:
        """The compiled expression; PatternError if the pattern is no regular expression."""
        if self._expression is None:
            source = _whole_words([self.pattern])
            try:
                self._expression = (re.compile(source, re.IGNORECASE) if self.cased
                                    else re.compile(_lowered(source)))
            except re.error as exc:
                raise PatternError(self.pattern, str(exc)) from None
        return self._expression

    def _target(self, draft: Draft) -> tuple[re.Pattern[str], str]:
        if self.cased:
            return self.compile(), draft.text
        if draft.lower_aligned:
            return self.compile(), draft.lower
        # Lower-casing changed the length (a rare letter such as "İ"): positions would shift,
        # so this draft is matched case-blind as typed.
        if self._blind is None:
            self._blind = re.compile(_whole_words([self.pattern]), re.IGNORECASE)
        return self._blind, draft.text

    def finditer(self, draft: Draft, start: int, end: int) -> Iterator[re.Match[str]]:
        """The matches in draft[start:end], each starting a word; their positions are the
        draft's."""
        expression, text = self._target(draft)
        position = start
        while position <= end and (m := expression.search(text, position, end)):
            if m.start() == 0 or not _WORD.match(text, m.start() - 1):
                yield m
                # As re.finditer goes on: after the match, or one on after an empty one.
                position = m.end() if m.end() > m.start() else m.end() + 1
            else:
                # No match can start a word at m.start(), and none starts before it.
                position = m.start() + 1

    def search(self, draft: Draft, start: int, end: int) -> re.Match[str] | None:
        """The first match in draft[start:end] that starts a word."""
        return next(self.finditer(draft, start, end), None)


def compile_each(patterns: Iterable[str]) -> list[Phrase]:
    """Each of `patterns` as its own whole-word, case-blind Phrase (compiled when first used)."""
    return [Phrase(pattern) for pattern in patterns]


class Matches:
    """A detector: every match of any of its phrases, each over the whole reply."""

    def __init__(self, phrases: list[Phrase]) -> None:
        self.phrases = phrases

    def __call__(self, draft: Draft) -> Iterable[Hit]:
        """Where the phrases match in `draft`."""
        # Each pattern on its own over the whole reply: some six hundred searches of a long
        # reply take about 15 ms (bench/check_reply.py), well inside the time a person waits.
        whole = draft.whole
        return [Hit(m.start(), m.end()) for phrase in self.phrases
                for m in phrase.finditer(draft, whole.start, whole.end) if m.end() > m.start()]


def build(check: Mapping[str, Any]) -> Detector:
    """Any of the `patterns`."""
    return Matches(compile_each(check["patterns"]))


def build_words(check: Mapping[str, Any]) -> Detector:
    """Any of the `words` (read from the rule's `list` file), matched literally."""
    # Longest first (a longer word wins where two start together), then alphabetical.
    words = sorted({w.strip() for w in check["words"] if w.strip()}, key=lambda w: (-len(w), w))
    # One expression for the whole list.
    return Matches([Phrase("|".join(re.escape(w).replace(r"\ ", " ") for w in words))])
