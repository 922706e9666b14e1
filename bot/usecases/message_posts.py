"""Buyer messages in Slack: which to post now (each once, whichever process looks), with their
order's context, and which reminders are due (each once). The words and the reply address
are read from the mailbox each time; the store never has them."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.domain.buyer_messages import BuyerMessage, RelayRules, reminder_due, reply_by
from bot.errors import SellerbotError
from bot.store import Database, message_posts
from bot.store.buyer_messages import Known
from bot.usecases.messages import MailSource, read_again
from bot.usecases.orders import OrderDetail, order_detail
from bot.usecases.returns import ReturnAnswer, return_answer
from bot.usecases.sellers import Seller

# A post claimed this long ago and not recorded belongs to a process that stopped (or whose
# answer from Slack was lost): another takes it over, after reading Slack's history. Longer
# than a post with its lost answer takes (the Slack client's timeout).
STALE_AFTER = timedelta(minutes=3)
# Messages posted per look: a mailbox full of unanswered mail is posted over several looks.
PER_LOOK = 50


@dataclass(frozen=True)
class OrderContext:
    """What the post says about the message's order: where it stands, and its returns."""

    detail: OrderDetail | None = None
    returns: ReturnAnswer | None = None


@dataclass(frozen=True)
class ToPost:
    """A buyer message to post: `message` is None when the mailbox no longer has it."""

    known: Known
    message: BuyerMessage | None
    context: OrderContext
    reply_by: datetime
    # Claimed from a process that stopped: Slack's history may already have the post.
    taken_over: bool


def to_post(db: Database, mailbox: MailSource, rules: RelayRules, seller: Seller, owner: str,
            now: datetime, fetched: list[BuyerMessage]) -> list[ToPost]:
    """Claim the messages not posted yet (at most PER_LOOK) for `owner` to post; those just
    `fetched` are not read from the mailbox again."""
    claims = message_posts.claim_posts(db, owner, now, STALE_AFTER, PER_LOOK)
    have = {m.key: m for m in fetched}
    missing = [c.message for c in claims if c.message.key not in have]
    if missing:
        try:
            have.update(read_again(mailbox, rules, missing))
        except SellerbotError:
            # Nothing was posted: the claims go back at once rather than going stale (a
            # stale claim costs its taker a read of Slack's history).
            for claim in claims:
                if not claim.taken_over:
                    message_posts.release_post(db, claim.message.key, owner)
            raise
    return [ToPost(c.message, have.get(c.message.key),
                   order_context(db, seller, c.message.order_id, now),
                   reply_by(c.message.received_at), c.taken_over) for c in claims]


def still_ours(db: Database, key: str, owner: str, now: datetime) -> bool:
    """Whether `owner` still holds the claim on `key`'s post, renewed at `now` if so. Asked
    right before each post: a look claims up to PER_LOOK messages at once, and a slow Slack
    can keep the last of them waiting past STALE_AFTER, when another process takes it over."""
    return message_posts.renew_post(db, key, owner, now)


def posted(db: Database, key: str, owner: str, channel: str, ts: str) -> None:
    """The post landed: recorded, never made again."""
    message_posts.posted(db, key, owner, channel, ts)


def release(db: Database, key: str, owner: str) -> None:
    """Slack refused the post: the next look tries again."""
    message_posts.release_post(db, key, owner)


def order_context(db: Database, seller: Seller, order_id: str | None,
                  now: datetime) -> OrderContext:
    """The order's standing and return eligibility, when the store has the order."""
    if order_id is None:
        return OrderContext()
    try:
        detail = order_detail(db, seller, order_id, now)
    except SellerbotError:  # an order not imported yet: the post says so
        return OrderContext()
    # The order and its returns are read once, for both.
    return OrderContext(detail, return_answer(detail.standing.order, detail.returns, seller,
                                              now))


@dataclass(frozen=True)
class Reminder:
    """Reminder `number` (1, 2, …) for an unanswered message, claimed for posting."""

    known: Known
    number: int
    reply_by: datetime


def not_reminded(db: Database, reminder: Reminder) -> None:
    """`reminder` was claimed but Slack did not post it: the next run posts it."""
    message_posts.release_reminder(db, reminder.known.key, reminder.number)


def reminders(db: Database, now: datetime, after_hours: tuple[int, ...]) -> list[Reminder]:
    """The reminders due now, each claimed (so posted once, by whoever claims it)."""
    if not after_hours:
        return []
    due = []
    for known in message_posts.awaiting_reminder(db, now - timedelta(hours=min(after_hours)),
                                                 len(after_hours)):
        number = reminder_due(known.received_at, now, after_hours, known.reminded)
        if number is not None and message_posts.claim_reminder(db, known.key, number):
            due.append(Reminder(known, number, reply_by(known.received_at)))
    return due
