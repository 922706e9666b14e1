"""Syncing orders from the Selling Partner API: the API meets the store, page by page, and the
cursor moves only once every page is stored (sp-api.md §5).

Pages are written a few thousand rows to a transaction: orders are merged by id, so an order
stored twice changes nothing, and a sync that fails half-way leaves the cursor where it was;
the next one reads the same window again. A failure is recorded with the time the failing
began, so the digest and App Home can say when sync has been failing for over an hour.
"""

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.domain.records import Order, OrderItem
from bot.errors import Busy, SellerbotError
from bot.sources.sp_api import OrdersApi
from bot.sources.sp_api_calls import Calls
from bot.store import Database, job_runs, queries, sync_state
from bot.store.writer import BATCH_SIZE, Writer
from bot.usecases import runs
from bot.usecases.sellers import Seller
from bot.usecases.stamps import stamped

log = logging.getLogger(__name__)

# Amazon wants a window to end at least 2 minutes before now (sp-api.md §5); 30 seconds more
# for a clock that runs ahead of Amazon's.
LAG = timedelta(minutes=2, seconds=30)
# A sync holds a claim (job_runs) while it runs, so that a `sellerbot sync` in a terminal and
# the scheduled one, or two replicas, never read the same pages twice against Amazon's quota.
RUNNING = "running"
# The claim is renewed between pages at most this often, and taken over when older than
# STALE_SYNC: one page may wait out eight 429s of up to three minutes each (sp_api.py).
HEARTBEAT = timedelta(minutes=5)
STALE_SYNC = timedelta(minutes=45)
# Rows stored per write (the writer's own batch): about 45 pages of v2026 orders and lines.
WRITE_ROWS = BATCH_SIZE


@dataclass(frozen=True)
class SyncResult:
    """What one sync did: the window read, the records stored and where the time went."""

    after: datetime
    before: datetime
    first: bool
    pages: int
    orders: int
    new_orders: int
    items: int
    calls: Calls
    seconds: float
    # Seconds of sellerbot's own work (reading pages, storing records), most of it done while
    # the next page is on its way from Amazon (sp_api.READ_AHEAD).
    work: float
    # Orders left out because a field of theirs cannot be read (logged with the field).
    skipped: tuple[str, ...] = ()


def sync(db: Database, api: OrdersApi, seller: Seller, first_days: int, *, now: datetime,
         since: datetime | None = None) -> SyncResult:
    """Store the orders changed since the last sync (or since `since`; the first sync reads
    those created in the last `first_days`, SYNC_FIRST_DAYS); a failure (Amazon's, the
    store's, any) is recorded in the sync state and raised. Raises "sync_running" when
    another process is syncing the marketplace."""
    claim = _claim(db, api.marketplace_id, now)
    try:
        result = _sync(db, api, seller, first_days, now=now, since=since, claim=claim)
        if result.orders:
            _forget_demo(db)
        return result
    finally:
        try:
            job_runs.release(db, claim)
        except Exception:  # the sync's own outcome (or error) must not be masked
            log.warning("The sync claim could not be given back; it lapses after %s", STALE_SYNC)


def _forget_demo(db: Database) -> None:
    """The seller's own orders are here: the demo seller's go (imports.import_file), once a
    sync, not once a page written."""
    with db.begin_bulk() as conn:
        removed = queries.delete_demo(conn)
    if removed:
        log.info("removed the demo seller's %d orders", removed)


def _claim(db: Database, marketplace_id: str, now: datetime) -> job_runs.Claim:
    """The claim on syncing `marketplace_id`, or "sync_running" naming who holds it."""
    job = f"sync:{marketplace_id}"
    claim = job_runs.claim(db, job, RUNNING, job_runs.owner_id(), now, stale_after=STALE_SYNC)
    if claim is None:
        held = job_runs.get(db, job, RUNNING)
        raise Busy("sync_running", owner=held.owner if held else "",
                   since=held.claimed_at.strftime("%H:%M UTC") if held else "")
    return claim


def _start(since: datetime | None, watermark: datetime | None, first_day: datetime) -> datetime:
    """Where a sync starts reading: --since, else the cursor, else (the first sync) the
    orders created since `first_day` (SYNC_FIRST_DAYS ago)."""
    if since is not None:
        return since
    return watermark if watermark is not None else first_day


def _failed(db: Database, marketplace_id: str, now: datetime, exc: Exception,
            pages: int) -> None:
    """Record a failed sync for the digest and App Home: Amazon's status and error code,
    sellerbot's own, or the kind of a fault nobody expected (the database, say)."""
    params = exc.params if isinstance(exc, SellerbotError) else {}
    reason = " ".join(str(params[k]) for k in ("status", "error") if params.get(k))
    code = exc.code if isinstance(exc, SellerbotError) else type(exc).__name__
    sync_state.failed(db, marketplace_id, at=now, error=reason or code)
    log.warning("SP-API sync failed after %d pages: %s", pages, code)


def _sync(db: Database, api: OrdersApi, seller: Seller, first_days: int, *, now: datetime,
          since: datetime | None, claim: job_runs.Claim) -> SyncResult:
    started = time.perf_counter()
    api.calls = Calls()  # this sync's calls only: the scheduler keeps one OrdersApi
    state = sync_state.get(db, api.marketplace_id)
    before = now - LAG
    watermark = state.watermark if state else None
    first = since is None and watermark is None
    after = min(_start(since, watermark, now - timedelta(days=first_days)), before)
    pages = orders = items = new_orders = 0
    pending: list[Order | OrderItem] = []
    skipped: sync_state.Updates = {}  # the orders it could not read, in their order
    work = 0.0
    read: set[str] = set()  # the ids of the orders read
    beat = time.monotonic()
    # When a page is stored (its orders' first_seen), or the claim renewed.
    moment = runs.running_from(now)

    changed = api.changed(after, before, created=first)
    try:
        for page in changed:
            pages += 1
            if time.monotonic() - beat > HEARTBEAT.total_seconds():
                # Taken over while this process was paused, it reads on all the same: storing
                # the pages the other sync stores too changes nothing.
                claim = job_runs.heartbeat(db, claim, moment(), pages) or claim
                beat = time.monotonic()
            orders += page.orders
            items += len(page.records) - page.orders
            if page.skipped:  # as the store holds them now: an import may bring them
                skipped.update(_as_stored(db, page.skipped))
            read.update(r.order_id for r in page.records if type(r) is Order)
            pending.extend(page.records)
            work += page.seconds
            # Pages are stored a few thousand rows at a time: fewer, larger writes, and no
            # transaction ever waits on Amazon (the next page is fetched in a thread of its
            # own meanwhile: sp_api.READ_AHEAD).
            if len(pending) >= WRITE_ROWS:
                new, seconds = _store(db, pending, seller, moment())
                new_orders, work = new_orders + new, work + seconds
        new, seconds = _store(db, pending, seller, moment())
        new_orders, work = new_orders + new, work + seconds
    except Exception as exc:
        _failed(db, api.marketplace_id, now, exc, pages)
        raise
    finally:
        changed.close()  # a failed write asks Amazon for no further page
    # --since later than the cursor leaves a gap before it: the cursor then stays.
    moved = since is None or watermark is None or since <= watermark
    # Orders left out earlier stay on the list until a sync reads them (or an import brings
    # them: sync_state.found).
    sync_state.succeeded(db, api.marketplace_id, watermark=before if moved else None, at=now,
                         read=read, left_out=skipped)
    log.info("SP-API sync: %d orders (%d new), %d lines in %d pages", orders, new_orders,
             items, pages)
    return SyncResult(after, before, first, pages, orders, new_orders, items, api.calls,
                      time.perf_counter() - started, work, tuple(skipped))


def _as_stored(db: Database, ids: Sequence[str]) -> sync_state.Updates:
    """`ids` (in their order) with the last update the store holds of each."""
    with db.begin() as conn:
        held = sync_state.stored_updates(conn, ids)
    return {i: held[i] for i in ids}


def _store(db: Database, records: list[Order | OrderItem], seller: Seller, at: datetime
           ) -> tuple[int, float]:
    """Write `records` in one transaction and empty the list: how many orders were new, and
    the seconds it took.

    New is counted in the write's own transaction, which imports and other syncs wait for
    (begin_bulk): an import running meanwhile cannot make its orders look like this sync's.
    """
    if not records:
        return 0, 0.0
    started = time.perf_counter()
    # A bulk transaction takes SQLite's write lock at once, so a write cannot fail on
    # "database is locked" behind a Slack click that wrote first.
    with db.begin_bulk() as conn:
        ids = {r.order_id for r in records if type(r) is Order}
        new = len(ids) - queries.count_known(conn, ids)
        writer = Writer(conn, seen=at)
        for record in stamped(records, seller):
            writer.add(record)
        writer.flush()
    records.clear()
    return new, time.perf_counter() - started
