"""Getting data in: `import`, `demo`, `sync` and `db upgrade`."""

import gc
import sys
from contextlib import AbstractContextManager, nullcontext
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from bot.cli.common import EXIT_INTERRUPTED, app, database, echo, say, settings, since, width

if TYPE_CHECKING:  # for annotations: rich loads only when files are imported
    from rich.progress import Progress

    from bot.usecases.import_pipeline import ParserProcess
    from bot.usecases.imports import ImportResult
    from bot.usecases.sellers import Seller
    from bot.wiring import Database

db_app = typer.Typer(help="Create or update the database tables.", no_args_is_help=True,
                     rich_markup_mode=None)
app.add_typer(db_app, name="db")

# Files this big get a progress bar (on a terminal); smaller ones finish before it would help.
PROGRESS_BYTES = 8 * 1024 * 1024


@app.command("import")
def import_(
    files: Annotated[list[Path], typer.Argument(metavar="FILE...", show_default=False,
                                                hidden=True)],  # the docstring says it
    skip_bad_rows: Annotated[bool, typer.Option(
        "--skip-bad-rows", help="Import the good rows of a file and list the bad ones.")] = False,
    encoding: Annotated[str, typer.Option(
        metavar="ENCODING", show_default=False,
        help="Text encoding of report files: utf-8 (the default), cp1252, cp932...")
    ] = "utf-8-sig",
) -> None:
    """Import Seller Central reports or saved SP-API responses, recognised by their content.

    FILE...: report files (All Orders, Unshipped Orders, MFN Returns) or saved SP-API
    responses, in any order.
    """
    from bot.usecases.import_batches import collector_paused

    # Loading sellerbot's libraries makes some 120,000 objects that live as long as the
    # command: the cyclic collector walked them over and over to free 700, 0.05-0.07 s before
    # the first row is read (bench/import_orders.py). The file loop pauses it too.
    with collector_paused():
        _import(files, skip_bad_rows, encoding)
        # Resuming, it would walk all that the command made (0.04-0.09 s after the work is
        # done): frozen, they are not walked, and are freed as they were (gc.freeze's recipe).
        gc.freeze()


def _import(files: list[Path], skip_bad_rows: bool, encoding: str) -> None:
    """`sellerbot import`: each file in its own transaction, the first parsed ahead."""
    # The first file's parser process starts before the settings, the rules and the
    # database's libraries load, and is handed the seller before the database opens:
    # bot/usecases/import_files.py says why.
    from bot.usecases.import_files import check_encoding, import_order, parsing_ahead

    check_encoding(encoding)
    # The files not imported yet, the first of them under way. Ctrl-C may come at any moment
    # (while a module loads, between two files): the message names the file it stopped,
    # where Typer alone would exit without a word.
    left = list(files)
    imported = []
    try:
        left = import_order(files, encoding)
        with parsing_ahead(left[0], encoding) as ahead, _progress_bar() as bar:
            from bot import render, wiring
            from bot.usecases.imports import hand_over

            current = settings()
            seller = wiring.seller_of(current)
            hand_over(ahead, seller, current.database_url)
            db = database(current)
            while left:
                result = _import_one(db, left[0], seller, ahead, bar, skip_bad_rows, encoding)
                left = left[1:]  # in (or rejected) before its result is shown
                imported.append(result is not None)
                if result is not None:
                    echo(render.text("import", result=result))
    except KeyboardInterrupt:
        raise (_stopped(left[0]) if left else typer.Exit(EXIT_INTERRUPTED)) from None
    if not all(imported):
        raise typer.Exit(1)


def _import_one(db: "Database", path: Path, seller: "Seller", ahead: "ParserProcess | None",
                bar: "Progress | None", skip_bad_rows: bool, encoding: str
                ) -> "ImportResult | None":
    """Import one file of the command: what it held, or None when it was rejected (and said so)."""
    from bot.errors import ImportRejected
    from bot.usecases.imports import import_file

    task = None
    if bar is not None and path.is_file() and path.stat().st_size >= PROGRESS_BYTES:
        task = bar.add_task(path.name, total=path.stat().st_size)

    def advance(_path: Path, done: int, _total: int) -> None:
        if task is not None:
            bar.update(task, completed=done)  # type: ignore[union-attr]

    try:
        result = import_file(db, path, seller, now=datetime.now(UTC),
                             skip_bad_rows=skip_bad_rows, encoding=encoding, progress=advance,
                             on_wait=lambda: say("notices", "bulk_waiting"), ahead=ahead)
    except ImportRejected as exc:
        # One bad file stops only itself: the others are still imported.
        say("errors", exc.code, **exc.params)
        return None
    finally:
        if task is not None:
            bar.remove_task(task)  # type: ignore[union-attr]
    return result


def _stopped(path: Path) -> typer.Exit:
    """Ctrl-C during the import of `path`: say so, and the exit to raise. Its transaction is
    rolled back; the files before it are in."""
    say("errors", "import_stopped", path=str(path))
    return typer.Exit(EXIT_INTERRUPTED)


def _progress_bar() -> "AbstractContextManager[Progress | None]":
    """A progress bar for large files on standard error, shown only on a terminal; None
    elsewhere, without loading rich (0.03 s of an import's start: bench/import_orders.py)."""
    if not sys.stderr.isatty():
        return nullcontext()
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    console = Console(stderr=True)
    return Progress(
        TextColumn("{task.description}"), BarColumn(), DownloadColumn(), TimeRemainingColumn(),
        console=console, transient=True, disable=not console.is_terminal)


@app.command()
def demo() -> None:
    """Load (or refresh) the demo seller and print the morning digest the team would get."""
    from bot import render, wiring
    from bot.usecases import demo, digests

    current = settings()
    db = database(current)
    now = datetime.now(UTC)
    seller = wiring.seller_of(current)
    loaded = demo.load_demo(db, seller, now)
    report = digests.digest(db, seller, now)
    example = (report.late or report.due_today or report.due_next or [None])[0]
    echo(render.text("demo", loaded=loaded, database=db.safe_url,
                     digest=render.text("digest", digest=report, seller=seller, width=width()),
                     example=example.order.order_id if example else None))


@app.command()
def sync(
    since_day: Annotated[str | None, typer.Option(
        "--since", metavar="YYYY-MM-DD",
        help="Read the orders changed from this day on (SELLER_TIMEZONE), not since the last sync.")
    ] = None,
) -> None:
    """Bring the orders up to date from Amazon's Selling Partner API (LWA_APP_ID, ...)."""
    from bot import render
    from bot.usecases import syncs
    from bot.wiring import orders_api, seller_of

    current = settings()
    start = since(since_day, current)
    db = database(current)
    result = syncs.sync(db, orders_api(current), seller_of(current),
                        current.sync_first_days, now=datetime.now(UTC), since=start)
    echo(render.text("sync", result=result, tz=current.timezone))


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Create the tables, or bring them up to this sellerbot's version."""
    from bot import render
    from bot.wiring import Database

    db = Database(settings().database_url)
    before = db.schema_state()
    db.upgrade()
    echo(render.text("db_upgrade", before=before, after=db.schema_state(), database=db.safe_url))
