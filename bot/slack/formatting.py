"""Slack's message formatting, read back into the plain text a person typed.

A message's `text` comes with Slack's markup: &amp; &lt; &gt; escaped, links as <url|label> or
<url>, mentions as <@U123>, <#C123|name>, <!here> (https://docs.slack.dev/messaging/formatting-message-text).
A draft reply is checked as typed, so "shop.com" that Slack turned into <http://shop.com|shop.com>
is checked as "shop.com", and a mailto: link as its address.
"""

import re

_MARKUP = re.compile(r"<([^<>|]*)(?:\|([^<>]*))?>")


def _plain(match: re.Match[str]) -> str:
    target, label = match.group(1), match.group(2)
    if target.startswith("@"):
        return "@" + (label or target[1:])
    if target.startswith("#"):
        return "#" + (label or target[1:])
    if target.startswith("!"):
        return "@" + (label or target[1:].split("^")[0])
    if label:
        return label
    return target.removeprefix("mailto:")


def plain_text(text: str) -> str:
    """A message's text as the person typed it."""
    text = _MARKUP.sub(_plain, text)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
