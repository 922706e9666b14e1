"""Training the learned second opinion (`sellerbot rules train`) from labelled replies.

One logistic regression per kind of wording, on the TF-IDF of the draft's terms
(bot/compliance/features.py). Each category's threshold comes from cross-validation: the
lowest score at which the replies scoring that high, each scored by a model that never saw it,
are still right as often as TARGET_PRECISION asks. A category warns, and blocks only where that
cross-validated precision reaches BLOCK_PRECISION.

Deterministic: files in name order, terms sorted, fixed folds and seeds, so the same data
gives the same weights (tests/test_compliance_model.py retrains and compares with the shipped
file). scikit-learn is needed here only: `pip install 'sellerbot[train]'`.
"""

import hashlib
import json
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.compliance.features import CHARS, terms
from bot.compliance.model import FORMAT, SCALE
from bot.compliance.rules import CATEGORIES
from bot.errors import BadInput, ConfigError
from bot.paths import rules_dir

# The kinds of wording: the other categories (links, e-mail addresses, phone numbers,
# styling) are found by deterministic detectors, almost always.
LEARNED = ("marketing", "off-amazon", "review-manipulation", "order-confirmation",
           "discourteous", "returns-policy", "personal-data")
MIN_DOCUMENTS = 3  # a term in fewer replies is noise, and would only grow the file
STRENGTH = 4.0  # LogisticRegression's C: less regularisation than its default of 1
FOLDS = 5
SEED = 0
# How right a category's flags must be, in cross-validation, where its threshold is set. Chosen
# by leave-one-set-out runs over rules/labelled/ (bench/compliance_quality.py), never by the
# untouched sets: marketing is seldom mistaken for anything, so more of it can be found;
# wording about reviews and other channels is close to compliant replies that mention reviews
# or WhatsApp, so those flag only when surer.
TARGET_PRECISION = {"marketing": 0.85, "off-amazon": 0.95, "review-manipulation": 0.95,
                    "order-confirmation": 0.9, "discourteous": 0.9, "returns-policy": 0.9,
                    "personal-data": 0.9}
BLOCK_PRECISION = 0.98
# Weights and IDF are kept as whole thousandths (model.SCALE): the file stays under 1 MB and
# loads fast, and a score moves by less than a thousandth.
DECIMALS = 3


@dataclass(frozen=True)
class Labelled:
    """One labelled reply: the draft, the buyer's message it answers, its categories."""

    text: str
    in_reply_to: str | None
    labels: frozenset[str]


def labelled_files(extra: Path | None = None) -> list[Path]:
    """The labelled replies to train on: rules/labelled/*.jsonl and the seller's own
    EXTRA_RULES/*.jsonl, in name order."""
    files = sorted((rules_dir() / "labelled").glob("*.jsonl"))
    if extra is not None:
        files += sorted(extra.glob("*.jsonl"))
    return files


def read_labelled(path: Path) -> list[Labelled]:
    """The replies of a labelled JSON Lines file; BadInput naming the line of a bad one."""
    rows = []
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or "not UTF-8 text"
        raise ConfigError("rules_invalid", path=str(path), key="", problem="unreadable",
                          params={"reason": reason}) from None
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            text, reply, labels = item["text"], item.get("in_reply_to"), item["labels"]
            if not (isinstance(text, str) and text.strip() and isinstance(labels, list)
                    and (reply is None or isinstance(reply, str))):
                raise ValueError
        except (ValueError, KeyError, TypeError):
            raise BadInput("labelled_bad_line", path=str(path), line=number) from None
        unknown = [label for label in labels if label not in CATEGORIES]
        if unknown:
            raise BadInput("labelled_bad_label", path=str(path), line=number, label=unknown[0])
        rows.append(Labelled(text, reply or None, frozenset(labels)))
    return rows


def train(files: Sequence[Path]) -> dict[str, Any]:
    """The model data learned from the labelled `files`, ready for model.write."""
    try:
        import numpy as np
        from scipy.sparse import csr_matrix
        from sklearn.linear_model import LogisticRegression
        from sklearn.model_selection import StratifiedKFold
    except ImportError:
        raise BadInput("train_needs_sklearn") from None

    files = sorted(files, key=lambda p: (p.name, str(p)))
    rows = [row for path in files for row in read_labelled(path)]
    counted = [terms(row.text, row.in_reply_to) for row in rows]
    vocabulary, idf = _vocabulary(counted)
    index = {term: i for i, term in enumerate(vocabulary)}
    matrix = csr_matrix(_tf_idf(counted, index, idf), shape=(len(rows), len(vocabulary)))

    def fitted(x: Any, y: Any) -> Any:
        # liblinear: the same weights on every machine for the same data and seed.
        model = LogisticRegression(C=STRENGTH, class_weight="balanced", solver="liblinear",
                                   random_state=SEED)
        return model.fit(x, y)

    categories = {}
    for category in LEARNED:
        y = np.array([category in row.labels for row in rows])
        unseen = np.zeros(len(rows))
        for train_rows, test_rows in StratifiedKFold(FOLDS, shuffle=True,
                                                     random_state=SEED).split(matrix, y):
            unseen[test_rows] = fitted(matrix[train_rows], y[train_rows]).decision_function(
                matrix[test_rows])
        threshold, precision, recall = _threshold(unseen.tolist(), y.tolist(),
                                                  TARGET_PRECISION[category])
        model = fitted(matrix, y)
        categories[category] = {
            "intercept": round(float(model.intercept_[0]), DECIMALS),
            "weights": [round(float(w) * SCALE) for w in model.coef_[0]],
            "threshold": round(threshold, DECIMALS),
            "severity": "block" if precision >= BLOCK_PRECISION else "warn",
            "precision": round(precision, 4), "recall": round(recall, 4),
            "labelled": int(y.sum()),
        }
    return {
        "format": FORMAT,
        "trained_on": [{"file": path.name, "sha256": hashlib.sha256(path.read_bytes()).hexdigest()}
                       for path in files],
        "settings": {"min_documents": MIN_DOCUMENTS, "C": STRENGTH, "folds": FOLDS,
                     "seed": SEED, "target_precision": TARGET_PRECISION, "chars": list(CHARS)},
        "terms": vocabulary,
        "idf": idf,
        "categories": categories,
    }


def _vocabulary(counted: Sequence[Counter[str]]) -> tuple[list[str], list[int]]:
    """The terms in at least MIN_DOCUMENTS replies, sorted, and their smoothed IDF (as
    scikit-learn's TfidfVectorizer computes it)."""
    documents: Counter[str] = Counter()
    for counts in counted:
        documents.update(counts.keys())
    vocabulary = sorted(t for t, n in documents.items() if n >= MIN_DOCUMENTS)
    total = len(counted)
    # In thousandths, as the file keeps them, so that training weighs terms exactly as
    # checking will (a row is L2-normalised: the scale of the IDF cancels out).
    return vocabulary, [round((math.log((1 + total) / (1 + documents[t])) + 1) * SCALE)
                        for t in vocabulary]


def _tf_idf(counted: Iterable[Counter[str]], index: dict[str, int],
            idf: Sequence[int]) -> tuple[list[float], list[int], list[int]]:
    """The rows' TF-IDF vectors in CSR form (values, columns, row starts), each row as
    Model.vector computes it."""
    values: list[float] = []
    columns: list[int] = []
    starts = [0]
    for counts in counted:
        row = sorted((index[t], (1 + math.log(n)) * idf[index[t]])
                     for t, n in counts.items() if t in index)
        norm = math.sqrt(sum(v * v for _, v in row)) or 1.0
        columns.extend(i for i, _ in row)
        values.extend(v / norm for _, v in row)
        starts.append(len(columns))
    return values, columns, starts


def _threshold(scores: list[float], truth: list[bool],
               target: float) -> tuple[float, float, float]:
    """The lowest score at which the replies scoring at least that are right at least
    `target` of the time, and the precision and recall there; above every score when none is."""
    ranked = sorted(zip(scores, truth, strict=True), key=lambda pair: -pair[0])
    positives = sum(truth) or 1
    best = (max(scores) + 1.0, 1.0, 0.0)
    right = 0
    for seen, (score, good) in enumerate(ranked, start=1):
        right += good
        # A tie is one cut: the threshold takes all of them or none.
        if seen < len(ranked) and ranked[seen][0] == score:
            continue
        if right / seen >= target:
            best = (score, right / seen, right / positives)
    return best
