"""The learned second opinion: one linear model per kind of wording, over the draft's terms.

Phrase rules find the wording they were written for; a reply that refuses a return or nudges
for a review in words no rule has seen passes them. These models, trained on the labelled
replies in rules/labelled/ (bot/compliance/training.py), weigh every word, word pair and
character n-gram of the draft, and speak up for a category the rules found nothing of.

Scoring needs only this module: the weights are a small JSON file, and a score is a dot
product of the draft's TF-IDF vector (sublinear counts, L2-normalised) with a category's
weights, plus its intercept: what scikit-learn's LogisticRegression.decision_function computes.
"""

import gzip
import json
import math
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.compliance.features import sentence_terms, terms
from bot.compliance.text import Draft

# The weights sellerbot ships, written by `sellerbot rules train`.
SHIPPED = Path(__file__).with_name("model.json.gz")
FORMAT = 1
# Weights and IDF are stored as whole thousandths: exact for what training keeps, and integers
# read back faster than decimals.
SCALE = 1000
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
        self.data = data
        self.index = {term: i for i, term in enumerate(data["terms"])}
        self.idf: list[int] = data["idf"]
        self.categories = [
            Category(name, c["intercept"], c["threshold"], c["severity"], c["precision"])
            for name, c in data["categories"].items()]
        # weights[i]: term i's weight in each category (in thousandths), in the order of
        # self.categories: one tuple per term, so that a draft's terms are read in one pass.
        self.weights: list[tuple[int, ...]] = list(
            zip(*(c["weights"] for c in data["categories"].values()), strict=True))

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
        totals = [0.0] * len(self.categories)
        for i, value in vector.items():
            for k, weight in enumerate(self.weights[i]):
                totals[k] += weight * value
        return [c.intercept + total / SCALE for c, total in zip(self.categories, totals,
                                                                   strict=True)]

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
        weighed = sorted(((self.weights[i][k] * v, terms_[i]) for i, v in vector.items()
                          if terms_[i].startswith("w:") and "0" not in terms_[i]),
                         reverse=True)
        return tuple(term[2:] for gain, term in weighed[:EVIDENCE] if gain > 0)


def read(path: Path) -> dict[str, Any]:
    """The model data in `path` (gzip-compressed JSON)."""
    # Read whole, then parsed: a third of the time of parsing from the decompressing stream.
    return json.loads(gzip.decompress(path.read_bytes()))


def write(data: dict[str, Any], path: Path) -> None:
    """Write model data to `path`, byte for byte the same for the same data (no time stamp in
    the gzip header), so that a retrained model that matches shows no change."""
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    with path.open("wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0,
                                               filename="") as stream:
        stream.write(text.encode("utf-8"))
