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
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    probe = (
        "import bot.paths, bot.render;"
        "print(bot.paths.templates_dir());"
        "print(bot.render.message('errors', 'order_not_found', order_id='123-4567890-1234567'))"
    )
    run = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, env={"PYTHONPATH": str(site)},
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    where, said = run.stdout.splitlines()
    assert Path(where) == site / "bot" / "templates"
    assert said.startswith("no order 123-4567890-1234567")


def test_ruff_is_clean():
    result = subprocess.run([sys.executable, "-m", "ruff", "check", "."], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
