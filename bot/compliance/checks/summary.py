"""`only`: a message made of nothing but stock lines — thanks, "hope you enjoy it", "contact
us if there is a problem" — which Amazon counts as an unneeded message (messaging.md §2:
"messages that only thank or only say contact us if there's a problem").

Every sentence must be one of the `parts` (after an optional greeting); sentences that are
all `ignore` (greetings, sign-offs, names) do not count either way.
"""

import re
from collections.abc import Iterable, Mapping
from typing import Any

from bot.compliance.checks import Detector, Hit
from bot.compliance.checks.phrases import spaced
from bot.compliance.text import Draft

_EDGES = " \t\r\n.,;:!?-'\"()"


def _alternatives(patterns: Iterable[str]) -> str:
    return "|".join(f"(?:{spaced(p)})" for p in patterns)


def build(check: Mapping[str, Any]) -> Detector:
    """The whole message when every sentence is one of the `parts` (or `ignore`d)."""
    ignore = _alternatives(check["ignore"])
    skip = re.compile(rf"(?:{ignore})", re.IGNORECASE)
    part = re.compile(rf"(?:(?:{ignore})[\s,.!-]+)?(?:{_alternatives(check['parts'])})",
                      re.IGNORECASE)

    def detect(draft: Draft) -> Iterable[Hit]:
        counted = []
        for span in draft.sentences:
            body = draft.text[span.start:span.end].strip(_EDGES)
            # A line of only emoji or symbols says nothing either way (styling flags it).
            if not any(c.isalnum() for c in body) or skip.fullmatch(body):
                continue
            if not part.fullmatch(body):
                return []
            counted.append(span)
        if not counted:
            return []
        return [Hit(counted[0].start, counted[-1].end)]

    return detect
