"""The SP-API sync's state per marketplace: its cursor, last success and failures."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, func, select, update

from bot.store.database import Database
from bot.store.models import ORDERS, SYNC_STATE
from bot.store.queries import in_lists

_TABLE = SYNC_STATE


@dataclass(frozen=True)
class SyncState:
    """How the sync of one marketplace stands."""

    marketplace_id: str
    watermark: datetime | None
    last_success_at: datetime | None
    last_attempt_at: datetime | None
    failing_since: datetime | None
    last_error: str | None
    left_out: str | None

    @property
    def left_out_ids(self) -> tuple[str, ...]:
        """The orders syncs left out and none has read since, oldest first."""
        return tuple(self.left_out.split(",")) if self.left_out else ()


# The orders kept in `left_out` (the newest): every one a real sync leaves out, until a sync
# reads it (README); the warnings name the first few and count the rest.
LEFT_OUT_KEPT = 1000


def get(db: Database, marketplace_id: str) -> SyncState | None:
    """The sync state of `marketplace_id`; None before its first sync."""
    with db.begin() as conn:
        return read(conn, marketplace_id)


def read(conn: Connection, marketplace_id: str) -> SyncState | None:
    """`get` inside a transaction already open (the digest's)."""
    row = conn.execute(select(_TABLE).where(_TABLE.c.marketplace_id == marketplace_id)).first()
    return SyncState(**row._mapping) if row else None


Updates = dict[str, datetime | None]
"""Orders' last updates as the store holds them (None: not stored), by order id."""


def stored_updates(conn: Connection, ids: Iterable[str]) -> Updates:
    """The last update the store holds of each of `ids`."""
    wanted = set(ids)
    held: Updates = {}
    for chunk in in_lists(wanted):
        held.update(conn.execute(select(ORDERS.c.order_id, ORDERS.c.last_update).where(
            ORDERS.c.order_id.in_(chunk))).all())
    return {i: held.get(i) for i in sorted(wanted)}


def _with_news(before: Updates, now: Updates) -> set[str]:
    """The orders of `before` stored since, or updated since, by `now`'s account."""
    return {i for i, update in now.items() if update is not None and i in before and (
        before[i] is None or update > before[i])}


def left_out_anywhere(conn: Connection) -> Updates:
    """Every order some sync left out and none has read since, of every marketplace, with
    its last update as the store holds it."""
    return stored_updates(conn, (i for (left_out,) in conn.execute(
        select(_TABLE.c.left_out).where(_TABLE.c.left_out.is_not(None)))
        for i in left_out.split(",")))


def found(conn: Connection, before: Updates, written: Iterable[str]) -> None:
    """Take off every left-out list the orders of `before` (left_out_anywhere, before an
    import) that the import `written` brought news of: stored since, or a newer update. An
    order the file held only in an older state (an old report read again) is still missing
    its news; one a Slack click updated meanwhile was not brought by the import."""
    written = set(written) & set(before)
    brought = _with_news(before, stored_updates(conn, written)) if written else set()
    if not brought:
        return
    for marketplace_id, left_out in conn.execute(
            select(_TABLE.c.marketplace_id, _TABLE.c.left_out).where(
                _TABLE.c.left_out.is_not(None))).all():
        kept = [i for i in left_out.split(",") if i not in brought]
        conn.execute(update(_TABLE).where(_TABLE.c.marketplace_id == marketplace_id).values(
            left_out=",".join(kept) or None))


def latest_success(db: Database) -> datetime | None:
    """When any marketplace last synced successfully."""
    with db.begin() as conn:
        return conn.scalar(select(func.max(_TABLE.c.last_success_at)))


def _save(db: Database, marketplace_id: str, **values: object) -> None:
    with db.begin() as conn:
        _saved(conn, marketplace_id, **values)


def _saved(conn: Connection, marketplace_id: str, **values: object) -> None:
    done = conn.execute(update(SYNC_STATE).where(
        SYNC_STATE.c.marketplace_id == marketplace_id).values(**values)).rowcount
    if not done:
        conn.execute(_TABLE.insert().values(marketplace_id=marketplace_id, **values))


def succeeded(db: Database, marketplace_id: str, *, watermark: datetime | None,
              at: datetime, read: Iterable[str] = (), left_out: Updates | None = None) -> None:
    """Record a sync that read everything up to `watermark` (kept when None): the orders
    still left out are those listed now that it did not `read`, then its own `left_out`
    (with their last updates in the store when it left them out) but those an import
    brought news of since."""
    # Listed now, not when the sync began: an import may have found some meanwhile (found),
    # and the bulk transaction keeps one from coming between the read and the write.
    mine = left_out or {}
    with db.begin_bulk() as conn:
        listed = conn.scalar(select(_TABLE.c.left_out).where(
            _TABLE.c.marketplace_id == marketplace_id))
        done = set(read) | _with_news(mine, stored_updates(conn, mine))
        earlier = [i for i in (listed.split(",") if listed else ()) if i not in done]
        # Commas separate the ids; an id Amazon sent broken must not split into two.
        kept = list(dict.fromkeys([*earlier, *(i.replace(",", "") for i in mine
                                                if i not in done)]))
        values: dict[str, object] = {"last_success_at": at, "last_attempt_at": at,
                                     "failing_since": None, "last_error": None,
                                     "left_out": ",".join(kept[-LEFT_OUT_KEPT:]) or None}
        if watermark is not None:
            values["watermark"] = watermark
        _saved(conn, marketplace_id, **values)


def failed(db: Database, marketplace_id: str, *, at: datetime, error: str) -> None:
    """Record a failed sync; the cursor stays where it was, so nothing is skipped."""
    state = get(db, marketplace_id)
    since = state.failing_since if state and state.failing_since else at
    _save(db, marketplace_id, last_attempt_at=at, failing_since=since, last_error=error[:500])
