"""`line-breaks`: more line breaks in a row than Amazon's styling rules allow (messaging.md
§2: "three or more line breaks in a row")."""

import re
from collections.abc import Iterable, Mapping
from typing import Any

from bot.compliance.checks import Detector, Hit
from bot.compliance.text import Draft


def build(check: Mapping[str, Any]) -> Detector:
    """Runs of more than `max` line breaks (blank lines with spaces on them count too)."""
    allowed = int(check["max"])
    # Starting at a line break (a literal) lets the engine jump from one to the next.
    run = re.compile(rf"\n(?:[ \t\f\v\r]*\n){{{allowed},}}")

    def detect(draft: Draft) -> Iterable[Hit]:
        if draft.text.count("\n") <= allowed:
            return []
        return [Hit(m.start(), m.end(), "\n" * allowed) for m in run.finditer(draft.text)]

    return detect
