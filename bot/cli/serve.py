"""Running with Slack: `serve`, `jobs` and `console`."""

import logging
import sys
from datetime import UTC, datetime, timedelta
from typing import Annotated

import typer

from bot.cli.common import State, app, database, echo, settings


@app.command()
def serve(
    socket: Annotated[bool, typer.Option(
        "--socket", help="Use Socket Mode (SLACK_APP_TOKEN) instead of HTTP.")] = False,
) -> None:
    """Serve the Slack app: HTTP on PORT at /slack/events (GET /healthz), or Socket Mode."""
    from bot import server  # Slack and the web server load only for this command

    current = settings()
    logging.getLogger().setLevel(logging.DEBUG if State.debug else logging.INFO)
    # Migration chatter is for `db upgrade` and --debug, not every start of the server.
    logging.getLogger("alembic").setLevel(logging.DEBUG if State.debug else logging.WARNING)
    if socket:
        server.serve_socket(current)
    else:
        server.serve_http(current)


@app.command("jobs")
def jobs_() -> None:
    """List the scheduled jobs: when each runs next and how its last run went."""
    from bot import jobs, render, wiring
    from bot.usecases import digests, runs

    current = settings()
    db = database(current)
    now = datetime.now(UTC)
    schedule = jobs.scheduler(current, db, lambda _schedule: None)
    listed = [(job.id, job.trigger.get_next_fire_time(None, now)) for job in schedule.get_jobs()]
    last = runs.latest(db, [name for name, _ in listed])
    # The sync keeps its own record (its cursor); a failure shows at once here, not only
    # after the digest's grace for a passing one.
    sync = (digests.sync_status(db, wiring.seller_of(current), now, failing_after=timedelta(0))
            if current.sp_api_configured else None)
    echo(render.text("jobs", jobs=listed, last=last, sync=sync, tz=current.timezone))


@app.command()
def console() -> None:
    """Try the Slack commands here: /orders, /can-return, /check-reply, /reviews (or pipe
    them in)."""
    from bot import console as slack_console
    from bot import wiring
    from bot.compliance.loading import checker

    current = settings()
    db = database(current)
    slack_console.run(db, wiring.seller_of(current), sys.stdin, echo,
                      interactive=sys.stdin.isatty(), checker=checker(current.extra_rules))
