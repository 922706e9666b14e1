"""A buyer's name, e-mail and street addresses and phone numbers taken out of their words
before the words leave the source: the words are posted to Slack, where sellerbot posts no
buyer PII (privacy.md §2), and buyers sign their messages ("Thanks, Robin Roe - call me on
...") or ask for another address ("ship it to 42 Windmill Lane").
"""

import re
from collections.abc import Iterable
from itertools import permutations

from bot.domain.marketplaces import find_marketplace

# What stands where something was taken out: a mark, not a word (templates own the words).
MASK = "[…]"
# An e-mail address as people write one; the relay's own is a buyer's address too.
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# ... and as people spell one out so that filters miss it: "robin77 at gmail dot com",
# "robin(at)gmail(dot)com", or "robin.roe77 at gmail.com" (a sentence's "at home. It" is none).
_AT = r"(?:\s*[(\[]\s*(?:at|@)\s*[)\]]\s*|\s+at\s+)"
_DOT = r"(?:\s*[(\[]\s*dot\s*[)\]]\s*|\s+dot\s+)"
_TLD = r"(?:com|net|org|edu|info|io|me|co|us|uk|ca|de|fr|es|it|nl|jp|au|in|mx|br)\b"
_SPELLED_EMAIL = re.compile(
    rf"\b[\w.+-]+{_AT}[\w-]+(?:{_DOT}[\w-]+)*{_DOT}{_TLD}"
    rf"|\b[\w+-]*[\d._][\w.+-]*{_AT}[\w-]+(?:\.[\w-]+)*\.{_TLD}", re.IGNORECASE)
# A local phone number, without the area code a dialling library needs: 555-0199.
_LOCAL_PHONE = re.compile(r"(?<![\w-])\d{3}[-.]\d{4}(?![\w-])")
# A street address, as buyers write one: a house number, up to four capitalised words (or
# 5th, 23rd, NW) and a street word: "42 Windmill Lane", "350 5th Ave". The street words that
# are everyday words too ("1 TB External Hard Drive", "4 more place settings") count only
# where an address goes on (a comma, the line's end, an apartment).
_NAME_WORD = r"(?:[A-Z][\w'.-]*|\d+(?:st|nd|rd|th)|[NSEW]{1,2})"
_STREET_WORD = (r"(?i:street|st|avenue|ave|road|rd|lane|ln|boulevard|blvd|parkway|pkwy|"
                r"highway|hwy)")
_PLACE_WORD = (r"(?i:drive|dr|way|place|pl|square|sq|close|circle|cir|court|ct|gardens|"
               r"terrace|trail|crescent)")
_GOES_ON = r"(?=[ \t]*(?:,|\n|$|#|(?i:apt|unit|suite)\b))"
_STREET = re.compile(
    rf"\b\d{{1,6}}[A-Za-z]?\s+(?:{_NAME_WORD}\s+){{1,4}}"
    rf"(?:{_STREET_WORD}\b\.?|{_PLACE_WORD}\b{_GOES_ON})"
    # An apartment or suite ("Apt 4B", "Suite 200", "Unit #3": a unit or flat only with its
    # mark or letter, as "unit 2 of 3" and "a flat 10 dollar fee" are not), a PO box.
    r"|\b(?i:apt|apartment|suite|ste)\.?\s*#?\s*\d+\w*"
    r"|\b(?i:unit|flat)\s*(?:#\s*\d+\w*|\d+[A-Za-z]\b)"
    r"|\b(?i:p\.?\s*o\.?\s*box)\s+\d+")
# A state and ZIP code, in capitals as addresses write it ("IL 62704", not "is 12345"), and a
# British postcode ("SW1A 2AA").
_POSTCODE = re.compile(r"\b[A-Z]{2},?\s+\d{5}(?:-\d{4})?\b"
                       r"|\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b")
# Words of the relay's display name ("Robin Roe - Amazon Marketplace") that are Amazon's.
_NOT_A_NAME = frozenset({"amazon", "marketplace", "customer", "buyer", "via"})


def name_words(display_names: Iterable[str]) -> set[str]:
    """The words of a buyer's name in the display names of their mail's headers."""
    words = set()
    for display in display_names:
        words |= {w for w in re.findall(r"[^\W\d_][\w'\u2019-]*", display)
                  if len(w) > 1 and w.lower() not in _NOT_A_NAME}
    return words


def redacted(text: str, names: Iterable[str], marketplace: str) -> str:
    """`text` without e-mail addresses (spelled out too), street addresses, the phone numbers
    a buyer in `marketplace` could dial (and local ones), or the words of `names` as written,
    in capitals or capitalised, and in lower case where they stand as a name."""
    import phonenumbers  # loaded by the first buyer message, not by every command

    text = _SPELLED_EMAIL.sub(MASK, _EMAIL.sub(MASK, text))
    text = _POSTCODE.sub(MASK, _STREET.sub(MASK, text))
    found = find_marketplace(marketplace)
    region = found.country if found is not None else "US"
    # From the end, so that earlier positions stay true as the text changes.
    for match in reversed(list(phonenumbers.PhoneNumberMatcher(text, region))):
        text = text[:match.start] + MASK + text[match.end:]
    text = _LOCAL_PHONE.sub(MASK, text)
    # As written, in capitals, and capitalised: an account named "pat doe" signs "Pat Doe".
    spelled = sorted({form for name in names for form in (name, name.upper(), name.title())},
                     key=len, reverse=True)
    spaced = [form for form in spelled if _between_spaces(form)]
    unspaced = [form for form in spelled if not _between_spaces(form)]
    if spaced:
        text = re.sub(rf"\b(?:{'|'.join(map(re.escape, spaced))})\b", MASK, text)
        # In lower case only where it stands as a name: a buyer named Will would otherwise
        # lose every "will" of the message ("thanks, will" is a signature, "it will" is not).
        text = _lower_case_name(text, sorted({f.lower() for f in spaced}, key=len,
                                             reverse=True))
    if unspaced:
        text = re.sub(_unspaced_name(unspaced), MASK, text)
    return text


# Where a word of a name in lower case stands as a name: after "i'm", "i am", "this is" or
# "my name is", or as a signature: alone on its line, or after a closing word ("thanks,
# pat"). Not last on any short line: "Size: small" is no signature of Tom Small's.
_INTRODUCED = r"(?:(?<=\bi'm )|(?<=\bi\u2019m )|(?<=\bi am )|(?<=\bthis is )|(?<=\bname is ))"
_CLOSING = (r"(?:thanks|thank you|many thanks|thx|regards|best regards|kind regards|best|"
            r"cheers|sincerely|yours|love|from)")
_SIGNED = (r"(?im:^([^\w\n]*(?:" + _CLOSING + r"[ \t]*[,.!-]*[ \t]*(?:\n[^\w\n]*)?)?)"
           r"(%s)(?=[ \t]*[.!]?[ \t]*$))")


def _lower_case_name(text: str, parts: list[str]) -> str:
    """`text` without the name whose parts are `parts`, written in lower case: the whole name
    wherever it stands, one part of it only where it stands as a name."""
    either = "|".join(map(re.escape, parts))
    whole = [r"\s+".join(map(re.escape, order)) for order in permutations(parts)
             if len(parts) in (2, 3)]
    text = re.sub("|".join([*(rf"\b{w}\b" for w in whole),
                            rf"(?i:{_INTRODUCED})\b(?:{either})\b"]), MASK, text)
    return re.sub(_SIGNED % either, lambda signed: signed[1] + MASK, text)


# Japanese, Chinese and Thai run their words together, and a given name may be an everyday
# word (希望, Nozomi, is "wish": "交換を希望します", "I'd like an exchange"). A part of a name is
# taken out where it stands as a name: before an honorific or "です", after "私は" or "我是",
# or last on its line (a signature). The whole name goes wherever it stands.
_HONORIFIC = "様|さま|さん|殿|です|でした|と申します|より|先生|女士|小姐"
_LINE_END = r"(?=[ \t]*[。．.!！、,]?[ \t]*(?:\n|$))"  # noqa: RUF001 - Japanese stops


def _unspaced_name(parts: list[str]) -> str:
    """The expression of a name in a script without spaces, by the parts of it in `parts`."""
    either = "|".join(map(re.escape, parts))
    whole = ["\\s*".join(map(re.escape, order)) for order in permutations(parts)
             if len(parts) in (2, 3)]
    return "|".join([*whole, rf"(?:{either})(?=\s*(?:{_HONORIFIC}))",
                     rf"(?:(?<=私は)|(?<=我是)|(?<=我叫))(?:{either})",
                     rf"(?:{either}){_LINE_END}"])


def _between_spaces(name: str) -> bool:
    """True when `name` is in a script written with spaces between words (not CJK or Thai)."""
    return all(ord(c) < 0x2E80 and not 0x0E00 <= ord(c) <= 0x0E7F for c in name)
