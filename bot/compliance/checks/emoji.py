"""`emoji`: pictographs, the styling Amazon's message filter rejects (messaging.md §2).

The ranges are Unicode's emoji blocks (Emoticons, Miscellaneous Symbols and Pictographs,
Transport, Supplemental Symbols, Symbols and Pictographs Extended-A, Dingbats, Miscellaneous
Symbols, regional-indicator flags, keycaps). Text symbols a reply may need (™ © ® € £ °, arrows)
are outside them, so "KitchenPro™, €24" passes.
"""

import re
from collections.abc import Iterable, Mapping
from typing import Any

from bot.compliance.checks import Detector, Hit
from bot.compliance.text import PICTOGRAPH, Draft

# Runs of pictographs and keycaps (a digit, # or * followed by its combining mark).
_EMOJI = re.compile(f"(?:{PICTOGRAPH}|[0-9#*]\u20e3)+")


def build(check: Mapping[str, Any]) -> Detector:
    """Runs of emoji."""

    def detect(draft: Draft) -> Iterable[Hit]:
        if draft.original.isascii():
            return []  # every emoji is outside ASCII
        # Folding dropped the joiners and variation selectors inside compound emoji; the
        # pictographs stay side by side and make one run, mapped back to the whole sequence.
        return [Hit(m.start(), m.end()) for m in _EMOJI.finditer(draft.text)]

    return detect
