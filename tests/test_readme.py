"""README states what a new user runs and what every setting means; CI runs what README says."""

import re
import subprocess

from bot.config import Settings
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text()


def quick_start_blocks() -> list[str]:
    section = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.*?)```", section, flags=re.DOTALL)


def test_quick_start_is_two_shell_commands():
    blocks = quick_start_blocks()
    assert len(blocks) == 2
    assert all(block.strip().count("\n") == 0 for block in blocks)
    install_and_demo, install_and_test = (block.strip() for block in blocks)
    assert "pip install" in install_and_demo and install_and_demo.endswith("sellerbot demo")
    assert "pip install" in install_and_test and "pytest" in install_and_test


def test_ci_runs_both_readme_commands_in_a_fresh_clone_with_nothing_beside_it():
    script = (ROOT / ".ci" / "run").read_text()
    # The same extraction .ci/run does, run on this README.
    awk = re.search(r"awk -v n=\"\$1\" '(.*?)' \"\$here/README.md\"", script, re.DOTALL)
    assert awk is not None
    for number, block in enumerate(quick_start_blocks(), start=1):
        out = subprocess.run(["awk", "-v", f"n={number}", awk.group(1), "README.md"], cwd=ROOT,
                             capture_output=True, text=True, check=True).stdout
        assert out.strip() == block.strip()
    # Into an empty temporary folder: nothing of the developer's beside the clone.
    assert 'empty="$(mktemp -d)"' in script and 'git clone --quiet "$here" "$empty/sellerbot"' in script
    assert 'bash -euo pipefail -c "$demo_command"' in script
    assert 'bash -euo pipefail -c "$test_command"' in script


def settings_table() -> dict[str, tuple[str, str]]:
    section = README.split("## Settings", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in section.splitlines():
        match = re.fullmatch(r"\| `([A-Z_]+)` \| (.*?) \| (.*?) \|", line.strip())
        if match:
            rows[match[1]] = (match[2], match[3])
    return rows


def test_every_setting_is_in_the_readme_table_with_its_default():
    table = settings_table()
    fields = {name.upper(): field for name, field in Settings.model_fields.items()}
    assert set(table) == set(fields)
    for name, field in fields.items():
        default, meaning = table[name]
        if field.default_factory is not None:  # DATABASE_URL: a file in the user data folder
            assert "sellerbot.db" in default and "data folder" in default, name
        else:
            expected = "(none)" if field.default is None else f"`{field.default}`"
            assert default == expected, name
        assert len(meaning) > 20, name
