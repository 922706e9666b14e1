"""Slack's ids, as settings name channels and people: one grammar for every setting.

An id is a kind letter, a digit, then letters and digits: C0123ABCD (a channel), G0123ABCD (a
private channel), D0123ABCD (a direct message), U0123ABCD or W0123ABCD (a person). Names
("general", "#orders", "@pat") change and are not unique, so they are refused, not looked up;
typed in lower case, an id still reads as itself.
"""

import re

_CHANNEL = re.compile(r"[CGD][0-9][A-Z0-9]{4,}", re.IGNORECASE)
_USER = re.compile(r"[UW][0-9][A-Z0-9]{4,}", re.IGNORECASE)


def channel_id(text: str) -> str | None:
    """The channel id `text` is (upper-cased), or None for anything else (a name, say)."""
    text = text.strip()
    return text.upper() if _CHANNEL.fullmatch(text) else None


def user_id(text: str) -> str | None:
    """The person's id `text` is (upper-cased), or None for anything else."""
    text = text.strip()
    return text.upper() if _USER.fullmatch(text) else None
