"""`html`: tags and character entities; Amazon's messages carry plain text only
(Messaging API: "no HTML", messaging.md §4)."""

import re
from collections.abc import Iterable, Mapping
from typing import Any

from bot.compliance.checks import Detector, Hit
from bot.compliance.text import TAG, Draft

_MARKUP = re.compile(rf"{TAG}|&(?:[a-z]{{2,8}}|#\d{{1,6}}|#x[0-9a-f]{{1,6}});", re.IGNORECASE)


def build(check: Mapping[str, Any]) -> Detector:
    """Markup; a rewrite turns the `line_tags` (br, p, div...) into line breaks, drops the rest."""
    line_tags = frozenset(t.lower() for t in check.get("line_tags", ()))

    def detect(draft: Draft) -> Iterable[Hit]:
        hits = []
        for m in _MARKUP.finditer(draft.text):
            name = (m.group("name") or "").lower()
            # <br> and a closing </p> end a line; an opening <p> does not start another.
            breaks = name in line_tags and (name == "br" or bool(m.group("close")))
            hits.append(Hit(m.start(), m.end(), "\n" if breaks else ""))
        return hits

    return detect
