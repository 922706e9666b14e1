"""Whether a reply is written in English: the rules that read wording read English only.

Links, e-mail addresses, phone numbers, length and styling are found in any language; a
marketing pitch, a review request or a rude sentence in German is not. A reply mostly in
another language is therefore said to be unchecked, not "good to send" (the phrases of
messaging.md §5's rules are English).

A reply is weighed: English's little words ("the", "your", "we") for English; for another
language, its own little words ("der", "Ihre", "wir"), half a point for each other word with
a letter English does not write (ł, ş, ñ, ü), and a point for every three letters outside the
Latin alphabet (a Japanese, Chinese, Arabic or Hindi reply). It is another language's when
that side weighs at least MIN_OTHER and more than English's, whatever product names, codes,
English loanwords, "Hi" and "Thanks" it also holds. Words English writes too, in its own
sense or as a code or a name ("in", "a", "no", "to", "per", "die", "size", "till", "la",
"de", "os", "en", "w", "po", "av"), are in neither list.
"""

import re

from bot.compliance.text import UNSPACED

_ENGLISH_WORDS = """
    the you your yours we our ours us they them their he she his her it its this that these
    those there here what which who whom when where why how and but or if then than because
    for with from about into out up after before again just only very too not can't cannot
    don't won't didn't isn't doesn't wasn't aren't couldn't wouldn't i'm i've i'll i'd we're
    we've we'll we'd you're you've you'll it's that's there's let's be been being is are was
    were has have had does did would could should shall will might must may can get got
    please thank thanks sorry hello dear regards any some all each every other more most much
    many one two see let sent send ship ships shipped shipping order ordered item items
    package parcel return returns refund replacement received arrive arrived delivery
    delivered today tomorrow week days soon new back still yet off by at my of on yes made
"""
# The little words of the other marketplaces' Latin-script languages.
_OTHER_WORDS = {
    "de": """der das dem des und ist nicht sie ihr ihre ihnen ihrem ihren wir uns unser unsere
             ein eine einen einem einer mit für auf auch wird werden wurde haben bitte danke
             vielen sehr gerne bei oder aus von zum zur noch schon wie wenn dass ich sind zu
             nach über kann können leider hallo ja freundlichen grüßen""",
    "fr": """les des du et vous votre nous notre une pour avec dans pas sur qui que merci
             bonjour cordialement sommes avez été sera très je cette ou c'est n'hésitez
             commande colis livraison bien""",
    "es": """el los las del usted su nosotros nuestro nuestra una por para gracias hola está
             están pedido muy pero como más también fue será que hemos tiene puede envío
             saludos nos sí ya hay esta este estos disculpe lamentamos producto devolución
             reembolso cordiales estimado estimada podemos días""",
    "it": """gli della delle dei di è sono grazie ciao buongiorno suo sua vostro vostra nostro
             nostra abbiamo siamo già anche molto ordine che spedizione questo questa nel
             nella alla alle dal dalla sul sulla possiamo può sarà ricevuto rimborso reso
             confezione prodotto cordiali saluti gentile buonasera""",
    "nl": """het een ook niet wij ons onze uw jullie bedankt hartelijk groet vriendelijke voor
             heeft hebben zijn wordt bestelling graag je hoi naar dat maar wel nog kunt""",
    "pt": """uma não você seu sua obrigado obrigada olá pedido muito também foi são ao pelo
             pela produto estamos qualquer até nosso nossa vocês pode podemos reembolso
             devolução atenciosamente prezado prezada dias já isso esse essa""",
    "sv": """och att det för är du ert inte på tack hej vänliga hälsningar beställning har
             kommer ett som inom dagar produkten paketet återbetalning beklagar mvh också
             kan vår våra ditt din""",
    "pl": """się nie jest są dla przez oraz dziękujemy dzień dobry pozdrawiamy zamówienie
             państwa przepraszamy już za pana pani został zostało może prosimy bardzo tak
             bez dzięki przesyłka przesyłki paczka zwrot zwrotu jeśli że""",
    "tr": """bir ve bu için ile çok değil siparişiniz teşekkür teşekkürler merhaba
             saygılarımızla sizin bizim olarak ama iade ürün kargo ederiz lütfen evet
             kadar""",  # noqa: RUF001 - Turkish's own i
}
ENGLISH = frozenset(_ENGLISH_WORDS.split())
# Words both lists would hold count as English only.
OTHER = frozenset(word for words in _OTHER_WORDS.values() for word in words.split()) - ENGLISH

# What another language must weigh, at least, for a reply to be read as in it.
MIN_OTHER = 2.0
# What each other word with a letter English does not write weighs ("Düsseldorf" in an
# English reply weighs half a word, "przesłanie" in a Polish one too).
MARKED_WORD = 0.5
# Letters outside the Latin alphabet that weigh as one word of another language.
LETTERS_PER_WORD = 3

_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")
# Addresses and links are no language: their parts ("www", "com", "de") are left out.
# Only as far as a script written without spaces: "返品はhttps://…からどうぞ" keeps its words.
# Tried from a token's first character only: tried from every one, a 10,000-character token
# took half a second (bench/check_reply.py's hostile drafts).
_TOKEN = rf"[^\s{UNSPACED}]"
_NOT_WORDS = re.compile(rf"(?<!{_TOKEN}){_TOKEN}*?(?:@|://|www\.){_TOKEN}*")


def _latin(letter: str) -> bool:
    # Basic Latin, Latin-1, Latin Extended-A and -B, and Latin Extended Additional.
    return letter < "\u0250" or "\u1e00" <= letter <= "\u1eff"


def reads_english(text: str) -> bool:
    """True when `text` is written in English, or holds too little to tell; False when more
    of it is in another language."""
    words = _WORD.findall(_NOT_WORDS.sub(" ", text.lower().replace("\u2019", "'")))
    english = other = 0.0
    for word in words:
        if word in ENGLISH:
            english += 1
        elif word in OTHER:
            other += 1
        elif not word.isascii():
            latin = sum(1 for letter in word if _latin(letter))
            other += (len(word) - latin) / LETTERS_PER_WORD + (MARKED_WORD if latin else 0)
    return other < MIN_OTHER or other <= english
