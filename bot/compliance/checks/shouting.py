"""`shouting`: sentences written mostly in capitals.

A sentence needs `min_letters` letters before it can shout, so labels and acronyms ("hold
MODE", "USB-C", "AAA batteries") never do; past that, `ratio` of its letters in capitals is
shouting.
"""

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from bot.compliance.checks import Detector, Hit
from bot.compliance.text import Draft

# For ASCII text, capitals and letters are counted by bytes.translate and bytes.count, in C:
# five times faster than a call per character on a 2,000-character reply.
_CAPITALS = bytes(1 if 65 <= b <= 90 else 0 for b in range(256))
_LETTERS = bytes(1 if 65 <= b <= 90 or 97 <= b <= 122 else 0 for b in range(256))


def _count(text: str, table: bytes, test: Callable[[str], bool]) -> int:
    if text.isascii():
        return text.encode("ascii").translate(table).count(1)
    return sum(map(test, text))


def build(check: Mapping[str, Any]) -> Detector:
    """Sentences with at least `min_letters` letters, `ratio` of them capitals."""
    min_letters, ratio = int(check["min_letters"]), float(check["ratio"])

    def detect(draft: Draft) -> Iterable[Hit]:
        # Most replies hold too few capitals in all to shout anywhere: one count decides.
        if _count(draft.text, _CAPITALS, str.isupper) < min_letters * ratio:
            return []
        hits = []
        for span in draft.sentences:
            sentence = draft.text[span.start:span.end]
            upper = _count(sentence, _CAPITALS, str.isupper)
            if upper < min_letters * ratio:
                continue
            letters = _count(sentence, _LETTERS, str.isalpha)
            if letters >= min_letters and upper >= ratio * letters:
                hits.append(Hit(span.start, span.end))
        return hits

    return detect
