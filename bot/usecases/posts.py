"""Posting to a channel once for a key, however often the button is clicked and whichever
replica gets the click: a claim in the store decides who posts."""

from collections.abc import Callable
from datetime import datetime

from bot.store import Database, posts


def post_once(db: Database, key: str, channel: str, now: datetime,
              send: Callable[[], str]) -> bool:
    """Claim `key` and call `send`, which posts and returns the message's timestamp; False,
    sending nothing, when the key was claimed before. A `send` that fails (or is cut short)
    gives the claim back, so that a later click can try again, and raises."""
    if not posts.claim(db, key, channel, now):
        return False
    try:
        ts = send()
    except BaseException:
        posts.release(db, key)
        raise
    posts.posted(db, key, ts)
    return True
