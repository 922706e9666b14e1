"""`emails`: e-mail addresses, plain ("help@shop.com"), in a mailto: link, or disguised
("help at shop dot com", "help (at) shop (dot) com", "help [at] shop [dot] co [dot] uk").

Messaging policy allows none (../shared/spec/messaging.md §4 and §5, email-address).
"""

import re
from collections.abc import Iterable, Mapping
from typing import Any

from bot.compliance.checks import Detector, Hit
from bot.compliance.checks.domains import registrable, suffix
from bot.compliance.text import WORD, Draft

_AT = r"(?:\s*@\s*|\s*[\[({]\s*(?:at|@)\s*[\])}]\s*|\s+at\s+)"
_DOT = r"(?:\s*[\[({]\s*(?:\.|dot)\s*[\])}]\s*|\s+dot\s+|\s*\.\s*)"
_ADDRESS = re.compile(
    rf"(?<!{WORD})(?<![.+-])(?P<local>{WORD}(?:{WORD}|[.+-])*)(?P<at>{_AT})"
    rf"(?P<domain>[a-z0-9][a-z0-9-]*(?:{_DOT}[a-z0-9][a-z0-9-]*)*{_DOT}(?P<tld>[a-z]{{2,24}}))"
    # An address ends there: a path after it ("...co.uk/size-guide") makes it a web address.
    rf"(?!{WORD}|[@/-])",
    re.IGNORECASE)
_SEPARATOR = re.compile(_DOT, re.IGNORECASE)
# Where an address could be: at an "@" or a written-out "at"; the local part ends just before.
_MARKER = re.compile(r"@|\s*[\[({]\s*(?:at|@)\s*[\])}]|\s+at\s+", re.IGNORECASE)
_LOCAL_END = re.compile(rf"{WORD}(?:{WORD}|[.+-])*\s*$")
# No "@", no "dot" and no bracketed "at" or dot: no address can be there, so no scan.
_HINT = re.compile(r"[\[({]\s*(?:\.|dot|at|@)\s*[\])}]", re.IGNORECASE)
# Names kept for documentation and private use (RFC 2606, RFC 6761, RFC 6762): in no public
# suffix list, yet "returns@shop.example" in a template is an address all the same.
_RESERVED = frozenset({"example", "test", "invalid", "localhost", "local", "internal"})
# A sentence's stop and a word or two after an address ("help@shop.com. Best. Dana"), no more:
# trying every shorter domain of "x@ab.ab.ab…" (10,000 characters) took 3 s, all in Python.
_TRIMMED = 2


class _Emails:
    def __init__(self, check: Mapping[str, Any]) -> None:
        self.not_local = frozenset(w.lower() for w in check.get("not_local", ()))
        self.spoken = frozenset(s.lower() for s in check.get("spoken_suffixes", ()))

    def __call__(self, draft: Draft) -> Iterable[Hit]:
        if "@" not in draft.text and "dot" not in draft.lower and not _HINT.search(draft.text):
            return []
        hits = []
        text, done = draft.text, -1
        for marker in _MARKER.finditer(text):
            if marker.start() < done:
                continue
            # A local part is at most 64 characters (RFC 5321).
            local = _LOCAL_END.search(text, max(marker.start() - 64, 0), marker.start())
            m = _ADDRESS.match(text, local.start()) if local else None
            if m is None:
                continue
            done = m.end()
            m = self._trimmed_address(text, m)
            if m is not None:
                start = m.start()
                # A mailto: in front is part of the same address.
                if draft.text[max(start - 7, 0):start].lower() == "mailto:":
                    start -= 7
                hits.append(Hit(start, m.end()))
        return hits

    def _trimmed_address(self, text: str, m: re.Match[str]) -> re.Match[str] | None:
        """The address `m` starts, or None: "help@shop.com. Best" reads the stop and the next
        word as one more label ("Best"), so up to _TRIMMED labels are dropped from the end
        until what is left is an address."""
        for _ in range(_TRIMMED):
            if self._is_address(m):
                return m
            separators = list(_SEPARATOR.finditer(text, m.start("domain"), m.end()))
            if len(separators) < 2:
                return None
            shorter = _ADDRESS.match(text, m.start(), separators[-1].start())
            if shorter is None:
                return None
            m = shorter
        return m if self._is_address(m) else None

    def _is_address(self, m: re.Match[str]) -> bool:
        domain = _SEPARATOR.sub(".", m.group("domain")).lower()
        tld = m.group("tld")
        if not (tld.islower() or tld.isupper()):
            return False
        if registrable(domain) is None and tld.lower() not in _RESERVED:
            return False
        if m.group("at").strip().lower() != "at":
            return True  # "@", "(at)", "[at]": nobody writes those by accident
        # "visit us at shop.com" is a web address, not an e-mail address: "us" is no mailbox.
        if m.group("local").lower() in self.not_local:
            return False
        # "help at shop dot com" is dictated, and ends the way dictated addresses do;
        # "details at shop.com" is a web address with a word in front.
        dots = [d.strip() for d in _SEPARATOR.findall(m.group("domain"))]
        return any(d != "." for d in dots) and (suffix(domain) or "") in self.spoken


def build(check: Mapping[str, Any]) -> Detector:
    """E-mail addresses; for "name at domain" forms, `not_local` lists words that are no
    mailbox ("us", "home") and `spoken_suffixes` the endings people read out ("com")."""
    return _Emails(check)
