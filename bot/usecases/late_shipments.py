"""What the Late Shipment Rate counts in a window: the one definition the morning digest and
the weekly chart share (shipping.md §4)."""

from collections.abc import Sequence
from datetime import datetime, timedelta
from itertools import pairwise

from sqlalchemy.engine import Connection

from bot.domain.shipment_rates import Shipment, ShipmentCounts, count_shipments
from bot.domain.shipping import Standing
from bot.store import queries


def computed_shipments(standings: Sequence[Standing]) -> list[Shipment]:
    """The open orders whose deadline sellerbot computed (imported reports carry no ship-by
    from Amazon): they count in the rate too, once their deadline has passed unconfirmed."""
    return [Shipment(s.ship_by, None, s.order.status) for s in standings
            if s.order.latest_ship_date is None and s.ship_by is not None]


def window_counts(conn: Connection, computed: Sequence[Shipment], start: datetime,
                  end: datetime) -> ShipmentCounts:
    """The orders whose ship-by fell in [start, end], by how their confirmation went, with the
    shipped ones placed then whose confirmation time is unknown."""
    return (queries.shipment_counts(conn, start, end)
            + ShipmentCounts(unknown=queries.count_unknown_shipments(conn, start, end))
            + count_shipments(computed, start, end))


def windows_ending(conn: Connection, computed: Sequence[Shipment], starts: Sequence[datetime],
                   end: datetime) -> list[ShipmentCounts]:
    """window_counts of each window [start, end] for `starts` (the digest's 10 and 30 days):
    the stretch between two starts is counted once, and each window sums the stretches it
    spans, so the store reads the longest window once, not every window whole."""
    edges = sorted(set(starts))
    # Each stretch ends just before the next begins (times are kept to the microsecond).
    stretches = [window_counts(conn, computed, start, following - timedelta(microseconds=1))
                 for start, following in pairwise(edges)]
    stretches.append(window_counts(conn, computed, edges[-1], end))
    return [sum(stretches[edges.index(start):], ShipmentCounts()) for start in starts]
