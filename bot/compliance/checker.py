"""Checking a draft reply: every rule over it, then the learned model for the kinds of wording
the rules found nothing of; one verdict, the findings, and a rewrite."""

from collections.abc import Iterable
from dataclasses import dataclass, replace

from bot.compliance.checks import Hit
from bot.compliance.language import reads_english
from bot.compliance.model import Model
from bot.compliance.rewrite import Removal, rewrite
from bot.compliance.rules import Rule, in_order
from bot.compliance.text import Draft

# An excerpt is for reading, not for copying the reply back: past this it is cut with "…".
EXCERPT_CHARS = 120
# The `rule` of the learned model's findings; their words are templates/text/learned.txt.j2's.
LEARNED = "learned"


@dataclass(frozen=True)
class Finding:
    """One problem: which rule, where in the reply (character offsets as typed), and why."""

    rule: str
    category: str
    severity: str
    start: int
    end: int
    excerpt: str
    # The rule's own words; empty for a learned finding, worded by its category's template.
    title: str
    why: str
    fix: str
    # Other rules that flagged overlapping words for the same kind of problem (Result.listed).
    also: tuple[str, ...] = ()
    # A learned finding's words and word pairs that weighed most (empty for a rule's).
    evidence: tuple[str, ...] = ()


@dataclass(frozen=True)
class Result:
    """The verdict on one draft: `block` (must not be sent as is), `warn` or `ok`."""

    verdict: str
    findings: tuple[Finding, ...]
    # The reply with what could be taken out taken out, or None when nothing could be;
    # "" when nothing would be left.
    suggestion: str | None
    removed: tuple[Removal, ...]
    # Amazon's window for its own "Request a Review", in days after delivery (first, last):
    # the advice to a draft that asks for reviews in its own words gives it. From
    # rules/reviews.yaml; None when the checker was not told.
    review_window_days: tuple[int, int] | None = None
    # What the rules that judge a message whole find in the suggestion itself (where in it):
    # taking sentences out can leave thanks alone ("Thanks for your order!" is then all).
    in_suggestion: tuple[Finding, ...] = ()
    # False when the reply is mostly in another language: the rules that read wording read
    # English only, so it was checked for links, addresses, numbers and styling alone, and is
    # at best a warning (bot/compliance/language.py).
    english: bool = True

    @property
    def categories(self) -> tuple[str, ...]:
        """The categories found, each once, in the order they first occur."""
        return tuple(dict.fromkeys(f.category for f in self.findings))

    @property
    def rules(self) -> tuple[str, ...]:
        """The rules that found something, each once."""
        return tuple(dict.fromkeys(f.rule for f in self.findings))

    @property
    def listed(self) -> tuple[Finding, ...]:
        """The findings as a person reads them: rules that flag overlapping words for the same
        kind of problem ("email me at help@..." as contact-steer, email-steer and
        other-channel) are one finding, the first, naming the others in `also`."""
        listed: list[Finding] = []
        for finding in self.findings:  # in order of where they start
            same = next((i for i, f in enumerate(listed) if f.category == finding.category
                         and finding.start < f.end and f.start < finding.end), None)
            if same is None:
                listed.append(finding)
                continue
            first = listed[same]
            if finding.rule not in (first.rule, *first.also):
                listed[same] = replace(
                    first, also=(*first.also, finding.rule),
                    severity="block" if "block" in (first.severity, finding.severity) else "warn")
        return tuple(listed)

    @property
    def to_fix_by_hand(self) -> tuple[Finding, ...]:
        """Findings the suggestion leaves in place, then those it makes (found in it by rules
        that left nothing in place): the person must rewrite those words."""
        left = tuple(f for f in self.findings if not any(
            r.start <= f.start and f.end <= r.end for r in self.removed))
        rules_left = {f.rule for f in left}
        return left + tuple(f for f in self.in_suggestion if f.rule not in rules_left)


def _excerpt(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= EXCERPT_CHARS else text[: EXCERPT_CHARS - 1] + "…"


class Checker:
    """A compiled set of rules and the learned model, shared by every check in the process."""

    def __init__(self, rules: Iterable[Rule], model: Model | None = None, *,
                 review_window_days: tuple[int, int] | None = None) -> None:
        self.rules = in_order(rules)
        # The rules that judge a message whole (`only`): what the rest find in a suggestion they
        # found in the draft, which holds all its words; these can find what is left alone.
        self._whole = [rule for rule in self.rules if rule.check_type == "only"]
        # The rules that read words (links, addresses, numbers, phrases): what styling can
        # hide from them is looked for again with the styling taken out (_hidden).
        self._worded = [rule for rule in self.rules
                        if rule.check_type not in ("only", "html", "emoji")]
        self.model = model
        self.review_window_days = review_window_days

    def warm(self) -> "Checker":
        """Compile every rule and load the suffix list and phone-number metadata now, not in
        the first person's check (a server calls this at start-up)."""
        for rule in self.rules:
            rule.compile()
        self.check("Warm-up: shop.example.com, +1 555 010 0100.")
        return self

    def check(self, text: str, *, in_reply_to: str | None = None,
              region: str = "US") -> Result:
        """Check `text`, the reply to `in_reply_to` (the buyer's message, when known), with
        phone numbers read as in `region` (the marketplace's country)."""
        draft = Draft(text, in_reply_to or None, region)
        located = self._located(draft)
        located += self._hidden(draft, located)
        findings = _findings(draft, text, located)
        if self.model is not None:
            findings.extend(self._learned(draft, text, {rule.category for rule, _ in located}))
        findings.sort(key=lambda f: (f.start, f.end, f.rule))
        severities = {f.severity for f in findings}
        english = reads_english(text)
        verdict = ("block" if "block" in severities
                   else "warn" if severities or not english else "ok")
        suggestion, removed = rewrite(draft, located) if located else (None, ())
        in_suggestion: list[Finding] = []
        if suggestion:
            again = Draft(suggestion, in_reply_to or None, region)
            in_suggestion = _findings(again, suggestion, self._located(again, self._whole))
        return Result(verdict, tuple(findings), suggestion, removed, self.review_window_days,
                      tuple(in_suggestion), english)

    def _located(self, draft: Draft, rules: list[Rule] | None = None
                 ) -> list[tuple[Rule, Hit]]:
        """Each reported rule's hits in `draft`, rule by rule in order (of `rules`, or all)."""
        found: dict[str, list[Hit]] = {}
        located: list[tuple[Rule, Hit]] = []
        for rule in self.rules if rules is None else rules:
            hits = _merged(rule.hits(draft, found))
            found[rule.id] = hits
            if rule.reported:
                located.extend((rule, hit) for hit in hits)
        return located

    def _hidden(self, draft: Draft, located: list[tuple[Rule, Hit]]) -> list[tuple[Rule, Hit]]:
        """What styling hid from the rules: an address, a number or a link split by a tag or
        a pictograph, or wrapped in Slack's emphasis ("help@<b>shop</b>.com", "415🙂555🙂0199"),
        found in the draft with its styling taken out and placed over the whole stretch,
        styling and all, so that the rewrite takes it out whole."""
        bare = draft.destyled()
        if bare is None:
            return []
        seen = [(rule.id, *draft.where(hit.start, hit.end)) for rule, hit in located]
        hidden = []
        for rule, hit in self._located(bare, self._worded):
            start, end = bare.where(hit.start, hit.end)
            if not any(rule.id == id_ and start < last and first < end
                       for id_, first, last in seen):
                hidden.append((rule, Hit(draft.folded_at(start), draft.folded_at(end),
                                         hit.replacement)))
        return hidden

    def _learned(self, draft: Draft, text: str, found: set[str]) -> list[Finding]:
        """The model's findings, for the categories the rules found nothing of: a second
        opinion, never a second copy of a rule's finding."""
        assert self.model is not None
        findings = []
        for opinion in self.model.opinions(draft, skip=frozenset(found)):
            start, end = draft.where(opinion.start, opinion.end)
            findings.append(Finding(LEARNED, opinion.category, opinion.severity, start, end,
                                    _excerpt(text[start:end]), "", "", "",
                                    evidence=opinion.evidence))
        return findings


def _findings(draft: Draft, text: str, located: list[tuple[Rule, Hit]]) -> list[Finding]:
    """The rules' hits as findings, placed in `text` (the draft as written)."""
    findings = []
    for rule, hit in located:
        start, end = draft.where(hit.start, hit.end)
        findings.append(Finding(rule.id, rule.category, rule.severity, start, end,
                                _excerpt(text[start:end]), rule.title, rule.why, rule.fix))
    return findings


def _merged(hits: list[Hit]) -> list[Hit]:
    """One hit per stretch: overlapping hits of one rule (two patterns on the same words)."""
    if len(hits) < 2:
        return hits
    merged: list[Hit] = []
    for hit in sorted(hits):
        if merged and hit.start < merged[-1].end:
            last = merged[-1]
            merged[-1] = Hit(last.start, max(last.end, hit.end), last.replacement)
        else:
            merged.append(hit)
    return merged
