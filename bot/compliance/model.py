"""The learned second opinion: one linear model per kind of wording, over the draft's terms.

Phrase rules find the wording they were written for; a reply that refuses a return or nudges
for a review in words no rule has seen passes them. These models, trained on the labelled
replies in rules/labelled/ (bot/compliance/training.py), weigh every word, word pair and
character n-gram of the draft, and speak up for a category the rules found nothing of.

Scoring needs only this module: the weights are a small JSON file, and a score is a dot
product of the draft's TF-IDF vector (sublinear counts, L2-normalised) with a category's
weights, plus its intercept: what scikit-learn's LogisticRegression.decision_function computes.
"""

import base64
import gzip
import json
import math
import sys
from array import array
from collections import Counter
from dataclasses import dataclass
from operator import mul
from pathlib import Path
from typing import Any

from bot.compliance.features import sentence_terms, terms
from bot.compliance.text import Draft

# The weights sellerbot ships, written by `sellerbot rules train`.
SHIPPED = Path(__file__).with_name("model.json.gz")
FORMAT = 2
# Weights and IDF are whole thousandths (exact for what training keeps), stored as 32-bit
# little-endian integers in base64: read back by `array` in a tenth of the time JSON takes
# to parse as many decimal numbers, which a first start waits for.
SCALE = 1000
_PACKED = "i"
# Amazon sends order and shipping confirmations itself; a reply to the buyer's own message is
# never an unsolicited one (messaging.md §2), whatever its words.
UNSOLICITED_ONLY = frozenset({"order-confirmation"})
# How many of the terms that weighed most a finding shows.
EVIDENCE = 3


@dataclass(frozen=True)
class Opinion:
    """A category the model finds in a draft: how sure, where (the sentence that weighed
    most, as folded positions) and the words that weighed most."""

    category: str
    severity: str
    score: float
    start: int
    end: int
    evidence: tuple[str, ...]


@dataclass(frozen=True)
class Category:
    """One category's model: its weights by term index, intercept and decision threshold, and
    the severity and cross-validated precision training found for it."""

    name: str
    intercept: float
    threshold: float
    severity: str
    precision: float


class Model:
    """The per-category linear models over one vocabulary of terms."""

    def __init__(self, data: dict[str, Any]) -> None:
        if data.get("format") != FORMAT:
            raise ValueError(f"model format {data.get('format')!r}, expected {FORMAT}")
        terms_ = data["terms"]
        if any(len(c["weights"]) != len(terms_) for c in data["categories"].values()) or len(
                data["idf"]) != len(terms_):
            raise ValueError("the weights and the terms differ in number")
        self.data = data
        self.index = {term: i for i, term in enumerate(terms_)}
        self.idf: list[int] = data["idf"]
        self.categories = [
            Category(name, c["intercept"], c["threshold"], c["severity"], c["precision"])
            for name, c in data["categories"].items()]
        # columns[k][i]: term i's weight (in thousandths) in self.categories[k].
        self.columns: list[list[int]] = [c["weights"] for c in data["categories"].values()]

    def vector(self, counts: Counter[str]) -> dict[int, float]:
        """`counts` as the model's TF-IDF vector: known terms only, L2-normalised (which also
        cancels the IDF's scale)."""
        index, idf = self.index, self.idf
        raw = {}
        for term, n in counts.items():
            i = index.get(term)
            if i is not None:
                raw[i] = (1 + math.log(n)) * idf[i]
        norm = math.sqrt(sum(v * v for v in raw.values())) or 1.0
        return {i: v / norm for i, v in raw.items()}

    def scores(self, vector: dict[int, float]) -> list[float]:
        """Each category's decision score for `vector` (above its threshold: found)."""
        indices, values = list(vector), list(vector.values())
        # A dot product per category, its terms' weights picked by index: sum() and map() do
        # the loop, twice as fast as a Python loop over terms and categories.
        return [c.intercept + sum(map(mul, values, map(column.__getitem__, indices))) / SCALE
                for c, column in zip(self.categories, self.columns, strict=True)]

    def opinions(self, draft: Draft, skip: frozenset[str] = frozenset()) -> list[Opinion]:
        """The categories (other than `skip`) whose score reaches their threshold."""
        counts = terms(draft.original, draft.in_reply_to)
        if not any(term.startswith("w:") for term in counts):
            return []  # no words (blank, only emoji or marks): nothing for wording models
        vector = self.vector(counts)
        found = []
        by_sentence: list[list[float]] = []  # each sentence's scores, worked out once
        for k, (category, score) in enumerate(zip(self.categories, self.scores(vector),
                                                  strict=True)):
            if category.name in skip or score < category.threshold:
                continue
            if draft.in_reply_to and category.name in UNSOLICITED_ONLY:
                continue
            if not by_sentence:
                by_sentence = [self.scores(self.vector(sentence_terms(draft.text[s.start:s.end])))
                               for s in draft.sentences]
            start, end = self._sentence(draft, by_sentence, k)
            found.append(Opinion(category.name, category.severity, score, start, end,
                                 self._evidence(vector, k)))
        return found

    @staticmethod
    def _sentence(draft: Draft, by_sentence: list[list[float]], k: int) -> tuple[int, int]:
        """The sentence that scores highest in category k, as folded positions (the whole
        draft when it has no sentence)."""
        if not draft.sentences:
            return draft.whole.start, draft.whole.end
        best = max(range(len(by_sentence)), key=lambda n: by_sentence[n][k])
        return draft.sentences[best].start, draft.sentences[best].end

    def _evidence(self, vector: dict[int, float], k: int) -> tuple[str, ...]:
        """The words and word pairs that added most to category k's score (character
        n-grams weigh too, but mean nothing to a reader; nor do numbers, read as 0s)."""
        terms_ = self.data["terms"]
        column = self.columns[k]
        weighed = sorted(((column[i] * v, terms_[i]) for i, v in vector.items()
                          if terms_[i].startswith("w:") and "0" not in terms_[i]),
                         reverse=True)
        return tuple(term[2:] for gain, term in weighed[:EVIDENCE] if gain > 0)


def read(path: Path) -> dict[str, Any]:
    """The model data in `path` (gzip-compressed JSON), its numbers unpacked into lists."""
    # Read whole, then parsed: a third of the time of parsing from the decompressing stream.
    data = json.loads(gzip.decompress(path.read_bytes()))
    if isinstance(data, dict) and data.get("format") == FORMAT:
        data["idf"] = _unpacked(data["idf"])
        for category in data["categories"].values():
            category["weights"] = _unpacked(category["weights"])
    return data


def write(data: dict[str, Any], path: Path) -> None:
    """Write model data to `path`, byte for byte the same for the same data (no time stamp in
    the gzip header), so that a retrained model that matches shows no change."""
    data = {**data, "idf": _packed(data["idf"]), "categories": {
        name: {**category, "weights": _packed(category["weights"])}
        for name, category in data["categories"].items()}}
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    with path.open("wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0,
                                               filename="") as stream:
        stream.write(text.encode("utf-8"))


def _packed(numbers: list[int]) -> str:
    packed = array(_PACKED, numbers)
    if sys.byteorder == "big":
        packed.byteswap()
    return base64.b64encode(packed.tobytes()).decode("ascii")


def _unpacked(text: str) -> list[int]:
    packed = array(_PACKED)
    packed.frombytes(base64.b64decode(text, validate=True))
    if sys.byteorder == "big":
        packed.byteswap()
    return packed.tolist()
