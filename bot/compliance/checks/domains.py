"""Domain names: the Public Suffix List as bundled by `publicsuffixlist`, nothing fetched."""

from functools import cache

from publicsuffixlist import PublicSuffixList


@cache
def _list() -> PublicSuffixList:
    # accept_unknown=False: "manual.pdf" is not a domain because "pdf" is no public suffix.
    # accept_encoded_idn=False: drafts are read as typed (Unicode), never as xn-- punycode,
    # and skipping the punycode copy makes loading three times faster.
    return PublicSuffixList(accept_unknown=False, accept_encoded_idn=False)


def registrable(host: str) -> str | None:
    """The registrable domain of `host` ("shop.example.co.uk" → "example.co.uk"), or None
    when `host` does not end in a known public suffix."""
    return _list().privatesuffix(host.lower().strip("."))


def suffix(host: str) -> str | None:
    """The public suffix `host` ends in ("co.uk"), or None when it ends in none."""
    return _list().publicsuffix(host.lower().strip("."))
