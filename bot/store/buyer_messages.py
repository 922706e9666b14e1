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
    # Where the mailbox keeps it, to read it again (its words and reply address).
    folder: str
    uidvalidity: int
    uid: int
    channel: str | None
    post_ts: str | None
    reply_state: str | None
    reply_claimed_at: datetime | None
    reply_error: str | None
    outcome: str | None
    reminded: int


KNOWN = (BUYER_MESSAGES.c.key, BUYER_MESSAGES.c.marketplace, BUYER_MESSAGES.c.order_id,
          BUYER_MESSAGES.c.received_at, BUYER_MESSAGES.c.answered_at,
          BUYER_MESSAGES.c.answered_by, BUYER_MESSAGES.c.folder, BUYER_MESSAGES.c.uidvalidity,
          BUYER_MESSAGES.c.uid, BUYER_MESSAGES.c.channel, BUYER_MESSAGES.c.post_ts,
          BUYER_MESSAGES.c.reply_state, BUYER_MESSAGES.c.reply_claimed_at,
          BUYER_MESSAGES.c.reply_error, BUYER_MESSAGES.c.outcome, BUYER_MESSAGES.c.reminded)


def cursor(db: Database, folder: str) -> tuple[int | None, int]:
    """The folder's UIDVALIDITY and the last UID read (None, 0 before the first look)."""
    with db.begin() as conn:
        row = conn.execute(select(MAILBOX_STATE.c.uidvalidity, MAILBOX_STATE.c.last_uid)
                           .where(MAILBOX_STATE.c.folder == folder)).first()
    return (row[0], row[1]) if row else (None, 0)


# The outcome of a message received before sellerbot could track it (old mail).
UNTRACKED = "untracked"


def keep(db: Database, folder: str, uidvalidity: int, last_uid: int,
         found: Sequence[tuple[int, BuyerMessage]], *,
         untracked_before: datetime | None = None) -> set[str]:
    """Store the (UID, message) pairs not known yet and move the folder's cursor to
    `last_uid`, in one transaction: the keys that were new (each is new once, whoever reads).
    Those received before `untracked_before` are kept as UNTRACKED."""
    insert = postgresql.insert if db.dialect == "postgresql" else sqlite.insert
    new: set[str] = set()
    with db.begin() as conn:
        for uid, message in found:
            old = untracked_before is not None and message.received_at < untracked_before
            row = conn.execute(insert(BUYER_MESSAGES).values(
                key=message.key, marketplace=message.marketplace, order_id=message.order_id,
                received_at=message.received_at, folder=folder, uidvalidity=uidvalidity,
                uid=uid, outcome=UNTRACKED if old else None)
                .on_conflict_do_nothing(index_elements=["key"])
                .returning(BUYER_MESSAGES.c.key)).first()
            if row is not None:
                new.add(row[0])
                continue
            # Known already, maybe at another place: a renumbered folder (UIDVALIDITY) holds
            # it under a new UID, where a reply reads its words and relay address again.
            conn.execute(update(BUYER_MESSAGES).where(BUYER_MESSAGES.c.key == message.key)
                         .values(folder=folder, uidvalidity=uidvalidity, uid=uid))
        state = insert(MAILBOX_STATE).values(folder=folder, uidvalidity=uidvalidity,
                                             last_uid=last_uid)
        conn.execute(state.on_conflict_do_update(
            index_elements=["folder"], set_={"uidvalidity": uidvalidity, "last_uid": last_uid}))
    return new


def since(db: Database, moment: datetime, *, unanswered: bool = False) -> list[Known]:
    """The messages received since `moment`, oldest first (only unanswered ones, if asked)."""
    statement = (select(*KNOWN).where(BUYER_MESSAGES.c.received_at >= moment)
                 .order_by(BUYER_MESSAGES.c.received_at))
    if unanswered:
        statement = statement.where(BUYER_MESSAGES.c.outcome.is_(None))
    with db.begin() as conn:
        return [Known(*row) for row in conn.execute(statement)]


def get(db: Database, key: str) -> Known | None:
    """One message by its key."""
    with db.begin() as conn:
        row = conn.execute(select(*KNOWN).where(BUYER_MESSAGES.c.key == key)).first()
    return Known(*row) if row else None


def set_where(db: Database, key: str, when: object, **values: object) -> bool:
    """Update one message's row if `when` holds for it: whether it did."""
    with db.begin() as conn:
        done = conn.execute(update(BUYER_MESSAGES).where(BUYER_MESSAGES.c.key == key, when)
                            .values(**values))
    return done.rowcount == 1
