"""A file's records as batches of store rows, built in-process or by a parser process."""

from collections.abc import Iterator
from dataclasses import dataclass, field

from bot.domain.records import Order, OrderItem, ReturnRequest
from bot.sources.files import SourceFile
from bot.sources.flatfile import BadRow, Note
from bot.store.writer import RowBuilders
from bot.usecases.deadlines import stamped
from bot.usecases.sellers import Seller

# File rows per batch: big enough to amortise a round trip, small enough to keep memory flat.
BATCH_ROWS = 5000

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

    rows: dict[type, list[tuple]]
    lines: int = 0
    problems: list[BadRow] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    bytes_read: int = 0
    # Set on the last batch of a file, once it has been read through.
    checksum: str | None = None


def batches(source: SourceFile, seller: Seller, builders: RowBuilders) -> Iterator[Batch]:
    """Read `source` through, turning its records into rows (each order with its deadline),
    BATCH_ROWS file rows at a time."""
    row_record = ROW_RECORD[source.kind]
    batch = Batch({kind: [] for kind in builders})
    for record in stamped(source.records(seller.context), seller):
        kind = type(record)
        if kind is BadRow:
            batch.problems.append(record)
            batch.lines += 1
            continue
        if kind is Note:
            batch.notes.append(record)
            continue
        batch.rows[kind].append(builders[kind](record))
        if kind is row_record:
            batch.lines += 1
            if batch.lines >= BATCH_ROWS:
                batch.bytes_read = source.bytes_read
                yield batch
                batch = Batch({kind: [] for kind in builders})
    batch.bytes_read = source.bytes_read
    batch.checksum = source.checksum
    yield batch
