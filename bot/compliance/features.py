"""What the learned model reads in a draft: its words, word pairs and character n-grams, and
whether it answers a buyer's message (and that message's words).

The same function serves training (bot/compliance/training.py) and checking
(bot/compliance/model.py), so a term means the same in both.
"""

import re
from collections import Counter
from itertools import pairwise

from bot.compliance.text import Draft

WORDS = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_DIGIT = re.compile(r"\d")
# Character n-grams from 2 to 5 characters: they see "refund" in "refundable" and
# "non-refundable", and survive typos and run-together words that word features miss.
CHARS = (2, 5)
# Terms of the buyer's message and of the draft's context, apart from the draft's own.
REPLY_TERM = "ctx:reply"
UNSOLICITED_TERM = "ctx:unsolicited"


def normalised(text: str) -> str:
    """`text` folded as the rules read it (look-alike letters, invisible characters), in lower
    case, every digit a 0 (one order id or phone number reads like another), spaces collapsed."""
    return " ".join(_DIGIT.sub("0", Draft(text).text.lower()).split())


def terms(text: str, in_reply_to: str | None = None) -> Counter[str]:
    """The terms of a draft and how often each occurs: "w:" words and word pairs, "c:"
    character n-grams, and the context (whether it answers a buyer, "q:" that buyer's words)."""
    counts = _text_terms(normalised(text))
    if in_reply_to and in_reply_to.strip():
        counts[REPLY_TERM] += 1
        counts.update({"q:" + word for word in set(WORDS.findall(normalised(in_reply_to)))})
    else:
        counts[UNSOLICITED_TERM] += 1
    return counts


def sentence_terms(sentence: str) -> Counter[str]:
    """The terms of one sentence on its own, without context: what points at the sentence
    that weighed most."""
    return _text_terms(normalised(sentence))


def _text_terms(text: str) -> Counter[str]:
    counts: Counter[str] = Counter()
    words = WORDS.findall(text)
    counts.update("w:" + word for word in words)
    counts.update(f"w:{a} {b}" for a, b in pairwise(words))
    low, high = CHARS
    for size in range(low, high + 1):
        counts.update("c:" + text[i:i + size] for i in range(len(text) - size + 1))
    return counts
