"""`length`: a reply longer than a message may be (Messaging API text fields: 1 to 2,000
characters for most message types, messaging.md §4)."""

from collections.abc import Iterable, Mapping
from typing import Any

from bot.domain.compliance.checks import Detector, Hit
from bot.domain.compliance.text import Draft


def build(check: Mapping[str, Any]) -> Detector:
    """The part of the reply past `max` characters, counted as the user typed them."""
    limit = int(check["max"])

    def detect(draft: Draft) -> Iterable[Hit]:
        if len(draft.original) <= limit:
            return []
        return [Hit(draft.folded_at(limit), len(draft.text))]

    return detect
