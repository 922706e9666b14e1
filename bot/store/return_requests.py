"""Reading return requests (the MFN returns report's, minus what privacy.md keeps out)."""

from collections.abc import Sequence

from sqlalchemy import Connection, func, select

from bot.domain.records import ReturnRequest
from bot.store.models import RETURNS
from bot.store.queries import in_lists, raw_rows
from bot.store.rows import reader


def _read(conn: Connection) -> tuple:
    return reader(conn.dialect.name, ReturnRequest, RETURNS)


def returns_for(conn: Connection, order_id: str) -> list[ReturnRequest]:
    """The return requests known for one order."""
    columns, to_return = _read(conn)
    statement = (select(*columns).where(RETURNS.c.order_id == order_id)
                 .order_by(RETURNS.c.request_date, RETURNS.c.sku))
    return [to_return(row) for row in raw_rows(conn, statement)]


def returns_of(conn: Connection, order_ids: Sequence[str]) -> dict[str, list[ReturnRequest]]:
    """The return requests of each of `order_ids` that has any."""
    columns, to_return = _read(conn)
    found: dict[str, list[ReturnRequest]] = {}
    for ids in in_lists(order_ids):
        statement = select(*columns).where(RETURNS.c.order_id.in_(ids))
        for row in raw_rows(conn, statement):
            request = to_return(row)
            found.setdefault(request.order_id, []).append(request)
    return found


def count_returns(conn: Connection, *, statuses: Sequence[str]) -> int:
    """How many return requests have one of `statuses`."""
    return conn.scalar(
        select(func.count()).select_from(RETURNS).where(RETURNS.c.status.in_(list(statuses)))
    ) or 0
