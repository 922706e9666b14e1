"""`window`: a return window stated shorter than Amazon's (messaging.md §5 returns-policy:
"shorter windows"; the minimum is rules/returns.yaml's standard window).

Each pattern names the number `n` and may name its `unit` (day, week, month); "14 days",
"two weeks", "a fortnight" and "a week" all read as days and are compared with `min_days`.
"""

import re
from collections.abc import Iterable, Mapping
from typing import Any

from bot.compliance.checks import Detector, Hit
from bot.compliance.checks.phrases import Phrase
from bot.compliance.text import Draft

_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
          "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
          "eighteen", "nineteen", "twenty")
_NUMBERS = {word: value for value, word in enumerate(_WORDS)} | {
    "a": 1, "an": 1, "thirty": 30, "sixty": 60, "ninety": 90}
_UNIT_DAYS = {"day": 1, "week": 7, "fortnight": 14, "month": 30}


def _days(match: re.Match[str]) -> int | None:
    number = match.group("n").lower().replace("-", " ")
    if number.isdigit():
        value = int(number)
    elif number in _NUMBERS:
        value = _NUMBERS[number]
    else:
        tens, _, ones = number.partition(" ")  # "twenty one"
        if tens not in _NUMBERS or ones not in _NUMBERS:
            return None
        value = _NUMBERS[tens] + _NUMBERS[ones]
    unit = (match.groupdict().get("unit") or "day").lower().rstrip("s")
    return value * _UNIT_DAYS.get(unit, 1)


class Windows:
    """A detector: the windows its phrases state that are shorter than `minimum` days."""

    def __init__(self, phrases: list[Phrase], minimum: int) -> None:
        self.phrases, self.minimum = phrases, minimum

    def __call__(self, draft: Draft) -> Iterable[Hit]:
        """Where `draft` states a window shorter than the minimum."""
        hits = []
        for phrase in self.phrases:
            for m in phrase.finditer(draft, draft.whole.start, draft.whole.end):
                days = _days(m)
                if days is not None and days < self.minimum:
                    hits.append(Hit(m.start(), m.end()))
        return hits


def build(check: Mapping[str, Any]) -> Detector:
    """Windows stated in any of the `patterns` that are shorter than `min_days`."""
    return Windows([Phrase(p) for p in check["patterns"]], int(check["min_days"]))
