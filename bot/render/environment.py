"""The template environment and the two ways to use it: whole templates and named messages."""

import re
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from bot.paths import templates_dir

# C0 and C1 control characters other than tab and newline: a product title or a file name
# carrying terminal escape sequences must print as text, not act on the terminal. Likewise
# Unicode's bidirectional embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069),
# which make "SKU-\u202egnp.exe" read as "SKU-exe.png" in Slack and in a terminal.
UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _plain(value: Any) -> Any:
    if isinstance(value, str):
        return UNSAFE.sub("\ufffd", value)
    return "" if value is None else value


# Currencies without a minor unit (ISO 4217 exponent 0): Seller Central shows ￥1,500, not
# 1,500.00. Of Amazon's marketplaces, only Japan's; the others are here for a seller's own.
_WHOLE_UNITS = frozenset({"JPY", "KRW", "CLP", "ISK", "VND", "PYG", "UGX", "XAF", "XOF"})


def _money(amount: Decimal | None, currency: str | None = None) -> str:
    if amount is None:
        return ""
    shown = f"{amount:,.0f}" if currency in _WHOLE_UNITS else f"{amount:,.2f}"
    return shown + (f" {currency}" if currency else "")


def _when(moment: datetime | None, tz: ZoneInfo) -> str:
    # Every time a user reads is in the seller's zone (the marketplace's local day matters).
    return "" if moment is None else moment.astimezone(tz).strftime("%a %d %b %Y, %H:%M %Z")


def _day(day: date | None, long: bool = False) -> str:
    if day is None:
        return ""
    return day.strftime("%A %d %B %Y" if long else "%a %d %b %Y")


def _short(moment: datetime | None, tz: ZoneInfo) -> str:
    # In a table whose heading names the zone and the year: "Wed 02 Dec 23:59".
    return "" if moment is None else moment.astimezone(tz).strftime("%a %d %b %H:%M")


def _clock(moment: datetime | None, tz: ZoneInfo) -> str:
    return "" if moment is None else moment.astimezone(tz).strftime("%H:%M")


def _local_day(moment: datetime | None, tz: ZoneInfo) -> date | None:
    return None if moment is None else moment.astimezone(tz).date()


def mrkdwn(value: Any) -> str:
    """Escape text for Slack mrkdwn: &, < and > are the only characters Slack asks to escape,
    and escaping them keeps `<!channel>` or `<https://x|y>` in a product title inert."""
    text = _plain(value)
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _strong(value: Any) -> str:
    """Text to put between *...* in mrkdwn: escaped, on one line, and with its own asterisks
    drawn as a look-alike, since mrkdwn has no way to escape one and it would end the bold."""
    return mrkdwn(" ".join(str(_plain(value)).split())).replace("*", "\u2217")


def codeblock(value: Any) -> str:
    """Text for a ``` block in mrkdwn: escaped, and no ``` of its own to end the block early."""
    return mrkdwn(value).replace("```", "`\u200b``")


def _duration(span: timedelta | None) -> str:
    # "3 h 12 min", "45 min", "2 d 4 h": how long, to the minute, for a person to read.
    if span is None:
        return ""
    minutes = max(0, int(span.total_seconds() // 60))
    days, hours, minutes = minutes // 1440, minutes // 60 % 24, minutes % 60
    if days:
        return f"{days} d {hours} h" if hours else f"{days} d"
    if hours:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    return f"{minutes} min"


def _percent(rate: float | None) -> str:
    return "" if rate is None else f"{rate * 100:.1f}%"


@cache
def _environment() -> Environment:
    # Plain text for terminals; Slack text is escaped for mrkdwn by its own filter, not HTML.
    env = Environment(
        loader=FileSystemLoader(templates_dir()),
        autoescape=False,  # noqa: S701
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
        finalize=_plain,
        extensions=["jinja2.ext.do"],
    )
    env.filters["money"] = _money
    env.filters["when"] = _when
    env.filters["day"] = _day
    env.filters["clock"] = _clock
    env.filters["short"] = _short
    env.filters["local_day"] = _local_day
    env.filters["mrkdwn"] = mrkdwn
    env.filters["percent"] = _percent
    env.filters["duration"] = _duration
    env.filters["strong"] = _strong
    env.filters["codeblock"] = codeblock
    return env


def template(name: str) -> Any:
    """A template by its path under templates/."""
    return _environment().get_template(name)


def text(name: str, **context: Any) -> str:
    """Render the plain-text template templates/text/`name`.txt.j2."""
    return _environment().get_template(f"text/{name}.txt.j2").render(**context).strip("\n")


def message(group: str, code: str, **params: Any) -> str:
    """Render the macro `code` of templates/text/`group`.txt.j2: one message, one line."""
    module = _environment().get_template(f"text/{group}.txt.j2").module
    render = getattr(module, code, None) or module.unknown
    return str(render(**params)).strip()
