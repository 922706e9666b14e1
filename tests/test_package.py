"""The package: a wheel carries rules/ and templates/, and works from any directory; lint is clean."""

import subprocess
import sys
import zipfile
from pathlib import Path

from tests.conftest import ROOT


def test_wheel_carries_its_data_and_runs_from_anywhere(tmp_path: Path):
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", str(tmp_path), str(ROOT)],
        capture_output=True, text=True,
    )
    assert built.returncode == 0, built.stderr
    wheel = next(tmp_path.glob("sellerbot-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert "bot/templates/text/errors.txt.j2" in names
    assert "bot/store/migrations/versions/0001_initial.py" in names
    assert any(name.startswith("bot/rules/") for name in names) or not any(
        (ROOT / "rules").iterdir())
    # The learned model's weights, and the labelled replies `sellerbot rules train` reads.
    assert "bot/compliance/model.json.gz" in names
    assert "bot/rules/labelled/second-dev.jsonl" in names
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    probe = (
        "import bot.paths, bot.render;"
        "print(bot.paths.templates_dir());"
        "print(bot.render.message('errors', 'order_not_found', order_id='123-4567890-1234567'));"
        "from bot.compliance.loading import checker, model_file;"
        "print(model_file()); print(checker().check('Thanks').verdict)"
    )
    run = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, env={"PYTHONPATH": str(site)},
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    where, said, model, verdict = run.stdout.splitlines()
    assert Path(where) == site / "bot" / "templates"
    assert said.startswith("no order 123-4567890-1234567")
    assert Path(model) == site / "bot" / "compliance" / "model.json.gz" and verdict in (
        "ok", "warn", "block")


def test_ruff_is_clean():
    result = subprocess.run([sys.executable, "-m", "ruff", "check", "."], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


# Advisories against sellerbot's dependencies: the lowest version each floor lets pip install
# must be past every one of them (issue 15, item 10). Checked against the GitHub advisory
# database; a new advisory belongs here with its fixed version.
ADVISORIES = {
    # CVE-2024-49769 (a client closing early exhausts the server), CVE-2024-49768.
    "waitress": ("3.0.1", "GHSA-3f84-rpwh-47g6, GHSA-9298-4cf8-g4wj"),
    # CVE-2024-22195, -34064, -56201, -56326, CVE-2025-27516 (xmlattr, sandbox).
    "jinja2": ("3.1.6", "GHSA-h5c8-rqwp-cp95 and four more"),
    # ssl_check requests skipped the signature check (bolt-python #1494, slack.md §1).
    "slack-bolt": ("1.29.0", "bolt-python #1494"),
    # httpx's HTTP/1.1 parser: chunked-encoding request smuggling, CVE-2025-43859.
    "h11": ("0.16.0", "GHSA-vqfr-h8mv-ghfj"),
    # Distrusted roots in the bundle httpx trusts for Amazon (CVE-2024-39689 and older).
    "certifi": ("2024.7.4", "GHSA-248v-346w-9cwc"),
    # The predictable /tmp/pytest-of-{user} directory, CVE-2025-71176.
    "pytest": ("9.0.3", "GHSA-6w46-j5rx-g56g"),
}


def test_dependency_floors_are_past_every_known_advisory():
    import tomllib

    from packaging.requirements import Requirement
    from packaging.version import Version

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = [Requirement(r) for r in project["dependencies"]]
    declared += [Requirement(r) for extra in project["optional-dependencies"].values()
                 for r in extra]
    floors = {r.name.lower(): [Version(s.version) for s in r.specifier if s.operator == ">="]
              for r in declared}
    for package, (fixed, advisory) in ADVISORIES.items():
        assert package in floors, f"{package} has no floor ({advisory})"
        assert floors[package] and min(floors[package]) >= Version(fixed), (
            f"{package} allows versions before {fixed} ({advisory})")
