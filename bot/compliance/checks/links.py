"""`links`: web addresses, written out, bare or disguised, except pages a rule allows.

Catches scheme links (also "h t t p s : / /"), www. addresses, bare domains that end in a
real public suffix ("shop.example.co.uk/faq", but not "manual.pdf"), and the usual disguises:
"shop[.]com", "shop(dot)com", "shop dot com", "shop .com". Messaging policy allows https links
to Amazon's own pages only (../shared/spec/messaging.md §5, external-link).
"""

import re
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlsplit

from bot.compliance.checks import Detector, Hit
from bot.compliance.checks.domains import registrable, suffix
from bot.compliance.text import UNSPACED, WORD, Draft

_PATH = rf"[^\s<>\"'`|\\^{{}}{UNSPACED}]"
# A host may be written in a script without spaces ("お名前.jp", "ヘルプ.shop.co.jp"): such a
# label ends at a dot and more of the host; text after a link ("…/manualにあります") is not
# part of it.
_URL_HOST = rf"(?:[^\s<>\"'`|\\^{{}}/?#{UNSPACED}]|[{UNSPACED}]+(?=\.[^\s.{UNSPACED}]))+"
_SCHEME = re.compile(
    rf"(?<!{WORD})(?P<scheme>[hf]\s?[tx]\s?[tx]\s?p\s?(?P<s>s?)|ftp)"
    rf"\s?:\s?/\s?/\s?(?P<rest>{_URL_HOST}(?:[/?#]{_PATH}*)?)",
    re.IGNORECASE)
# A dot, or a dot written so that a plain pattern misses it.
# "shop. com" is left out: a full stop before a lowercase word is too often just prose.
_DOT = r"(?:\s*[\[({]\s*(?:\.|dot)\s*[\])}]\s*|\s+dot\s+|\s+\.\s*|\.)"
_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
# A domain is not the end of a longer word, address or path, nor goes on into one; a word of
# a script written without spaces may touch it ("詳しくはwww.shop.jpをご覧ください").
_STARTS = rf"(?:(?<![\w.@/\\-])|(?<=[{UNSPACED}]))"
_ENDS = rf"(?:(?![\w@-])|(?=[{UNSPACED}]))"
# At most 8 labels before the top-level one (mail.shop.example.co.uk has 4): unbounded, a long
# "a . a . a ." that ends in no domain is backtracked through at every dot, for seconds.
_HOST = re.compile(
    rf"{_STARTS}(?P<host>{_LABEL}(?:{_DOT}{_LABEL}){{0,8}}{_DOT}"
    rf"(?P<tld>[a-z]{{2,24}}))(?P<path>/{_PATH}*)?{_ENDS}",
    re.IGNORECASE)
# Without a disguise in the text, bare domains are plain dotted names: this expression does
# not backtrack (possessive labels), which keeps it cheap on every word of a long reply.
_PLAIN_HOST = re.compile(
    rf"{_STARTS}(?P<host>[a-z0-9][a-z0-9-]*+(?:\.[a-z0-9][a-z0-9-]*+)++)"
    rf"(?P<path>/{_PATH}*)?{_ENDS}",
    re.IGNORECASE)
_DISGUISE = re.compile(r"[\[({]\s*(?:\.|dot)\s*[\])}]|\s\.\s*[a-z]", re.IGNORECASE)
# A domain has a dot (plain or disguised) right after its first label: only the words before
# such dots are looked at, never every word of the reply.
_INNER_DOT = re.compile(r"\.(?=[a-z0-9])", re.IGNORECASE)
_ANY_DOT = re.compile(
    r"\.(?=[a-z0-9])|\s*[\[({]\s*(?:\.|dot)\s*[\])}]|\s+dot\s+|\s+\.\s*(?=[a-z0-9])", re.IGNORECASE)
_LABEL_END = re.compile(r"[a-z0-9-]+$", re.IGNORECASE)
_SEPARATOR = re.compile(_DOT, re.IGNORECASE)
_TRAILING = ".,;:!?)]'\"*_"


def _trim(text: str, start: int, end: int) -> int:
    while end > start and text[end - 1] in _TRAILING:
        # A closing bracket that closes one opened inside the link stays ("/wiki/Foo_(bar)").
        if text[end - 1] == ")" and text.count("(", start, end) >= text.count(")", start, end):
            break
        end -= 1
    return end


class _Links:
    def __init__(self, check: Mapping[str, Any]) -> None:
        self.allow_domains = frozenset(d.lower() for d in check.get("allow_domains", ()))
        self.allow_pages = tuple(p.lower() for p in check.get("allow_pages", ()))
        self.file_suffixes = frozenset(s.lower() for s in check.get("file_suffixes", ()))
        self.spoken = frozenset(s.lower() for s in check.get("spoken_suffixes", ()))

    def __call__(self, draft: Draft) -> Iterable[Hit]:
        text = draft.text
        hits: list[Hit] = []
        taken = 0
        for match in sorted(self._candidates(text, draft.lower), key=lambda m: (m[0], -m[1])):
            start, end, flagged = match
            if start < taken:
                continue
            taken = end
            if flagged:
                hits.append(Hit(start, end))
        return hits

    def _candidates(self, text: str, lower: str) -> Iterable[tuple[int, int, bool]]:
        for m in _SCHEME.finditer(text):
            end = _trim(text, m.start(), m.end())
            rest = text[m.start("rest"):end]
            host = _SEPARATOR.sub(".", re.split(r"[/?#]", rest, maxsplit=1)[0]).split("@")[-1]
            secure = bool(m.group("s")) and m.group("scheme").lower().startswith("h")
            yield m.start(), end, not (secure and self._allowed(host, "https://" + rest))
        for m in self._hosts(text, lower):
            end = _trim(text, m.start(), m.end())
            verdict = self._bare(m)
            if verdict is not None:
                yield m.start(), end, verdict

    @staticmethod
    def _hosts(text: str, lower: str) -> Iterable[re.Match[str]]:
        disguised = "dot" in lower or _DISGUISE.search(text)
        dots, hosts = (_ANY_DOT, _HOST) if disguised else (_INNER_DOT, _PLAIN_HOST)
        done = -1
        for dot in dots.finditer(text):
            if dot.start() < done:
                continue
            # A label is at most 63 characters (RFC 1035).
            label = _LABEL_END.search(text, max(dot.start() - 63, 0), dot.start())
            if label is None:
                continue
            m = hosts.match(text, label.start())
            if m:
                done = m.end()
                yield m

    def _bare(self, m: re.Match[str]) -> bool | None:
        """True: a link to flag; False: a link that may stay; None: not a link at all."""
        raw_host = m.group("host")
        tld = m.groupdict().get("tld") or raw_host.rsplit(".", 1)[-1]
        if not (tld.isalpha() and 2 <= len(tld) <= 24):
            return None
        separators = _SEPARATOR.findall(raw_host)
        plain = all(s == "." for s in separators)
        host = _SEPARATOR.sub(".", raw_host).lower()
        if not (tld.islower() or tld.isupper()) or registrable(host) is None:
            return None
        if not plain:
            # "shop dot com" is a link only when it ends the way spoken web addresses do;
            # "the red dot in the corner" is not one.
            last = separators[-1]
            if not last.strip(" .") and (suffix(host) or "") not in self.spoken:
                return None
        elif (tld.lower() in self.file_suffixes and not m.group("path")
              and not host.startswith("www.")):
            return None  # "firmware.zip" is a file name, even though .zip is a domain
        if not plain:
            return registrable(host) not in self.allow_domains
        # A bare amazon.com ("Open Your Orders on Amazon.com") is the marketplace's name.
        return not self._allowed(host, "https://" + host + (m.group("path") or ""))

    def _allowed(self, host: str, url: str) -> bool:
        if registrable(host) in self.allow_domains:
            return True
        return any(_under(url.lower(), page) for page in self.allow_pages)


def _under(url: str, page: str) -> bool:
    """Whether `url` is `page` or below it: same scheme and exact host (no user@ part, no
    longer host that merely starts the same), and the path at or under the page's."""
    want, got = urlsplit(page), urlsplit(url)
    if got.username is not None or (want.scheme, want.hostname) != (got.scheme, got.hostname):
        return False
    base = want.path.rstrip("/")
    return got.path == base or got.path.startswith(base + "/") or not base


def build(check: Mapping[str, Any]) -> Detector:
    """Links, except https pages on `allow_domains` or starting with one of `allow_pages`."""
    return _Links(check)
