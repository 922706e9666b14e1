"""How well "Check reply" finds what Amazon would punish, on replies it was and was not built on.

With no arguments it prints three things:

1. The development corpus (../shared/corpus/replies.jsonl, when it is there): the confusion
   table and each category's recall. Targets (issue 6): message recall >= 0.97, precision
   >= 0.95, every category >= 0.9.
2. Leave-one-set-out over the labelled sets the model trains on (rules/labelled/): each set
   checked by the rules and by a model retrained without it (sellerbot rules train's code).
   The rules were written from every one of these sets, so this measures the model's part
   honestly and the rules' part generously. Targets (issue 17): message recall >= 0.95,
   precision >= 0.95, every category >= 0.85.
3. The untouched sets (tests/fixtures/compliance/heldout-*.jsonl), which no rule, threshold or
   model choice has seen, by the shipped checker and by the rules alone: the figures to quote.

    python bench/compliance_quality.py                 # all three (about two minutes)
    python bench/compliance_quality.py FILE [FILE...]  # the confusion table of each file
    python bench/compliance_quality.py --misses FILE   # also every miss and false alarm
    python bench/compliance_quality.py --rules-only    # the rules without the model
    python bench/compliance_quality.py --developing    # 1 and 2 only: while changing rules or
                                                       # the model, keep 3 unseen
"""

import argparse
import json
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bot.compliance import CATEGORIES, Checker  # noqa: E402
from bot.compliance.loading import checker, load_rules, rule_files  # noqa: E402
from bot.compliance.model import Model  # noqa: E402
from bot.compliance.training import LEARNED, labelled_files, train  # noqa: E402

CORPUS = REPO.parent / "shared" / "corpus" / "replies.jsonl"
UNTOUCHED = sorted((REPO / "tests" / "fixtures" / "compliance").glob("heldout-*.jsonl"))


@dataclass
class Tally:
    """Messages flagged or not against their labels, and each category's catches."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0
    labelled: Counter[str] = field(default_factory=Counter)
    caught: Counter[str] = field(default_factory=Counter)
    raised: Counter[str] = field(default_factory=Counter)
    wrong: Counter[str] = field(default_factory=Counter)
    notes: list[tuple] = field(default_factory=list)

    def add(self, row: dict, found: set[str], findings: list) -> None:
        labels = set(row["labels"])
        flagged, bad = bool(found), bool(labels)
        self.tp += flagged and bad
        self.fp += flagged and not bad
        self.fn += bad and not flagged
        self.tn += not flagged and not bad
        for category in labels:
            self.labelled[category] += 1
            self.caught[category] += category in found
        for category in found:
            self.raised[category] += 1
            self.wrong[category] += category not in labels
        if labels != found:
            self.notes.append((row["id"], sorted(labels - found), sorted(found - labels),
                               row["text"], findings))

    def merge(self, other: "Tally") -> None:
        self.tp, self.fp, self.fn, self.tn = (self.tp + other.tp, self.fp + other.fp,
                                              self.fn + other.fn, self.tn + other.tn)
        for mine, theirs in ((self.labelled, other.labelled), (self.caught, other.caught),
                             (self.raised, other.raised), (self.wrong, other.wrong)):
            mine.update(theirs)

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    def category_recall(self, category: str) -> float | None:
        n = self.labelled[category]
        return self.caught[category] / n if n else None

    @property
    def lowest(self) -> float:
        return min((r for c in CATEGORIES if (r := self.category_recall(c)) is not None),
                   default=1.0)


def read(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip()]


def tally(check: Checker, rows: list[dict]) -> Tally:
    counts = Tally()
    for row in rows:
        result = check.check(row["text"], in_reply_to=row.get("in_reply_to"))
        counts.add(row, set(result.categories),
                   [(f.rule, f.excerpt) for f in result.findings])
    return counts


def table(name: str, counts: Tally, targets: tuple[float, float, float], show: bool) -> bool:
    """Print the confusion table of one set; whether it meets `targets`."""
    recall_target, precision_target, category_target = targets
    print(f"\n{name}: {counts.tp + counts.fp + counts.fn + counts.tn} replies")
    print("                 flagged  not flagged")
    print(f"  violating      {counts.tp:7d}  {counts.fn:11d}")
    print(f"  compliant      {counts.fp:7d}  {counts.tn:11d}")
    print(f"  message recall {counts.recall:.3f} (target {recall_target})   "
          f"precision {counts.precision:.3f} (target {precision_target})")
    print(f"\n  {'category':22s} {'labelled':>8s} {'caught':>7s} {'recall':>7s} "
          f"{'raised':>7s} {'precision':>9s}")
    for category in CATEGORIES:
        n, raised = counts.labelled[category], counts.raised[category]
        recall = counts.category_recall(category)
        precision = (raised - counts.wrong[category]) / raised if raised else 1.0
        print(f"  {category:22s} {n:8d} {counts.caught[category]:7d} "
              f"{'' if recall is None else f'{recall:.3f}':>7s} {raised:7d} {precision:9.3f}")
    print(f"  lowest category recall {counts.lowest:.3f} (target {category_target})")
    if show:
        for ident, missed, extra, text, findings in counts.notes:
            print(f"\n{ident} missed={missed} extra={extra}\n  {text!r}\n  {findings}")
    return (counts.recall >= recall_target and counts.precision >= precision_target
            and counts.lowest >= category_target)


def summary_line(name: str, counts: Tally) -> str:
    weak = "  ".join(f"{c} {r:.2f}" for c in LEARNED
                     if (r := counts.category_recall(c)) is not None)
    return (f"  {name:24s} {counts.tp + counts.fn:4d} violating  recall {counts.recall:.3f}  "
            f"precision {counts.precision:.3f}   {weak}")


def leave_one_set_out(rules_only: bool) -> bool:
    """Each labelled set checked by the rules and a model trained without it."""
    files = labelled_files()
    rules = load_rules(rule_files())
    print("\nLeave one set out: each set checked by the rules and a model trained on the others"
          + (" (rules only)" if rules_only else ""))
    overall = Tally()
    for left_out in files:
        model = None if rules_only else Model(train([f for f in files if f != left_out]))
        counts = tally(Checker(rules, model), read(left_out))
        overall.merge(counts)
        print(summary_line(left_out.stem, counts))
    return table("all sets, each left out in turn", overall, (0.95, 0.95, 0.85), False)


def untouched(rules_only: bool) -> None:
    """The sets nothing was tuned on: the shipped checker, and the rules alone beside it."""
    print("\nUntouched sets (tests/fixtures/compliance/NOTICE.md): the figures to quote")
    rules = Checker(load_rules(rule_files()))
    for path in UNTOUCHED:
        rows = read(path)
        print(summary_line(path.stem + ", rules only", tally(rules, rows)))
        if not rules_only:
            shipped = tally(checker(), rows)
            print(summary_line(path.stem + ", shipped", shipped))
            table(path.stem + ", shipped checker", shipped, (0.95, 0.95, 0.85), False)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--misses", action="store_true", help="list misses and false alarms")
    parser.add_argument("--rules-only", action="store_true", help="check without the model")
    parser.add_argument("--developing", action="store_true",
                        help="leave the untouched sets out (look at them only when done)")
    args = parser.parse_args()
    check = Checker(load_rules(rule_files())) if args.rules_only else checker()
    if args.files:
        passed = True
        for path in args.files:
            passed &= table(path.name, tally(check, read(path)), (0.97, 0.95, 0.9), args.misses)
        return 0 if passed else 1
    passed = True
    if CORPUS.is_file():
        passed &= table("development corpus " + CORPUS.name, tally(check, read(CORPUS)),
                        (0.97, 0.95, 0.9), args.misses)
    passed &= leave_one_set_out(args.rules_only)
    if not args.developing:
        untouched(args.rules_only)
    return 0 if passed else 1


if __name__ == "__main__":
    raise SystemExit(main())
