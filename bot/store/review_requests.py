"""Amazon's "Request a Review", once per order: a claim taken before the request is sent, and
what came of it. The claim is one INSERT … ON CONFLICT, so however many processes or clicks
race for an order, one wins."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, and_, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from bot.domain.records import Order
from bot.domain.reviews import Asked
from bot.store import queries
from bot.store.database import Database
from bot.store.models import ORDERS, REVIEW_REQUESTS
from bot.store.queries import in_lists

_TABLE = REVIEW_REQUESTS
# A claim older than this is a process that stopped mid-request: another may take it over,
# since Amazon no longer offers a request it received (the use case asks first).
STALE_CLAIM = timedelta(minutes=10)
# Amazon's words are kept this long at most.
DETAIL_CHARS = 300


@dataclass(frozen=True)
class Outcome:
    """What came of a request: its state, and Amazon's code and words when it refused."""

    asked: Asked
    error: str | None = None
    detail: str | None = None


def claim(db: Database, order_id: str, owner: str, now: datetime) -> bool:
    """Take the right to ask for `order_id`'s review: True for exactly one of any number of
    callers, unless it was sent, not offered, or is being sent (a failed attempt, or a claim
    gone stale, may be taken again)."""
    insert = (postgresql.insert if db.dialect == "postgresql" else sqlite.insert)(_TABLE)
    statement = insert.values(order_id=order_id, status=Asked.SENDING.value, owner=owner,
                              claimed_at=now, attempts=1)
    statement = statement.on_conflict_do_update(
        index_elements=[_TABLE.c.order_id],
        set_={"status": Asked.SENDING.value, "owner": owner, "claimed_at": now,
              "finished_at": None, "error": None, "detail": None,
              "attempts": _TABLE.c.attempts + 1},
        where=or_(_TABLE.c.status == Asked.FAILED.value,
                  (_TABLE.c.status == Asked.SENDING.value)
                  & (_TABLE.c.claimed_at < now - STALE_CLAIM)),
    ).returning(_TABLE.c.order_id)
    with db.begin() as conn:
        return conn.execute(statement).first() is not None


def finish(db: Database, order_id: str, owner: str, outcome: Outcome, now: datetime) -> None:
    """Record what came of the request `owner` claimed."""
    with db.begin() as conn:
        conn.execute(update(_TABLE).where(_TABLE.c.order_id == order_id,
                                          _TABLE.c.owner == owner,
                                          _TABLE.c.status == Asked.SENDING.value)
                     .values(status=outcome.asked.value, finished_at=now,
                             error=outcome.error,
                             detail=(outcome.detail or "")[:DETAIL_CHARS] or None))


def asked(db: Database, order_ids: Iterable[str]) -> dict[str, Outcome]:
    """What became of the requests for these orders, by order id (none asked: absent)."""
    found: dict[str, Outcome] = {}
    with db.begin() as conn:
        for ids in in_lists(order_ids):
            rows = conn.execute(select(_TABLE.c.order_id, _TABLE.c.status, _TABLE.c.error,
                                       _TABLE.c.detail)
                                .where(_TABLE.c.order_id.in_(ids)))
            found.update({order_id: Outcome(Asked(status), error, detail)
                          for order_id, status, error, detail in rows})
    return found


def counts(db: Database, since: datetime) -> dict[Asked, int]:
    """Requests by state, finished or claimed since `since`."""
    moment = func.coalesce(_TABLE.c.finished_at, _TABLE.c.claimed_at)
    with db.begin() as conn:
        rows = conn.execute(select(_TABLE.c.status, func.count()).where(moment >= since)
                            .group_by(_TABLE.c.status))
        return {Asked(status): number for status, number in rows}


def orders_delivered_from(conn: Connection, delivered_from: datetime, until: datetime, *,
                          undated_after: datetime) -> list[Order]:
    """Orders placed by `until` and due to be delivered at `delivered_from` or later, however
    long before they were placed (a pre-order), and those without a delivery date placed after
    `undated_after`; without their lines."""
    latest = ORDERS.c.latest_delivery_date
    statement = queries.select_orders().where(
        ORDERS.c.purchase_date <= until,
        or_(latest >= delivered_from,
            and_(latest.is_(None), ORDERS.c.purchase_date > undated_after)),
    ).order_by(ORDERS.c.purchase_date)
    return queries.orders_of(conn, statement, lines=False)
