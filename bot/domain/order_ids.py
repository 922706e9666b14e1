"""Amazon order ids: three, seven and seven digits (e.g. 123-4567890-1234567)."""

import re
import unicodedata
from typing import NamedTuple

# Orders from other sales channels in the same reports carry a letter-led first group
# (e.g. S01-...); they are stored, though sellerbot's deadlines concern Amazon's own orders.
STORED_ORDER_ID = re.compile(r"[0-9A-Z]{3}-\d{7}-\d{7}")

_SEPARATORS = re.compile(r"[\s#\u2010-\u2015\u2212]+")


def _folded(text: str) -> str:
    # NFKC folds full-width digits (typed with a Japanese or Chinese input method) to ASCII.
    return unicodedata.normalize("NFKC", text).replace("\u2011", "-").strip()


def normalize_order_id(text: str) -> str | None:
    """Return the full order id typed in `text` (spaces, '#', odd dashes allowed), else None."""
    compact = _SEPARATORS.sub("", _folded(text)).replace("-", "")
    if len(compact) == 17 and compact.isdigit() and compact.isascii():
        return f"{compact[:3]}-{compact[3:10]}-{compact[10:]}"
    return None


# A part of an id must carry this many digits to be looked up: fewer would match half the store.
MIN_PART_DIGITS = 4
_PART = re.compile(r"[0-9]+(?:-[0-9]+)*")


class OrderReference(NamedTuple):
    """What a typed order reference is: "id" (a whole id), "part" (enough of one to look up,
    as stored: groups joined by "-"), "too-long" (digits no id can hold) or "not-an-id"."""

    kind: str
    value: str


def read_order_reference(text: str) -> OrderReference:
    """Read an order id, or part of one, in the one grammar every command and listener uses:
    the whole id's leniency (spaces, '#', odd dashes, full-width digits) for parts too."""
    whole = normalize_order_id(text)
    if whole is not None:
        return OrderReference("id", whole)
    folded = _folded(text).replace("#", "").strip()
    if STORED_ORDER_ID.fullmatch(folded.upper()):
        # Another channel's order from the same reports (S01-...): stored, so it can be asked.
        return OrderReference("id", folded.upper())
    part = "-".join(_SEPARATORS.split(folded)).strip("-")
    while "--" in part:
        part = part.replace("--", "-")
    if not part.isascii() or _PART.fullmatch(part) is None:
        return OrderReference("not-an-id", text.strip())
    groups = part.split("-")
    digits = sum(len(group) for group in groups)
    if digits > 17 or len(groups) > 3 or any(len(group) > 7 for group in groups):
        # Longer than any part of an id (3-7-7 digits): a typo, not an order to look for.
        return OrderReference("too-long", text.strip())
    if digits < MIN_PART_DIGITS:
        return OrderReference("not-an-id", text.strip())
    return OrderReference("part", part)
