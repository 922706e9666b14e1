"""The jobs besides the digest: the nightly clean-up, the scheduled SP-API sync, and the daily
review requests."""

import logging
import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from functools import cached_property
from typing import Any

from bot.config import Settings
from bot.domain.schedule import period
from bot.errors import Busy, SellerbotError
from bot.render import message
from bot.usecases import runs
from bot.wiring import Database, seller_of

log = logging.getLogger(__name__)

# How often a sync waiting for another process's asks again (seconds).
BUSY_RETRY_SECONDS = 5


def clean_up(settings: Settings, db: Database, now: datetime | None = None) -> int:
    """Delete imported data older than RETENTION_DAYS (orders whose holiday returns may still
    come excepted), and old job runs; rows deleted."""
    now = now or datetime.now(UTC)
    cutoff = now - timedelta(days=settings.retention_days)
    deleted = runs.forget_before(db, cutoff, period(cutoff, settings.timezone),
                                 seller_of(settings), now)
    log.info("clean-up: %d rows older than %s deleted", deleted, cutoff.date())
    return deleted


class Syncs:
    """The scheduled SP-API sync: one OrdersApi (its clients and access token) for every run."""

    def __init__(self, settings: Settings, db: Database) -> None:
        self.settings, self.db = settings, db
        self.seller = seller_of(settings)

    @cached_property
    def api(self) -> Any:
        """The Orders API client, made at the first run and kept."""
        from bot.wiring import orders_api  # loads the client only where sync is set up

        return orders_api(self.settings)

    def run(self, *, wait: timedelta = timedelta(0),
            stopping: threading.Event | None = None) -> None:
        """Sync now; a failure is logged (and recorded for the digest), never raised. With
        `wait`, a sync another process has under way is waited out (up to `wait`, or until
        `stopping` is set) and this one follows it."""
        from bot.usecases import syncs

        until, stopping = time.monotonic() + wait.total_seconds(), stopping or threading.Event()
        while True:
            try:
                result = syncs.sync(self.db, self.api, self.seller,
                                    self.settings.sync_first_days, now=datetime.now(UTC))
                break
            except Busy as exc:
                if time.monotonic() < until and not stopping.wait(BUSY_RETRY_SECONDS):
                    continue
                # Another process syncing (`sellerbot sync`, a replica) is no failure.
                log.info("sync: %s", message("errors", exc.code, **exc.params))
                return
            except SellerbotError as exc:
                log.warning("sync: %s", message("errors", exc.code, **exc.params))
                return
        log.info("sync: %d orders (%d new) in %d pages", result.orders, result.new_orders,
                 result.pages)


class ReviewRequests:
    """REVIEW_REQUESTS=auto: Amazon's "Request a Review" sent each day for every order it is due
    for; one Solicitations API client for every run."""

    def __init__(self, settings: Settings, db: Database) -> None:
        self.settings, self.db = settings, db
        self.seller = seller_of(settings)

    @cached_property
    def api(self) -> Any:
        """The Solicitations API client, made at the first run and kept."""
        from bot.wiring import solicitations_api

        return solicitations_api(self.settings)

    def run(self) -> None:
        """Send the due requests; a failure is logged, never raised (the next day tries
        again, and each order is asked once whichever process asks)."""
        from bot.usecases import reviews

        try:
            done = reviews.request_due(self.db, self.api, self.seller, datetime.now(UTC))
        except SellerbotError as exc:
            log.warning("review requests: %s", message("errors", exc.code, **exc.params))
            return
        outcomes = Counter(str(r.asked or "elsewhere") for r in done.results)
        if done.demo:
            outcomes["demo orders never sent"] = done.demo
        log.info("review requests: %s", ", ".join(f"{n} {what}" for what, n in
                                                   sorted(outcomes.items())) or "none due")
