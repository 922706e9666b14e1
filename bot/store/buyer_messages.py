"""Relayed buyer messages the store knows (by a SHA-256 of their Message-ID, never their text,
the buyer's name or the relay address), and how far each mailbox folder has been read."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite

from bot.domain.buyer_messages import BuyerMessage
from bot.store.database import Database
from bot.store.models import BUYER_MESSAGES, MAILBOX_STATE


@dataclass(frozen=True)
class Known:
    """A buyer message as the store keeps it."""

    key: str
    marketplace: str
    order_id: str | None
    received_at: datetime
    answered_at: datetime | None
    answered_by: str | None


def cursor(db: Database, folder: str) -> tuple[int | None, int]:
    """The folder's UIDVALIDITY and the last UID read (None, 0 before the first look)."""
    with db.begin() as conn:
        row = conn.execute(select(MAILBOX_STATE.c.uidvalidity, MAILBOX_STATE.c.last_uid)
                           .where(MAILBOX_STATE.c.folder == folder)).first()
    return (row[0], row[1]) if row else (None, 0)


def keep(db: Database, folder: str, uidvalidity: int, last_uid: int,
         found: Sequence[tuple[int, BuyerMessage]]) -> set[str]:
    """Store the (UID, message) pairs not known yet and move the folder's cursor to
    `last_uid`, in one transaction: the keys that were new (each is new once, whoever reads)."""
    insert = postgresql.insert if db.dialect == "postgresql" else sqlite.insert
    new: set[str] = set()
    with db.begin() as conn:
        for uid, message in found:
            row = conn.execute(insert(BUYER_MESSAGES).values(
                key=message.key, marketplace=message.marketplace, order_id=message.order_id,
                received_at=message.received_at, folder=folder, uidvalidity=uidvalidity,
                uid=uid).on_conflict_do_nothing(index_elements=["key"])
                .returning(BUYER_MESSAGES.c.key)).first()
            if row is not None:
                new.add(row[0])
        state = insert(MAILBOX_STATE).values(folder=folder, uidvalidity=uidvalidity,
                                             last_uid=last_uid)
        conn.execute(state.on_conflict_do_update(
            index_elements=["folder"], set_={"uidvalidity": uidvalidity, "last_uid": last_uid}))
    return new


def since(db: Database, moment: datetime, *, unanswered: bool = False) -> list[Known]:
    """The messages received since `moment`, oldest first (only unanswered ones, if asked)."""
    table = BUYER_MESSAGES
    statement = (select(table.c.key, table.c.marketplace, table.c.order_id,
                        table.c.received_at, table.c.answered_at, table.c.answered_by)
                 .where(table.c.received_at >= moment).order_by(table.c.received_at))
    if unanswered:
        statement = statement.where(table.c.answered_at.is_(None))
    with db.begin() as conn:
        return [Known(*row) for row in conn.execute(statement)]


def answered(db: Database, key: str, by: str, at: datetime) -> bool:
    """Note that `by` answered the message (or said it needs none); False if it already was."""
    with db.begin() as conn:
        done = conn.execute(update(BUYER_MESSAGES).where(
            BUYER_MESSAGES.c.key == key, BUYER_MESSAGES.c.answered_at.is_(None))
            .values(answered_at=at, answered_by=by))
    return done.rowcount == 1
