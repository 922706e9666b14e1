"""Shipping health over the last weeks, day by day in the seller's time zone: orders placed,
shipments confirmed late (or not at all) past their ship-by, and the rolling Late Shipment
Rate, counted as the morning digest counts it (late_shipments.py)."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from itertools import pairwise

from bot.domain.shipment_rates import ShipmentCounts, ShipmentRate, late_shipment_rate
from bot.store import Database, queries
from bot.usecases import deadlines
from bot.usecases.late_shipments import computed_shipments, window_counts
from bot.usecases.sellers import Seller

# The chart's span and the rate's window (Amazon's LSR looks back 10 and 30 days).
WEEKS = 8
RATE_DAYS = 30


@dataclass(frozen=True)
class HealthDay:
    """One local day: orders placed, shipments due that day that were late, and the Late
    Shipment Rate of the RATE_DAYS days ending with it."""

    day: date
    orders: int
    late: int
    rate: ShipmentRate


@dataclass(frozen=True)
class ShippingHealth:
    """The days of the last WEEKS weeks, oldest first, ending with the day of `as_of`
    (counted up to `as_of`)."""

    as_of: datetime
    days: list[HealthDay]

    @property
    def current(self) -> ShipmentRate:
        """The rate now: the last day's."""
        return self.days[-1].rate

    def weeks(self) -> list[list[HealthDay]]:
        """The days in weeks of seven, oldest first (the last ends today)."""
        return [self.days[start:start + 7] for start in range(0, len(self.days), 7)]


def _midnight(day: date, seller: Seller) -> datetime:
    return datetime.combine(day, time(0), seller.timezone)


def _due_from(day: date, seller: Seller) -> datetime:
    """The first moment a ship-by falls on `day` as the digest reads it (promise_day): the
    later of the day's midnights in the seller's and the marketplace's zones. East of the
    marketplace, Amazon's Monday 23:59 Pacific is Tuesday 02:59 in New York: due Monday."""
    return max(_midnight(day, seller), datetime.combine(day, time(0), seller.marketplace_timezone))


def shipping_health(db: Database, seller: Seller, as_of: datetime,
                    weeks: int = WEEKS) -> ShippingHealth:
    """Each day of the `weeks` weeks ending with the local day of `as_of`. A day's rate is the
    digest's as at the day's end (today: at `as_of`, so the last is the digest's figure)."""
    today = as_of.astimezone(seller.timezone).date()
    shown = [today - timedelta(days=n) for n in range(weeks * 7 - 1, -1, -1)]
    ends = [min(_midnight(day + timedelta(days=1), seller), as_of) for day in shown]
    starts = [end - timedelta(days=RATE_DAYS) for end in ends]
    # The ship-bys due each day: from its first moment to the next day's (or `as_of`).
    due_from = [_due_from(day, seller) for day in shown]
    due_until = [min(moment, as_of) for moment in [*due_from[1:], _due_from(today + timedelta(
        days=1), seller)]]
    # Every window and every day is a run of consecutive pieces between these moments: each
    # piece is counted once, and the windows are sums of pieces.
    edges = sorted({*starts, *ends, *due_from, *due_until, _midnight(shown[0], seller)})
    at = {moment: n for n, moment in enumerate(edges)}
    def last_moment(end: datetime) -> datetime:
        # A piece or a day ends just before the next begins; the last ends at `as_of` itself,
        # as the digest's window does.
        return end if end == as_of else end - timedelta(microseconds=1)

    pieces = [(start, last_moment(end)) for start, end in pairwise(edges)]
    deadlines.refresh(db, seller)
    with db.begin() as conn:
        open_orders = queries.open_orders(conn, placed_by=as_of, due_by=as_of)
        computed = computed_shipments(seller.classify(open_orders, as_of))
        counted = [window_counts(conn, computed, start, end) for start, end in pieces]
        placed = [queries.count_placed(conn, _midnight(day, seller) - timedelta(microseconds=1),
                                       last_moment(end))
                  for day, end in zip(shown, ends, strict=True)]
    days = []
    for n, day in enumerate(shown):
        window = sum(counted[at[starts[n]]:at[ends[n]]], ShipmentCounts())
        due = sum(counted[at[due_from[n]]:at[due_until[n]]], ShipmentCounts())
        days.append(HealthDay(day, placed[n], due.late + due.unconfirmed,
                              late_shipment_rate(window, RATE_DAYS, seller.rules)))
    return ShippingHealth(as_of, days)
