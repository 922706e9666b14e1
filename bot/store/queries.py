"""Reading the store (and noting imports): queries return domain records, never rows.

Core selects, not ORM objects: a report reads thousands of orders in well under a tenth of a
second (bench/digest.py), and builds records straight from result tuples.
"""

from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    Connection,
    and_,
    case,
    delete,
    func,
    or_,
    select,
    text,
    union_all,
)

from bot.domain.records import OPEN_STATUSES, Order, OrderItem, OrderStatus
from bot.domain.shipment_rates import ShipmentCounts
from bot.store.models import IMPORTS, OPEN_ORDER, ORDER_ITEMS, ORDERS, RETURNS, WITH_SHIP_BY
from bot.store.rows import reader

_ORDERS = ORDERS
_ITEMS = ORDER_ITEMS
_RETURNS = RETURNS
_OPEN = text(OPEN_ORDER)


def raw_rows(conn: Connection, statement: Any) -> list[tuple]:
    """Raw driver rows: values as the database stores them, for a `rows.reader` to convert."""
    return conn.execute(statement).cursor.fetchall()


def _readers(conn: Connection) -> tuple:
    dialect = conn.dialect.name
    return reader(dialect, Order, _ORDERS), reader(dialect, OrderItem, _ITEMS)


def orders_of(conn: Connection, statement: Any, keep: Callable[[Order], bool] | None = None,
              *, lines: bool = True) -> list[Order]:
    """The orders `statement` (a select of the order reader's columns) finds and `keep` keeps,
    with their lines unless not `lines`."""
    (_, to_order), _ = _readers(conn)
    orders = [to_order(row) for row in raw_rows(conn, statement)]
    if keep is not None:
        orders = [order for order in orders if keep(order)]
    if orders and lines:
        # The lines of the orders the same statement finds, as a semi-join: the database walks
        # the lines' primary key from each order. A list of thousands of ids as a parameter
        # instead reads as thousands of guesses to PostgreSQL's planner, which then scans every
        # line.
        _give_lines(conn, orders, _ITEMS.c.order_id.in_(select(statement.subquery().c.order_id)))
    return orders


def add_lines(conn: Connection, orders: Sequence[Order]) -> None:
    """Give `orders`, read without their lines, their lines: for a few hundred orders at most,
    whose ids are parameters (orders_of reads the lines of any number)."""
    for ids in in_lists(order.order_id for order in orders):
        these = set(ids)
        _give_lines(conn, [order for order in orders if order.order_id in these],
                    _ITEMS.c.order_id.in_(ids))


def _give_lines(conn: Connection, orders: list[Order], condition: Any) -> None:
    """Set the lines of `orders` to those `condition` selects (a superset of theirs)."""
    _, (item_columns, to_item) = _readers(conn)
    found: dict[str, list[OrderItem]] = {order.order_id: [] for order in orders}
    statement = select(*item_columns).where(condition).order_by(_ITEMS.c.order_id, _ITEMS.c.sku)
    for row in raw_rows(conn, statement):
        item = to_item(row)
        if item.order_id in found:  # not an order `keep` left out
            found[item.order_id].append(item)
    for order in orders:
        order.items = tuple(found[order.order_id])


def select_orders() -> Any:
    """A select of the columns an Order is read from (orders_of reads its result)."""
    return select(*reader("sqlite", Order, _ORDERS)[0])


def get_order(conn: Connection, order_id: str) -> Order | None:
    """The order with this id and its lines, or None."""
    found = orders_of(conn, select_orders().where(_ORDERS.c.order_id == order_id))
    return found[0] if found else None


def open_orders(conn: Connection, *, placed_by: datetime, due_by: datetime | None = None,
                due_from: datetime | None = None, lines: bool = True) -> list[Order]:
    """Merchant-fulfilled orders awaiting shipment confirmation, placed by `placed_by`, with
    their lines unless not `lines` (add_lines reads them for a few).

    With `due_by` (`due_from`), only those whose stored deadline is no later (no earlier), and
    those with none stored, whose deadline the domain computes.
    """
    # Only conditions on the partial index ix_orders_open go to SQL, so that the database reads
    # a range of that small index and never the whole table; `placed_by` is checked on the
    # few rows it yields. The orders without a stored deadline are a second range of the same
    # index, not an OR, which SQLite would answer by scanning every open order.
    deadline = _ORDERS.c.deadline
    due = select_orders().where(_OPEN)
    if due_by is not None:
        due = due.where(deadline <= due_by)
    if due_from is not None:
        due = due.where(deadline >= due_from)
    statement = due
    if due_by is not None or due_from is not None:
        statement = union_all(due, select_orders().where(_OPEN, deadline.is_(None)))
    return orders_of(conn, statement,
                     keep=lambda o: o.purchase_date is None or o.purchase_date <= placed_by,
                     lines=lines)


def order_ids_containing(conn: Connection, fragment: str, limit: int) -> list[str]:
    """Up to `limit` stored order ids that contain `fragment`, those that start with it first."""
    # A prefix reads a range of the primary key. The slower scan for the fragment anywhere in
    # an id runs too unless the prefix alone fills the list: an id that starts with "113-1040"
    # and another that holds it in the middle are two candidates, not the first one.
    upper = fragment[:-1] + chr(ord(fragment[-1]) + 1)
    key = _ORDERS.c.order_id
    found = list(conn.scalars(select(key).where(key >= fragment, key < upper)
                              .order_by(key).limit(limit)))
    if len(found) < limit:
        pattern = "%" + fragment.replace("%", "").replace("_", "") + "%"
        anywhere = conn.scalars(select(key).where(key.like(pattern)).order_by(key).limit(limit))
        found += [order_id for order_id in anywhere if order_id not in found]
    return found[:limit]


def orders_placed(conn: Connection, after: datetime, until: datetime) -> list[Order]:
    """Orders placed in (after, until], with their lines."""
    statement = select_orders().where(
        _ORDERS.c.purchase_date > after, _ORDERS.c.purchase_date <= until
    ).order_by(_ORDERS.c.purchase_date)
    return orders_of(conn, statement)


def _placed(after: datetime, until: datetime) -> tuple[Any, ...]:
    """Orders placed in (after, until] and not known to be cancelled (status may be NULL)."""
    return (_ORDERS.c.purchase_date > after, _ORDERS.c.purchase_date <= until,
            _ORDERS.c.status.is_distinct_from(OrderStatus.CANCELED.value))


def count_placed(conn: Connection, after: datetime, until: datetime) -> int:
    """How many orders were placed in (after, until] and not cancelled, in every currency."""
    return conn.scalar(select(func.count()).select_from(_ORDERS).where(*_placed(after, until)))


def new_orders(conn: Connection, after: datetime, until: datetime, arrived_from: datetime
               ) -> list[tuple[str | None, int, int, Decimal | None]]:
    """Orders new in (after, until] and not cancelled, per currency: count, units, revenue.
    New: placed in the window, or placed from `arrived_from` on and first stored in it (an
    order placed just before `after` that a later sync or import brought).

    Revenue is Amazon's order total, or the sum of the lines' money where Amazon gave none.
    """
    money = (func.coalesce(_ITEMS.c.item_price, 0) + func.coalesce(_ITEMS.c.item_tax, 0)
             + func.coalesce(_ITEMS.c.shipping_price, 0) + func.coalesce(_ITEMS.c.shipping_tax, 0)
             - func.coalesce(_ITEMS.c.promotion_discount, 0))
    # Each order's lines summed by a correlated subquery (a primary-key lookup), so SQLite walks
    # the window's orders by their purchase_date index, never every line in the store.
    def lines_sum(value: Any) -> Any:
        return (select(func.sum(value)).where(_ITEMS.c.order_id == _ORDERS.c.order_id)
                .scalar_subquery())

    statement = (
        select(
            _ORDERS.c.currency,
            func.count(),
            func.sum(lines_sum(_ITEMS.c.quantity_ordered)),
            func.sum(func.coalesce(_ORDERS.c.order_total, lines_sum(money))),
        )
        .where(_ORDERS.c.purchase_date > arrived_from, _ORDERS.c.purchase_date <= until,
               or_(_ORDERS.c.purchase_date > after,
                   and_(_ORDERS.c.first_seen > after, _ORDERS.c.first_seen <= until)),
               _ORDERS.c.status.is_distinct_from(OrderStatus.CANCELED.value))
        .group_by(_ORDERS.c.currency)
        .order_by(func.count().desc())
    )
    return [
        (currency, count, int(units or 0), None if revenue is None
         else Decimal(str(revenue)).quantize(Decimal("0.01")))
        for currency, count, units, revenue in conn.execute(statement)
    ]


def shipment_counts(conn: Connection, start: datetime, end: datetime) -> ShipmentCounts:
    """Merchant orders whose Amazon ship-by is in [start, end], counted as the domain's
    count_shipments counts them, in one pass over the covering index ix_orders_ship_by."""
    # Judged by when Amazon took the confirmation where sellerbot sent it, else by the ship
    # date Amazon gives (shipping.md §4).
    confirmed = func.coalesce(_ORDERS.c.confirmed_at, _ORDERS.c.shipped_at)
    ship_by, status = _ORDERS.c.latest_ship_date, _ORDERS.c.status
    open_statuses = [s.value for s in OPEN_STATUSES]

    def count(*conditions: Any) -> Any:
        return func.coalesce(func.sum(case((and_(*conditions), 1), else_=0)), 0)

    statement = select(
        count(confirmed.is_not(None), confirmed <= ship_by),
        count(confirmed.is_not(None), confirmed > ship_by),
        count(confirmed.is_(None), status.in_(open_statuses)),
        count(confirmed.is_(None), status == OrderStatus.SHIPPED.value),
    ).where(text(WITH_SHIP_BY), ship_by >= start, ship_by <= end,
            status.is_distinct_from(OrderStatus.CANCELED.value))
    return ShipmentCounts(*conn.execute(statement).one())


def count_unknown_shipments(conn: Connection, placed_from: datetime, placed_until: datetime
                            ) -> int:
    """Shipped merchant orders placed in the window that carry neither Amazon's ship-by nor a
    confirmation time (report imports): the LSR cannot judge them, and says so."""
    return conn.scalar(
        select(func.count()).select_from(_ORDERS).where(
            _ORDERS.c.fulfillment_channel == "MFN",
            _ORDERS.c.status == OrderStatus.SHIPPED.value,
            _ORDERS.c.latest_ship_date.is_(None),
            _ORDERS.c.shipped_at.is_(None),
            _ORDERS.c.purchase_date >= placed_from,
            _ORDERS.c.purchase_date <= placed_until,
        )
    ) or 0


def record_import(conn: Connection, *, file_name: str, kind: str, rows: int, checksum: str,
                  imported_at: datetime, skipped_rows: int = 0) -> None:
    """Note that data came in: one file, or the demo seller."""
    conn.execute(IMPORTS.insert().values(
        file_name=file_name, kind=kind, rows=rows, skipped_rows=skipped_rows, checksum=checksum,
        imported_at=imported_at,
    ))


def last_import(conn: Connection) -> datetime | None:
    """When data last came in by import."""
    return conn.scalar(select(func.max(IMPORTS.c.imported_at)))


def any_order(conn: Connection) -> bool:
    """Whether any order is stored at all."""
    return conn.scalar(select(_ORDERS.c.order_id).limit(1)) is not None


# Values per IN (...) list: within every database's limit on parameters.
IN_LIST_SIZE = 500


def in_lists(values: Iterable[str]) -> Iterator[list[str]]:
    """The distinct `values`, sorted, in lists short enough for one IN (...) each."""
    ordered = sorted(set(values))
    for start in range(0, len(ordered), IN_LIST_SIZE):
        yield ordered[start:start + IN_LIST_SIZE]


def count_known(conn: Connection, order_ids: set[str]) -> int:
    """How many of `order_ids` are stored already."""
    return sum(conn.scalar(select(func.count()).select_from(_ORDERS).where(
        _ORDERS.c.order_id.in_(ids))) or 0 for ids in in_lists(order_ids))


def count_orders(conn: Connection, *, since: datetime | None = None) -> int:
    """How many orders are stored (placed after `since`, when given)."""
    statement = select(func.count()).select_from(_ORDERS)
    if since is not None:
        statement = statement.where(_ORDERS.c.purchase_date > since)
    return conn.scalar(statement) or 0


def count_by_status(conn: Connection, *, demo: bool | None = None) -> dict[str, int]:
    """Order counts by status (unknown statuses under ""): of the demo seller's orders only,
    or of the seller's own only, when `demo` says which."""
    statement = select(_ORDERS.c.status, func.count()).group_by(_ORDERS.c.status)
    if demo is not None:
        statement = statement.where(_ORDERS.c.is_demo.is_(demo))
    return {status or "": number for status, number in conn.execute(statement)}


def demo_order_ids(conn: Connection, among: str | None = None) -> set[str]:
    """The ids of the demo seller's orders (a few hundred at most), or of order `among` if
    it is one."""
    statement = select(_ORDERS.c.order_id).where(_ORDERS.c.is_demo)
    if among is not None:
        statement = statement.where(_ORDERS.c.order_id == among)
    return set(conn.scalars(statement))


def delete_demo(conn: Connection) -> int:
    """Remove the demo seller's orders, their lines and returns; how many orders went."""
    demo = select(_ORDERS.c.order_id).where(_ORDERS.c.is_demo)
    # Deleted here, not by the foreign key's cascade: a bulk write turns SQLite's checks off.
    conn.execute(delete(_ITEMS).where(_ITEMS.c.order_id.in_(demo)))
    conn.execute(delete(_RETURNS).where(_RETURNS.c.is_demo))
    return conn.execute(delete(_ORDERS).where(_ORDERS.c.is_demo)).rowcount
