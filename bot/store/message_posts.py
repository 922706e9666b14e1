"""Each buyer message's Slack post, reply and reminders, each claimed in its row before it is
done, so that replicas, restarts and double clicks do each once (issue 20)."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select

from bot.store.buyer_messages import KNOWN, UNTRACKED, Known, set_where
from bot.store.database import Database
from bot.store.models import BUYER_MESSAGES

TABLE = BUYER_MESSAGES
# post_state
CLAIMED, POSTED = "claimed", "posted"
# reply_state
SENDING, SENT, FAILED, UNKNOWN = "sending", "sent", "failed", "unknown"
# outcome
REPLIED, NO_RESPONSE = "replied", "no-response"


@dataclass(frozen=True)
class PostClaim:
    """A message this process is to post; `taken_over` from a process that stopped (its post
    may have landed: Slack's history says)."""

    message: Known
    taken_over: bool


def claim_posts(db: Database, owner: str, now: datetime, stale_after: timedelta,
                limit: int) -> list[PostClaim]:
    """Claim up to `limit` messages not posted yet (or whose claim went stale), oldest first."""
    stale = and_(TABLE.c.post_state == CLAIMED, TABLE.c.post_claimed_at < now - stale_after)
    open_to_claim = and_(or_(TABLE.c.post_state.is_(None), stale),
                         or_(TABLE.c.outcome.is_(None), TABLE.c.outcome != UNTRACKED))
    with db.begin() as conn:
        found = conn.execute(select(*KNOWN, TABLE.c.post_state).where(open_to_claim)
                             .order_by(TABLE.c.received_at).limit(limit)).all()
    claims = []
    for row in found:
        message, state = Known(*row[:-1]), row[-1]
        if set_where(db, message.key, open_to_claim, post_state=CLAIMED, post_owner=owner,
                post_claimed_at=now):
            claims.append(PostClaim(message, taken_over=state == CLAIMED))
    return claims


def renew_post(db: Database, key: str, owner: str, now: datetime) -> bool:
    """Whether `owner` still holds the post's claim, made fresh at `now` if so."""
    return set_where(db, key, and_(TABLE.c.post_owner == owner, TABLE.c.post_state == CLAIMED),
                     post_claimed_at=now)


def posted(db: Database, key: str, owner: str, channel: str, ts: str) -> None:
    """Record the post a claim made."""
    set_where(db, key, TABLE.c.post_owner == owner, post_state=POSTED, channel=channel, post_ts=ts)


def release_post(db: Database, key: str, owner: str) -> None:
    """Give a claim back: Slack refused the post, and the next look tries again."""
    set_where(db, key, and_(TABLE.c.post_owner == owner, TABLE.c.post_state == CLAIMED),
         post_state=None, post_owner=None, post_claimed_at=None)


def _unanswered() -> object:
    return TABLE.c.outcome.is_(None)


# A send claimed this long ago and not finished belongs to a process that stopped mid-send:
# its outcome is unknown (longer than a send's connection and answer take).
SEND_STALE_AFTER = timedelta(minutes=5)


def claim_reply(db: Database, key: str, now: datetime, *, after_unknown: bool = False) -> bool:
    """Claim the message's reply for one send: not while one is being sent, after one was
    sent, after "No response needed", nor after a send of unknown outcome (or one whose
    process stopped mid-send) unless the person sending was told so (`after_unknown`)."""
    may = [TABLE.c.reply_state.is_(None), TABLE.c.reply_state == FAILED]
    if after_unknown:
        may += [TABLE.c.reply_state == UNKNOWN,
                and_(TABLE.c.reply_state == SENDING,
                     TABLE.c.reply_claimed_at < now - SEND_STALE_AFTER)]
    return set_where(db, key, and_(_unanswered(), or_(*may)), reply_state=SENDING,
                reply_claimed_at=now, reply_error=None)


def reply_sent(db: Database, key: str, by: str, at: datetime) -> None:
    """The server took the reply: the message is answered."""
    set_where(db, key, TABLE.c.reply_state == SENDING, reply_state=SENT, outcome=REPLIED,
         answered_at=at, answered_by=by)


def reply_not_sent(db: Database, key: str, state: str, words: str) -> None:
    """The send failed (FAILED: it may be tried again) or its outcome is unknown (UNKNOWN)."""
    set_where(db, key, TABLE.c.reply_state == SENDING, reply_state=state, reply_error=words[:200])


def no_response(db: Database, key: str, by: str, at: datetime) -> bool:
    """"No response needed": False if it was answered, or a reply is being or may have been
    sent."""
    return set_where(db, key, and_(_unanswered(), or_(TABLE.c.reply_state.is_(None),
                                                 TABLE.c.reply_state == FAILED)),
                outcome=NO_RESPONSE, answered_at=at, answered_by=by)


def awaiting_reminder(db: Database, received_before: datetime, reminders: int) -> list[Known]:
    """Posted, unanswered messages received by `received_before` that have had fewer than
    `reminders` reminders, oldest first (the query does not grow with every message ever)."""
    with db.begin() as conn:
        return [Known(*row) for row in conn.execute(
            select(*KNOWN).where(TABLE.c.post_state == POSTED, _unanswered(),
                                  TABLE.c.received_at <= received_before,
                                  TABLE.c.reminded < reminders)
            .order_by(TABLE.c.received_at))]


def claim_reminder(db: Database, key: str, number: int) -> bool:
    """Claim reminder `number` (1, 2, …) of an unanswered message: once, whoever asks."""
    return set_where(db, key, and_(_unanswered(), TABLE.c.reminded < number), reminded=number)


def release_reminder(db: Database, key: str, number: int) -> bool:
    """Give back a claim on reminder `number` that Slack did not post (a 429: it did
    nothing), for the next run to post."""
    return set_where(db, key, TABLE.c.reminded == number, reminded=number - 1)


def reply_state(known: Known, now: datetime) -> str | None:
    """The reply's state as a person should read it: a send whose process stopped mid-way is
    UNKNOWN, not SENDING."""
    if (known.reply_state == SENDING and known.reply_claimed_at is not None
            and known.reply_claimed_at < now - SEND_STALE_AFTER):
        return UNKNOWN
    return known.reply_state
