"""The `sellerbot` command, run as a user runs it: a real process, from another directory."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, SAMPLES


def sellerbot(*args: str, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DIGEST_"))}
    environment.update({"DATABASE_URL": f"sqlite:///{cwd / 'cli.db'}"}, **(env or {}))
    return subprocess.run([sys.executable, "-m", "bot", *args], cwd=cwd, env=environment,
                          capture_output=True, text=True, timeout=120)


@pytest.fixture
def elsewhere(tmp_path: Path) -> Path:
    """A working directory far from the repository: templates must come from the package."""
    assert not (tmp_path / "templates").exists() and ROOT not in tmp_path.parents
    return tmp_path


def test_help_lists_every_command(elsewhere):
    result = sellerbot("--help", cwd=elsewhere)
    assert result.returncode == 0
    for command in ("import", "demo", "orders", "db"):
        line = next(line for line in result.stdout.splitlines() if f" {command} " in line)
        assert len(line.split(command, 1)[1].strip()) > 10


def test_console_script_is_installed(elsewhere):
    script = Path(sys.executable).with_name("sellerbot")
    if not script.exists():
        pytest.skip("sellerbot is not installed as a console script in this environment")
    result = subprocess.run([str(script), "--version"], cwd=elsewhere, capture_output=True,
                            text=True, check=True)
    assert result.stdout.startswith("sellerbot ")


def test_demo_then_an_order(elsewhere):
    demo = sellerbot("demo", cwd=elsewhere)
    assert demo.returncode == 0, demo.stderr
    assert "300 orders" in demo.stdout and "Late and not yet confirmed" in demo.stdout
    order_id = demo.stdout.split("sellerbot orders ", 1)[1].split()[0]
    shown = sellerbot("orders", order_id, cwd=elsewhere)
    assert shown.returncode == 0, shown.stderr
    assert f"Order {order_id}" in shown.stdout and "Ship by" in shown.stdout
    again = sellerbot("demo", cwd=elsewhere)
    assert "300 orders" in again.stdout


def test_import_reports_and_rejects_the_broken_file(elsewhere):
    result = sellerbot("import", str(SAMPLES / "all-orders.txt"), str(SAMPLES / "broken-orders.txt"),
                       cwd=elsewhere)
    assert result.returncode == 1
    assert "all-orders.txt: All Orders report, 40 rows: 34 orders (34 new), 40 order lines" in result.stdout
    errors = result.stderr.splitlines()
    assert [line.split(": ", 1)[0].rsplit(":", 1)[1] for line in errors[:3]] == ["4", "7", "10"]
    assert errors[3].startswith("nothing was imported from")
    assert "Traceback" not in result.stderr


def test_each_line_of_the_import_summary_is_a_line_of_its_own(elsewhere):
    # The summary ran into the next line: "...40 order linesbroken-orders.txt:4: skipped".
    assert sellerbot("demo", cwd=elsewhere).returncode == 0
    after_demo = sellerbot("import", str(SAMPLES / "all-orders.txt"), cwd=elsewhere)
    lines = after_demo.stdout.splitlines()
    assert lines[0].endswith("40 order lines")
    assert any(line.startswith("The demo seller's 300 orders were removed") for line in lines)
    skipped = sellerbot("import", "--skip-bad-rows", str(SAMPLES / "broken-orders.txt"),
                        cwd=elsewhere)
    assert skipped.returncode == 0, skipped.stderr
    lines = skipped.stdout.splitlines()
    assert "skipped:" not in lines[0] and ": skipped: " in lines[1]


def test_import_loads_its_libraries_without_a_full_collection(elsewhere):
    # bot/cli/data.py: the collector, paused from the command's start, does not walk the
    # 120,000 objects loading sellerbot makes; it runs again once the command is done.
    probe = (
        "import gc, sys\n"
        "from bot.cli import main\n"
        "full = []\n"
        "gc.callbacks.append(lambda phase, info: phase == 'start' and info['generation'] == 2"
        " and full.append(1))\n"
        f"sys.argv = ['sellerbot', 'import', {str(SAMPLES / 'all-orders.txt')!r}]\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print(len(full), gc.isenabled(), 'rich' in sys.modules, gc.get_freeze_count() > 20_000)\n"
    )
    environment = {**os.environ, "DATABASE_URL": f"sqlite:///{elsewhere / 'cli.db'}"}
    result = subprocess.run([sys.executable, "-c", probe], cwd=elsewhere, env=environment,
                            capture_output=True, text=True, timeout=120, check=True)
    # Nor does it load rich for a progress bar no terminal would show; what the command made
    # is frozen, so that the collector resuming does not walk it either.
    assert result.stdout.splitlines()[-1] == "0 True False True", result.stdout


def test_a_command_ends_without_walking_its_objects_again(elsewhere):
    # bot/cli/__init__.py: by the time Python's exit would collect, every object is frozen.
    probe = (
        "import atexit, gc\n"
        "atexit.register(lambda: print(gc.get_freeze_count()))  # runs after main's own\n"
        "import sys\n"
        "from bot.cli import main\n"
        "sys.argv = ['sellerbot', 'can-return', '--help']\n"
        "main()\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], cwd=elsewhere, capture_output=True,
                            text=True, timeout=120, check=True)
    assert int(result.stdout.splitlines()[-1]) > 20_000, result.stdout


def test_a_command_leaves_no_write_ahead_log_behind(elsewhere):
    # bot/cli/common.py: a command closes the databases it opened (its objects are frozen at
    # exit, so the collector would not), and SQLite removes its -wal and -shm files.
    for args in (("import", str(SAMPLES / "all-orders.txt")), ("orders", "today")):
        ran = sellerbot(*args, cwd=elsewhere)
        assert ran.returncode == 0, ran.stderr
        assert [p.name for p in elsewhere.iterdir() if p.name.startswith("cli.db")] == ["cli.db"]


def test_import_on_a_terminal_shows_its_progress(elsewhere):
    import pty

    probe = (
        "import sys\n"
        "import bot.cli.data\n"
        "bot.cli.data.PROGRESS_BYTES = 0  # the sample is small\n"
        f"sys.argv = ['sellerbot', 'import', {str(SAMPLES / 'all-orders.txt')!r}]\n"
        "bot.cli.data.app()\n"
    )
    terminal, their_end = pty.openpty()
    environment = {**os.environ, "DATABASE_URL": f"sqlite:///{elsewhere / 'cli.db'}",
                   "TERM": "xterm", "COLUMNS": "100"}
    process = subprocess.Popen([sys.executable, "-c", probe], cwd=elsewhere, env=environment,
                               stdout=subprocess.PIPE, stderr=their_end)
    os.close(their_end)
    out, _ = process.communicate(timeout=120)
    shown = b""
    while True:
        try:
            chunk = os.read(terminal, 65536)
        except OSError:  # the other end is closed: all read
            break
        if not chunk:
            break
        shown += chunk
    os.close(terminal)
    assert process.returncode == 0
    assert b"40 rows" in out
    assert b"all-orders.txt" in shown and b"\x1b[" in shown, shown[:300]


@pytest.mark.parametrize(("args", "says", "status"), [
    (("orders", "123-4567890-1234567"), "no order 123-4567890-1234567 in the database", 3),
    (("orders", "tomorrow"), "'tomorrow' is neither a list (today, at-risk, late, unshipped) nor an Amazon order id", 2),
    # Part of an id, read as can-return reads it (issue 16): here it matches no order.
    (("orders", "12-34"), "no order 12-34 in the database", 3),
    (("orders", "late", "--as-of", "yesterday"), "--as-of 'yesterday' is not a date and time", 2),
    (("import", "missing.txt"), "missing.txt: no such file", 1),
])
def test_errors_are_one_friendly_line(elsewhere, args, says, status):
    result = sellerbot(*args, cwd=elsewhere)
    assert result.returncode == status
    assert result.stderr.strip() == says or result.stderr.strip().startswith(says)
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr


def test_a_bad_setting_stops_the_command_with_one_line(elsewhere):
    result = sellerbot("demo", cwd=elsewhere, env={"DIGEST_TIME": "8am"})
    assert result.returncode == 2
    assert result.stderr.strip() == "DIGEST_TIME: expected a 24-hour time HH:MM, got '8am'"


def test_debug_shows_the_traceback(elsewhere):
    result = sellerbot("--debug", "orders", "123-4567890-1234567", cwd=elsewhere)
    assert result.returncode != 0
    assert "Traceback" in result.stderr and "NotFound" in result.stderr


def test_unknown_command_is_a_usage_error(elsewhere):
    result = sellerbot("frobnicate", cwd=elsewhere)
    assert result.returncode == 2
    assert "No such command" in result.stderr


def test_db_upgrade(elsewhere):
    from bot.store import Database

    head = Database("sqlite://").schema_state().head
    first = sellerbot("db", "upgrade", cwd=elsewhere)
    assert first.returncode == 0 and f"(new) -> {head}" in first.stdout
    second = sellerbot("db", "upgrade", cwd=elsewhere)
    assert f"is up to date (schema {head})" in second.stdout


def test_an_unreachable_database_is_one_line(elsewhere):
    result = sellerbot("orders", "123-4567890-1234567", cwd=elsewhere,
                       env={"DATABASE_URL": "postgresql://nobody@127.0.0.1:9/none"})
    assert result.returncode == 1
    assert result.stderr.startswith("cannot open the database postgresql+psycopg://nobody@127.0.0.1:9/none")
    assert len(result.stderr.strip().splitlines()) == 1


def test_orders_lists_and_json_as_of_the_samples(elsewhere):
    imported = sellerbot("import", str(SAMPLES / "all-orders.txt"), str(SAMPLES / "unshipped-orders.txt"),
                         cwd=elsewhere)
    assert imported.returncode == 0, imported.stderr
    late = sellerbot("orders", "late", "--as-of", "2026-11-25T07:00", cwd=elsewhere)
    assert late.returncode == 0, late.stderr
    # Order #19 of tests/fixtures/seller/README.md, promised for Mon 23 Nov.
    assert "209-5165469-2552960" in late.stdout and "LATE, was due Mon 23 Nov 23:59" in late.stdout
    assert "PST" in late.stdout.splitlines()[0]  # the heading names the zone the times are in
    as_json = sellerbot("orders", "at-risk", "--as-of", "2026-11-25T15:00:00+00:00", "--json", cwd=elsewhere)
    listed = json.loads(as_json.stdout)
    assert {e["class"] for e in listed["orders"]} == {"late", "due-today", "due-next"}
    first = listed["orders"][0]
    assert set(first) >= {"order_id", "status", "ship_by", "class", "is_prime", "auto_cancel_risk", "items"}
    assert first["ship_by"].endswith("-08:00")
    one = json.loads(sellerbot("orders", "209-5165469-2552960", "--json", cwd=elsewhere).stdout)
    assert one["orders"][0]["order_id"] == "209-5165469-2552960"
    digest = sellerbot("digest", "--print", "--as-of", "2026-11-25T07:00", cwd=elsewhere)
    assert digest.returncode == 0 and "Morning digest, Wednesday 25 November 2026" in digest.stdout
    sections = json.loads(sellerbot("digest", "--json", "--as-of", "2026-11-25T07:00", cwd=elsewhere).stdout)
    # #26 and #24, promised for today; the Prime order (#26) first.
    assert [e["order_id"] for e in sections["due_today"]] == ["203-0456207-9437191", "205-1830578-3793408"]


def test_console_answers_as_slack_does(elsewhere):
    sellerbot("import", str(SAMPLES / "all-orders.txt"), str(SAMPLES / "unshipped-orders.txt"),
              cwd=elsewhere)
    script = "/orders late\n# a comment\n\n/orders\n/orders 111-1111111-1111111\n/check-reply Thanks! Call 555-0142 anytime.\nquit\n/orders today\n"
    result = subprocess.run([sys.executable, "-m", "bot", "console"], cwd=elsewhere, input=script,
                            capture_output=True, text=True, timeout=60,
                            env={**os.environ, "DATABASE_URL": f"sqlite:///{elsewhere / 'cli.db'}"})
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.startswith("Late and not yet confirmed")
    assert "209-5165469-2552960" in out
    assert "/orders at-risk" in out
    assert "no order 111-1111111-1111111 in the database" in out
    assert "BLOCK: Don't send this as it is" in out and "phone-number" in out
    assert "Today's orders" not in out  # nothing after quit


def test_the_console_answers_reviews_as_reviews_due_does(elsewhere):
    sellerbot("demo", cwd=elsewhere)
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{elsewhere / 'cli.db'}"}
    due = sellerbot("reviews", "due", cwd=elsewhere).stdout
    console = subprocess.run([sys.executable, "-m", "bot", "console"], cwd=elsewhere,
                             input="/reviews\nhelp\n", capture_output=True, text=True,
                             timeout=60, env=env)
    assert console.returncode == 0, console.stderr
    assert console.stdout.startswith(due.splitlines()[0]) and due.strip() in console.stdout
    assert "/reviews" in console.stdout.split(due.strip())[1]  # the help lists it


@pytest.mark.parametrize(("args", "env", "missing"), [
    (("serve",), {}, "SLACK_BOT_TOKEN"),
    (("serve",), {"SLACK_BOT_TOKEN": "xoxb-x"}, "SLACK_SIGNING_SECRET"),
    (("serve", "--socket"), {"SLACK_BOT_TOKEN": "xoxb-x"}, "SLACK_APP_TOKEN"),
])
def test_serve_names_the_missing_slack_setting(elsewhere, args, env, missing):
    result = sellerbot(*args, cwd=elsewhere, env=env)
    assert result.returncode == 2
    assert result.stderr.strip() == f'{missing} is not set; Slack needs it (README: "Set up in Slack")'
    assert not (elsewhere / "cli.db").exists()  # stopped before touching the database


def test_a_japanese_sellers_order_in_yen_and_a_shift_jis_report(cli, tmp_path):
    # amazon.co.jp: the yen has no minor unit (Seller Central shows ￥1,500, not 1,500.00),
    # and a report saved in Shift-JIS is met with the encoding Japan's downloads use.
    header = ("amazon-order-id\tpurchase-date\tlast-updated-date\torder-status\t"
              "fulfillment-channel\tsales-channel\tproduct-name\tsku\tasin\titem-status\t"
              "quantity\tcurrency\titem-price\titem-tax\tshipping-price\tship-country")
    row = ("503-1234567-1234567\t2026-12-28T10:00:00+09:00\t2026-12-28T10:05:00+09:00\t"
           "Unshipped\tMerchant\tAmazon.co.jp\tステンレス製マグカップ 350ml\tMUG-JP-1\t"
           "B0BZ7T4N6W\tUnshipped\t1\tJPY\t1500\t136\t0\tJP")
    env = {"MARKETPLACE": "JP"}
    report = tmp_path / "jp-all-orders.txt"
    report.write_bytes(f"{header}\n{row}\n".encode("cp932"))
    refused = cli("import", str(report), env=env)
    assert refused.returncode != 0 and "--encoding cp932" in refused.stdout + refused.stderr
    assert cli("import", "--encoding", "cp932", str(report), env=env).returncode == 0
    shown = cli("orders", "503-1234567-1234567", "--as-of", "2026-12-29T09:00", env=env)
    assert "1,500 JPY" in shown.stdout and "1,636 JPY" in shown.stdout, shown.stdout
    assert ".00 JPY" not in shown.stdout
