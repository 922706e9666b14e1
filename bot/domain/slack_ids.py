"""Slack's ids, as settings name channels and people: one grammar for every setting.

An id is a kind letter and upper-case letters and digits, as Slack shows it: C0123ABCD (a
channel), G0123ABCD (a private channel), D0123ABCD (a direct message), U0123ABCD or W0123ABCD
(a person). Slack's channel names are lower case ("general", "#orders", "c4-orders"); names
change and are not unique, so they are refused, not looked up.
"""

import re

_CHANNEL = re.compile(r"[CGD][A-Z0-9]{6,}")
_USER = re.compile(r"[UW][A-Z0-9]{6,}")


def channel_id(text: str) -> str | None:
    """The channel id `text` is, or None for anything else (a name, say)."""
    text = text.strip()
    return text if _CHANNEL.fullmatch(text) else None


def user_id(text: str) -> str | None:
    """The person's id `text` is, or None for anything else."""
    text = text.strip()
    return text if _USER.fullmatch(text) else None
