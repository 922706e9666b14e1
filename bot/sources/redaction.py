"""A buyer's name, e-mail and street addresses and phone numbers taken out of their words
before the words leave the source: the words are posted to Slack, where sellerbot posts no
buyer PII (privacy.md §2), and buyers sign their messages ("Thanks, Robin Roe - call me on
...") or ask for another address ("ship it to 42 Windmill Lane": bot/sources/contacts.py).
"""

import re
import unicodedata
from collections.abc import Iterable
from itertools import permutations

from bot.domain.marketplaces import find_marketplace
from bot.sources.contacts import MASK, without_contacts, without_local_phones

# Candidates the phone-number library may try and reject in one message.
PHONE_TRIES = 1000
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

    found = find_marketplace(marketplace)
    region = found.country if found is not None else "US"
    text = without_contacts(text, region)
    # From the end, so that earlier positions stay true as the text changes.
    # At most PHONE_TRIES candidates that are no number: a message of numbers and spaces
    # took the library 40 ms (bench/redaction.py); a real message has a handful.
    # Strict grouping: a German date ("am 05.12.2026") is grouped as no number is.
    found_numbers = phonenumbers.PhoneNumberMatcher(
        text, region, leniency=phonenumbers.Leniency.STRICT_GROUPING, max_tries=PHONE_TRIES)
    for match in reversed(list(found_numbers)):
        text = text[:match.start] + MASK + text[match.end:]
    text = without_local_phones(text)
    # As written, in capitals, and capitalised: an account named "pat doe" signs "Pat Doe".
    spelled = sorted({form for name in names for form in (name, name.upper(), name.title())},
                     key=len, reverse=True)
    spaced = [form for form in spelled if _between_spaces(form)]
    unspaced = [form for form in spelled if not _between_spaces(form)]
    if spaced:
        text = re.sub(rf"\b(?:{'|'.join(map(re.escape, spaced))})\b", MASK, text)
        # In lower case only where it stands as a name: a buyer named Will would otherwise
        # lose every "will" of the message ("thanks, will" is a signature, "it will" is not).
        text = _lower_case_name(text, sorted({plain for f in spaced for plain in _typed(f)},
                                             key=len, reverse=True))
    if unspaced:
        text = re.sub(_unspaced_name(unspaced), MASK, text)
    return text


# Where a word of a name in lower case stands as a name: after "i'm", "i am", "this is" or
# "my name is", or as a signature: alone on its line, after a closing word ("cheers pat"),
# or after the comma of a short closing line ("thanks so much, pat"). Not last on any short
# line: "Size: small" is no signature of Tom Small's, nor "Please send white" Mary White's.
_INTRODUCED = (r"(?:(?<=\bi'm )|(?<=\bi\u2019m )|(?<=\bim )|(?<=\bi am )|(?<=\bthis is )"
               r"|(?<=\bname is ))")
_CLOSING = (r"(?:thanks|thank you|thank u|many thanks|thx|ty|regards|best regards|kind regards|"
            r"best|best wishes|cheers|sincerely|yours|love|from|danke|gruß|grüße|lg|mfg|"
            r"merci|cordialement|bisous|grazie|saluti|ciao|gracias|saludos|un saludo)")
# ... up to the line's end, an emoji or a smiley after it included ("thanks robin 😊").
_SIGNED = (r"(?im:(^[^\w\n]*|\b" + _CLOSING + r"[ \t]*[,.!-]*[ \t]*(?:\n[^\w\n]*)?"
           r"|^(?:[^\W\d_]+[ \t]+){0,3}[^\W\d_]+,[ \t]*)(%s)(?=[^\w\n]*$))")
# How a name is typed without its accents: "José" as "jose", "Jürgen" as "jurgen" or "juergen".
_SPELLED_OUT = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})


def _typed(name: str) -> set[str]:
    """`name` in lower case, as written and as typed without its accents."""
    lower = name.lower()
    bare = "".join(c for c in unicodedata.normalize("NFKD", lower)
                   if not unicodedata.combining(c))
    return {lower, bare, lower.translate(_SPELLED_OUT)}


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
