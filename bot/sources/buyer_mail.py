"""Amazon's relayed buyer messages, read from raw e-mail as a mailbox gives it (RFC 5322 bytes)
with the standard `email` package and its modern policy: whether a mail is a buyer's message,
its order, when it came, where a reply goes, and the buyer's words between Amazon's markers.
How Amazon lays them out is data: rules/buyer_messages.yaml.

Any other mail is left at its headers. Nothing here writes to the mailbox.
"""

import hashlib
import logging
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.parser import BytesHeaderParser, BytesParser
from html.parser import HTMLParser

from bot.domain.buyer_messages import BuyerMessage, RelayRules
from bot.sources.redaction import name_words, redacted

log = logging.getLogger(__name__)

# The buyer's words kept: Amazon's messages are far shorter (messaging.md §4); the rest of a
# longer text stays in the mailbox and the message says it was cut.
MAX_TEXT_CHARS = 10_000
# Looked through for personal data past the cut: an address no longer than this that the cut
# goes through is taken out whole.
REDACT_MARGIN = 200
# Mail larger than this (photos attached, up to 10 MB each) is read at its headers only: the
# message is still known and posted, its text read in the mailbox.
MAX_BYTES = 12 * 1024 * 1024
# An Amazon order id, as the subject and the body quote it.
ORDER_ID = re.compile(r"\b\d{3}-\d{7}-\d{7}\b")
# A marker line: dashes, a word or two, dashes ("------------- Begin message -------------").
_MARKER = re.compile(r"^\s*-{3,}\s*(?P<words>[^-].*?)\s*-{3,}\s*$")


@dataclass(frozen=True)
class NotBuyerMessage:
    """A mail that is not a buyer's message, or cannot be read: why (left in the mailbox)."""

    why: str  # not-a-buyer, amazon-notice, malformed


def read_buyer_message(raw: bytes, rules: RelayRules, *, received: datetime,
                       whole: bool = True) -> BuyerMessage | NotBuyerMessage:
    """The buyer's message in `raw` (only its headers unless `whole`), or why it is none;
    `received` (the mailbox's arrival time) stands in for a missing or unreadable Date."""
    try:
        return _read(raw, rules, received, whole)
    except Exception as exc:
        # Mail comes from anyone, and the email package reads headers when asked, raising
        # whatever their parser meets (AttributeError for a group in Reply-To, IndexError for
        # a Message-ID of "<"): one such mail must not stop the buyer messages after it. Only
        # the kind of error is logged: a mail's headers hold addresses.
        log.warning("a mail could not be read (%s); left in the mailbox", type(exc).__name__)
        return NotBuyerMessage("malformed")


def _read(raw: bytes, rules: RelayRules, received: datetime, whole: bool
          ) -> BuyerMessage | NotBuyerMessage:
    large = not whole or len(raw) > MAX_BYTES
    parser = BytesHeaderParser if large else BytesParser
    message = parser(policy=policy.default).parsebytes(raw)
    relay = _relay(message, rules)
    kind = str(message.get(rules.header, "") or "").strip()
    if relay is None:
        return NotBuyerMessage("not-a-buyer")
    if kind and kind != rules.buyer_message:
        return NotBuyerMessage("amazon-notice")
    address, marketplace = relay
    plain = "" if large else _plain(message)
    # Cut before the words are looked through (a body may be megabytes), with a margin, so
    # that an address the cut goes through is taken out whole before the last cut below.
    words = "" if large else _text(message, plain, rules)
    text = redacted(words[:MAX_TEXT_CHARS + REDACT_MARGIN], _names(message), marketplace)
    subject = str(message.get("subject", "") or "")
    # The subject's "(Order: …)", else the body's "# 123-…:" line above the buyer's words.
    order = ORDER_ID.search(subject) or ORDER_ID.search(
        "\n".join(line for line in plain.splitlines() if line.lstrip().startswith("#")))
    return BuyerMessage(
        key=hashlib.sha256((str(message.get("message-id", "")).strip() or raw[:4096].hex())
                           .encode()).hexdigest(),
        marketplace=marketplace, order_id=order.group(0) if order else None,
        received_at=_date(message, received), relay_address=address,
        text=text[:MAX_TEXT_CHARS],
        cut=large or len(text) > MAX_TEXT_CHARS or len(words) > MAX_TEXT_CHARS + REDACT_MARGIN,
        message_id=str(message.get("message-id", "") or "").strip(),
        references=" ".join(str(message.get("references", "") or "").split()),
        subject=" ".join(subject.split()))


def _relay(message: EmailMessage, rules: RelayRules) -> tuple[str, str] | None:
    """The buyer's relay address (Reply-To, else From) and its marketplace, if it is one."""
    for header in ("reply-to", "from"):
        value = message.get(header)
        for address in getattr(value, "addresses", ()):
            found = _marketplace(address, rules)
            if found is not None:
                return address.addr_spec, found
    return None


def _names(message: EmailMessage) -> set[str]:
    """The words of the buyer's name, as the relay's headers give it ("Robin Roe - Amazon")."""
    return name_words(_unescaped(address.display_name) for header in ("from", "reply-to")
                      for address in getattr(message.get(header), "addresses", ()))


def _unescaped(display: str) -> str:
    """A display name sent as raw UTF-8 (RFC 6532) rather than encoded: Python's parser keeps
    its bytes as surrogates, which would match nothing the buyer wrote."""
    return display.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _marketplace(address: Address, rules: RelayRules) -> str | None:
    domain = address.domain.lower().rstrip(".")
    if address.username.split("+")[0].lower() in rules.not_buyers:
        return None
    # By whole labels: "marketplace.amazon.com.evil.example" is not Amazon's.
    return next((code for code, relay in rules.domains.items()
                 if domain == relay or domain.endswith("." + relay)), None)


def _plain(message: EmailMessage) -> str:
    """The mail's plain-text part, or nothing."""
    part = message.get_body(preferencelist=("plain",))
    return _content(part) if part is not None else ""


def _content(part: EmailMessage) -> str:
    """A text part's text: in its charset, or as UTF-8 (unreadable bytes replaced) when Python
    does not know that charset ("unknown-8bit", "windows-874"), rather than losing the mail."""
    try:
        return part.get_content()
    except LookupError:
        payload = part.get_payload(decode=True)
        return payload.decode("utf-8", errors="replace") if isinstance(payload, bytes) else ""


def _text(message: EmailMessage, body: str, rules: RelayRules) -> str:
    """The buyer's words: between Amazon's markers in the plain part `body`, else the HTML
    part's one <pre> block, else the plain part as it is; a mail of HTML alone, its text
    (between the markers when it has them)."""
    marked = _between_markers(body, rules)
    if marked is not None:
        return marked
    html = message.get_body(preferencelist=("html",))
    if html is not None:
        page = _Html()
        page.feed(_content(html))
        if page.pre.strip():
            return page.pre.strip()
        if not body.strip():
            marked = _between_markers(page.text, rules)
            return marked if marked is not None else page.text.strip()
    return body.strip()


def _between_markers(body: str, rules: RelayRules) -> str | None:
    starts = tuple(m.lower().rstrip(":") for m in rules.start_markers)
    ends = tuple(m.lower() for m in rules.end_markers)
    lines = body.splitlines()
    begin = end = None
    for number, line in enumerate(lines):
        marker = _MARKER.match(line)
        if marker is None:
            continue
        words = marker.group("words").lower()
        if begin is None and any(words.rstrip(": ").startswith(s) for s in starts):
            begin = number
        elif begin is not None and any(words.startswith(e) for e in ends):
            end = number
            break
    if begin is None:
        return None
    return "\n".join(lines[begin + 1:end]).strip()


def _date(message: EmailMessage, received: datetime) -> datetime:
    try:
        sent = message["date"].datetime if message.get("date") else None
    except (AttributeError, ValueError, TypeError):
        sent = None
    if sent is None or sent.tzinfo is None:
        return received
    return sent.astimezone(UTC)


# Tags that end a line of an HTML page's text; those whose text is not the page's.
_LINE_TAGS = frozenset({"p", "br", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6"})
_HIDDEN_TAGS = frozenset({"style", "script", "head", "title"})


class _Html(HTMLParser):
    """An HTML part's text, a line for each paragraph or break, and that of its <pre> blocks,
    where Amazon puts the buyer's words."""

    def __init__(self) -> None:
        super().__init__()
        self.depth = self.hidden = 0
        self.text = self.pre = ""

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.depth += tag == "pre"
        self.hidden += tag in _HIDDEN_TAGS
        if tag in _LINE_TAGS:
            self.text += "\n"

    def handle_endtag(self, tag: str) -> None:
        self.depth -= tag == "pre" and self.depth > 0
        self.hidden -= tag in _HIDDEN_TAGS and self.hidden > 0
        if tag in _LINE_TAGS:
            self.text += "\n"

    def handle_data(self, data: str) -> None:
        if self.depth:
            self.pre += data
        if not self.hidden:
            self.text += data
