"""Each open order's ship-by deadline, kept in the store so that the lists read a range of an
index.

An open order from a report has no ship-by of Amazon's: its deadline is computed from the
seller's handling times and calendar (bot/domain/shipping.py), once, when it is stored. The
store keeps the basis it was computed on; when the settings or the calendar change, `refresh`
computes the open orders' deadlines again before a list is read.
"""

import logging
from collections.abc import Iterable, Iterator
from typing import TypeVar

from bot.domain.records import Order, OrderItem
from bot.domain.shipping import is_open
from bot.store import Database, deadlines
from bot.usecases.sellers import Seller

log = logging.getLogger(__name__)

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
            yield from _finished(order, lines, seller)
            order = None
        if kind is Order:
            order, lines = record, []  # type: ignore[assignment]
        else:
            yield record
    if order is not None:
        yield from _finished(order, lines, seller)


def _finished(order: Order, lines: list[OrderItem], seller: Seller) -> Iterator:
    if lines and not order.items:
        # Media lines and SKU handling times decide a computed deadline.
        order.items = tuple(lines)
    # Only an open order keeps one: a closed order's deadline is computed when asked, and
    # PostgreSQL's planner then sees how few orders a range of deadlines holds.
    order.deadline = seller.fresh_deadline(order) if is_open(order) else None
    yield order
    yield from lines


def refresh(db: Database, seller: Seller) -> int:
    """Compute the open orders' deadlines again if the settings or calendar that decide them
    changed since they were stored: how many were computed (0 when nothing changed)."""
    basis = seller.deadline_basis
    with db.begin() as conn:
        if deadlines.basis(conn) == basis:
            return 0
    # Imports and syncs write deadlines too: take turns with them.
    with db.begin_bulk() as conn:
        if deadlines.basis(conn) == basis:
            return 0
        orders = deadlines.open_without_ship_by(conn)
        deadlines.store(conn, ((o.order_id, seller.fresh_deadline(o)) for o in orders),
                        basis)
    if orders:
        log.info("recomputed the deadlines of %d open orders: settings or calendar changed",
                 len(orders))
    return len(orders)
