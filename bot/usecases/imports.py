"""Importing files: sources meet the store, one transaction per file, all of it or none of it."""

import logging
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import closing
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import ClassVar

from bot.domain.records import Order, OrderItem, ReturnRequest
from bot.errors import ImportRejected, StoreError
from bot.sources.files import SourceFile
from bot.sources.flatfile import BadRow, Note
from bot.store import Database, queries, sync_state
from bot.store.database import dialect_of
from bot.store.driver_rows import RowMakers
from bot.store.writer import Writer, row_makers
from bot.usecases import import_pipeline
from bot.usecases.import_batches import Batch, batches, collector_paused
from bot.usecases.import_files import opened
from bot.usecases.sellers import Seller

log = logging.getLogger(__name__)

# Problems listed when a file is rejected; the rest are counted (a file with a systematic fault
# would otherwise print a million lines).
LISTED_PROBLEMS = 20
# A file of this many rows or more changes the order tables enough that PostgreSQL's planner
# statistics are refreshed at once, not when autovacuum gets to them.
ANALYZE_AFTER_ROWS = 10_000

# Called after each batch with the file, the bytes read so far and the file's size.
Progress = Callable[[Path, int, int], None]


@dataclass
class ImportResult:
    """What importing one file did."""

    path: Path
    kind: str
    rows: int
    new_orders: int
    orders: int
    items: int
    returns: int
    checksum: str
    skipped: list[BadRow] = field(default_factory=list)
    # Rows imported with something to know (an order status sellerbot does not know): the
    # first LISTED_PROBLEMS of them, and how many there were.
    notes: list[Note] = field(default_factory=list)
    noted: int = 0
    # The demo seller's orders, removed now that the seller's own are here.
    demo_removed: int = 0
    # How many of the skipped rows and of the notes are shown.
    listed: ClassVar[int] = LISTED_PROBLEMS


@dataclass
class _Read:
    """What the batches of one file held: rows, bad rows, notes (the first few) and checksum."""

    rows: int = 0
    problems: list[BadRow] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    noted: int = 0
    checksum: str = ""


def _write(stream: Iterable[Batch], writer: Writer, skip_bad_rows: bool,
           progress: Callable[[int], object]) -> _Read:
    """Write each batch's rows, unless a bad row already rejects the file; what they held."""
    read = _Read()
    for batch in stream:
        read.rows += batch.lines
        read.problems.extend(batch.problems)
        read.notes.extend(batch.notes[:LISTED_PROBLEMS - len(read.notes)])
        read.noted += len(batch.notes)
        # After the first problem of a file that will be rejected, read on only to list the
        # other problems; writing would be wasted.
        if skip_bad_rows or not read.problems:
            writer.add_rows(batch.rows)
        progress(batch.bytes_read)
        read.checksum = batch.checksum or read.checksum
    return read


def hand_over(ahead: import_pipeline.ParserProcess | None, seller: Seller,
              database_url: str) -> None:
    """Hand the parser process started ahead (import_files.parsing_ahead) the seller and the
    row makers for the database at `database_url`, so that it parses while the database
    opens; import_file would hand them only once it writes."""
    if ahead is not None and ahead.makers is None:
        ahead.hand(seller, row_makers(dialect_of(database_url)))


def _batches(source: SourceFile, encoding: str, seller: Seller, makers: RowMakers,
             ahead: import_pipeline.ParserProcess | None) -> Iterator[Batch]:
    """The file's batches: parsed here, or with a parser process (the one started ahead on
    it, or one started now), which parses it whole or shares its parts with this process."""
    if ahead is None or not ahead.unread or ahead.path != source.path:
        ahead = None  # none, read already, or for another file of the command
    elif (ahead.encoding, ahead.file) != (encoding, import_pipeline.identity(source.path)) or (
            ahead.makers not in (None, makers)):
        ahead.stop()  # a file saved over since, or rows made for another database: of no use
        ahead = None
    if ahead is not None:
        process = ahead
    elif import_pipeline.worthwhile(source.size):
        process = import_pipeline.ParserProcess(source.path, encoding,
                                                import_pipeline.parts_of(source))
    else:
        yield from batches(source, seller, makers)
        return
    if process.makers is None:  # not handed by hand_over
        process.hand(seller, makers)
    yield from process.batches(source, seller)


def _logged_name(path: Path) -> str:
    """The file's name as the import log keeps it: a name in another encoding than the
    system's (a Latin-1 "réport.txt" unzipped from a Windows archive) holds bytes no database
    text takes, each logged as a replacement mark."""
    return os.fsencode(path).decode("utf-8", "replace")


def import_file(
    db: Database,
    path: Path,
    seller: Seller,
    *,
    now: datetime,
    skip_bad_rows: bool = False,
    encoding: str = "utf-8-sig",
    progress: Progress | None = None,
    on_wait: Callable[[], None] | None = None,
    ahead: import_pipeline.ParserProcess | None = None,
) -> ImportResult:
    """Import one file in one transaction, recorded as imported at `now`; any bad row rejects
    it whole unless skip_bad_rows. Imports and syncs take turns: `on_wait` is called when this
    one must wait for another. `ahead` is a parser process `parsing_ahead` started on a file:
    used when it is this one, for this database."""
    with opened(path, encoding) as source, db.begin_bulk(on_wait) as conn:
        before = queries.count_orders(conn)
        writer = Writer(conn, seen=now)
        missing = sync_state.left_out_anywhere(conn)
        writer.watched = frozenset(missing)
        stream = _batches(source, encoding, seller, writer.makers, ahead)
        def report(done: int) -> None:
            if progress is not None:
                progress(path, done, source.size)

        try:
            # Closed here, not when collected: a failed write stops the parser process at once.
            with collector_paused(), closing(stream):
                read = _write(stream, writer, skip_bad_rows, report)
        except StoreError as exc:
            raise ImportRejected(exc.code, path=str(path), **exc.params) from None
        except import_pipeline.ParserFailed as exc:
            raise ImportRejected("import_reader_failed", path=str(path), reason=str(exc),
                                 spill_dir=tempfile.gettempdir()) from None
        rows, problems, notes, checksum = read.rows, read.problems, read.notes, read.checksum
        # An error response holds no data at all: nothing to import, whatever --skip-bad-rows says.
        if problems and (not skip_bad_rows or source.kind == "sp-api-errors"):
            raise ImportRejected(
                path=str(path),
                problems=problems[:LISTED_PROBLEMS],
                more=max(0, len(problems) - LISTED_PROBLEMS),
            )
        after = queries.count_orders(conn)
        # The seller's own orders are here: the demo seller's go, or they would count in every
        # list, the Late Shipment Rate and the review requests.
        demo_removed = queries.delete_demo(conn) if writer.written[Order] else 0
        # Orders a sync could not read, brought by this file: no longer missing.
        sync_state.found(conn, missing, writer.seen_watched)
        queries.record_import(conn, file_name=_logged_name(path), kind=source.kind, rows=rows,
                              skipped_rows=len(problems), checksum=checksum, imported_at=now)
    log.info("imported %s (%s): %d rows, %d skipped", path.name, source.kind, rows, len(problems))
    if rows >= ANALYZE_AFTER_ROWS:
        db.analyze()
    return ImportResult(path=path, kind=source.kind, rows=rows, new_orders=after - before,
                        orders=writer.written[Order], items=writer.written[OrderItem],
                        returns=writer.written[ReturnRequest], checksum=checksum,
                        skipped=problems, notes=notes, noted=read.noted,
                        demo_removed=demo_removed)
