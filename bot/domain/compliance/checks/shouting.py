"""`shouting`: sentences written mostly in capitals.

A sentence needs `min_letters` letters before it can shout, so labels and acronyms ("hold
MODE", "USB-C", "AAA batteries") never do; past that, `ratio` of its letters in capitals is
shouting.
"""

from collections.abc import Iterable, Mapping
from typing import Any

from bot.domain.compliance.checks import Detector, Hit
from bot.domain.compliance.text import Draft


def build(check: Mapping[str, Any]) -> Detector:
    """Sentences with at least `min_letters` letters, `ratio` of them capitals."""
    min_letters, ratio = int(check["min_letters"]), float(check["ratio"])

    def detect(draft: Draft) -> Iterable[Hit]:
        # Most replies hold too few capitals in all to shout anywhere: one count decides.
        if sum(map(str.isupper, draft.text)) < min_letters * ratio:
            return []
        hits = []
        for span in draft.sentences:
            sentence = draft.text[span.start:span.end]
            upper = sum(map(str.isupper, sentence))
            if upper < min_letters * ratio:
                continue
            letters = sum(map(str.isalpha, sentence))
            if letters >= min_letters and upper >= ratio * letters:
                hits.append(Hit(span.start, span.end))
        return hits

    return detect
