"""Where a buyer's words give an e-mail address, a street address or a local phone number, as
people write them: found so that bot/sources/redaction.py takes them out before the words are
posted to Slack (privacy.md §2).

Each pattern is a trade: an address missed is a buyer's personal data in Slack; a word taken
for one is a word the seller needed. Every one is written for the forms buyers use, with the
words it must leave alone named beside it; tests/test_buyer_mail.py holds both lists.
"""

import re

# What stands where something was taken out: a mark, not a word (templates own the words).
MASK = "[…]"

# The mail providers buyers write: an address at one of them is one without its ending too
# ("robin77@gmail"), and spelled out with it ("robin at gmail.com").
_PROVIDER = (r"(?:gmail|googlemail|yahoo|ymail|hotmail|outlook|live|msn|aol|icloud|me|mac|"
             r"proton|protonmail|gmx|web|t-online|yandex|comcast|verizon|att|sbcglobal|"
             r"btinternet|sky|virginmedia|orange|free|laposte|libero|qq|163)")
# An e-mail address as people write one; the relay's own is a buyer's address too. "me@home"
# is none. Tried only where a word begins (the look-behind): tried from every letter of a
# long token, it took seconds on a 10,000-character message.
_EMAIL = re.compile(rf"(?<![\w.+-])[\w.+-]+@(?:[\w-]+(?:\.[\w-]+)+|{_PROVIDER}\b)",
                    re.IGNORECASE)

# ... and spelled out, so that filters miss it: "robin77 at gmail dot com",
# "robin(at)gmail(dot)com", "robin dot roe at gmail dot com", or "robin at gmail.com" with a
# mail provider's name. Not "look at this. It", "I paid $24.99 at Amazon.com" or "cheaper at
# walmart.com": a "dot" spelled out, or a mail provider, says it is an address.
_AT = r"(?:\s+at\s+|\s*[(\[]\s*(?:at|@)\s*[)\]]\s*)"
_SPELLED_DOT = r"(?:\s+dot\s+|\s*[(\[]\s*dot\s*[)\]]\s*)"
_ANY_DOT = rf"(?:\.|{_SPELLED_DOT})"
_USER = rf"(?<![\w.+-])[A-Za-z][\w+-]*+(?:{_ANY_DOT}[\w+-]++){{0,4}}"
_TLD = r"(?:com|net|org|edu|info|io|me|co|us|uk|ca|de|fr|es|it|nl|jp|au|in|mx|br|ch|at)\b"
_SPELLED_EMAIL = re.compile(
    rf"{_USER}{_AT}[\w-]+(?:{_ANY_DOT}[\w-]+){{0,4}}{_SPELLED_DOT}{_TLD}"
    rf"|{_USER}{_AT}{_PROVIDER}(?:{_ANY_DOT}[\w-]+){{0,4}}{_ANY_DOT}{_TLD}", re.IGNORECASE)

# A local phone number, without the area code a dialling library needs, where the buyer
# says it is one: "text me on 555-0199", "my number is 867 5309". Not "SKU 123-4567", "part
# no. 100-2000", "100 1000mAh", a price or an order id's parts.
_LOCAL_PHONE = re.compile(
    r"(\b(?:call|text|phone|tel|mobile|cell|number|reach|ring|whatsapp|sms)\b[^.\n\d]{0,30}?)"
    r"(?<![\w.$,-])\d{3}[-. ]\d{4}(?![\w-])", re.IGNORECASE)

# A street address. Where the buyer says it is one ("ship it to", "my address is", "I live
# at"), a house number, up to five words and a street word, in any case: "send it to 12 Elm
# Close instead", "ship it to 42 windmill lane". Anywhere else the words must look like a
# street's (capitalised, 5th, 23rd, NW; not a unit such as TB) and the address must go on
# (a comma, a full stop, the line's end, an apartment): "42 Windmill Lane, Springfield", but
# not "2 Sesame Street Elmo plush", "1 Abbey Road LP", "1 TB External Hard Drive".
_STREET_WORD = (r"(?:street|st|avenue|ave|road|rd|lane|ln|drive|dr|boulevard|blvd|parkway|"
                r"pkwy|highway|hwy|way|place|pl|square|sq|close|circle|cir|court|ct|"
                r"gardens|terrace|trail|crescent)\b\.?")
_SAID_TO_BE = (r"(\b(?:(?:ship|send|deliver|post|mail|forward)(?:\s+\w+){0,2}\s+to:?|"
               r"(?:address|adress|addr)(?:\s+(?:is|to))?:?|(?:live|living|moved)\s+(?:at|to))"
               r"\s+)")
# ... and the town, state and ZIP after it, when a ZIP code follows within a few words
# ("ship to 123 main st springfield il 62704").
_TOWN_TO_ZIP = r"(?:(?:[ \t,]+[A-Za-z][\w'.-]*){0,3}[ \t,]+\d{5}(?:-\d{4})?\b)?"
_SAID_ADDRESS = re.compile(
    _SAID_TO_BE
    + rf"(\d{{1,6}}[A-Za-z]?\s+(?:[\w'.-]+\s+){{0,5}}?{_STREET_WORD}{_TOWN_TO_ZIP})",
    re.IGNORECASE)
_NAME_WORD = (r"(?:(?!(?:TB|GB|MB|KB|HD|USB|LED|XL|XXL|PK|OZ|LB|MM|CM)\b)[A-Z][\w'.-]*"
              r"|\d+(?:st|nd|rd|th)|[NSEW]{1,2})")
_GOES_ON = r"(?=[ \t]*(?:,|\n|$|\.(?:\s|$)|#|(?i:apt|unit|suite|in)\b))"
_STREET = re.compile(
    rf"\b\d{{1,6}}[A-Za-z]?\s+(?:{_NAME_WORD}\s+){{1,4}}(?i:{_STREET_WORD}){_GOES_ON}"
    # An apartment or suite ("Apt 4B", "Suite 200", "Unit #3": a unit or flat only with its
    # mark or letter, as "unit 2 of 3" and "a flat 10 dollar fee" are not), a PO box.
    r"|\b(?i:apt|apartment|suite|ste)\.?\s*#?\s*\d+\w*"
    r"|\b(?i:unit|flat)\s*(?:#\s*\d+\w*|\d+[A-Za-z]\b)"
    r"|\b(?i:p\.?\s*o\.?\s*box)\s+\d+"
    # A German street: the name, then the number ("Hauptstraße 5", "Musterstr. 12").
    r"|\b[A-ZÄÖÜ][\wäöüß-]*(?:straße|strasse|str\.|weg|platz|allee|gasse)\s*\d+(?:[ \t]?[a-z]\b)?"
    # A French one: the number, then the street ("12 rue de la Paix", up to its comma).
    r"|\b\d{1,4}(?:\s?(?:bis|ter))?,?\s+(?i:rue|avenue|boulevard|bd|chemin|allée|impasse|"
    r"quai|route)\s+[^,.\n\d]{2,40}"
    # An Italian or Spanish one: the street, then the number ("Via Roma 12", "Calle Mayor 5";
    # capitalised: "ordered via Amazon 2 units" is none).
    r"|\b(?:Via|Viale|Piazza|Corso|Vicolo|Calle|Avenida|Av\.|Calzada|Calz\.|Plaza|Paseo|"
    r"Carrer|Camino)\s+[A-ZÁÉÍÓÚÑ][\w'\u2019]*(?:\s+[\w'\u2019]+){0,3}?,?\s+\d{1,5}\b")

# A Japanese address: the post mark and code ("〒150-0002"), and a town, ward or city (a
# prefecture before it or not) down to its block numbers ("東京都渋谷区渋谷2-21-1",
# "千代田区丸の内1-9-1", "中央区銀座四丁目5番3号"). Written without spaces, so found by its
# parts: three numbers joined by dashes or a 丁目 (not "市場で2-3個", two at the market),
# after a place name ending in 市, 区, 町, 村 or 郡 within the characters before them.
_JP_CHARS = r"[\u3005\u3040-\u30ff\u4e00-\u9fff]"
_JP_DIGIT = r"[0-9\uff10-\uff19]"
_JP_NUMERAL = r"[一二三四五六七八九十]"
# From a run's first digit, taken whole (possessive): retried from each digit of a long run,
# "1" * 10,000 took 1.5 s.
_JP_NUMBERS = re.compile(
    rf"(?P<post>〒\s*{_JP_DIGIT}{{3}}[-\uff0d]?{_JP_DIGIT}{{4}})"
    # Block numbers are short: an order id's 503-1234567-1234567 is none.
    rf"|(?<!{_JP_DIGIT}){_JP_DIGIT}{{1,4}}+(?:[-\uff0d\u2010\u2212\u30fc]{_JP_DIGIT}{{1,4}}+)"
    rf"{{2,3}}(?!{_JP_DIGIT})"
    rf"|(?:(?<!{_JP_DIGIT}){_JP_DIGIT}++|(?<!{_JP_NUMERAL}){_JP_NUMERAL}++)丁目"
    rf"(?:{_JP_DIGIT}+番地?(?:{_JP_DIGIT}+号)?)?")
_JP_PLACE = re.compile(rf"{_JP_CHARS}{{1,12}}?[市区町村郡]{_JP_CHARS}{{0,12}}$")
_JP_REACH = 25  # the most characters a place name may take before its numbers

# A state and ZIP code, in capitals as addresses write them ("IL 62704", not "is 12345" or
# "Model XL 12345");
# a British postcode ("SW1A 2AA": its inward half is never a size such as "PS5 1TB").
_STATES = ("AL|AK|AZ|AR|CA|CO|CT|DE|DC|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|"
           "NE|NV|NH|NJ|NM|NY|NC|ND|OH|OK|OR|PA|PR|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY")
_POSTCODE = re.compile(rf"\b(?:{_STATES}),?\s+\d{{5}}(?:-\d{{4}})?\b"
                       r"|\b[A-Z]{1,2}\d[A-Z\d]? (?!\d(?:TB|GB|MB|KB|XL|PK)\b)"
                       r"\d[ABD-HJLNP-UW-Z]{2}\b")
# Parts of an address taken out only where the buyer's marketplace writes them, as elsewhere they
# are other things ("Model A1B 2C3", "Walther WA 2000"): a Canadian postal code ("M5V 2T6",
# without the letters Canada Post never uses), an Australian state and postcode ("NSW
# 2150"), a Mexican código postal where it says it is one ("CP 06600", "C.P. 06600").
_LOCAL_ADDRESS = {
    # ... a British postcode typed in lower case ("sw1a 2aa"; in capitals, above).
    "GB": re.compile(r"\b[a-z]{1,2}\d[a-z\d]? (?!\d(?:tb|gb|mb|kb|xl|pk)\b)"
                     r"\d[abd-hjlnp-uw-z]{2}\b", re.IGNORECASE),
    "CA": re.compile(r"\b[ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z] ?\d[ABCEGHJ-NPRSTV-Z]\d\b"),
    "AU": re.compile(r"\b(?:NSW|VIC|QLD|SA|WA|TAS|NT|ACT),?\s+\d{4}\b"),
    # ... and a Mexican colonia, up to its comma ("Col. Roma Norte"; elsewhere "Col. Sanders").
    "MX": re.compile(r"\bC\.?\s?P\.?\s*\d{5}\b|\bCol\.\s+[A-ZÁÉÍÓÚÑ][^,.\n\d]{1,40}"),
}
# Where a post code comes before its town ("Hauptstraße 5, 10115 Berlin", "12 rue de la
# Paix, 75002 Paris"): Germany, Austria, Switzerland, France, Belgium, Italy, Spain. After
# the street (taken out already) or at a line's start, as an address writes it: German
# capitalises every noun, and "2000 Stück", "seit 2025 Kunde" or "Kunde, 1000 Euro" are no
# towns.
_TOWN_AFTER_CODE = re.compile(
    rf"(?:(?<={re.escape(MASK)},)|(?<={re.escape(MASK)}, )|^)[ \t]*\d{{4,5}}\s+"
    r"[A-ZÄÖÜ][a-zäöüß]+(?:-[A-ZÄÖÜ][a-zäöüß]+)?\b", re.MULTILINE)
_CODE_FIRST = frozenset({"DE", "AT", "CH", "FR", "BE", "IT", "ES", "MX"})


def without_contacts(text: str, country: str) -> str:
    """`text` without e-mail addresses (spelled out too), street addresses and post codes (as
    buyers in `country` write them) and local phone numbers; the numbers a dialling library
    finds are taken out by redaction.py."""
    text = _SPELLED_EMAIL.sub(MASK, _EMAIL.sub(MASK, text))
    text = _SAID_ADDRESS.sub(lambda said: said[1] + MASK, text)
    text = _POSTCODE.sub(MASK, _STREET.sub(MASK, _without_japanese_addresses(text)))
    if country in _LOCAL_ADDRESS:
        text = _LOCAL_ADDRESS[country].sub(MASK, text)
    if country in _CODE_FIRST:
        text = _TOWN_AFTER_CODE.sub(MASK, text)
    return text


def _without_japanese_addresses(text: str) -> str:
    # The numbers, which are rare, are looked for first and the place name in the few
    # characters before them: one pattern trying every character as a place's first took
    # 80 ms on a long run of place-name endings (bench/redaction.py).
    kept, done = [], 0
    for numbers in _JP_NUMBERS.finditer(text):
        begin = numbers.start()
        if numbers["post"] is None:
            place = _JP_PLACE.search(text, max(done, begin - _JP_REACH), begin)
            if place is None:
                continue
            begin = place.start()
        kept += (text[done:begin], MASK)
        done = numbers.end()
    return "".join(kept) + text[done:]


def without_local_phones(text: str) -> str:
    """`text` without phone numbers written without their area code."""
    return _LOCAL_PHONE.sub(lambda said: said[1] + MASK, text)
