"""The compliance rules: rules/compliance/*.yaml and the seller's EXTRA_RULES folder, checked
and compiled once per process. A bad file stops start-up with its name, key and problem.

A seller's file with the same name as a built-in rule replaces it; `enabled: false` turns a
rule off, and a file holding only `enabled: false` turns off the built-in rule of its name. A
rule turned off that other rules refer to still runs for them, reporting nothing.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from bot.compliance import model
from bot.compliance.checker import Checker
from bot.compliance.checks import registry
from bot.compliance.checks.phrases import PatternError
from bot.compliance.rules import CATEGORIES, CONDITIONS, RULE_ID, Rule, compile_rule, in_order
from bot.compliance.text import Draft
from bot.errors import ConfigError, problem_of
from bot.paths import rules_dir
from bot.policy import review_window
from bot.yaml_files import parse_yaml, read_bytes


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _Example(_Strict):
    text: str = Field(min_length=1)
    in_reply_to: str | None = None
    # The text repeated this many times: a 2,000-character example would drown its file.
    times: int = Field(default=1, ge=1, le=10_000)


# Three of each at least: one example shows a rule works, three show where its edges are.
class _Examples(_Strict):
    flag: list[str | _Example] = Field(min_length=3)
    passes: list[str | _Example] = Field(min_length=3, alias="pass")


class _RuleFile(_Strict):
    category: Literal[tuple(CATEGORIES)]  # type: ignore[valid-type]
    severity: Literal["block", "warn"]
    title: str = Field(min_length=1, max_length=80)
    why: str = Field(min_length=1)
    fix: str = Field(min_length=1)
    source: str = Field(pattern=r"^https://")
    effective: date
    enabled: bool = True
    rewrite: Literal["remove", "drop-sentence", "keep"] = "keep"
    check: dict[str, Any]
    # Words every match holds one of: a draft without any is not searched (rules/README.md).
    needs: list[str] = []
    examples: _Examples


def builtin_dir() -> Path:
    """rules/compliance/, the rules sellerbot ships."""
    return rules_dir() / "compliance"


def _fail(path: Path, key: str, problem: str, **params: Any) -> ConfigError:
    return ConfigError("rules_invalid", path=str(path), key=key, problem=problem, params=params)


# The keys of a `check` that hold one value (bot/compliance/checks/): all others hold lists.
_SCALARS = frozenset({"list", "max", "min_letters", "ratio", "min_days"})


def _check(path: Path, check: dict[str, Any]) -> dict[str, Any]:
    """The `check` mapping, its type and keys known, its word list read."""
    types = registry()
    kind = check.get("type")
    if kind not in types:
        raise _fail(path, "check.type", "unknown_check", value=kind, known=sorted(types))
    allowed = types[kind][1]
    check = dict(check)
    for key, value in check.items():
        if key == "type":
            continue
        if key not in allowed and key not in CONDITIONS:
            raise _fail(path, f"check.{key}", "check_key", value=key, allowed=sorted(allowed))
        # Every key but a few numbers and a file name holds a list. YAML reads a bare `off` or
        # `no` as a boolean, and one value without brackets as a string (which would be read
        # letter by letter): every list must be one, of strings only.
        strings = isinstance(value, list) and all(isinstance(v, str) for v in value)
        if key not in _SCALARS and not strings:
            raise _fail(path, f"check.{key}", "not_a_list", value=value)
    if "list" in check:
        words = path.parent / str(check["list"])
        try:
            # utf-8-sig: Windows Notepad starts a UTF-8 file with a byte-order mark, which
            # would otherwise stick to the first word.
            lines = words.read_bytes().decode("utf-8-sig").splitlines()
        except OSError as exc:
            raise _fail(path, "check.list", "unreadable", reason=exc.strerror) from None
        except UnicodeDecodeError:
            raise _fail(path, "check.list", "not_utf8") from None
        check["words"] = [w.strip() for w in lines if w.strip() and not w.startswith("#")]
    return check


def _contents(path: Path, data: bytes) -> tuple[dict[str, Any], bool]:
    """The rule file `path` (holding `data`) read and checked: its contents as compile_rule
    takes them, and whether it is enabled."""
    try:
        parsed = _RuleFile.model_validate(parse_yaml(data, path))
    except ValidationError as exc:
        error = exc.errors()[0]
        key = ".".join(str(part) for part in error["loc"])
        raise ConfigError("rules_invalid", path=str(path), key=key, **problem_of(error)) from None
    if parsed.severity not in CATEGORIES[parsed.category]:
        raise _fail(path, "severity", "severity_for_category", category=parsed.category,
                    allowed=CATEGORIES[parsed.category])
    if any(not word.strip() or word != word.lower() for word in parsed.needs):
        raise _fail(path, "needs", "needs_lower_case", value=parsed.needs)
    contents = parsed.model_dump(by_alias=True)
    contents["effective"] = parsed.effective.isoformat()
    contents["check"] = _check(path, parsed.check)
    return contents, parsed.enabled


def _switched_off(path: Path, data: bytes) -> bool:
    """True when the file holds only `enabled: false` (and comments): the built-in rule of its
    name, off. A rule of its own has a category; only a file that may lack one is read twice
    (the word may be in a comment)."""
    if b"category" in data and b"enabled" not in data:
        return False
    return parse_yaml(data, path) == {"enabled": False}


def load_rule(path: Path) -> tuple[Rule, bool]:
    """The rule in `path` and whether it is enabled; ConfigError if the file is not a rule."""
    rule_id = path.stem
    if not RULE_ID.match(rule_id):
        raise _fail(path, "", "bad_id", value=rule_id)
    data = read_bytes(path)
    if path.parent != builtin_dir() and _switched_off(path, data):
        builtin = builtin_dir() / f"{rule_id}.yaml"
        if not builtin.is_file():
            raise _fail(path, "enabled", "switches_off_nothing", value=rule_id)
        return load_rule(builtin)[0], False
    contents, enabled = _contents(path, data)
    try:
        rule = compile_rule(rule_id, contents)
        # A seller's patterns compile now, so that a mistake stops start-up; sellerbot's own
        # compile when first used (the tests compile every one).
        if path.parent != builtin_dir():
            rule.compile()
    except PatternError as exc:
        # The error names the pattern, not its key.
        raise _fail(path, "check", "bad_pattern", pattern=exc.pattern,
                    reason=exc.reason) from None
    except (KeyError, ValueError, TypeError, re.error) as exc:
        raise _fail(path, "check", "check_failed", reason=str(exc)) from None
    return rule, enabled


def rule_files(extra: Path | None = None) -> list[Path]:
    """The rule files in force: the built-in ones, then the seller's (which win on a name)."""
    by_name = {p.stem: p for p in sorted(builtin_dir().glob("*.yaml"))}
    if extra is not None:
        # Editors and YAML tools save `.yml` as often as `.yaml`: both are the seller's rules,
        # and one rule in both is a mistake to name, not a file to drop without a word.
        own: dict[str, Path] = {}
        for path in sorted([*extra.glob("*.yaml"), *extra.glob("*.yml")]):
            if path.stem in own:
                raise _fail(path, "", "rule_file_twice", other=own[path.stem].name)
            own[path.stem] = path
        by_name.update(own)
    return sorted(by_name.values(), key=lambda p: p.stem)


def load_rules(paths: Iterable[Path]) -> tuple[Rule, ...]:
    """The enabled rules of `paths`, each after the rules its conditions refer to."""
    rules = []
    off: dict[str, Rule] = {}
    files: dict[str, Path] = {}
    for path in paths:
        rule, enabled = load_rule(path)
        files[rule.id] = path
        if enabled:
            rules.append(rule)
        else:
            off[rule.id] = rule
    # A rule turned off still runs, silently, where an enabled rule's conditions need it.
    needed = [ref for rule in rules for ref in rule.references]
    while needed:
        ref = needed.pop()
        if ref in off:
            quiet = replace(off.pop(ref), reported=False)
            rules.append(quiet)
            needed.extend(quiet.references)
    try:
        ordered = in_order(rules)
    except ValueError as exc:
        # in_order names the rule that refers wrongly first ("gizmo: refers to @x, ..."):
        # point at its file, the seller's own when it is theirs.
        culprit = files.get(str(exc).split(":", 1)[0])
        raise ConfigError("rules_invalid", path=str(culprit or builtin_dir()), key="",
                          problem="bad_reference", params={"reason": str(exc)}) from None
    return ordered


def model_file(extra: Path | None = None) -> Path:
    """The learned model in force: the seller's own, EXTRA_RULES/model.json.gz (written by
    `sellerbot rules train`), or the one sellerbot ships."""
    own = extra / model.SHIPPED.name if extra is not None else None
    return own if own is not None and own.is_file() else model.SHIPPED


def load_model(path: Path) -> model.Model:
    """The learned model in `path`; ConfigError naming the file if it is not one."""
    try:
        return model.Model(model.read(path))
    except OSError as exc:
        raise _fail(path, "", "unreadable", reason=exc.strerror or str(exc)) from None
    except (ValueError, KeyError, TypeError, EOFError) as exc:
        # A truncated or hand-edited file: retraining writes a good one.
        raise _fail(path, "", "model_invalid", reason=str(exc)) from None


@cache
def checker(extra: Path | None = None) -> Checker:
    """Every rule in force and the learned model, loaded once per process (EXTRA_RULES: the
    seller's folder), told Amazon's window for "Request a Review" (rules/reviews.yaml)."""
    window = review_window()
    return Checker(load_rules(rule_files(extra)), load_model(model_file(extra)),
                   review_window_days=(window.opens_days, window.closes_days))


@dataclass(frozen=True)
class ExampleRun:
    """One rule's examples, run: how many did what the rule file says, and the ones that not."""

    rule: Rule
    flagged: int
    passed: int
    # (what went wrong, the example's text): "not_flagged", "flagged", or "needs_missing" (a
    # flag example holding none of the rule's `needs` words); templates/text/rules_test.txt.j2
    # says each in words.
    failures: tuple[tuple[str, str], ...]

    @property
    def ok(self) -> bool:
        """Every example did what the rule file says."""
        return not self.failures


def run_examples(checker: Checker, region: str = "US") -> list[ExampleRun]:
    """Every rule's must-flag and must-pass examples through the whole checker, as replies in
    `region` (the marketplace's country: phone numbers are read as there)."""
    runs = []
    for rule in checker.rules:
        if not rule.reported:  # turned off: its examples say what it would report
            continue
        failures: list[tuple[str, str]] = []
        flagged = passed = 0
        for example in rule.flag:
            if rule.needs and not any(word in Draft(example.text).lower for word in rule.needs):
                failures.append(("needs_missing", example.text))
            if rule.id in checker.check(example.text, in_reply_to=example.in_reply_to,
                                        region=region).rules:
                flagged += 1
            else:
                failures.append(("not_flagged", example.text))
        for example in rule.passes:
            if rule.id in checker.check(example.text, in_reply_to=example.in_reply_to,
                                        region=region).rules:
                failures.append(("flagged", example.text))
            else:
                passed += 1
        runs.append(ExampleRun(rule, flagged, passed, tuple(failures)))
    return runs
