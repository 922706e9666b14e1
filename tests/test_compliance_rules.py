"""rules/compliance/: every rule's own examples, the rule-file linter, and the loader's errors."""

import json
from dataclasses import replace
from pathlib import Path

import pytest

from bot.compliance import CATEGORIES, Checker
from bot.compliance.loading import (
    builtin_dir,
    checker,
    load_rule,
    load_rules,
    rule_files,
    run_examples,
)
from bot.compliance.rules import REWRITES, RULE_ID
from bot.compliance.text import Draft
from bot.errors import ConfigError
from bot.policy import return_rules
from bot.render import message
from bot.render import text as render_text
from bot.yaml_files import read_yaml

RULES = checker().rules
FILES = sorted(builtin_dir().glob("*.yaml"))
# The labelled replies the rules were developed on (the untouched sets are not read here).
LABELLED = builtin_dir().parent / "labelled"


def examples(kind):
    for rule in RULES:
        for n, example in enumerate(rule.flag if kind == "flag" else rule.passes):
            yield pytest.param(rule.id, example, id=f"{rule.id}-{kind}-{n}")


@pytest.mark.parametrize(("rule_id", "example"), list(examples("flag")))
def test_the_rule_flags_its_flag_examples(rule_id, example):
    result = checker().check(example.text, in_reply_to=example.in_reply_to)
    assert rule_id in result.rules, [(f.rule, f.excerpt) for f in result.findings]


@pytest.mark.parametrize(("rule_id", "example"), list(examples("pass")))
def test_the_rule_passes_its_pass_examples(rule_id, example):
    result = checker().check(example.text, in_reply_to=example.in_reply_to)
    assert rule_id not in result.rules, [(f.rule, f.excerpt) for f in result.findings]


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_rule_file_lint(path: Path):
    data = read_yaml(path)
    assert RULE_ID.match(path.stem), "ids are lower-case words joined by hyphens"
    assert data["category"] in CATEGORIES
    # messaging.md §5 fixes each category's severity (some allow a second one for some rules).
    assert data["severity"] in CATEGORIES[data["category"]]
    assert data["source"].startswith("https://")
    assert str(data["effective"])[:4].isdigit()
    assert data.get("rewrite", "keep") in REWRITES
    for key in ("title", "why", "fix"):
        assert data[key].strip() and data[key] == data[key].strip()
    # why is one sentence of policy; fix says what to do.
    assert data["why"].endswith(".") and data["fix"].endswith(".")
    flag, passes = data["examples"]["flag"], data["examples"]["pass"]
    assert len(flag) >= 3 and len(passes) >= 3
    texts = [e if isinstance(e, str) else e["text"] * e.get("times", 1) for e in flag + passes]
    assert len(set(texts)) == len(texts), "an example is listed twice"
    assert path.read_text(encoding="utf-8").startswith("#"), "a comment says where it comes from"


def test_every_pattern_of_every_rule_compiles():
    # sellerbot's own patterns compile when first used; this is where a mistake in one shows.
    for rule in RULES:
        rule.compile()


@pytest.mark.parametrize("rule", [r for r in RULES if r.needs], ids=lambda r: r.id)
def test_every_flag_example_holds_one_of_the_words_its_rule_needs(rule):
    for example in rule.flag:
        assert any(word in Draft(example.text).lower for word in rule.needs), example.text


def _labelled_texts():
    for path in sorted(LABELLED.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                yield row["text"], row.get("in_reply_to")
    for rule in RULES:
        for example in (*rule.flag, *rule.passes):
            yield example.text, example.in_reply_to


def test_needs_words_skip_only_drafts_the_rule_would_not_flag():
    # `needs` is a promise that every match holds one of the words: the rules with and without
    # it find the same in every labelled reply and every rule example.
    with_needs = Checker(RULES)
    without = Checker([replace(rule, needs=()) for rule in RULES])
    assert sum(bool(rule.needs) for rule in RULES) >= 20
    for text, in_reply_to in _labelled_texts():
        assert (with_needs.check(text, in_reply_to=in_reply_to).findings
                == without.check(text, in_reply_to=in_reply_to).findings), text


def test_a_draft_without_any_needed_word_is_not_searched(tmp_path: Path):
    path = write(tmp_path, "gizmo-club", RULE.replace("check:", "needs: [gizmo]\ncheck:"))
    rule, _ = load_rule(path)
    assert Checker([rule]).check("Join the gizmo club!").rules == ("gizmo-club",)
    # A promise the patterns break (here: a match without the word) is the rule file's
    # mistake, caught by `sellerbot rules test` through its flag examples.
    broken = replace(rule, needs=("zebra",))
    assert Checker([broken]).check("Join the gizmo club!").rules == ()
    assert "holds none of its needs words" in render_text(
        "rules_test", rows=run_examples(Checker([broken])))


def test_every_category_has_a_rule_and_ids_are_files():
    assert {rule.category for rule in RULES} == set(CATEGORIES)
    assert sorted(rule.id for rule in RULES) == sorted(p.stem for p in FILES)


def test_the_short_window_rule_uses_the_returns_policy_window():
    data = read_yaml(builtin_dir() / "short-window.yaml")
    assert data["check"]["min_days"] == return_rules().window_days


def test_rules_load_once_per_process():
    assert checker() is checker()


def write(folder: Path, name: str, body: str) -> Path:
    path = folder / f"{name}.yaml"
    path.write_text(body, encoding="utf-8")
    return path


RULE = """# a test rule
category: marketing
severity: block
title: Test
why: Testing.
fix: Test.
source: https://example.com/policy
effective: 2026-01-01
check:
  type: phrases
  patterns: ['gizmo club']
examples:
  flag: [join the gizmo club, gizmo club rocks, our gizmo club]
  pass: [gizmo, club, nothing]
"""


@pytest.mark.parametrize(("change", "key", "says"), [
    (("type: phrases", "type: sorcery"), "check.type", "unknown check type 'sorcery'"),
    (("patterns: ['gizmo club']", "patterns: ['gizmo (club']"), "check",
     "'gizmo (club' is not a valid regular expression"),
    (("patterns: ['gizmo club']", "patterns: ['gizmo club']\n  unless: ['a[b']"), "check",
     "'a[b' is not a valid regular expression"),
    (("patterns: ['gizmo club']", "patterns: ['gizmo club']\n  colour: red"), "check.colour",
     "not a key of this check type"),
    (("severity: block", "severity: warn"), "severity", "must be block"),
    (("category: marketing", "category: sales"), "category", "must be"),
    (("source: https://example.com/policy", "source: example.com"), "source", "pattern"),
    (("  pass: [gizmo, club, nothing]", "  pass: [gizmo]"), "examples.pass", "at least 3"),
    (("patterns: ['gizmo club']", "patterns: ['gizmo club']\n  unless: [on, off]"),
     "check.unless", "quoted strings"),
    (("check:", "checks:"), "check", "is missing"),
    (("check:", "needs: [Gizmo]\ncheck:"), "needs", "lower case"),
    # A seller's typos PyYAML would let through: a date not on the calendar (a bare
    # ValueError), a key given twice (the last kept), one value where a list goes (read
    # letter by letter).
    (("effective: 2026-01-01", "effective: 2026-13-01"), "line 8",
     "'2026-13-01' is not a date on the calendar"),
    (("  patterns: ['gizmo club']", "  patterns: ['gizmo club']\n  patterns: []"), "line 12",
     "'patterns' is given twice"),
    (("patterns: ['gizmo club']", "patterns: ['gizmo club']\n  unless: gizmo clubhouse"),
     "check.unless", "quoted strings"),
])
def test_a_bad_rule_file_names_the_key(tmp_path: Path, change, key, says):
    path = write(tmp_path, "gizmo-club", RULE.replace(*change))
    with pytest.raises(ConfigError) as error:
        load_rule(path)
    assert error.value.params["key"].startswith(key)
    assert says in message("errors", error.value.code, **error.value.params)
    assert str(path) in message("errors", error.value.code, **error.value.params)


def test_a_rule_id_must_be_a_plain_name(tmp_path: Path):
    with pytest.raises(ConfigError) as error:
        load_rule(write(tmp_path, "Gizmo_Club", RULE))
    assert "not a rule id" in message("errors", error.value.code, **error.value.params)


def test_references_must_name_rules(tmp_path: Path):
    path = write(tmp_path, "gizmo-club", RULE.replace(
        "patterns: ['gizmo club']", "patterns: ['gizmo club']\n  with: ['@no-such-rule']"))
    with pytest.raises(ConfigError) as error:
        load_rules([path])
    said = message("errors", error.value.code, **error.value.params)
    # The file named is the one with the bad reference (a seller's), not the built-in folder.
    assert "@no-such-rule" in said and said.startswith(str(path))


def test_a_sellers_folder_adds_replaces_and_disables(tmp_path: Path):
    write(tmp_path, "gizmo-club", RULE)
    write(tmp_path, "emoji", (builtin_dir() / "emoji.yaml").read_text() + "enabled: false\n")
    allowed = (builtin_dir() / "external-link.yaml").read_text().replace(
        "allow_pages: []", "allow_pages: ['https://help.gizmo.example/returns']")
    write(tmp_path, "external-link", allowed)
    files = rule_files(tmp_path)
    assert tmp_path / "gizmo-club.yaml" in files and tmp_path / "emoji.yaml" in files
    mine = checker(tmp_path)
    assert "gizmo-club" in mine.check("Join our gizmo club!").rules
    # An answer to the buyer: unasked, a thank-you-only note is a finding of its own.
    assert mine.check("Thanks 🙂", in_reply_to="Got it, cheers!").findings == ()
    result = mine.check("See https://help.gizmo.example/returns/start or http://help.gizmo.example")
    assert [f.excerpt for f in result.findings] == ["http://help.gizmo.example"]
    # An allowed page allows itself and what is under it, not look-alikes built on its name.
    for lookalike in ("https://help.gizmo.example.evil.com/returns/x",
                      "https://help.gizmo.example/returns@evil.com/x",
                      "https://help.gizmo.example@evil.com/returns",
                      "https://help.gizmo.example/returnsfake"):
        assert "external-link" in mine.check(f"See {lookalike} for details.").categories, lookalike
    # The built-in set is untouched.
    assert "emoji" in checker().check("Thanks 🙂").rules


def test_a_rule_file_that_is_not_utf8_is_named(tmp_path: Path):
    path = tmp_path / "gizmo-club.yaml"
    path.write_bytes(RULE.replace("Testing.", "Caf\xe9.").encode("latin-1"))
    with pytest.raises(ConfigError) as error:
        load_rule(path)
    assert error.value.params["problem"] == "not_yaml"
    assert str(path) in message("errors", error.value.code, **error.value.params)


def test_a_word_list_that_is_not_utf8_is_named(tmp_path: Path):
    (tmp_path / "gizmo-words.txt").write_bytes("caf\xe9\n".encode("latin-1"))
    path = tmp_path / "gizmo-club.yaml"
    path.write_text(RULE.replace("  type: phrases\n  patterns: ['gizmo club']",
                                 "  type: words\n  list: gizmo-words.txt"), encoding="utf-8")
    with pytest.raises(ConfigError) as error:
        load_rule(path)
    assert error.value.params["key"] == "check.list"
    said = message("errors", error.value.code, **error.value.params)
    assert str(path) in said and "not UTF-8 text" in said


def test_one_allowed_page_without_brackets_is_refused_not_read_letter_by_letter(tmp_path):
    allowed = (builtin_dir() / "external-link.yaml").read_text().replace(
        "allow_pages: []", "allow_pages: https://help.gizmo.example/returns")
    path = write(tmp_path, "external-link", allowed)
    with pytest.raises(ConfigError) as error:
        load_rule(path)
    assert error.value.params["key"] == "check.allow_pages"


def test_a_switch_off_file_may_say_category_in_a_comment(tmp_path: Path):
    write(tmp_path, "emoji", "# Emoji are fine in our category of shop.\nenabled: false\n")
    assert "emoji" not in checker(tmp_path).check("Thanks so much! 🙏").rules


def test_rule_files_saved_as_yml_are_read_as_yaml_ones(tmp_path: Path):
    # Editors and YAML tools save `.yml` as often as `.yaml`; such files were skipped unread.
    (tmp_path / "gizmo-club.yml").write_text(RULE, encoding="utf-8")
    (tmp_path / "emoji.yml").write_text("enabled: false\n", encoding="utf-8")
    mine = checker(tmp_path)
    assert "gizmo-club" in mine.check("Join our gizmo club!").rules
    assert "emoji" not in mine.check("Thanks so much! 🙏").rules
    assert "emoji" in checker().check("Thanks so much! 🙏").rules


def test_one_rule_in_a_yaml_and_a_yml_file_is_named_not_guessed(tmp_path: Path):
    write(tmp_path, "gizmo-club", RULE)
    (tmp_path / "gizmo-club.yml").write_text(RULE.replace("block", "warn"), encoding="utf-8")
    with pytest.raises(ConfigError) as error:
        checker(tmp_path)
    said = message("errors", error.value.code, **error.value.params)
    assert "gizmo-club.yml" in said and "gizmo-club.yaml" in said and "keep one" in said


def test_a_word_list_saved_with_a_byte_order_mark_finds_its_first_word(tmp_path: Path):
    # Windows Notepad starts UTF-8 files with one.
    (tmp_path / "gizmo-words.txt").write_text("gizmo club\ngizmo gang\n", encoding="utf-8-sig")
    write(tmp_path, "gizmo-club", RULE.replace("  type: phrases\n  patterns: ['gizmo club']",
                                               "  type: words\n  list: gizmo-words.txt"))
    assert "gizmo-club" in checker(tmp_path).check("Join our gizmo club!").rules


def test_rule_examples_are_run_as_replies_in_the_marketplace(tmp_path: Path):
    # A German seller's phone rule: `rules test` must read its examples as check-reply does.
    write(tmp_path, "phone-number", (builtin_dir() / "phone-number.yaml").read_text().split(
        "examples:")[0] + """examples:
  flag: ['Rufen Sie uns an: 030 123456.', 'Unsere Nummer: 089 654321.', 'Anruf: 040 987654.']
  pass: [Danke für Ihre Nachricht., Die Bestellung ist unterwegs., Das Paket kommt morgen.]
""")
    mine = checker(tmp_path)
    assert "phone-number" in mine.check("Rufen Sie uns an: 030 123456.", region="DE").rules
    runs = {run.rule.id: run for run in run_examples(mine, region="DE")}
    assert runs["phone-number"].ok, runs["phone-number"].failures
