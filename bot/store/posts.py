"""Posting once: a key claimed in the database before a message goes to a channel."""

from datetime import datetime

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from bot.store.database import Database
from bot.store.models import SLACK_POSTS


def claim(db: Database, key: str, channel: str, now: datetime) -> bool:
    """Claim `key` for one post; False when someone (another click, another replica) has it."""
    try:
        with db.begin() as conn:
            conn.execute(SLACK_POSTS.insert().values(
                key=key, channel=channel, posted_at=now))
    except IntegrityError:
        return False
    return True


def release(db: Database, key: str) -> None:
    """Give a claim back after the post failed, so that a later click can try again."""
    with db.begin() as conn:
        conn.execute(SLACK_POSTS.delete().where(SLACK_POSTS.c.key == key))


def posted(db: Database, key: str, ts: str) -> None:
    """Record the Slack timestamp of the message a claim produced."""
    with db.begin() as conn:
        conn.execute(update(SLACK_POSTS).where(SLACK_POSTS.c.key == key).values(ts=ts))
