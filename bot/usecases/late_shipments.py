"""What the Late Shipment Rate counts in a window: the one definition the morning digest and
the weekly chart share (shipping.md §4)."""

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.engine import Connection

from bot.domain.shipping import (
    Shipment,
    ShipmentCounts,
    Standing,
    count_shipments,
)
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
