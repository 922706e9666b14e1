"""Reading single values out of Amazon's files: times, dates, money, counts and flags."""

import re
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from zoneinfo import ZoneInfo

from bot.domain.calendar import FIRST_YEAR, LAST_YEAR


class BadValue(ValueError):
    """A value that cannot be read; `code` names its message in templates/text/errors.txt.j2."""

    def __init__(self, code: str, value: str) -> None:
        super().__init__(code)
        self.code = code
        # Only values of kept (non-personal) columns ever reach here; cut them short all the same.
        self.value = value if len(value) <= 40 else value[:37] + "..."


# Free text (a title, a service level) is kept at most this long: no value of Amazon's is
# longer, and a 10 MB "title" would only weigh on every page that shows it.
MAX_TEXT_CHARS = 500


def clipped(text: str) -> str:
    """Free text as stored: without NUL characters (PostgreSQL refuses them in text, SQLite
    keeps them) and at most MAX_TEXT_CHARS long."""
    text = text.replace("\x00", "")
    return text if len(text) <= MAX_TEXT_CHARS else text[: MAX_TEXT_CHARS - 1] + "\u2026"


_fromisoformat = datetime.fromisoformat


def timestamp(text: str) -> datetime:
    """An ISO 8601 time with an offset (or Z), as a UTC-aware datetime."""
    try:
        value = _fromisoformat(text)
    except ValueError:
        raise BadValue("bad_time", text) from None
    if value.tzinfo is None:
        # A time without an offset could be off by a whole day in the seller's zone.
        raise BadValue("naive_time", text)
    if value.tzinfo is not UTC:
        value = value.astimezone(UTC)
    return value


_MONTHS = {
    name: number
    for number, name in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1
    )
}


def local_date(text: str, tz: ZoneInfo) -> date:
    """A calendar date: `24-Sep-2026`, `2026-09-24`, or an ISO time taken in the seller's zone."""
    parts = text.split("-")
    try:
        if len(parts) == 3 and parts[1].lower() in _MONTHS:
            # The returns report's DD-Mon-YYYY form (reports.md §6). Four digits: a spreadsheet
            # saves it as DD-Mon-YY, and "26" read as a year is 26 AD, which the nightly
            # clean-up then deletes as long past.
            if len(parts[2]) != 4:
                raise ValueError(text)
            day = date(int(parts[2]), _MONTHS[parts[1].lower()], int(parts[0]))
        elif len(text) == 10:
            day = date.fromisoformat(text)
        else:
            day = timestamp(text).astimezone(tz).date()
    except (ValueError, BadValue):
        raise BadValue("bad_date", text) from None
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise BadValue("bad_date", text)
    return day


# The store keeps amounts as NUMERIC(12, 2): ten digits before the point. A larger one is a
# shifted or broken row (PostgreSQL refused it, and the whole import with it).
_MONEY_LIMIT = Decimal(10) ** 10


def money(text: str) -> Decimal:
    """An amount such as 12.34 (or -1.00 for a discount)."""
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise BadValue("bad_money", text) from None
    if not value.is_finite() or abs(value) >= _MONEY_LIMIT:
        raise BadValue("bad_money", text)
    return value


# ISO 4217 codes; anything else in a currency column is a shifted or broken row.
_CURRENCY = re.compile(r"[A-Z]{3}")
# SKUs are at most 40 characters on Amazon; the store keys lines by SKU and allows 64.
SKU_LENGTH = 64


def currency(text: str) -> str:
    """A three-letter currency code such as USD."""
    code = text.strip().upper()
    if _CURRENCY.fullmatch(code) is None:
        raise BadValue("bad_currency", text)
    return code


def sku(text: str) -> str:
    """A seller SKU (or the ASIN standing in for one): present and of a sane length."""
    if not text:
        raise BadValue("empty", "")
    if len(text) > SKU_LENGTH:
        raise BadValue("too_long", text)
    return text


# An ASIN: ten capital letters and digits (a book's is its ISBN-10, leading zeros and all).
_ASIN = re.compile(r"[0-9A-Z]{10}")


def asin(text: str) -> str | None:
    """An optional ASIN, as Amazon writes it; a spreadsheet's re-save drops a book's leading
    zeros (0061120081 becomes 61120081), which would no longer read as a book's."""
    if not text:
        return None
    if _ASIN.fullmatch(text) is None:
        raise BadValue("bad_asin", text)
    return text


def item_id(text: str) -> str:
    """An order line's id: Amazon's are digits only, which a spreadsheet's re-save turns into
    a number such as 6.84619E+13, no longer the line's."""
    if not text:
        raise BadValue("empty", "")
    if not (text.isdigit() and text.isascii()):
        raise BadValue("bad_item_id", text)
    return text


def count(text: str) -> int:
    """A whole, non-negative quantity."""
    if not text.isdigit() or not text.isascii():
        raise BadValue("bad_count", text)
    return int(text)


_FLAGS = {"true": True, "false": False, "y": True, "n": False, "yes": True, "no": False}


def flag(text: str) -> bool:
    """A yes/no value: true/false or Y/N, in any case."""
    try:
        return _FLAGS[text.lower()]
    except KeyError:
        raise BadValue("bad_flag", text) from None


# Cell readers for the hot loop of a report: a cell is trimmed here, an empty cell is None, and
# results are cached by the raw cell text, since a report repeats the same few prices, flags
# and quantities a million times. Bounded: the texts come from files. Errors are not cached.
@lru_cache(maxsize=4096)
def money_cell(cell: str) -> Decimal | None:
    """An optional amount cell."""
    text = cell.strip()
    return money(text) if text else None


@lru_cache(maxsize=256)
def count_cell(cell: str) -> int:
    """A required quantity cell."""
    return count(cell.strip())


@lru_cache(maxsize=64)
def currency_cell(cell: str) -> str | None:
    """An optional currency cell."""
    text = cell.strip()
    return currency(text) if text else None


@lru_cache(maxsize=64)
def flag_cell(cell: str) -> bool | None:
    """An optional yes/no cell."""
    text = cell.strip()
    return flag(text) if text else None


# Products recur: a seller's best sellers fill half the lines of a report. Read from the cache,
# a product's title, SKU and ASIN are one string each however often they recur, so that a
# batch of rows carries each once to the importing process (a pickle keeps an object once) and
# the driver encodes each once: 30 % less to hand over and 8-11 % less CPU to write
# bench/import_orders.py's 200,000-row report (timed in one process), and the ASIN's pattern
# checked once.
@lru_cache(maxsize=4096)
def text_cell(cell: str) -> str | None:
    """An optional free-text cell (a title, a service level)."""
    return cell.strip() or None


@lru_cache(maxsize=4096)
def asin_cell(cell: str) -> str | None:
    """An optional ASIN cell."""
    return asin(cell.strip())


@lru_cache(maxsize=4096)
def sku_cell(cell: str) -> str | None:
    """An optional SKU cell."""
    text = cell.strip()
    return sku(text) if text else None
