"""The rule cache (bot/rule_cache.py): rules loaded from it check exactly as rules read from
their files, and it never serves a file that has changed or a cache it cannot trust."""

import json
import marshal
import os
from pathlib import Path

import pytest

from bot import rule_cache
from bot.compliance_rules import builtin_dir, load_rules, rule_files
from bot.domain.compliance import Checker
from bot.errors import ConfigError
from bot.rule_cache import RuleCache, default_path
from tests.conftest import FIXTURES
from tests.test_compliance_rules import RULE

# Labelled replies people write (tests/fixtures/compliance/NOTICE.md): 200, about half of them
# breaking a rule.
CORPUS = FIXTURES / "compliance" / "second-dev.jsonl"
# The test rule of tests/test_compliance_rules.py ("gizmo club"), and the same from a word list.
WORDS_RULE = RULE.replace("type: phrases\n  patterns: ['gizmo club']", "type: words\n  list: words.txt")


def loaded(paths: list[Path], cache_file: Path) -> tuple[Checker, RuleCache]:
    cache = RuleCache(cache_file)
    return Checker(load_rules(paths, cache)), cache


def outcome(checker: Checker, text: str, in_reply_to: str | None = None) -> tuple:
    result = checker.check(text, in_reply_to=in_reply_to)
    return result.verdict, result.findings, result.suggestion, result.removed


def write(folder: Path, name: str, body: str) -> Path:
    path = folder / name
    path.write_text(body, encoding="utf-8")
    return path


def test_rules_from_the_cache_check_exactly_as_rules_from_their_files(tmp_path: Path):
    paths = rule_files()
    plain = Checker(load_rules(paths))
    first, cache = loaded(paths, tmp_path / "rules.marshal")
    assert cache.programs.compiled > 200 and (tmp_path / "rules.marshal").is_file()
    again, cache = loaded(paths, tmp_path / "rules.marshal")
    # Nothing parsed or compiled the second time: every program came from the cache.
    assert cache.programs.compiled == 0 and len(cache.programs.used) > 200
    assert [r.trigger_sets for r in again.rules] == [r.trigger_sets for r in plain.rules]
    rows = [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines() if line]
    cases = [(row["text"], row.get("in_reply_to")) for row in rows]
    cases += [(e.text, e.in_reply_to) for rule in plain.rules for e in rule.flag + rule.passes]
    found = 0
    for text, in_reply_to in cases:
        expected = outcome(plain, text, in_reply_to)
        assert outcome(again, text, in_reply_to) == expected, text
        assert outcome(first, text, in_reply_to) == expected, text
        found += bool(expected[1])
    assert found > len(cases) / 3  # the comparison covers findings, not only clean replies


def test_a_changed_rule_file_is_read_again(tmp_path: Path):
    cache_file = tmp_path / "rules.marshal"
    path = write(tmp_path, "gizmo-club.yaml", RULE)
    checker, _ = loaded([path], cache_file)
    assert checker.check("Join our gizmo club!").rules == ("gizmo-club",)
    write(tmp_path, "gizmo-club.yaml", RULE.replace("'gizmo club'", "'widget club'"))
    checker, cache = loaded([path], cache_file)
    assert checker.check("Join our gizmo club!").rules == ()
    assert checker.check("Join our widget club!").rules == ("gizmo-club",)
    assert cache.programs.compiled == 1
    # The entry was replaced: a third load takes the new contents from the cache.
    checker, cache = loaded([path], cache_file)
    assert checker.check("Join our widget club!").rules == ("gizmo-club",)
    assert cache.programs.compiled == 0


def test_a_changed_word_list_is_read_again(tmp_path: Path):
    cache_file = tmp_path / "rules.marshal"
    write(tmp_path, "words.txt", "# words\ngizmo club\n")
    path = write(tmp_path, "gizmo-club.yaml", WORDS_RULE)
    checker, _ = loaded([path], cache_file)
    assert checker.check("Join our gizmo club!").rules == ("gizmo-club",)
    write(tmp_path, "words.txt", "# words\nwidget club\n")
    checker, _ = loaded([path], cache_file)
    assert checker.check("Join our gizmo club!").rules == ()
    assert checker.check("Join our widget club!").rules == ("gizmo-club",)
    (tmp_path / "words.txt").unlink()
    with pytest.raises(ConfigError) as error:
        loaded([path], cache_file)
    assert error.value.params["key"] == "check.list"


def test_a_file_broken_since_it_was_kept_is_an_error_not_the_kept_rule(tmp_path: Path):
    cache_file = tmp_path / "rules.marshal"
    path = write(tmp_path, "gizmo-club.yaml", RULE)
    loaded([path], cache_file)
    write(tmp_path, "gizmo-club.yaml", RULE.replace("severity: block", "severity: sometimes"))
    with pytest.raises(ConfigError) as error:
        loaded([path], cache_file)
    assert error.value.params["key"] == "severity"


@pytest.mark.parametrize("damage", [
    b"",
    b"not a cache at all",
    marshal.dumps(("another interpreter", {}, {})),
    marshal.dumps((1, 2)),
])
def test_a_cache_it_cannot_trust_is_ignored_and_written_anew(tmp_path: Path, damage: bytes):
    cache_file = tmp_path / "rules.marshal"
    path = write(tmp_path, "gizmo-club.yaml", RULE)
    cache_file.write_bytes(damage)
    checker, cache = loaded([path], cache_file)
    assert checker.check("Join our gizmo club!").rules == ("gizmo-club",)
    assert cache.programs.compiled == 1
    _, cache = loaded([path], cache_file)
    assert cache.programs.compiled == 0


def test_a_kept_program_the_regex_engine_refuses_is_compiled_again(tmp_path: Path):
    cache_file = tmp_path / "rules.marshal"
    path = write(tmp_path, "gizmo-club.yaml", RULE)
    loaded([path], cache_file)
    stamp, rules, programs = marshal.loads(cache_file.read_bytes())
    programs = {key: ([999_999, *program[0][1:]], *program[1:])
                for key, program in programs.items()}
    cache_file.write_bytes(marshal.dumps((stamp, rules, programs)))
    checker, cache = loaded([path], cache_file)
    assert cache.programs.compiled == 1
    assert checker.check("Join our gizmo club!").rules == ("gizmo-club",)


def test_a_cache_that_cannot_be_written_is_left_alone(tmp_path: Path):
    blocker = write(tmp_path, "not-a-folder", "")
    path = write(tmp_path, "gizmo-club.yaml", RULE)
    checker, _ = loaded([path], blocker / "rules.marshal")
    assert checker.check("Join our gizmo club!").rules == ("gizmo-club",)
    assert blocker.read_text() == ""


def test_only_what_a_load_used_is_kept(tmp_path: Path):
    cache_file = tmp_path / "rules.marshal"
    gizmo = write(tmp_path, "gizmo-club.yaml", RULE)
    widget = write(tmp_path, "widget-club.yaml", RULE.replace("gizmo", "widget"))
    loaded([gizmo, widget], cache_file)
    loaded([gizmo], cache_file)
    _, rules, programs = marshal.loads(cache_file.read_bytes())
    assert list(rules) == [str(gizmo)]
    assert len(programs) == 1


def test_the_built_in_rules_are_all_kept(tmp_path: Path):
    cache_file = tmp_path / "rules.marshal"
    loaded(rule_files(), cache_file)
    _, rules, _ = marshal.loads(cache_file.read_bytes())
    assert sorted(rules) == sorted(str(p) for p in builtin_dir().glob("*.yaml"))


@pytest.fixture
def stamps():
    """rule_cache._stamp worked out afresh, in the test and after it."""
    rule_cache._stamp.cache_clear()
    yield rule_cache._stamp.cache_clear
    rule_cache._stamp.cache_clear()


def test_a_cache_made_by_other_sellerbot_code_is_not_used(tmp_path: Path, monkeypatch, stamps):
    # As if bot/compliance_rules.py or the trigger finder changed (an upgrade, a developer's
    # edit): they may check files or find triggers differently, so nothing kept is used.
    maker = write(tmp_path, "cache_maker_for_test.py", "VERSION = 1\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(rule_cache, "_MAKERS", (*rule_cache._MAKERS, "cache_maker_for_test"))
    cache_file = tmp_path / "rules.marshal"
    path = write(tmp_path, "gizmo-club.yaml", RULE)
    loaded([path], cache_file)
    _, cache = loaded([path], cache_file)
    assert cache.programs.compiled == 0
    maker.write_text("VERSION = 2\n", encoding="utf-8")
    stamps()
    checker, cache = loaded([path], cache_file)
    assert cache.programs.compiled == 1
    assert checker.check("Join our gizmo club!").rules == ("gizmo-club",)


def test_the_cache_lives_in_the_xdg_cache_folder_or_nowhere(monkeypatch, tmp_path: Path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert default_path().parent == tmp_path / "sellerbot"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/cache")  # the XDG spec: ignored
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert default_path().parent == tmp_path / "home" / ".cache" / "sellerbot"
    # A user with no home (a container's numeric user): no cache, rather than one in "./~".
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.delenv("HOME")
    monkeypatch.setattr("os.path.expanduser", lambda path: path)
    assert default_path() is None


def test_a_second_process_compiles_nothing_whatever_its_hash_seed(tmp_path: Path):
    # Every pattern must come out the same in every process: a word list built from a set in
    # hash order once made the profanity pattern differ, so each start compiled and rewrote.
    import subprocess
    import sys

    script = ("import sys; from pathlib import Path; from bot.compliance_rules import load_rules,"
              " rule_files; from bot.rule_cache import RuleCache; c = RuleCache(Path(sys.argv[1]));"
              " load_rules(rule_files(), c); print(c.programs.compiled)")
    counts = []
    for seed in ("1", "2", "3"):
        done = subprocess.run([sys.executable, "-c", script, str(tmp_path / "rules.marshal")],
                              capture_output=True, text=True, check=True, timeout=120,
                              env={**os.environ, "PYTHONHASHSEED": seed})
        counts.append(int(done.stdout))
    assert counts[0] > 200 and counts[1:] == [0, 0]


def test_a_kept_program_of_another_shape_is_compiled_again(tmp_path: Path):
    cache_file = tmp_path / "rules.marshal"
    path = write(tmp_path, "gizmo-club.yaml", RULE)
    loaded([path], cache_file)
    stamp, rules, programs = marshal.loads(cache_file.read_bytes())
    cache_file.write_bytes(marshal.dumps((stamp, rules, {k: v[:5] for k, v in programs.items()})))
    checker, cache = loaded([path], cache_file)
    assert cache.programs.compiled == 1
    assert checker.check("Join our gizmo club!").rules == ("gizmo-club",)
