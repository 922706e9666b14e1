"""Slack's message formatting, read back into the plain text a person typed.

A message's `text` comes with Slack's markup: &amp; &lt; &gt; escaped, links as <url|label> or
<url>, mentions as <@U123>, <#C123|name>, <!here> (https://docs.slack.dev/messaging/formatting-message-text).
A draft reply is checked as typed, so "shop.com" that Slack turned into <http://shop.com|shop.com>
is checked as "shop.com", and a mailto: link as its address. A link whose words differ from its
address ("<https://shop.example|here>", formatted in Slack's editor) is checked as
"here (shop.example)": hidden, it would pass as "ok".
"""

import re

_MARKUP = re.compile(r"<([^<>|]*)(?:\|([^<>]*))?>")


_SCHEMES = re.compile(r"^(?:https?://|mailto:|tel:|sms:|callto:)", re.IGNORECASE)


def _bare(target: str) -> str:
    """A link's target as a person would write it: no scheme, mailto: or tel:, no end slash."""
    return _SCHEMES.sub("", target).rstrip("/")


def _plain(match: re.Match[str]) -> str:
    target, label = match.group(1), match.group(2)
    if target.startswith("@"):
        return "@" + (label or target[1:])
    if target.startswith("#"):
        return "#" + (label or target[1:])
    if target.startswith("!"):
        return "@" + (label or target[1:].split("^")[0])
    if label and _bare(label).lower() != _bare(target).lower():
        # A link behind other words ("<https://shop.example|here>"): the buyer gets the
        # address, so the check must see it: the words, then the address in brackets.
        shown = _bare(target) if target.lower().startswith(("mailto:", "tel:")) else target
        return f"{label} ({shown})"
    if label:
        return label
    return _bare(target) if target.lower().startswith(("mailto:", "tel:")) else target


def plain_text(text: str) -> str:
    """A message's text as the person typed it, with any link Slack hides behind other words
    written out beside them, so that the check sees every address the buyer would get."""
    text = _MARKUP.sub(_plain, text)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
