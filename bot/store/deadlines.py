"""The deadlines the store keeps with each order, and the basis they were computed on."""

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import Connection, bindparam, select, text, update

from bot.domain.records import Order
from bot.store.models import DERIVED, OPEN_ORDER, ORDERS
from bot.store.queries import orders_of, select_orders

# The row of DERIVED that says what the computed deadlines were computed from.
DEADLINES = "deadline"


def basis(conn: Connection) -> str | None:
    """The basis the stored computed deadlines were computed on; None before any was."""
    return conn.scalar(select(DERIVED.c.basis).where(DERIVED.c.name == DEADLINES))


def open_without_ship_by(conn: Connection) -> list[Order]:
    """Open merchant orders without Amazon's ship-by, with their lines: those whose deadline
    sellerbot computes."""
    statement = select_orders().where(text(OPEN_ORDER), ORDERS.c.latest_ship_date.is_(None))
    return orders_of(conn, statement)


def store(conn: Connection, deadlines: Iterable[tuple[str, datetime | None]], basis: str
          ) -> None:
    """Keep each (order id, deadline) pair and note the basis they were computed on."""
    pairs = [{"id": order_id, "deadline": deadline} for order_id, deadline in deadlines]
    if pairs:
        conn.execute(update(ORDERS).where(ORDERS.c.order_id == bindparam("id"))
                     .values(deadline=bindparam("deadline")), pairs)
    done = conn.execute(update(DERIVED).where(DERIVED.c.name == DEADLINES)
                        .values(basis=basis))
    if done.rowcount == 0:
        conn.execute(DERIVED.insert().values(name=DEADLINES, basis=basis))
