"""Each order in a stream of records stamped with its deadline as it is stored
(bot/usecases/deadlines.py says why the store keeps them).

Apart from the store: an import's parser process stamps orders without loading it.
"""

from collections.abc import Iterable, Iterator
from typing import TypeVar

from bot.domain.records import Order, OrderItem
from bot.domain.shipping import is_open
from bot.usecases.sellers import Seller

R = TypeVar("R")


def stamped(records: Iterable[R], seller: Seller) -> Iterator[R]:
    """`records` with each order's deadline set, from the lines that follow it in the stream
    (as every source gives them); everything else passes through as it is."""
    order: Order | None = None
    lines: list[OrderItem] = []
    for record in records:
        kind = type(record)
        if kind is OrderItem and order is not None and record.order_id == order.order_id:
            lines.append(record)  # type: ignore[arg-type]
            continue
        if order is not None and (kind is Order or kind is OrderItem):
            yield from _stamped(order, lines, seller)  # type: ignore[misc]
            order = None
        if kind is Order:
            order, lines = record, []  # type: ignore[assignment]
        else:
            yield record
    if order is not None:
        yield from _stamped(order, lines, seller)  # type: ignore[misc]


def _stamped(order: Order, lines: list[OrderItem], seller: Seller) -> list[Order | OrderItem]:
    """The order, its deadline set, then its lines (a list: no generator made per order)."""
    if lines and not order.items:
        # Media lines and SKU handling times decide a computed deadline.
        order.items = tuple(lines)
    # Only an open order keeps one: a closed order's deadline is computed when asked, and
    # PostgreSQL's planner then sees how few orders a range of deadlines holds.
    order.deadline = seller.fresh_deadline(order) if is_open(order) else None
    return [order, *lines]
