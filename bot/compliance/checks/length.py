"""`length`: a reply longer than a message may be (Messaging API text fields: 1 to 2,000
characters for most message types, messaging.md §4)."""

from collections.abc import Iterable, Mapping
from typing import Any

from bot.compliance.checks import Detector, Hit
from bot.compliance.text import Draft


def build(check: Mapping[str, Any]) -> Detector:
    """The part of the reply past `max` characters, counted as the user typed them."""
    limit = int(check["max"])

    def detect(draft: Draft) -> Iterable[Hit]:
        if len(draft.original) <= limit:
            return []
        start = draft.folded_at(limit)
        if start >= len(draft.text):
            # Only invisible characters (zero-width spaces, soft hyphens) are past the limit:
            # they count to Amazon; point at the last visible one so the finding shows something.
            start = max(len(draft.text) - 1, 0)
        return [Hit(start, len(draft.text))]

    return detect
