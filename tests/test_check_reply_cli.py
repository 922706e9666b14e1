"""`sellerbot check-reply`, `rules test` and `audit`, run as a user runs them."""

import hashlib
import json
import os
import subprocess
import sys

import pytest

from tests.conftest import ROOT

BAD = "Hi! Call 555-0142 or see shop.example.com. Use code SAVE10 for 10% off your next order."


@pytest.fixture
def elsewhere(tmp_path):
    """A working directory away from the repository: rules and templates come from the package."""
    assert ROOT not in tmp_path.parents
    return tmp_path


def run(*args, cwd, stdin=None, env=None):
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "EXTRA_"))}
    environment.update({"DATABASE_URL": f"sqlite:///{cwd / 'cli.db'}"}, **(env or {}))
    return subprocess.run([sys.executable, "-m", "bot", *args], cwd=cwd, env=environment,
                          input=stdin, capture_output=True, text=True, timeout=120)


def test_a_file_is_checked_and_the_exit_code_says_how_it_went(elsewhere):
    draft = elsewhere / "draft.txt"
    draft.write_text(BAD, encoding="utf-8")
    result = run("check-reply", str(draft), cwd=elsewhere)
    assert result.returncode == 1
    assert result.stdout.startswith("BLOCK: Don't send this as it is")
    assert '"555-0142"' in result.stdout and '"shop.example.com"' in result.stdout
    # What is left after taking the problems out, and what was taken out.
    assert "Suggested rewrite" in result.stdout and "  | Hi!\n" in result.stdout
    assert "Taken out:" in result.stdout and "(marketing)" in result.stdout


def test_standard_input_and_json(elsewhere):
    result = run("check-reply", "--json", cwd=elsewhere, stdin=BAD)
    assert result.returncode == 1
    data = json.loads(result.stdout)
    assert data["verdict"] == "block"
    assert set(data) >= {"verdict", "findings", "suggestion"}
    first = data["findings"][0]
    assert set(first) >= {"rule", "category", "severity", "start", "end", "excerpt", "message"}
    phone = next(f for f in data["findings"] if f["rule"] == "phone-number")
    assert BAD[phone["start"]:phone["end"]] == "555-0142" == phone["excerpt"]
    ok = run("check-reply", "-", "--json", cwd=elsewhere, stdin="The lid fits the 2024 model.")
    assert ok.returncode == 0 and json.loads(ok.stdout) == {
        "verdict": "ok", "english": True, "findings": [], "suggestion": None, "removed": []}
    # Another language: checked for links, addresses and numbers only, and a warning.
    german = run("check-reply", "-", "--json", cwd=elsewhere,
                 stdin="Vielen Dank für Ihre Bestellung, wir freuen uns über Ihre Bewertung.")
    assert german.returncode == 1 and json.loads(german.stdout) == {
        "verdict": "warn", "english": False, "findings": [], "suggestion": None, "removed": []}


def test_in_reply_to_gives_context(elsewhere):
    reply = "Your order shipped today with USPS."
    alone = run("check-reply", "--json", cwd=elsewhere, stdin=reply)
    answer = run("check-reply", "--json", "--in-reply-to", "Where is my order?", cwd=elsewhere,
                 stdin=reply)
    assert json.loads(alone.stdout)["verdict"] == "warn" and alone.returncode == 1
    assert json.loads(answer.stdout)["verdict"] == "ok" and answer.returncode == 0


@pytest.mark.parametrize(("stdin", "says"), [
    ("", "there is no reply to check"),
    ("   \n\t", "there is no reply to check"),
    ("x" * 10_001, "10,001 characters; sellerbot checks up to 10,000"),
])
def test_bad_input_exits_2_with_one_clear_line(elsewhere, stdin, says):
    result = run("check-reply", cwd=elsewhere, stdin=stdin)
    assert result.returncode == 2 and result.stdout == ""
    assert says in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_standard_input_that_is_not_utf8_is_bad_input(elsewhere):
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "EXTRA_"))}
    environment.update(DATABASE_URL=f"sqlite:///{elsewhere / 'cli.db'}", LC_ALL="C")
    result = subprocess.run([sys.executable, "-m", "bot", "check-reply"], cwd=elsewhere,
                            env=environment, input=b"Hello \xff\xfe there", capture_output=True,
                            timeout=120)
    assert result.returncode == 2 and b"not UTF-8 text" in result.stderr


def test_a_missing_file_is_bad_input(elsewhere):
    result = run("check-reply", str(elsewhere / "nope.txt"), cwd=elsewhere)
    assert result.returncode == 2 and "no such file" in result.stderr


def test_over_two_thousand_characters_is_a_warning(elsewhere):
    result = run("check-reply", "--json", cwd=elsewhere, stdin="The lid fits. " * 150)
    data = json.loads(result.stdout)
    assert result.returncode == 1 and data["verdict"] == "warn"
    assert [f["rule"] for f in data["findings"]] == ["too-long"]


def test_jsonl_answers_each_line_in_order(elsewhere):
    lines = [json.dumps({"text": BAD, "in_reply_to": None}),
             json.dumps({"text": "Your order shipped today.", "in_reply_to": "Where is it?"}),
             "not json",
             json.dumps({"text": "  "}),
             json.dumps({"text": "The lid fits."})]
    result = run("check-reply", "--jsonl", "-", cwd=elsewhere, stdin="\n".join(lines) + "\n")
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o.get("verdict") for o in out] == ["block", "ok", None, None, "ok"]
    assert out[2]["line"] == 3 and "JSON object" in out[2]["error"]
    assert out[3]["line"] == 4 and "no reply to check" in out[3]["error"]
    assert result.returncode == 2  # a bad line is bad input, whatever the others found
    good = run("check-reply", "--jsonl", "-", cwd=elsewhere, stdin=lines[1] + "\n" + lines[4])
    assert good.returncode == 0


def test_every_check_is_audited_without_its_text(elsewhere):
    run("check-reply", cwd=elsewhere, stdin=BAD)
    run("check-reply", "--jsonl", "-", cwd=elsewhere,
        stdin=json.dumps({"text": "The lid fits."}) + "\n")
    listing = run("audit", cwd=elsewhere)
    assert listing.returncode == 0 and "2 checks" in listing.stdout
    data = json.loads(run("audit", "--json", cwd=elsewhere).stdout)
    assert [d["surface"] for d in data] == ["cli", "batch"]
    assert data[0]["text_sha256"] == hashlib.sha256(BAD.encode()).hexdigest()
    assert data[0]["verdict"] == "block" and "phone-number" in data[0]["categories"]
    assert data[0]["length"] == len(BAD)
    # The text itself is nowhere in the database.
    stored = (elsewhere / "cli.db").read_bytes()
    assert b"555-0142" not in stored and b"SAVE10" not in stored
    future = run("audit", "--since", "2999-01-01", cwd=elsewhere)
    assert "No checks audited since" in future.stdout
    bad = run("audit", "--since", "yesterday", cwd=elsewhere)
    assert bad.returncode == 2 and "--since 'yesterday' is not a date" in bad.stderr


def test_rules_test_prints_the_table(elsewhere):
    result = run("rules", "test", cwd=elsewhere)
    assert result.returncode == 0
    assert "phone-number" in result.stdout and "flags" in result.stdout
    assert "pass all their examples" in result.stdout.splitlines()[-1]


def test_rules_test_fails_on_a_sellers_broken_rule(elsewhere):
    folder = elsewhere / "mine"
    folder.mkdir()
    (folder / "gizmo.yaml").write_text(
        "# mine\ncategory: marketing\nseverity: block\ntitle: Gizmo\nwhy: No gizmos.\n"
        "fix: Drop it.\nsource: https://example.com/p\neffective: 2026-01-01\n"
        "check:\n  type: phrases\n  patterns: ['gizmo']\n"
        "examples:\n  flag: [a gizmo, gizmo!, the gizmos]\n  pass: [nothing, here, gizmo]\n")
    result = run("rules", "test", cwd=elsewhere, env={"EXTRA_RULES": str(folder)})
    assert result.returncode == 1
    assert "FAILED" in result.stdout and "not flagged: 'the gizmos'" in result.stdout
    assert "flagged: 'gizmo'" in result.stdout


def test_jsonl_checks_a_draft_holding_half_an_emoji(elsewhere):
    # JSON may escape one half of a surrogate pair alone (an emoji cut in two): no encoder takes
    # it, and it stopped the whole batch with "something went wrong".
    lines = ['{"text": "Sorry \\ud83d for the delay, use code SAVE10 for 10% off"}',
             json.dumps({"text": "The lid fits."})]
    result = run("check-reply", "--jsonl", "-", cwd=elsewhere, stdin="\n".join(lines) + "\n")
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o.get("verdict") for o in out] == ["block", "ok"], result.stderr
    assert "something went wrong" not in result.stderr
    assert run("audit", cwd=elsewhere).stdout.count("batch") == 2


def test_a_terminal_in_latin1_gets_marks_for_what_it_cannot_show_not_an_error(elsewhere):
    # Output went half-way, then 'something went wrong (UnicodeEncodeError)'.
    draft = elsewhere / "draft.txt"
    draft.write_text("日本製のマグです。Call us at 555 010 0199 anytime.", encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "bot", "check-reply", str(draft)],
                            cwd=elsewhere, capture_output=True, timeout=120,
                            env={**os.environ, "PYTHONIOENCODING": "latin-1",
                                 "DATABASE_URL": f"sqlite:///{elsewhere / 'cli.db'}"})
    assert result.returncode == 1 and result.stderr == b""
    assert result.stdout.startswith(b"BLOCK: ") and b"?????" in result.stdout


@pytest.mark.parametrize("end", ["\n", "\r\n"])
def test_the_line_end_a_saved_draft_ends_with_is_not_part_of_it(elsewhere, end):
    # A 2,000-character reply saved by an editor (or piped by echo) ends with a line end,
    # which Amazon never sees: not a 2,001st character.
    draft = elsewhere / "long.txt"
    draft.write_bytes(("ab" * 1000 + end).encode())
    assert run("check-reply", str(draft), cwd=elsewhere).returncode == 0
    assert run("check-reply", cwd=elsewhere, stdin="ab" * 1000 + "\n").returncode == 0
    draft.write_bytes(("ab" * 1000 + "c" + end).encode())
    said = run("check-reply", str(draft), cwd=elsewhere)
    assert said.returncode == 1 and "too-long, character 2001" in said.stdout
