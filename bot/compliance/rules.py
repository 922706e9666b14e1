"""A compliance rule: one file of rules/compliance/, compiled once into a detector and the
conditions around it.

The vocabulary is closed: a rule names one check type (checks/__init__.py) and may narrow its
hits with conditions, each a list of patterns or "@rule-id" (another rule's findings):

- `with` / `unless`: the hit's sentence must / must not also match;
- `with_in_message` / `unless_in_message`: the same, anywhere in the reply;
- `unless_reply_to`: the rule is off when the buyer's message it answers matches
  (an answer to "where is my order?" may give the tracking number);
- `outside`: the hit must not overlap a finding of the named rules
  ("help at shop dot com" is an e-mail address, not also a link).

A rule may also list the words it `needs`: every match holds one, so a draft with none of them
is not searched (and the rule's patterns are not even compiled).
"""

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.compliance.checks import Detector, Hit, registry
from bot.compliance.checks.phrases import Phrase, compile_each
from bot.compliance.text import Draft, Span

# The categories and their severities are fixed by ../shared/spec/messaging.md §5: the first
# severity is the category's, a second one is allowed for some of its rules (a carrier's
# phone number only warns; profanity and threats block).
CATEGORIES: dict[str, tuple[str, ...]] = {
    "external-link": ("block",),
    "email-address": ("block",),
    "phone-number": ("block", "warn"),
    "marketing": ("block",),
    "off-amazon": ("block",),
    "review-manipulation": ("block",),
    "order-confirmation": ("warn",),
    "discourteous": ("warn", "block"),
    "returns-policy": ("block",),
    "personal-data": ("block",),
    "styling": ("warn",),
}
# What a rewrite does with a finding: take out the matched text, drop its sentence, or leave
# it for the person to rewrite (a rude or wrong statement cannot be fixed by deleting words).
REWRITES = ("remove", "drop-sentence", "keep")
CONDITIONS = ("with", "unless", "with_in_message", "unless_in_message", "unless_reply_to",
              "outside")


@dataclass(frozen=True)
class Example:
    """A reply the rule must flag or must pass, and the buyer message it answers if any."""

    text: str
    in_reply_to: str | None = None


class _Condition:
    """Patterns and rule references, one of which must be found in a stretch of the reply."""

    def __init__(self, entries: Sequence[str]) -> None:
        self.references = tuple(e[1:] for e in entries if e.startswith("@"))
        self.patterns = compile_each([e for e in entries if not e.startswith("@")])

    def found_by_rules(self, span: Span, found: Mapping[str, Sequence[Hit]]) -> bool:
        """Whether a finding of a referenced rule overlaps `span`."""
        return any(hit.start < span.end and hit.end > span.start
                   for ref in self.references for hit in found.get(ref, ()))

    def holds(self, draft: Draft, span: Span, found: Mapping[str, Sequence[Hit]]) -> bool:
        """Whether one of the patterns or referenced rules is found in `span`."""
        if self.found_by_rules(span, found):
            return True
        return any(phrase.search(draft, span.start, span.end) for phrase in self.patterns)


@dataclass(frozen=True)
class Rule:
    """One compiled rule."""

    id: str
    category: str
    severity: str
    title: str
    why: str
    fix: str
    source: str
    effective: str
    rewrite: str
    check_type: str
    flag: tuple[Example, ...]
    passes: tuple[Example, ...]
    detector: Detector = field(repr=False, compare=False)
    conditions: dict[str, _Condition] = field(repr=False, compare=False)
    # False for a rule the seller turned off that another rule's conditions refer to: it
    # still runs, for them, but reports nothing.
    reported: bool = True
    # Lower-case words of which every match holds one (the rule file's `needs`).
    needs: tuple[str, ...] = ()

    @property
    def references(self) -> frozenset[str]:
        """The rules this one's conditions name: they must run first."""
        return frozenset(ref for c in self.conditions.values() for ref in c.references)

    @property
    def phrases(self) -> tuple[Phrase, ...]:
        """Every phrase the rule's check and conditions search with."""
        own: Sequence[Phrase] = getattr(self.detector, "phrases", ())
        return (*own, *(p for c in self.conditions.values() for p in c.patterns))

    def compile(self) -> None:
        """Compile every phrase now; PatternError names one that is no regular expression."""
        for phrase in self.phrases:
            phrase.compile()

    def hits(self, draft: Draft, found: Mapping[str, Sequence[Hit]]) -> list[Hit]:
        """Where this rule finds a problem in `draft`, given the findings of earlier rules."""
        # A draft the patterns run on as typed (its lower case is longer) is always searched.
        if self.needs and draft.lower_aligned and not any(
                word in draft.lower for word in self.needs):
            return []
        conditions = self.conditions
        if not conditions:
            return list(self.detector(draft))
        reply_to, reply = conditions.get("unless_reply_to"), draft.reply
        if reply_to and reply and reply_to.holds(reply, reply.whole, {}):
            return []
        need, refuse = conditions.get("with_in_message"), conditions.get("unless_in_message")
        # A condition made only of rule references costs nothing: decide first. A sentence's
        # "with" cannot hold where the referenced rules found nothing in the whole reply.
        for only_refs in (need, conditions.get("with")):
            if only_refs and not only_refs.patterns and not only_refs.found_by_rules(
                    draft.whole, found):
                return []
        hits = list(self.detector(draft))
        if not hits:
            return hits
        if (need and not need.holds(draft, draft.whole, found)) or (
                refuse and refuse.holds(draft, draft.whole, found)):
            return []
        return [hit for hit in hits if self._keeps(draft, hit, found)]

    def _keeps(self, draft: Draft, hit: Hit, found: Mapping[str, Sequence[Hit]]) -> bool:
        need, refuse = self.conditions.get("with"), self.conditions.get("unless")
        if need or refuse:
            sentence = draft.sentence_at(hit.start)
            if need and not need.holds(draft, sentence, found):
                return False
            if refuse and refuse.holds(draft, sentence, found):
                return False
        outside = self.conditions.get("outside")
        return not (outside and outside.holds(draft, Span(hit.start, hit.end), found))


def _examples(entries: Iterable[Any]) -> tuple[Example, ...]:
    return tuple(Example(e) if isinstance(e, str)
                 else Example(e["text"] * e.get("times", 1), e.get("in_reply_to"))
                 for e in entries)


def compile_rule(rule_id: str, data: Mapping[str, Any]) -> Rule:
    """The rule `rule_id` from its validated file contents (bot/compliance/loading.py checks
    the file's shape; a bad pattern raises re.error here)."""
    check = dict(data["check"])
    check_type = check.pop("type")
    conditions = {name: _Condition(check.pop(name)) for name in CONDITIONS if name in check}
    builder, _ = registry()[check_type]
    return Rule(
        id=rule_id, category=data["category"], severity=data["severity"], title=data["title"],
        why=data["why"], fix=data["fix"], source=data["source"], effective=str(data["effective"]),
        rewrite=data.get("rewrite", "keep"), check_type=check_type,
        flag=_examples(data["examples"]["flag"]), passes=_examples(data["examples"]["pass"]),
        detector=builder(check), conditions=conditions, needs=_needs(data.get("needs", ())),
    )


def _needs(words: Iterable[str]) -> tuple[str, ...]:
    """A rule's `needs`, each also without its apostrophe: its phrases read "dont" as "don't"
    (phrases.spaced)."""
    return tuple(dict.fromkeys(w for word in words for w in (word, word.replace("'", ""))))


def in_order(rules: Iterable[Rule]) -> tuple[Rule, ...]:
    """`rules` so that each comes after the rules its conditions refer to.

    Raises ValueError naming a rule that refers to an unknown rule or to itself in a cycle.
    """
    by_id = {rule.id: rule for rule in rules}
    ordered: list[Rule] = []
    state: dict[str, str] = {}

    def visit(rule: Rule) -> None:
        if state.get(rule.id) == "done":
            return
        if state.get(rule.id) == "visiting":
            raise ValueError(f"{rule.id}: its conditions refer back to it")
        state[rule.id] = "visiting"
        for ref in sorted(rule.references):
            if ref not in by_id:
                raise ValueError(f"{rule.id}: refers to @{ref}, which is no rule")
            visit(by_id[ref])
        state[rule.id] = "done"
        ordered.append(rule)

    for rule in sorted(by_id.values(), key=lambda r: r.id):
        visit(rule)
    return tuple(ordered)


RULE_ID = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$")
