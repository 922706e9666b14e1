"""`phones`: numbers a buyer could dial, in the marketplace's local or international form.

Judged the way a reader would, not by validity: fictional 555-01xx numbers are still phone
numbers to Amazon's filter (../shared/spec/messaging.md, implementation notes). `phonenumbers`
decides whether a run of digits has a possible length and shape for a region; the shapes that
read as something else come out first: order ids, tracking numbers (too many digits), dates,
part codes ("AA1 01 2345 6784"), and numbers after a word like "ISBN" or "serial" (`not_after`).
"""

import re
from collections.abc import Iterable, Mapping
from typing import Any

from bot.compliance.checks import Detector, Hit
from bot.compliance.text import Draft

# Groups of digits, some in brackets, each after one separator (a space, a dot, a dash, a
# slash; none needed after a closing bracket). One separator each keeps the matching linear.
_PART = r"\(?\d+\)?"
_SEPARATOR = r"(?:[ \t]?[.\-/][ \t]?|[ \t]|(?<=\)))"
# The lookahead wants seven digits close together before anything else is tried: most numbers
# in a reply (prices, dates, quantities) fail there at once.
# The letters that may not touch a number are Latin ones (folding made look-alikes Latin):
# Japanese or Chinese text runs into a number without a space ("電話番号は090-1234-5678です").
_CANDIDATE = re.compile(
    rf"(?<![A-Za-z0-9_+.,/-])(?=[+(]?\d(?:[ \t().\-/]{{0,3}}\d){{6}})"
    rf"(?P<plus>\+|00)?{_PART}(?:{_SEPARATOR}{_PART})*(?![A-Za-z0-9_-]|[.,]\d)")
_DIGIT_WORDS = {"zero": "0", "oh": "0", "o": "0", "one": "1", "two": "2", "three": "3",
                "four": "4", "five": "5", "six": "6", "seven": "7", "eight": "8", "nine": "9"}
_DIGIT_NAMES = ("zero", "oh", "one", "two", "three", "four", "five", "six", "seven", "eight",
                "nine")
_DIGIT_WORD = f"(?:{'|'.join(_DIGIT_NAMES)})"
# Digits spelled out, alone or among written ones ("415 five five five 0199").
_SPELLED = re.compile(
    rf"(?<!\w)(?:(?:{_DIGIT_WORD}|\d+)[\s,.-]+){{2,14}}(?:{_DIGIT_WORD}|\d+)(?!\w)",
    re.IGNORECASE)
_SPELLED_DIGIT = re.compile(rf"(?<![a-z]){_DIGIT_WORD}(?![a-z])", re.IGNORECASE)
# A toll-free number in letters, as on a van (1-800-FLOWERS: US and Canada).
_VANITY = re.compile(
    r"(?<![\w-])(?:\+?1[ .-]?)?\(?8(?:00|33|44|55|66|77|88)\)?[ .-]?"
    r"(?=[0-9 .-]*[A-Z])[A-Z0-9](?:[ .-]?[A-Z0-9]){6,7}(?![\w-])")
# Seven digits close together, as the candidate's look-ahead wants them. A candidate never
# crosses a line break, so only the lines holding such a run are scanned for candidates: this
# starts with \d, which the engine skips to in C.
_SEVEN_DIGITS = re.compile(r"\d(?:[ \t().\-/]{0,3}\d){6}")
_DATE = re.compile(r"\d{1,4}([./-])\d{1,2}\1\d{2,4}")
_CUE = re.compile(r"(?:call|phone|tel|mobile|cell|text|whatsapp|ring|fax|dial|number|line|"
                  r"contact|reach)\W{0,3}(?:\w+\W{1,3}){0,2}$", re.IGNORECASE)
# Phone numbers run from 7 digits (a local number) to 15 (ITU-T E.164's maximum).
_MIN_DIGITS, _MAX_DIGITS = 7, 15
_LOOKBACK = 30


class _Phones:
    def __init__(self, check: Mapping[str, Any]) -> None:
        words = "|".join(re.escape(w) for w in check.get("not_after", ()))
        # "ISBN 978...", "tracking number: 9400...", "Order no. 113...": the keyword, maybe one
        # more word, then the number; never across a sentence's end ("our order! Call 555...").
        self.not_after = re.compile(
            rf"(?<!\w)(?:{words})(?:[\s:#-]{{0,4}}(?:\w+[\s:#-]{{1,3}})?|\.[\s:#-]{{0,3}})$",
            re.IGNORECASE) if words else None
        self.regions = tuple(check.get("regions", ()))
        self.key = (words, self.regions)

    def __call__(self, draft: Draft) -> Iterable[Hit]:
        # Two rules (phone-number, third-party-phone) read the same numbers: find them once.
        return draft.memo(("phones", self.key), lambda: self._find(draft))

    def _find(self, draft: Draft) -> list[Hit]:
        text = draft.text
        hits = []
        line_end = -1
        for run in _SEVEN_DIGITS.finditer(text):
            if run.start() < line_end:
                continue
            line_start = text.rfind("\n", 0, run.start()) + 1
            line_end = text.find("\n", run.end())
            if line_end < 0:
                line_end = len(text)
            for m in _CANDIDATE.finditer(text, line_start, line_end):
                if self._looks_dialable(text, m, draft.region):
                    hits.append(Hit(m.start(), m.end()))
        for m in _SPELLED.finditer(text):
            if not _SPELLED_DIGIT.search(m.group()):
                continue  # written digits only: the candidates above judge those
            digits = "".join(_DIGIT_WORDS.get(token.lower(), token) for token in
                             re.findall(r"[a-z]+|\d+", m.group(), re.IGNORECASE))
            if _MIN_DIGITS <= len(digits) <= _MAX_DIGITS and self._possible(digits,
                                                                            draft.region):
                hits.append(Hit(m.start(), m.end()))
        hits.extend(Hit(m.start(), m.end()) for m in _VANITY.finditer(text))
        return sorted(hits)

    def _looks_dialable(self, text: str, m: re.Match[str], region: str) -> bool:
        written = m.group()
        digits = re.sub(r"\D", "", written)
        if not _MIN_DIGITS <= len(digits) <= _MAX_DIGITS or _DATE.fullmatch(written):
            return False
        before = text[max(m.start() - _LOOKBACK, 0):m.start()]
        if self.not_after and self.not_after.search(before):
            return False
        previous = before.split()[-1] if before.split() else ""
        if re.search(r"\d", previous) and re.search(r"[a-z]", previous, re.IGNORECASE):
            return False  # the tail of a code such as a tracking number "1Z 999 AA1 01 2345"
        groups = re.findall(r"\d+", written)
        if len(groups) == 1:
            # An unbroken run of digits is a number of some kind; it is a phone number only
            # when written as one ("+447700900461") or introduced as one ("call 5550100123").
            if not (m.group("plus") or _CUE.search(before)):
                return False
        elif max(map(len, groups)) > 1 and (len(groups[-1]) < 3 or max(map(len, groups)) > 8):
            return False  # "4410-2291-77", "0123 4567 89": not how numbers are grouped
        prefix = "+" if m.group("plus") else ""
        return self._possible(prefix + digits, region)

    def _possible(self, number: str, region: str) -> bool:
        # Imported here: most drafts hold no run of digits that could be a phone number, and
        # the metadata costs a start-up twenty milliseconds.
        import phonenumbers
        from phonenumbers import ValidationResult

        possible = (ValidationResult.IS_POSSIBLE, ValidationResult.IS_POSSIBLE_LOCAL_ONLY)
        for where in (region, *self.regions):
            try:
                parsed = phonenumbers.parse(number, where)
            except phonenumbers.NumberParseException:
                continue
            if phonenumbers.is_possible_number_with_reason(parsed) in possible:
                return True
        return False


def build(check: Mapping[str, Any]) -> Detector:
    """Phone numbers possible in the draft's region or any of `regions`, except after one
    of the `not_after` words ("ISBN", "tracking", "serial")."""
    return _Phones(check)
