"""Check reply, the use case: a draft checked against the compliance rules, and the check
audited with who asked and a SHA-256 of the text, never the text itself."""

import hashlib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from bot.compliance import Checker, Result
from bot.errors import BadInput
from bot.store import Database, audit
from bot.store.audit import CheckRecord
from bot.usecases import reviews
from bot.usecases.sellers import Seller

# The longest draft sellerbot reads: five times Amazon's 2,000-character message limit
# (messaging.md §4) is no reply but a paste gone wrong, and the cap bounds each request's work.
MAX_CHARS = 10_000
# Half of a surrogate pair: JSON may escape one alone ("\ud83d", an emoji cut in two by a
# spreadsheet), and Python reads it into a str that no encoder takes.
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
# The category whose findings Amazon's "Request a Review" answers (messaging.md §5).
REVIEW_MANIPULATION = "review-manipulation"
# An audit listing shows at most this many checks (the newest); --since narrows it.
AUDIT_LIMIT = 1_000


@dataclass(frozen=True)
class Checked:
    """A check and what goes with it: the order the draft (or the message it answers) names
    when the draft asks for a review in its own words and Amazon's own request is due for it."""

    result: Result
    review_order: str | None = None


@dataclass(frozen=True)
class Asker:
    """Who asked for a check, and where: the surface (shortcut, command, modal, cli, batch)."""

    surface: str
    slack_user: str | None = None
    slack_channel: str | None = None


def draft_text(text: str | None) -> str:
    """The draft to check, or BadInput: empty, only spaces or invisible characters, or longer
    than MAX_CHARS."""
    if text is None or not any(_visible(ch) for ch in text):
        raise BadInput("reply_empty")
    if len(text) > MAX_CHARS:
        raise BadInput("reply_too_long", length=len(text), limit=MAX_CHARS)
    # Checked as the replacement character, as a decoder shows a byte it cannot read: the
    # rest of the draft is still a draft, and its audit hashes its UTF-8.
    return _encodable(text)


def _encodable(text: str) -> str:
    """`text` with each half of a surrogate pair as the replacement character."""
    return _LONE_SURROGATE.sub("\ufffd", text)


def _visible(ch: str) -> bool:
    # Not a space, control or format character (a zero-width space, a soft hyphen).
    return unicodedata.category(ch)[0] not in "ZC"


def check(checker: Checker, text: str | None, *, in_reply_to: str | None = None,
          region: str = "US") -> Result:
    """Check a draft (BadInput when there is none or it is too long); the buyer's message it
    answers, when known, is context only and is cut at MAX_CHARS."""
    context = _encodable((in_reply_to or "")[:MAX_CHARS]) or None
    return checker.check(draft_text(text), in_reply_to=context, region=region)


def audit_record(text: str, result: Result, asker: Asker, now: datetime) -> CheckRecord:
    """What the audit keeps of one check."""
    return CheckRecord(
        checked_at=now, verdict=result.verdict, categories=result.categories, rules=result.rules,
        surface=asker.surface, slack_user=asker.slack_user, slack_channel=asker.slack_channel,
        text_sha256=hashlib.sha256(_encodable(text).encode()).hexdigest(),
        length=len(text),
    )


def record(db: Database, records: Iterable[CheckRecord]) -> int:
    """Store audit records in one transaction."""
    return audit.record(db, records)


def check_and_record(db: Database, checker: Checker, text: str | None, asker: Asker,
                     now: datetime, *, in_reply_to: str | None = None,
                     seller: Seller | None = None) -> Checked:
    """Check a draft and audit the check; with the `seller`, a draft asking for a review names
    the order its request is due for, if it quotes one."""
    checked, audit_of = check_to_record(db, checker, text, asker, now, in_reply_to=in_reply_to,
                                        seller=seller)
    record(db, [audit_of])
    return checked


def check_to_record(db: Database, checker: Checker, text: str | None, asker: Asker,
                    now: datetime, *, in_reply_to: str | None = None,
                    seller: Seller | None = None) -> tuple[Checked, CheckRecord]:
    """check_and_record without the write: the check and its audit record, to store once the
    person has the answer (an import holding SQLite's write lock must not keep it from them)."""
    region = seller.marketplace.country if seller else "US"
    result = check(checker, text, in_reply_to=in_reply_to, region=region)
    review_order = None
    if seller is not None and REVIEW_MANIPULATION in result.categories:
        review_order = reviews.due_order_named(db, seller, [text, in_reply_to], now)
    return Checked(result, review_order), audit_record(text or "", result, asker, now)


def audit_log(db: Database, since: datetime | None, limit: int = AUDIT_LIMIT) -> list[CheckRecord]:
    """The audited checks from `since` on, oldest first (the newest `limit` of them)."""
    return audit.since(db, since, limit)
