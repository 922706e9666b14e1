"""How well "Check reply" finds what Amazon would punish: recall and precision on labelled replies.

Prints the confusion table (messages flagged or not, against their labels) and, per category,
how many labelled messages the checker caught. Targets (issue 6): message-level recall >= 0.97,
precision >= 0.95, and recall >= 0.9 in every category.

    python bench/compliance_quality.py                      # the development corpus
    python bench/compliance_quality.py tests/fixtures/compliance/heldout.jsonl
    python bench/compliance_quality.py --misses              # also list every miss and false alarm

The development corpus is ../shared/corpus/replies.jsonl; the held-out set in tests/fixtures was
written from the policy alone, without looking at the corpus or the rules, to measure replies the
rules were not tuned on.
"""

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bot.compliance import CATEGORIES  # noqa: E402
from bot.compliance.loading import checker  # noqa: E402

CORPUS = REPO.parent / "shared" / "corpus" / "replies.jsonl"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path, default=[CORPUS])
    parser.add_argument("--misses", action="store_true", help="list misses and false alarms")
    args = parser.parse_args()
    passed = True
    for path in args.files:
        passed &= _measure(path, args.misses)
    return 0 if passed else 1


def _measure(path: Path, show: bool) -> bool:
    check = checker()
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip()]
    tp = fp = fn = tn = 0
    labelled: Counter[str] = Counter()
    caught: Counter[str] = Counter()
    raised: Counter[str] = Counter()
    wrong: Counter[str] = Counter()
    notes = []
    for row in rows:
        result = check.check(row["text"], in_reply_to=row.get("in_reply_to"))
        found, labels = set(result.categories), set(row["labels"])
        flagged, bad = bool(result.findings), bool(labels)
        tp += flagged and bad
        fp += flagged and not bad
        fn += bad and not flagged
        tn += not flagged and not bad
        for category in labels:
            labelled[category] += 1
            caught[category] += category in found
        for category in found:
            raised[category] += 1
            wrong[category] += category not in labels
        missed, extra = labels - found, found - labels
        if missed or extra:
            notes.append((row["id"], sorted(missed), sorted(extra), row["text"],
                          [(f.rule, f.excerpt) for f in result.findings]))

    recall = tp / (tp + fn) if tp + fn else 1.0
    precision = tp / (tp + fp) if tp + fp else 1.0
    print(f"\n{path.name}: {len(rows)} replies")
    print("                 flagged  not flagged")
    print(f"  violating      {tp:7d}  {fn:11d}")
    print(f"  compliant      {fp:7d}  {tn:11d}")
    print(f"  message recall {recall:.3f} (target 0.97)   precision {precision:.3f} (target 0.95)")
    print(f"\n  {'category':22s} {'labelled':>8s} {'caught':>7s} {'recall':>7s} "
          f"{'raised':>7s} {'precision':>9s}")
    worst = 1.0
    for category in CATEGORIES:
        n = labelled[category]
        r = caught[category] / n if n else 1.0
        p = (raised[category] - wrong[category]) / raised[category] if raised[category] else 1.0
        worst = min(worst, r)
        print(f"  {category:22s} {n:8d} {caught[category]:7d} {r:7.3f} {raised[category]:7d} "
              f"{p:9.3f}")
    print(f"  lowest category recall {worst:.3f} (target 0.9)")
    if show:
        for ident, missed, extra, text, findings in notes:
            print(f"\n{ident} missed={missed} extra={extra}\n  {text!r}\n  {findings}")
    return recall >= 0.97 and precision >= 0.95 and worst >= 0.9


if __name__ == "__main__":
    raise SystemExit(main())
