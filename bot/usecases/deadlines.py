"""Each open order's ship-by deadline, kept in the store so that the lists read a range of an
index.

An open order from a report has no ship-by of Amazon's: its deadline is computed from the
seller's handling times and calendar (bot/domain/shipping.py), once, when it is stored. The
store keeps the basis it was computed on; when the settings or the calendar change, `refresh`
computes the open orders' deadlines again before a list is read.
"""

import logging

from bot.store import Database, deadlines
from bot.usecases.sellers import Seller

log = logging.getLogger(__name__)


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
