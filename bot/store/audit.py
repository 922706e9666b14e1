"""The "Check reply" audit: one row per check, kept so a seller can show what was checked."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from bot.store.database import Database
from bot.store.models import REPLY_CHECKS


@dataclass(frozen=True)
class CheckRecord:
    """One check as audited: never the text itself, only its SHA-256 and length."""

    checked_at: datetime
    verdict: str
    categories: tuple[str, ...]
    rules: tuple[str, ...]
    surface: str
    slack_user: str | None
    slack_channel: str | None
    text_sha256: str
    length: int


def record(db: Database, checks: Iterable[CheckRecord]) -> int:
    """Store `checks` in one transaction; how many there were."""
    rows = [{
        "checked_at": c.checked_at, "verdict": c.verdict, "categories": ",".join(c.categories),
        "rules": ",".join(c.rules), "surface": c.surface, "slack_user": c.slack_user,
        "slack_channel": c.slack_channel, "text_sha256": c.text_sha256, "length": c.length,
    } for c in checks]
    if rows:
        with db.begin() as conn:
            conn.execute(REPLY_CHECKS.insert(), rows)
    return len(rows)


def since(db: Database, start: datetime | None, limit: int) -> list[CheckRecord]:
    """The checks from `start` on (all when None), oldest first, at most `limit` of them
    (the newest ones when there are more)."""
    table = REPLY_CHECKS
    query = select(table).order_by(table.c.checked_at.desc(), table.c.id.desc()).limit(limit)
    if start is not None:
        query = query.where(table.c.checked_at >= start)
    with db.begin() as conn:
        rows = conn.execute(query).mappings().all()
    return [CheckRecord(
        checked_at=row["checked_at"], verdict=row["verdict"],
        categories=tuple(filter(None, row["categories"].split(","))),
        rules=tuple(filter(None, row["rules"].split(","))), surface=row["surface"],
        slack_user=row["slack_user"], slack_channel=row["slack_channel"],
        text_sha256=row["text_sha256"], length=row["length"],
    ) for row in reversed(rows)]
