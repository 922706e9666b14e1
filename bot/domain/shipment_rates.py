"""The Late Shipment Rate: which orders a window counts, and the rate they make.

Rules from shipping.md §4; the target, windows and minimum live in rules/shipping.yaml.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from bot.domain.records import OPEN_STATUSES, OrderStatus
from bot.domain.shipping import ShippingRules


@dataclass(frozen=True)
class ShipmentRate:
    """The Late Shipment Rate over one window."""

    days: int
    late: int
    orders: int
    target: float
    enough_data: bool
    # Shipped orders in the window whose confirmation time is unknown (report imports lack it).
    unknown: int = 0

    @property
    def rate(self) -> float | None:
        """Late over all, or None without orders."""
        return self.late / self.orders if self.orders else None

    @property
    def over_target(self) -> bool:
        """At or above Amazon's target (4 %): offers can be deactivated."""
        return self.enough_data and self.rate is not None and self.rate >= self.target


@dataclass(frozen=True)
class Shipment:
    """What the LSR needs of an order: its ship-by, its confirmation time, its status."""

    ship_by: datetime
    confirmed_at: datetime | None
    status: OrderStatus | None


@dataclass(frozen=True)
class ShipmentCounts:
    """Orders whose ship-by fell in a window, by how their shipment confirmation went."""

    on_time: int = 0
    late: int = 0
    # Still open past the deadline: late, and getting later.
    unconfirmed: int = 0
    # Shipped, but when it was confirmed is not known (report imports do not carry it).
    unknown: int = 0

    def __add__(self, other: "ShipmentCounts") -> "ShipmentCounts":
        return ShipmentCounts(self.on_time + other.on_time, self.late + other.late,
                              self.unconfirmed + other.unconfirmed, self.unknown + other.unknown)


def count_shipments(shipments: Iterable[Shipment], start: datetime, end: datetime
                    ) -> ShipmentCounts:
    """Count the shipments whose ship-by is in [start, end]; cancelled orders never count.

    The store counts the same way in SQL for speed (store/queries.py shipment_counts; a test
    holds the two to the same answers).
    """
    on_time = late = unconfirmed = unknown = 0
    for shipment in shipments:
        if not start <= shipment.ship_by <= end or shipment.status is OrderStatus.CANCELED:
            continue
        if shipment.confirmed_at is not None:
            if shipment.confirmed_at > shipment.ship_by:
                late += 1
            else:
                on_time += 1
        elif shipment.status in OPEN_STATUSES:
            unconfirmed += 1
        elif shipment.status is OrderStatus.SHIPPED:
            unknown += 1
    return ShipmentCounts(on_time, late, unconfirmed, unknown)


def late_shipment_rate(counts: ShipmentCounts, days: int, rules: ShippingRules) -> ShipmentRate:
    """LSR over a window of `days` ending now: late when confirmed after the ship-by, or still
    unconfirmed past it (Amazon judges by confirmation, shipping.md §4)."""
    late = counts.late + counts.unconfirmed
    total = late + counts.on_time
    # Leaving out shipped orders of unknown timing would overstate the rate; with many of them
    # the figure says nothing, so it is shown as not enough data.
    enough = total >= rules.lsr_minimum_orders and counts.unknown <= total * 0.1
    return ShipmentRate(days=days, late=late, orders=total, target=rules.lsr_target,
                        enough_data=enough, unknown=counts.unknown)
