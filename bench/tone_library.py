"""Would a sentiment library find rude replies the rules miss? VADER, measured.

Issue 6 asks for a well-kept tone library only if it measurably helps. This scores every
labelled reply with vaderSentiment's compound score and counts, for a few thresholds, the
discourteous replies it flags, the other replies it flags too, and the discourteous replies it
would add to what the rules (rules/compliance/) already find. sellerbot does not depend on it:

    pip install vaderSentiment && python bench/tone_library.py
"""

import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bot.compliance.loading import checker  # noqa: E402

SETS = [REPO.parent / "shared" / "corpus" / "replies.jsonl",
        REPO / "rules" / "labelled" / "second-dev.jsonl"]


def main() -> None:
    try:
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer
    except ImportError:
        print("vaderSentiment is not installed: pip install vaderSentiment")
        return
    vader, check = SentimentIntensityAnalyzer(), checker().check
    for path in SETS:
        rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
        rude = sum("discourteous" in r["labels"] for r in rows)
        scored = [(vader.polarity_scores(r["text"])["compound"], r,
                   "discourteous" in check(r["text"]).categories) for r in rows]
        for threshold in (-0.3, -0.5, -0.7):
            flagged = [(r, ours) for score, r, ours in scored if score <= threshold]
            hits = sum("discourteous" in r["labels"] for r, _ in flagged)
            added = sum("discourteous" in r["labels"] and not ours for r, ours in flagged)
            clean = sum(not r["labels"] for r, _ in flagged)
            print(f"{path.name}: compound <= {threshold}: flags {hits}/{rude} discourteous, "
                  f"{len(flagged) - hits} others ({clean} compliant); "
                  f"adds {added} the rules miss")


if __name__ == "__main__":
    main()
