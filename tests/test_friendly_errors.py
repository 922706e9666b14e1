"""Every failure a user can cause or meet is one clear line with what to do, not "something went
wrong (X)": Slack and the port at `serve` start, a busy or read-only database, options out of
range, Amazon's token endpoint failing, a folder or a device given as a file, Ctrl-C."""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.store import Database, database
from tests.conftest import ROOT, SAMPLES, write_lock_held


def serve(env: dict[str, str], cwd: Path, *options: str) -> subprocess.CompletedProcess:
    """`sellerbot serve` in its own process, which is expected to stop at start."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DIGEST_"))}
    environment.update({"DATABASE_URL": f"sqlite:///{cwd / 'serve.db'}", "HOST": "127.0.0.1",
                        "SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": "s3cret", **env})
    return subprocess.run([sys.executable, "-m", "bot", "serve", *options], cwd=cwd,
                          env=environment, capture_output=True, text=True, timeout=60)


def one_line(said: str) -> str:
    """The one line a command printed about its failure: no traceback, no "went wrong"."""
    lines = said.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in said and "went wrong" not in said, said
    return lines[0]


def last_line(log: str) -> str:
    """`serve` writes its log to standard error; the failure is its last line, a sentence."""
    assert "Traceback" not in log and "went wrong" not in log, log
    return log.strip().splitlines()[-1]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_serve_with_a_token_slack_refuses(slack, tmp_path):
    slack.fail("auth.test", error="invalid_auth")
    ran = serve({"SLACK_API_URL": slack.api_url, "PORT": str(free_port())}, tmp_path)
    assert ran.returncode == 2
    assert last_line(ran.stderr).startswith("Slack refused SLACK_BOT_TOKEN (invalid_auth)")


@pytest.mark.parametrize("error", ["invalid_auth", "not_allowed_token_type"])
def test_serve_socket_mode_with_an_app_token_slack_refuses(slack, tmp_path, error):
    # Revoked, or the bot token pasted into SLACK_APP_TOKEN.
    slack.fail("apps.connections.open", error=error)
    ran = serve({"SLACK_API_URL": slack.api_url, "SLACK_APP_TOKEN": "xapp-1-revoked"},
                tmp_path, "--socket")
    assert ran.returncode == 2
    assert last_line(ran.stderr).startswith(f"Slack refused SLACK_APP_TOKEN ({error})")
    assert "next run" not in ran.stderr  # no job started


def test_serve_socket_mode_connects_then_starts_the_jobs(slack, tmp_path):
    from tests.fake_socket_mode import FakeSocketMode

    socket_mode = FakeSocketMode()
    slack.socket_url = socket_mode.url
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DIGEST_"))}
    environment.update({"DATABASE_URL": f"sqlite:///{tmp_path / 'serve.db'}",
                        "SLACK_BOT_TOKEN": "xoxb-test", "SLACK_APP_TOKEN": "xapp-1-test",
                        "SLACK_API_URL": slack.api_url})
    process = subprocess.Popen([sys.executable, "-m", "bot", "serve", "--socket"], cwd=tmp_path,
                               env=environment, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while socket_mode.connections < 1 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert socket_mode.connections == 1
        time.sleep(1)  # still serving: it waits once connected
        assert process.poll() is None
    finally:
        process.send_signal(signal.SIGINT)
        _, log = process.communicate(timeout=30)
        socket_mode.close()
    assert "serving Slack over Socket Mode" in log and "job clean-up: next run" in log


def test_serve_when_slack_cannot_be_reached(tmp_path):
    ran = serve({"SLACK_API_URL": f"http://127.0.0.1:{free_port()}/api/",
                 "PORT": str(free_port())}, tmp_path)
    assert ran.returncode == 1
    assert last_line(ran.stderr).startswith("cannot reach Slack at http://127.0.0.1:")


def test_serve_on_a_port_in_use(slack, tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        ran = serve({"SLACK_API_URL": slack.api_url, "PORT": str(port)}, tmp_path)
    assert ran.returncode == 1
    assert last_line(ran.stderr) == (f"port {port} on 127.0.0.1 is already in use (another "
                                    "sellerbot?); stop that program or set PORT to a free one")
    assert "serving" not in ran.stderr  # nothing claims to serve, and no job started


def test_a_database_another_command_holds(settings, cli, tmp_path, monkeypatch):
    monkeypatch.setattr(database, "BUSY_TIMEOUT_MS", 200)
    db = Database.open(settings.database_url)
    draft = tmp_path / "draft.txt"
    draft.write_text("Thanks for your order, it is on its way.")
    with write_lock_held(db):  # an import in another terminal
        ran = cli("check-reply", str(draft))  # it records an audit row: a write
    assert ran.returncode == 1
    assert one_line(ran.stderr).startswith(f"the database {db.safe_url} is busy")


def test_a_read_only_database(settings, cli, tmp_path):
    Database.open(settings.database_url).close()
    path = settings.database_url.removeprefix("sqlite:///")
    read_only = f"sqlite:///file:{path}?mode=ro&uri=true"
    draft = tmp_path / "draft.txt"
    draft.write_text("Thanks for your order, it is on its way.")
    ran = cli("check-reply", str(draft), env={"DATABASE_URL": read_only})
    assert ran.returncode == 1
    assert "cannot write to the database" in one_line(ran.stderr)


def test_a_file_that_is_no_database(cli, tmp_path):
    # "something went wrong (DatabaseError); run again with --debug"
    notes = tmp_path / "notes.db"
    notes.write_bytes(b"shopping list: tape, labels, boxes\n" * 100)
    ran = cli("orders", "today", env={"DATABASE_URL": f"sqlite:///{notes}"})
    assert ran.returncode == 1 and "went wrong" not in ran.stderr
    assert one_line(ran.stderr).startswith(f"cannot open the database sqlite:///{notes}: "
                                           "file is not a database")
    assert notes.read_bytes() == b"shopping list: tape, labels, boxes\n" * 100


@pytest.mark.parametrize("command", [["orders", "today"], ["db", "upgrade"]])
def test_another_programs_database_is_not_taken_for_a_new_one(cli, tmp_path, command):
    import sqlite3

    # Its "orders" table made creating sellerbot's fail halfway ("table orders already
    # exists", something went wrong).
    shop = tmp_path / "shop.db"
    with sqlite3.connect(shop) as conn:
        conn.execute("CREATE TABLE orders (id INTEGER PRIMARY KEY, customer TEXT)")
    ran = cli(*command, env={"DATABASE_URL": f"sqlite:///{shop}"})
    assert ran.returncode == 1 and "went wrong" not in ran.stderr
    assert f"the database sqlite:///{shop} is not sellerbot's" in one_line(ran.stderr)
    assert "a table named orders of another program" in one_line(ran.stderr)
    with sqlite3.connect(shop) as conn:
        assert [name for (name,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'")] == ["orders"]


@pytest.mark.parametrize(("args", "says"), [
    (["import", "--encoding", "bogus", str(SAMPLES / "all-orders.txt")],
     "--encoding 'bogus' is not a text encoding Python knows"),
    (["import", "--encoding", "hex", str(SAMPLES / "all-orders.txt")],
     "--encoding 'hex' is not a text encoding Python knows"),
    (["orders", "today", "--as-of", "9999-12-31T23:59"],
     "--as-of 9999-12-31 is outside the years"),
    (["digest", "--as-of", "0001-01-01T00:00"], "--as-of 0001-01-01 is outside the years"),
    (["can-return", "123-4567890-1234567", "--as-of", "9999-12-31"],
     "--as-of 9999-12-31 is outside the years"),
])
def test_options_out_of_range_are_bad_input(cli, args, says):
    ran = cli(*args)
    assert ran.returncode == 2
    assert one_line(ran.stderr).startswith(says)


@pytest.mark.parametrize("target", ["folder", "/dev/null"])
@pytest.mark.parametrize("command", ["import", "check-reply"])
def test_a_folder_or_a_device_is_not_called_missing(cli, tmp_path, command, target):
    path = str(tmp_path) if target == "folder" else target
    ran = cli(command, path)
    said = one_line(ran.stderr)
    assert "no such file" not in said
    assert ("is a folder, not a file" if target == "folder" else "not a regular file") in said
    assert ran.returncode == (1 if command == "import" else 2)


def test_amazons_token_endpoint_answering_html(cli, live, amazon, monkeypatch):
    monkeypatch.setattr("bot.sources.sp_api_calls.SERVER_RETRIES", (0.0, 0.0))
    amazon.fail("/auth/o2/token", 500, times=5, body=b"<html><h1>Service Unavailable</h1></html>")
    settings = live(database_url=f"sqlite:///{Path.cwd() / 'sync.db'}")
    env = {"DATABASE_URL": settings.database_url, "LWA_APP_ID": "amzn1.application-oa2-client.test",
           "LWA_CLIENT_SECRET": "not-a-secret", "SP_API_REFRESH_TOKEN": "Atzr|test",
           "SP_API_ENDPOINT": amazon.url, "LWA_TOKEN_URL": amazon.token_url}
    ran = cli("sync", env=env)
    assert ran.returncode == 1
    assert "answered 500 with a page that is not JSON" in one_line(ran.stderr)
    assert len(amazon.called("/auth/o2/token")) == 3  # tried, then retried like a server error


def test_ctrl_c_during_an_import_is_one_line_and_changes_nothing(tmp_path):
    sys.path.insert(0, str(ROOT / "bench"))
    from import_orders import generate  # the bench's report generator

    big = tmp_path / "big.txt"
    generate(big, 160_000)  # over 32 MB: parsed by a second process, which also gets SIGINT
    assert big.stat().st_size > 32 * 1024 * 1024
    database_url = f"sqlite:///{tmp_path / 'stopped.db'}"
    Database.open(database_url).close()
    env = {**os.environ, "DATABASE_URL": database_url}
    child = subprocess.Popen([sys.executable, "-m", "bot", "import", str(big)], cwd=tmp_path,
                             env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             start_new_session=True)  # its own group, as a terminal's job
    children = Path(f"/proc/{child.pid}/task/{child.pid}/children")
    deadline = time.monotonic() + 30
    while not children.read_text().split():  # until the parser process is running
        assert time.monotonic() < deadline and child.poll() is None
        time.sleep(0.05)
    time.sleep(0.3)
    os.killpg(child.pid, signal.SIGINT)  # what Ctrl-C sends: every process of the job
    _, err = child.communicate(timeout=60)
    assert child.returncode == 130, err
    assert err.strip() == f"import stopped: nothing from {big} was imported (files listed above were)"
    with Database(database_url).begin() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM orders").scalar() == 0


@pytest.mark.parametrize("moment", ["before any file is read", "while a file's result is shown"])
def test_ctrl_c_at_any_moment_of_an_import_names_the_file_it_stopped(settings, cli, monkeypatch,
                                                                     moment):
    # Python raises KeyboardInterrupt wherever Ctrl-C finds the main thread. These moments fall
    # outside a file's import (its files being ordered, a result being shown), where Typer
    # alone exits 130 without a word (seen on a slow machine in the test above).
    from bot import render

    def ctrl_c(*_args, **_kwargs):
        raise KeyboardInterrupt

    returns, orders = SAMPLES / "returns.txt", SAMPLES / "all-orders.txt"
    if moment == "before any file is read":
        monkeypatch.setattr("bot.usecases.import_files.import_order", ctrl_c)
        orders_kept = 0
    else:
        text = render.text
        monkeypatch.setattr(render, "text", lambda name, **params: ctrl_c() if name == "import"
                            else text(name, **params))
        orders_kept = None  # the orders file is imported first, and stays in
    Database.open(settings.database_url).close()
    ran = cli("import", str(returns), str(orders))
    assert ran.returncode == 130, ran.stderr
    # Both times the returns file is the one stopped: first named, or next after the orders.
    assert ran.stderr.strip() == (f"import stopped: nothing from {returns} was imported "
                                  "(files listed above were)")
    with Database(settings.database_url).begin() as conn:
        kept = conn.exec_driver_sql("SELECT count(*) FROM orders").scalar()
        assert conn.exec_driver_sql("SELECT count(*) FROM returns").scalar() == 0
    assert kept > 0 if orders_kept is None else kept == orders_kept


@pytest.mark.parametrize(("args", "env", "missing"), [
    (("confirm", "111-0741645-0802523", "--carrier", "UPS", "--tracking", "1Z999"), {},
     "LWA_APP_ID, LWA_CLIENT_SECRET and SP_API_REFRESH_TOKEN are not set"),
    (("sync",), {"LWA_APP_ID": "amzn1.application-oa2-client.test"},
     "LWA_CLIENT_SECRET and SP_API_REFRESH_TOKEN are not set"),
    (("reviews", "request", "--due"), {"REVIEW_REQUESTS": "manual",
                                       "SP_API_REFRESH_TOKEN": "Atzr|x"},
     "LWA_APP_ID and LWA_CLIENT_SECRET are not set"),
])
def test_amazon_commands_without_the_sp_api_say_what_is_missing_and_what_it_is_for(
        cli, args, env, missing):
    # A confirmation or a review request cannot be had by importing a report.
    ran = cli(*args, env=env)
    assert ran.returncode == 2  # a setting, as every setting's absence is
    said = one_line(ran.stderr)
    assert said.startswith(missing) and "confirms shipments" in said
    assert "confirm shipments and request reviews in Seller Central" in said
