"""The `sellerbot` command: every feature answers in the terminal too."""

import json
import logging
import sys
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

from bot import __version__, render, reports
from bot import console as bot_console
from bot.config import Settings, load_settings
from bot.errors import BadInput, ImportRejected, SellerbotError, StoreError
from bot.imports import check_encoding, import_file, import_order
from bot.paths import file_problem
from bot.render import data as render_data
from bot.store import Database

app = typer.Typer(
    name="sellerbot",
    help="Keep an Amazon seller's team on Amazon's order and customer-service rules.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="Create or update the database tables.", no_args_is_help=True)
app.add_typer(db_app, name="db")
rules_app = typer.Typer(help="The compliance rules behind check-reply.", no_args_is_help=True)
app.add_typer(rules_app, name="rules")

# Ctrl-C: the shell's convention, 128 + SIGINT.
EXIT_INTERRUPTED = 130
# Files this big get a progress bar (on a terminal); smaller ones finish before it would help.
PROGRESS_BYTES = 8 * 1024 * 1024


class _State:
    debug = False


def _echo(text: str) -> None:
    typer.echo(text)


def _settings() -> Settings:
    return load_settings()


def _database(settings: Settings) -> Database:
    return Database.open(settings.database_url)


def _version(value: bool) -> None:
    if value:
        _echo(f"sellerbot {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    debug: Annotated[
        bool, typer.Option("--debug", help="Show debug logs and full tracebacks.")
    ] = False,
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Show the version and exit.")] = False,
) -> None:
    """Keep an Amazon seller's team on Amazon's order and customer-service rules."""
    _State.debug = debug
    logging.basicConfig(
        level=logging.DEBUG if debug else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )


@app.command("import")
def import_(
    files: Annotated[list[Path], typer.Argument(help="Report files or saved SP-API responses.",
                                                show_default=False)],
    skip_bad_rows: Annotated[bool, typer.Option(
        "--skip-bad-rows", help="Import the good rows of a file and list the bad ones.")] = False,
    encoding: Annotated[str, typer.Option(
        help="Text encoding of report files (default UTF-8).")] = "utf-8-sig",
) -> None:
    """Import Seller Central reports or saved SP-API responses, recognised by their content."""
    check_encoding(encoding)
    settings = _settings()
    db = _database(settings)
    ctx = reports.seller_context(settings)
    console = Console(stderr=True)
    with Progress(
        TextColumn("{task.description}"), BarColumn(), DownloadColumn(), TimeRemainingColumn(),
        console=console, transient=True, disable=not console.is_terminal,
    ) as bar:
        failed = 0
        for path in import_order(files, encoding):
            task = None
            if path.is_file() and path.stat().st_size >= PROGRESS_BYTES:
                task = bar.add_task(path.name, total=path.stat().st_size)

            def advance(_path: Path, done: int, _total: int, task: object = task) -> None:
                if task is not None:
                    bar.update(task, completed=done)  # type: ignore[arg-type]

            try:
                result = import_file(db, path, ctx, now=datetime.now(UTC),
                                     skip_bad_rows=skip_bad_rows, encoding=encoding,
                                     progress=advance, on_wait=_say_waiting)
            except ImportRejected as exc:
                # One bad file stops only itself: the others are still imported.
                failed += 1
                typer.echo(render.message("errors", exc.code, **exc.params), err=True)
                continue
            except KeyboardInterrupt:
                # The file's transaction is rolled back; the files before it are in.
                typer.echo(render.message("errors", "import_stopped", path=str(path)), err=True)
                raise typer.Exit(EXIT_INTERRUPTED) from None
            finally:
                if task is not None:
                    bar.remove_task(task)  # type: ignore[arg-type]
            _echo(render.text("import", result=result))
    if failed:
        raise typer.Exit(1)


def _say_waiting() -> None:
    typer.echo(render.message("notices", "bulk_waiting"), err=True)


def _as_of(text: str | None, settings: Settings) -> datetime:
    """--as-of: an ISO 8601 time; without an offset it is in SELLER_TIMEZONE. Default: now."""
    if text is None:
        return datetime.now(UTC)
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise BadInput("as_of_malformed", text=text.strip()[:40]) from None
    _plausible(moment.date(), "--as-of")
    return moment if moment.tzinfo else moment.replace(tzinfo=settings.timezone)


# Days sellerbot reasons about: deadlines and windows add weeks to them, which must not run
# past the calendar's end (year 9999) or before Amazon's marketplaces existed.
FIRST_YEAR, LAST_YEAR = 1995, 2999


def _plausible(day: date, option: str) -> date:
    """`day`, unless it is outside FIRST_YEAR-LAST_YEAR (BadInput)."""
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise BadInput("date_out_of_range", option=option, day=day.isoformat(),
                       first=FIRST_YEAR, last=LAST_YEAR)
    return day


def _since(text: str | None, settings: Settings) -> datetime | None:
    """--since: a day (YYYY-MM-DD), from its start in SELLER_TIMEZONE; None when not given."""
    if text is None:
        return None
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        raise BadInput("since_malformed", text=text.strip()[:40]) from None
    return datetime.combine(_plausible(day, "--since"), datetime.min.time(), settings.timezone)


AsOf = Annotated[str | None, typer.Option(
    "--as-of", metavar="ISO-DATETIME",
    help="Report as of this time (default now); without an offset it is in SELLER_TIMEZONE.")]
Json = Annotated[bool, typer.Option("--json", help="Print the report as JSON.")]


def _print_json(data: object) -> None:
    _echo(render_data.dumps(data, indent=2))


@app.command()
def demo() -> None:
    """Load (or refresh) the demo seller and print the morning digest the team would get."""
    settings = _settings()
    db = _database(settings)
    now = datetime.now(UTC)
    loaded = reports.load_demo(db, settings, now)
    seller = reports.seller_of(settings)
    report = reports.digest(db, seller, now)
    example = (report.late or report.due_today or report.due_next or [None])[0]
    _echo(render.text("demo", loaded=loaded, database=db.safe_url,
                      digest=render.text("digest", digest=report, seller=seller),
                      example=example.order.order_id if example else None))


@app.command()
def orders(
    what: Annotated[str, typer.Argument(
        metavar="[today|at-risk|late|unshipped|ORDER_ID]",
        help="A list of orders, or one order by its id.")] = "today",
    as_of: AsOf = None,
    as_json: Json = False,
) -> None:
    """List today's, at-risk, late or unshipped orders, or show one order."""
    settings = _settings()
    moment = _as_of(as_of, settings)
    db = _database(settings)
    seller = reports.seller_of(settings)
    tz = settings.timezone
    asked = reports.orders_argument(what)
    if asked is None:
        raise BadInput("orders_what", text=what.strip()[:40])
    if not isinstance(asked, reports.View):
        detail = reports.order_detail(db, seller, asked, moment)
        if as_json:
            _print_json(render_data.order(detail, tz))
        else:
            _echo(render.text("order", detail=detail, tz=tz, marketplace=seller.marketplace))
        return
    report = reports.orders_report(db, seller, asked, moment)
    if as_json:
        _print_json(render_data.orders(report, tz))
    else:
        _echo(render.text("orders", report=report, seller=seller))


@app.command()
def digest(
    print_: Annotated[bool, typer.Option("--print", help="Print the digest here (the default).")
                      ] = False,
    post: Annotated[bool, typer.Option(
        "--post", help="Post today's digest to each DIGEST_CHANNEL now, unless already posted.")
    ] = False,
    force: Annotated[bool, typer.Option(
        "--force", help="With --post: post even if today's digest is already there.")] = False,
    as_of: AsOf = None,
    as_json: Json = False,
) -> None:
    """Build the morning digest: new, late, due today and due next business day, and the LSR."""
    settings = _settings()
    if post:
        _post_digests(settings, force=force)
        return
    moment = _as_of(as_of, settings)
    db = _database(settings)
    seller = reports.seller_of(settings)
    report = reports.digest(db, seller, moment)
    if as_json:
        _print_json(render_data.digest(report, settings.timezone))
    else:
        del print_  # printing is what digest does without --post
        _echo(render.text("digest", digest=report, seller=seller))


# `digest --post` exit statuses beyond 0 (posted) and 1 (failed), for scripts and cron.
EXIT_ALREADY_POSTED = 3
EXIT_BEING_POSTED = 75  # EX_TEMPFAIL, as for Busy: another process has it now; try later


def _post_digests(settings: Settings, *, force: bool) -> None:
    """digest --post: the scheduler's own run, now, for every DIGEST_CHANNEL entry. A run that
    failed earlier is tried again at once: the person asking has likely fixed the cause."""
    from datetime import timedelta

    from bot import jobs
    from bot.app import web_client

    if not settings.digests:
        raise BadInput("no_digest_channel")
    runner = jobs.Digests(settings, _database(settings), web_client(settings))
    outcomes = [(s, runner.run(s, force=force, retry_failed_after=timedelta(0)))
                for s in settings.digests]
    _echo(render.text("digest_post", outcomes=outcomes, now=datetime.now(UTC),
                      tz=settings.timezone))
    statuses = {o.status if o.status != "skipped" else o.why for _, o in outcomes}
    if "failed" in statuses:
        raise typer.Exit(1)
    if "running" in statuses:
        raise typer.Exit(EXIT_BEING_POSTED)
    if "posted" not in {o.status for _, o in outcomes}:
        raise typer.Exit(EXIT_ALREADY_POSTED)


@app.command("jobs")
def jobs_() -> None:
    """List the scheduled jobs: when each runs next and how its last run went."""
    from bot import jobs
    from bot.store import job_runs

    settings = _settings()
    db = _database(settings)
    now = datetime.now(UTC)
    schedule = jobs.scheduler(settings, db, lambda _schedule: None)
    listed = [(job.id, job.trigger.get_next_fire_time(None, now)) for job in schedule.get_jobs()]
    last = job_runs.latest(db, [name for name, _ in listed])
    _echo(render.text("jobs", jobs=listed, last=last, tz=settings.timezone))


@app.command()
def serve(
    socket: Annotated[bool, typer.Option(
        "--socket", help="Use Socket Mode (SLACK_APP_TOKEN) instead of HTTP.")] = False,
) -> None:
    """Serve the Slack app: HTTP on PORT at /slack/events (GET /healthz), or Socket Mode."""
    from bot import server  # Slack and the web server load only for this command

    settings = _settings()
    logging.getLogger().setLevel(logging.DEBUG if _State.debug else logging.INFO)
    # Migration chatter is for `db upgrade` and --debug, not every start of the server.
    logging.getLogger("alembic").setLevel(logging.DEBUG if _State.debug else logging.WARNING)
    # slack_sdk logs whole request and response bodies at DEBUG (a draft reply in a view, a
    # buyer's words in a command): not even --debug writes those to the log.
    logging.getLogger("slack_sdk").setLevel(logging.INFO)
    if socket:
        server.serve_socket(settings)
    else:
        server.serve_http(settings)


@app.command("can-return")
def can_return(
    order_id: Annotated[str, typer.Argument(
        metavar="ORDER_ID", help="e.g. 123-4567890-1234567, or enough of it to be unique")],
    as_of: Annotated[str | None, typer.Option(
        "--as-of", metavar="YYYY-MM-DD", help="Answer for this day (default today).")] = None,
    as_json: Json = False,
) -> None:
    """Can this order still be returned, until when, for what refund; with the reasons."""
    settings = _settings()
    if as_of is None:
        today = datetime.now(UTC).astimezone(settings.timezone).date()
    else:
        try:
            today = _plausible(date.fromisoformat(as_of.strip()), "--as-of")
        except ValueError:
            raise BadInput("as_of_malformed", text=as_of.strip()[:40]) from None
    db = _database(settings)
    seller = reports.seller_of(settings)
    answer = reports.can_return(db, seller, order_id, today)
    if as_json:
        _print_json(render_data.can_return(answer))
    else:
        _echo(render.text("can_return", answer=answer, tz=settings.timezone))


@app.command()
def console() -> None:
    """Try the Slack commands here: /orders, /can-return, /check-reply (or pipe them in)."""
    settings = _settings()
    db = _database(settings)
    interactive = sys.stdin.isatty()
    from bot.compliance_rules import checker

    bot_console.run(db, reports.seller_of(settings), sys.stdin, _echo, interactive=interactive,
                    checker=checker(settings.extra_rules))


def _read_text(source: str) -> str:
    """The text of FILE, or of standard input for "-"."""
    if source == "-":
        # Bytes, decoded here: the text layer may let invalid UTF-8 through as surrogates
        # (in a C locale), which fail later, far from the cause.
        try:
            return sys.stdin.buffer.read().decode("utf-8")
        except UnicodeDecodeError:
            raise BadInput("file_unreadable", path="standard input",
                           reason="not UTF-8 text") from None
    path = Path(source)
    problem = file_problem(path)
    if problem is not None:
        raise BadInput(problem, path=source)
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise BadInput("file_unreadable", path=source, reason="not UTF-8 text") from None
    except OSError as exc:
        raise BadInput("file_unreadable", path=source, reason=exc.strerror) from None


@app.command("check-reply")
def check_reply(
    source: Annotated[str, typer.Argument(
        metavar="[FILE|-]", help="The draft reply: a text file, or - (default) for standard input.")
    ] = "-",
    in_reply_to: Annotated[str | None, typer.Option(
        "--in-reply-to", metavar="TEXT",
        help="The buyer's message it answers: an answer may say more than an unsolicited message.")
    ] = None,
    jsonl: Annotated[str | None, typer.Option(
        "--jsonl", metavar="FILE|-",
        help='Check many: lines of {"text": ..., "in_reply_to": ... or null}; a JSON result each.')
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Check a draft buyer reply against Amazon's messaging rules (exit 0 ok, 1 warn or block)."""
    from bot import reply_checks
    from bot.compliance_rules import checker

    settings = _settings()
    rules = checker(settings.extra_rules)
    region = settings.market.country
    if jsonl is not None:
        if source != "-":
            raise BadInput("jsonl_and_file")
        _check_jsonl(jsonl, settings, rules, region)
        return
    text = _read_text(source)
    result = reply_checks.check(rules, text, in_reply_to=in_reply_to, region=region)
    reply_checks.record(_database(settings), [reply_checks.audit_record(
        text, result, reply_checks.Asker("cli"), datetime.now(UTC))])
    if as_json:
        _print_json(render_data.check_result(result))
    else:
        _echo(render.text("check_reply", result=result))
    if result.verdict != "ok":
        raise typer.Exit(1)


def _check_jsonl(source: str, settings: Settings, rules: object, region: str) -> None:
    """--jsonl: one result per input line, in order; a bad line gets an error object instead."""
    from bot import reply_checks

    stream = sys.stdin if source == "-" else None
    if stream is None:
        _read_text(source)  # the same friendly errors as a single file
        stream = Path(source).open(encoding="utf-8")  # noqa: SIM115 - closed below
    records, worst = [], 0
    now = datetime.now(UTC)
    try:
        for number, line in enumerate(stream, start=1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
                if not isinstance(item, dict) or not isinstance(item.get("text"), str) or not (
                        item.get("in_reply_to") is None or isinstance(item["in_reply_to"], str)):
                    raise ValueError
            except ValueError:
                worst = 2
                _echo(render_data.dumps({"line": number, "error": render.message(
                    "errors", "jsonl_not_object")}))
                continue
            try:
                result = reply_checks.check(rules, item["text"],  # type: ignore[arg-type]
                                            in_reply_to=item.get("in_reply_to"), region=region)
            except BadInput as exc:
                worst = 2
                _echo(render_data.dumps({"line": number, "error": render.message(
                    "errors", exc.code, **exc.params)}))
                continue
            records.append(reply_checks.audit_record(item["text"], result,
                                                     reply_checks.Asker("batch"), now))
            worst = max(worst, 0 if result.verdict == "ok" else 1)
            _echo(render_data.dumps(render_data.check_result(result)))
    finally:
        if stream is not sys.stdin:
            stream.close()
    reply_checks.record(_database(settings), records)
    if worst:
        raise typer.Exit(worst)


@rules_app.command("test")
def rules_test() -> None:
    """Run every rule's must-flag and must-pass examples and print a table (exit 1 on a failure)."""
    from bot.compliance_rules import checker, run_examples

    settings = _settings()
    runs = run_examples(checker(settings.extra_rules))
    _echo(render.text("rules_test", rows=runs))
    if not all(run.ok for run in runs):
        raise typer.Exit(1)


@app.command()
def audit(
    since: Annotated[str | None, typer.Option(
        "--since", metavar="YYYY-MM-DD", help="Only checks from this day on (SELLER_TIMEZONE).")
    ] = None,
    as_json: Json = False,
) -> None:
    """List the audited reply checks: verdict, categories, who, where, when, SHA-256 of the text."""
    from bot import reply_checks

    settings = _settings()
    start = _since(since, settings)
    records = reply_checks.audit_log(_database(settings), start)
    if as_json:
        _print_json(render_data.audit(records))
    else:
        _echo(render.text("audit", records=records, since=start.date() if start else None,
                          limit=reply_checks.AUDIT_LIMIT, tz=settings.timezone))


@app.command()
def sync(
    since: Annotated[str | None, typer.Option(
        "--since", metavar="YYYY-MM-DD",
        help="Read the orders changed from this day on (SELLER_TIMEZONE), not since the last sync.")
    ] = None,
) -> None:
    """Bring the orders up to date from Amazon's Selling Partner API (LWA_APP_ID, ...)."""
    from bot import syncs
    from bot.sources.sp_api import OrdersApi

    settings = _settings()
    start = _since(since, settings)
    db = _database(settings)
    result = syncs.sync(db, OrdersApi(settings), settings, now=datetime.now(UTC), since=start)
    _echo(render.text("sync", result=result, tz=settings.timezone))


@app.command()
def confirm(
    order: Annotated[str, typer.Argument(help="The order id (or enough of it).",
                                         show_default=False)],
    carrier: Annotated[str, typer.Option(help="Amazon's carrier code: USPS, UPS, FedEx, DHL, "
                                         "..., or Other with --carrier-name.")],
    tracking: Annotated[str, typer.Option(help="The parcel's tracking number.")],
    ship_date: Annotated[str | None, typer.Option(
        "--ship-date", metavar="YYYY-MM-DD", help="When it left (default today, SELLER_TIMEZONE).")
    ] = None,
    carrier_name: Annotated[str | None, typer.Option(
        "--carrier-name", help="The carrier's name, with --carrier Other.")] = None,
    method: Annotated[str | None, typer.Option(help="The service, e.g. 'UPS Ground'.")] = None,
) -> None:
    """Confirm an order's shipment to Amazon (once: confirming it again says it is done)."""
    from bot import shipments
    from bot.sources.sp_api import OrdersApi

    settings = _settings()
    db = _database(settings)
    seller = reports.seller_of(settings)
    now = datetime.now(UTC)
    package = shipments.package_from(carrier, tracking, ship_date, carrier_name, method,
                                     today=now.astimezone(settings.timezone).date())
    order_id = reports.find_order_id(db, order)
    done = shipments.confirm(db, OrdersApi(settings), seller, order_id, package, now=now)
    _echo(render.text("confirm", done=done, tz=settings.timezone))


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Create the tables, or bring them up to this sellerbot's version."""
    settings = _settings()
    db = Database(settings.database_url)
    before = db.schema_state()
    db.upgrade()
    _echo(render.text("db_upgrade", before=before, after=db.schema_state(), database=db.safe_url))


def main() -> None:
    """Run the command line; errors print as one friendly line, tracebacks only with --debug."""
    try:
        app()
    except SellerbotError as exc:
        if _State.debug:
            raise
        typer.echo(render.message("errors", exc.code, **exc.params), err=True)
        sys.exit(exc.exit_code)
    except Exception as exc:
        if _State.debug:
            raise
        known = _store_error(exc)
        if known is not None:
            typer.echo(render.message("errors", known.code, **known.params), err=True)
            sys.exit(known.exit_code)
        logging.getLogger(__name__).error("unexpected %s", type(exc).__name__)
        typer.echo(render.message("errors", "unexpected", kind=type(exc).__name__), err=True)
        sys.exit(1)


def _store_error(exc: Exception) -> SellerbotError | None:
    """The database's own refusals that a user can act on (SQLite's lock, a read-only file),
    as errors with a message; None for anything else."""
    from sqlalchemy.exc import OperationalError

    if not isinstance(exc, OperationalError):
        return None
    said = str(exc.orig)
    url = _database_url_for_messages()
    if "database is locked" in said:
        return StoreError("db_locked", url=url)
    if "readonly database" in said or "read-only" in said:
        return StoreError("db_read_only", url=url)
    return StoreError("db_unreachable", url=url, reason=said.strip().splitlines()[0][:200])


def _database_url_for_messages() -> str:
    try:
        return Database(_settings().database_url).safe_url
    except Exception:  # the settings themselves may be what is wrong
        return "(DATABASE_URL)"
