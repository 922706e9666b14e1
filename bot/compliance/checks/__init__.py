"""The check types a rule file may name, in one registry (rules/README.md documents each).

A check type is code; a rule is data that configures one. Each builder takes the rule's
`check` mapping (already validated by bot/compliance/rules.py) and returns a function
from a Draft to the stretches of it that the rule is about.
"""

from collections.abc import Callable, Iterable, Mapping
from typing import Any, NamedTuple

from bot.compliance.text import Draft


class Hit(NamedTuple):
    """A stretch of the folded draft a check points at, and what a rewrite puts in its place."""

    start: int
    end: int
    replacement: str = ""


Detector = Callable[[Draft], Iterable[Hit]]
Builder = Callable[[Mapping[str, Any]], Detector]


def registry() -> dict[str, tuple[Builder, frozenset[str]]]:
    """Every check type: its builder and the keys its `check` mapping may carry."""
    from bot.compliance.checks import (
        emails,
        emoji,
        html,
        length,
        line_breaks,
        links,
        phones,
        phrases,
        shouting,
        summary,
        window,
    )

    return {
        "phrases": (phrases.build, frozenset({"patterns"})),
        "words": (phrases.build_words, frozenset({"list", "words"})),
        "links": (links.build, frozenset({"allow_domains", "allow_pages", "file_suffixes",
                                          "spoken_suffixes"})),
        "emails": (emails.build, frozenset({"not_local", "spoken_suffixes"})),
        "phones": (phones.build, frozenset({"not_after", "regions"})),
        "emoji": (emoji.build, frozenset()),
        "html": (html.build, frozenset({"line_tags"})),
        "line-breaks": (line_breaks.build, frozenset({"max"})),
        "shouting": (shouting.build, frozenset({"min_letters", "ratio"})),
        "only": (summary.build, frozenset({"parts", "ignore"})),
        "window": (window.build, frozenset({"patterns", "min_days"})),
        "length": (length.build, frozenset({"max"})),
    }
