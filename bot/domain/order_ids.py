"""Amazon order ids: three, seven and seven digits (e.g. 123-4567890-1234567)."""

import re
import unicodedata

# Orders from other sales channels in the same reports carry a letter-led first group
# (e.g. S01-...); they are stored, though sellerbot's deadlines concern Amazon's own orders.
STORED_ORDER_ID = re.compile(r"[0-9A-Z]{3}-\d{7}-\d{7}")

_SEPARATORS = re.compile(r"[\s#\u2010-\u2015\u2212]+")


def normalize_order_id(text: str) -> str | None:
    """Return the full order id typed in `text` (spaces, '#', odd dashes allowed), else None."""
    # NFKC folds full-width digits (typed with a Japanese or Chinese input method) to ASCII.
    folded = unicodedata.normalize("NFKC", text)
    compact = _SEPARATORS.sub("", folded.replace("\u2011", "-").strip())
    compact = compact.replace("-", "")
    if len(compact) == 17 and compact.isdigit() and compact.isascii():
        return f"{compact[:3]}-{compact[3:10]}-{compact[10:]}"
    return None
