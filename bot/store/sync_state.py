"""The SP-API sync's state per marketplace: its cursor, last success and failures."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, func, select, update

from bot.store.database import Database
from bot.store.models import SYNC_STATE

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


def left_out_anywhere(conn: Connection) -> frozenset[str]:
    """Every order some sync left out and none has read since, of every marketplace."""
    return frozenset(i for (left_out,) in conn.execute(
        select(_TABLE.c.left_out).where(_TABLE.c.left_out.is_not(None)))
        for i in left_out.split(","))


def found(conn: Connection, order_ids: Iterable[str]) -> None:
    """Take `order_ids` off every left-out list: an import brought them (the seller found
    them in Seller Central's reports), so they are no longer missing."""
    brought = set(order_ids)
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
        done = conn.execute(update(SYNC_STATE).where(
            SYNC_STATE.c.marketplace_id == marketplace_id).values(**values)).rowcount
        if not done:
            conn.execute(_TABLE.insert().values(marketplace_id=marketplace_id, **values))


def succeeded(db: Database, marketplace_id: str, *, watermark: datetime | None,
              at: datetime, left_out: Iterable[str] = ()) -> None:
    """Record a sync that read everything up to `watermark` (kept when None), and the orders
    still left out (`left_out`: the earlier ones it did not read, then its own)."""
    # Commas separate the ids; an id Amazon sent broken must not split into two.
    kept = list(dict.fromkeys(i.replace(",", "") for i in left_out))[-LEFT_OUT_KEPT:]
    values: dict[str, object] = {"last_success_at": at, "last_attempt_at": at,
                                 "failing_since": None, "last_error": None,
                                 "left_out": ",".join(kept) or None}
    if watermark is not None:
        values["watermark"] = watermark
    _save(db, marketplace_id, **values)


def failed(db: Database, marketplace_id: str, *, at: datetime, error: str) -> None:
    """Record a failed sync; the cursor stays where it was, so nothing is skipped."""
    state = get(db, marketplace_id)
    since = state.failing_since if state and state.failing_since else at
    _save(db, marketplace_id, last_attempt_at=at, failing_since=since, last_error=error[:500])
