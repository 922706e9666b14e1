"""What the command groups share: settings, the database, options and their parsing, output.

Only light modules are imported here: every command pays for this module's imports at start.
"""

import logging
import sys
from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.core import TyperGroup

from bot import __version__
from bot.domain.calendar import FIRST_YEAR, LAST_YEAR
from bot.errors import BadInput, SellerbotError
from bot.paths import default_database

if TYPE_CHECKING:  # loaded by the commands that use them
    from bot.config import Settings
    from bot.wiring import Database


class State:
    """Set by the top-level options for every command."""

    debug = False


class _Group(TyperGroup):
    """The command list of --help with each command's whole first line, wrapped, where Click
    would cut it to what fits beside the name ("Import Seller Central reports or saved,...")."""

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        """The commands, each with its summary."""
        commands = [(name, self.get_command(ctx, name)) for name in self.list_commands(ctx)]
        rows = [(name, command.get_short_help_str(limit=1000))
                for name, command in commands if command is not None and not command.hidden]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


app = typer.Typer(
    cls=_Group,
    name="sellerbot",
    help="Keep an Amazon seller's team on Amazon's order and customer-service rules.",
    epilog=f"Data: {default_database()} (SQLite) unless DATABASE_URL names another "
    "database. Settings come from the environment or a .env file in this folder.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    # Click's plain help: options read as "--json  Print the report as JSON.", without
    # Typer's type tags ("<bool>") beside every flag, and without loading rich to show it.
    rich_markup_mode=None,
)


def _version(value: bool) -> None:
    if value:
        echo(f"sellerbot {__version__}")
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
    State.debug = debug
    logging.basicConfig(
        level=logging.DEBUG if debug else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )


# Ctrl-C: the shell's convention, 128 + SIGINT.
EXIT_INTERRUPTED = 130

AsOf = Annotated[str | None, typer.Option(
    "--as-of", metavar="ISO-DATETIME",
    help="Report as of this time (default now); without an offset it is in SELLER_TIMEZONE.")]
Json = Annotated[bool, typer.Option("--json", help="Print the report as JSON.")]


def width() -> int:
    """The terminal's width in characters (100 when printing to a pipe or a file)."""
    import shutil

    return shutil.get_terminal_size((100, 24)).columns


def echo(text: str) -> None:
    """Print to standard output."""
    typer.echo(text)


def error_line(exc: SellerbotError) -> None:
    """Print an error's one line, from its template, to standard error."""
    from bot import render

    typer.echo(render.message("errors", exc.code, **exc.params), err=True)


def say(group: str, code: str, **params: Any) -> None:
    """Print one message from templates/text/`group`.txt.j2 to standard error."""
    from bot import render

    typer.echo(render.message(group, code, **params), err=True)


def settings() -> "Settings":
    """The settings from the environment and .env."""
    from bot.config import load_settings

    return load_settings()


# The databases the command opened, closed when it ends (close_databases).
_opened: list["Database"] = []


def database(current: "Settings") -> "Database":
    """The database in DATABASE_URL, opened (created if new); closed when the command ends."""
    from bot.wiring import open_database

    db = open_database(current)
    _opened.append(db)
    return db


def close_databases() -> None:
    """Close the databases the command opened. On SQLite, closing the last connection removes
    the -wal file (a large import's is the size of its data); the objects are frozen at exit
    (bot/cli/__init__.py), so the collector would never close them."""
    while _opened:
        _opened.pop().close()


def print_json(data: object) -> None:
    """Print `data` as indented JSON, inert on a terminal (bot/render/data.py)."""
    from bot.render.data import dumps

    echo(dumps(data, indent=2))


def plausible(day: date, option: str) -> date:
    """`day`, unless it is outside FIRST_YEAR-LAST_YEAR (BadInput)."""
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise BadInput("date_out_of_range", option=option, day=day.isoformat(),
                       first=FIRST_YEAR, last=LAST_YEAR)
    return day


def as_of(text: str | None, current: "Settings") -> datetime:
    """--as-of: an ISO 8601 time; without an offset it is in SELLER_TIMEZONE. Default: now."""
    from datetime import UTC

    if text is None:
        return datetime.now(UTC)
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise BadInput("as_of_malformed", text=text.strip()[:40]) from None
    plausible(moment.date(), "--as-of")
    return moment if moment.tzinfo else moment.replace(tzinfo=current.timezone)


def as_of_day_or_time(text: str | None, current: "Settings") -> date | datetime:
    """--as-of for a question about a day: a date (YYYY-MM-DD) as given, or any --as-of time
    as the moment it is (whose day the question takes where it needs one). Default: now."""
    if text is not None:
        try:
            return plausible(date.fromisoformat(text.strip()), "--as-of")
        except ValueError:
            pass  # a time, perhaps: as_of says what is wrong if it is not one either
    return as_of(text, current)


def since(text: str | None, current: "Settings") -> datetime | None:
    """--since: a day (YYYY-MM-DD), from its start in SELLER_TIMEZONE; None when not given."""
    if text is None:
        return None
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        raise BadInput("since_malformed", text=text.strip()[:40]) from None
    return datetime.combine(plausible(day, "--since"), datetime.min.time(), current.timezone)
