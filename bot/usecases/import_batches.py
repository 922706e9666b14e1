"""A file's records as batches of store rows, built in-process or by a parser process."""

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from bot.domain.records import Order, OrderItem, ReturnRequest
from bot.sources.files import SourceFile
from bot.sources.flatfile import BadRow, Note, Part
from bot.store.driver_rows import RowMakers, Rows
from bot.usecases.sellers import Seller
from bot.usecases.stamps import stamped

# File rows per batch: big enough to amortise a round trip, small enough to keep memory flat.
# The importing process parses a batch of its own at a time besides the one it writes: at 5,000
# it held 9 MB more, and was no faster (bench/import_orders.py).
BATCH_ROWS = 2500

# What one row of each kind of file becomes: the record counted as "a row".
ROW_RECORD = {
    "all-orders": OrderItem,
    "unshipped-orders": OrderItem,
    "returns": ReturnRequest,
    "sp-api-getorders": Order,
    "sp-api-getorderitems": OrderItem,
    "sp-api-searchorders": Order,
    "sp-api-getorder": Order,
    "sp-api-errors": Order,
}


@dataclass
class Batch:
    """Rows ready for the store, the file rows they came from, and the rows that were bad."""

    rows: dict[type, Rows]
    lines: int = 0
    problems: list[BadRow] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    bytes_read: int = 0
    # Set on the last batch of a file, once it has been read through.
    checksum: str | None = None


def batches(source: SourceFile, seller: Seller, makers: RowMakers,
            part: Part | None = None) -> Iterator[Batch]:
    """Read `source` through, or the `part` of it, turning its records into rows (each order
    with its deadline), BATCH_ROWS file rows at a time."""
    row_record = ROW_RECORD[source.kind]
    records: dict[type, list] = {kind: [] for kind in makers}
    batch = Batch({})
    for record in stamped(source.records(seller.context, part), seller):
        kind = type(record)
        if kind is BadRow:
            batch.problems.append(record)
            batch.lines += 1
            continue
        if kind is Note:
            batch.notes.append(record)
            continue
        records[kind].append(record)
        if kind is row_record:
            batch.lines += 1
            if batch.lines >= BATCH_ROWS:
                yield _made(batch, records, makers, source.bytes_read)
                batch = Batch({})
    batch = _made(batch, records, makers, source.bytes_read)
    # A file read in parts is hashed apart from them (SourceFile.hashed).
    batch.checksum = None if part is not None else source.checksum
    yield batch


def _made(batch: Batch, records: dict[type, list], makers: RowMakers, bytes_read: int) -> Batch:
    """`batch` with the rows of `records`, which are taken from the lists."""
    batch.rows = {kind: makers[kind](taken) for kind, taken in records.items() if taken}
    for taken in records.values():
        taken.clear()
    batch.bytes_read = bytes_read
    return batch


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off while a file is imported, and on again after.

    An import makes millions of small objects that never form cycles (records, rows, their
    pickles) and keeps a batch of them alive at a time; the collector, started by every 700
    new objects, walked them again and again and found nothing: 0.4 s of a 200,000-row
    import's 3.6 s (bench/import_orders.py). Reference counting frees them all the same.
    """
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()
