"""A report's rows read a block at a time: the orders and lines of a few thousand rows held as
a list of values per record field, not as one record per row.

A large report is read this way (bot/sources/all_orders.py). Row by row, every cell went
through a Python call to be checked, another to become a record's field and another to be
read back out of the record into the column the database takes: two thirds of an import's
time (bench/import_orders.py). A block checks and converts each column with one `map`, and
the store takes its columns as they are (bot/store/driver_rows.py). `records` gives the same
block as records, in the file's order, for everything that reads records.
"""

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from bot.domain.records import Order, OrderItem
from bot.sources.flatfile import BadCell, BadRow, Note
from bot.sources.values import BadValue

T = TypeVar("T")


def checked(cells: Sequence[str], read: Callable[[str], T], column: str,
            bad: dict[int, BadCell]) -> list[T | None]:
    """`read` of each of `cells` (a column of a block's rows). A cell it cannot read gives None
    and makes its row bad, unless a column checked before this one has already: a row's
    problem is the first of its columns, in the order they are checked, that cannot be read."""
    try:
        return list(map(read, cells))
    except BadValue:
        pass  # rare: find which rows, one cell at a time
    values: list[T | None] = []
    for row, cell in enumerate(cells):
        try:
            values.append(read(cell))
        except BadValue as exc:
            values.append(None)
            bad.setdefault(row, BadCell(column, exc))
    return values


def picked(values: Sequence[T], rows: list[int]) -> list[T]:
    """The `values` of these `rows`, in their order."""
    if len(rows) == len(values):
        return list(values)  # every row: then they are 0, 1, 2... in order
    return list(map(values.__getitem__, rows))


@dataclass
class Block:
    """Consecutive rows of a report: its orders and their lines, a list of values per field of
    Order and of OrderItem (a field no list is given for is None in every record), the file
    line where each starts, the rows that could not be read and the notes on rows that were.

    Every order's lines follow it in the same block (`first_items` says where they begin), so
    a deadline sees all of an order's lines."""

    orders: dict[str, list[Any]] = field(default_factory=dict)
    order_lines: list[int] = field(default_factory=list)
    first_items: list[int] = field(default_factory=list)
    items: dict[str, list[Any]] = field(default_factory=dict)
    item_lines: list[int] = field(default_factory=list)
    problems: list[BadRow] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)

    @property
    def rows(self) -> int:
        """The file rows the block read: its lines and the rows that could not be read."""
        return len(self.item_lines) + len(self.problems)

    def order(self, n: int) -> Order:
        """The block's `n`th order as a record, its lines included."""
        order = self._order(n)
        end = self.first_items[n + 1] if n + 1 < len(self.first_items) else len(self.item_lines)
        order.items = tuple(self._item(i) for i in range(self.first_items[n], end))
        return order

    def _order(self, n: int) -> Order:
        return Order(**{name: values[n] for name, values in self.orders.items()})

    def _item(self, n: int) -> OrderItem:
        return OrderItem(**{name: values[n] for name, values in self.items.items()})

    def records(self) -> Iterator[Order | OrderItem | BadRow | Note]:
        """The block as records, in the file's order: on a line, a note on it, then the order
        that begins there, then the line itself."""
        placed: list[tuple[int, int, Callable[[], Any]]] = []
        for n, line in enumerate(self.order_lines):
            placed.append((line, 1, lambda n=n: self._order(n)))
        for n, line in enumerate(self.item_lines):
            placed.append((line, 2, lambda n=n: self._item(n)))
        for bad in self.problems:
            placed.append((int(bad.where), 0, lambda bad=bad: bad))
        for note in self.notes:
            placed.append((int(note.where), 0, lambda note=note: note))
        placed.sort(key=lambda place: place[:2])
        for _, _, make in placed:
            yield make()
