"""Amazon's relayed buyer messages read from raw mail (issue 20, first part): which mail is a
buyer's message, its marketplace, order, time and words; everything else is left alone."""

from datetime import UTC, datetime

import pytest

from bot.policy import relay_rules
from bot.sources import buyer_mail
from bot.sources.buyer_mail import BuyerMessage, NotBuyerMessage, read_buyer_message
from tests.buyer_mail import NAME, relayed
from tests.conftest import FIXTURES

MAIL = FIXTURES / "buyer_mail"
ARRIVED = datetime(2026, 12, 5, 22, 5, tzinfo=UTC)


def read(name: str):
    return read_buyer_message((MAIL / f"{name}.eml").read_bytes(), relay_rules(),
                              received=ARRIVED)


@pytest.mark.parametrize(("name", "marketplace", "order_id", "words"), [
    # Signed with the name the relay's From gives: taken out (privacy.md §2).
    ("us-inquiry", "US", "112-4058823-6619405",
     "Hi, my mug has not arrived yet. Can you check where it is?\nThanks, […]"),
    ("uk-enquiry", "UK", "202-6070535-5657183", "Can I still return this? It was a gift."),
    ("de-anfrage", "DE", "302-1234567-7654321",
     "Wann wird der Becher geliefert? Größe passt hoffentlich."),
    ("it-messaggio", "IT", "403-2003407-5310706",  # the order only in the body's "#" line
     "Buongiorno, è possibile avere la fattura? Grazie"),
    ("mx-presale", "MX", None, "¿Es apta para lavavajillas?"),  # a question before buying
    ("jp-html", "JP", "503-1111111-2222222", "こんにちは、配送日を教えてください。<b>よろしく</b>"),
])
def test_a_buyer_message_in_each_layout(name, marketplace, order_id, words):
    found = read(name)
    assert isinstance(found, BuyerMessage), found
    assert (found.marketplace, found.order_id, found.text, found.cut) == (
        marketplace, order_id, words, False)
    assert found.relay_address.split("@")[1].startswith("marketplace.amazon.")
    assert len(found.key) == 64


def test_the_buyers_name_and_contact_details_are_taken_out_of_their_words():
    # Buyers sign their messages and give their numbers; the words are posted to Slack, where
    # sellerbot posts no buyer PII (privacy.md §2).
    words = ("My mug arrived broken. Call me on 415-555-0142, +1 (415) 555 0199 or write to "
             "robin.roe@gmail.com. It is for Robin's mum.\nThanks, Robin ROE")
    found = read_buyer_message(relayed("112-4058823-6619405", words, received=ARRIVED),
                               relay_rules(), received=ARRIVED)
    assert isinstance(found, BuyerMessage)
    assert found.text == ("My mug arrived broken. Call me on […], […] or write to […]. "
                          "It is for […]'s mum.\nThanks, […] […]")
    # Words that only look like a name's, and order numbers, stay.
    found = read_buyer_message(relayed("112-4058823-6619405", "Order 112-4058823-6619405: "
                                       "may I robin-hood a refund?", received=ARRIVED),
                               relay_rules(), received=ARRIVED)
    assert found.text == "Order 112-4058823-6619405: may I robin-hood a refund?"


@pytest.mark.parametrize("charset", ["unknown-8bit", "windows-874", "iso-8859-8-i"])
def test_a_charset_python_does_not_know_still_gives_the_message(charset):
    # Mail servers relabel 8-bit mail "unknown-8bit"; the email package raises LookupError for
    # it, and the buyer's message was dropped as malformed: no clock, no post.
    raw = relayed("112-4058823-6619405", "Where is my mug?", received=ARRIVED)
    found = read_buyer_message(raw.replace(b'charset="utf-8"', f'charset="{charset}"'.encode()),
                               relay_rules(), received=ARRIVED)
    assert isinstance(found, BuyerMessage) and found.text == "Where is my mug?"


def test_a_mail_of_html_alone_gives_its_words():
    # Without a <pre> block and without a plain part, the words were lost and the post said
    # "no text: a photo or a file only".
    from email.message import EmailMessage

    mail = EmailMessage()
    mail["From"] = '"Pat Doe - Amazon Marketplace" <7yxwc3c8k00p1k3@marketplace.amazon.com>'
    mail["Subject"] = "Inquiry from Amazon customer (Order: 112-4058823-6619405)"
    mail["Message-ID"] = "<html-only@amazon.example>"
    mail.set_content("<html><head><style>p {margin: 0}</style></head><body>"
                     "<p>You have received a message.</p>"
                     "<p>------------- Begin message -------------</p>"
                     "<p>The mug arrived cracked.<br>Can you send a new one?</p>"
                     "<p>------------- End message -------------</p></body></html>",
                     subtype="html")
    found = read_buyer_message(mail.as_bytes(), relay_rules(), received=ARRIVED)
    assert isinstance(found, BuyerMessage)
    assert found.text == "The mug arrived cracked.\nCan you send a new one?"


def test_a_reply_goes_to_the_alias_with_its_case():
    assert read("uk-enquiry").relay_address == (
        "wsv5fqfhhlm92wr+2a7e7298-a90a-4ad6-962c-77ccae27280a@marketplace.amazon.co.uk")


def test_the_time_is_the_mails_own_in_utc_else_its_arrival():
    assert read("us-inquiry").received_at == datetime(2026, 12, 5, 22, 3, 11, tzinfo=UTC)
    assert read("no-date").received_at == ARRIVED


@pytest.mark.parametrize(("name", "why"), [
    ("return-request", "not-a-buyer"),  # Amazon's no-reply sender
    ("notice-from-relay", "amazon-notice"),  # a refund notice, though from the alias
    ("newsletter", "not-a-buyer"),
    ("look-alike", "not-a-buyer"),  # marketplace.amazon.com.evil.example is not Amazon's
])
def test_other_mail_is_left_alone(name, why):
    assert read(name) == NotBuyerMessage(why)


@pytest.mark.parametrize("raw", [
    b"", b"\xff\xfe\x00garbage", b"From: <<<@@@>>>\r\nSubject: x\r\n\r\nbody",
    # A group in Reply-To (a newsletter's "undisclosed-recipients:;"): the email package
    # raises AttributeError reading its addresses.
    b"From: News <news@example.org>\nReply-To: list:; <a@example.org>\nSubject: hi\n\nhello\n",
    # A relayed mail whose Message-ID is only "<": IndexError when the header is read.
    (MAIL / "us-inquiry.eml").read_bytes().replace(
        b"Message-ID: <us-inquiry.fake-relay@amazon.example>", b"Message-ID: <"),
], ids=["empty", "binary", "bad-from", "group-reply-to", "bad-message-id"])
def test_broken_mail_is_said_not_raised(raw):
    assert isinstance(read_buyer_message(raw, relay_rules(), received=ARRIVED),
                      NotBuyerMessage)


def test_a_huge_message_is_known_by_its_headers_and_its_text_left_in_the_mailbox(monkeypatch):
    raw = (MAIL / "us-inquiry.eml").read_bytes()
    monkeypatch.setattr(buyer_mail, "MAX_BYTES", len(raw) - 1)
    found = read_buyer_message(raw, relay_rules(), received=ARRIVED)
    assert (found.order_id, found.text, found.cut) == ("112-4058823-6619405", "", True)


def test_a_long_text_is_cut_and_says_so(monkeypatch):
    monkeypatch.setattr(buyer_mail, "MAX_TEXT_CHARS", 20)
    found = read("us-inquiry")
    assert (len(found.text), found.cut) == (20, True)


def test_the_buyers_words_and_address_never_show_in_a_repr():
    found = read("us-inquiry")
    shown = repr(found)
    assert "mug has not arrived" not in shown and "7yxwc3c8k00p1k3" not in shown
    assert found.order_id in shown


@pytest.mark.parametrize("header", [
    "=?UTF-8?B?5bGx55Sw?= - Amazon Marketplace",  # encoded, as RFC 2047 asks
    "山田 - Amazon Marketplace",  # raw UTF-8 (RFC 6532)
])
def test_a_name_in_a_script_without_spaces_is_taken_out_wherever_it_stands(header):
    # Japanese runs its words together: "山田です" has no word boundary after the name.
    raw = relayed("503-4058823-6619405", "こんにちは、山田です。配送日を教えてください。",
                  received=ARRIVED).replace(f'"{NAME} - Amazon Marketplace"'.encode(),
                                            f'"{header}"'.encode())
    found = read_buyer_message(raw, relay_rules(), received=ARRIVED)
    assert isinstance(found, BuyerMessage) and "山田" not in found.text
    assert found.text == "こんにちは、[…]です。配送日を教えてください。"


def test_a_name_typed_in_lower_case_for_the_account_is_taken_out_as_signed():
    raw = relayed("112-4058823-6619405", "My mug has not arrived.\nThanks, Pat Doe",
                  received=ARRIVED).replace(f'"{NAME} - Amazon Marketplace"'.encode(),
                                            b'"pat doe - Amazon Marketplace"')
    found = read_buyer_message(raw, relay_rules(), received=ARRIVED)
    assert isinstance(found, BuyerMessage)
    assert found.text == "My mug has not arrived.\nThanks, […] […]"


@pytest.mark.parametrize(("words", "personal", "kept"), [
    ("I moved: please ship it to 42 Windmill Lane, Springfield, IL 62704 instead.",
     ["42 Windmill Lane", "IL 62704"], "please ship it to"),
    ("Text me on 555-0199 when it ships.", ["555-0199"], "when it ships"),
    ("Send the invoice to robinroe77 at gmail dot com please.", ["robinroe77", "gmail dot com"],
     "Send the invoice to"),
    ("My new flat: Apt 4B, 12 Main St. PO Box 881 also works.", ["Apt 4B", "12 Main St",
                                                                  "Box 881"], "My new flat"),
    ("Please ship it to 350 5th Ave instead.", ["350 5th Ave"], "instead"),
    ("New address: 1234 NW 23rd Ave, thanks", ["23rd Ave"], "New address"),
    ("Ship to 12 Oak Drive, Austin", ["12 Oak Drive"], "Austin"),
    ("robin(at)gmail(dot)com or robin.roe77 at gmail.com", ["gmail"], " or "),
    # Said to be an address: any case, any street word, whatever follows.
    ("Please send it to 55 Oak Drive.", ["55 Oak Drive"], "Please send it to"),
    ("Please send it to 12 Elm Close instead.", ["12 Elm Close"], "instead"),
    ("New address is 7 Rose Court. Thanks", ["7 Rose Court"], "Thanks"),
    ("ship it to 42 windmill lane, springfield", ["42 windmill lane"], "ship it to"),
    ("Email me: robin at gmail.com, or robinroe at yahoo.co.uk", ["robin", "yahoo"], "or"),
    ("write to robin dot roe at gmail dot com", ["robin", "roe", "gmail"], "write to"),
    # An address at a mail provider, its ending left out.
    ("Write to Robin77@Gmail if that is easier.", ["Robin77", "Gmail"], "if that is easier"),
    ("Text me on 867 5309 when it ships.", ["5309"], "when it ships"),
    ("ship to 123 main st springfield il 62704", ["123 main st", "62704", "springfield"],
     "ship to"),
    ("Deliver to: 42 Windmill Lane", ["42 Windmill Lane"], "Deliver to"),
    ("change my address to 742 evergreen terrace", ["742 evergreen"], "change my"),
])
def test_a_buyers_address_local_phone_and_spelled_out_e_mail_are_taken_out(words, personal,
                                                                           kept):
    from bot.sources.redaction import redacted

    # Posted to Slack as written ("never their name or address", README).
    said = redacted(words, set(), "US")
    assert not [p for p in personal if p in said] and kept in said, said


def test_a_german_address_is_taken_out_on_amazon_de():
    from bot.sources.redaction import redacted

    said = redacted("Bitte an Hauptstraße 5, 10115 Berlin senden. Oder Musterstr. 12a.", set(),
                    "DE")
    assert not [p for p in ("Hauptstraße 5", "10115", "Berlin", "Musterstr. 12") if p in said]
    assert said.startswith("Bitte an")
    assert "München" not in redacted("Neue Adresse:\nMusterweg 3\n80331 München", set(), "DE")
    # German capitalises nouns, and writes dates with dots: no towns, no phone numbers.
    for words in ("Ich habe 2000 Stück bestellt, seit 2025 Kunde, 1000 Euro.",
                  "Am 05.12.2026 bestellt, am 12.05.2026 geliefert."):
        assert redacted(words, set(), "DE") == words


@pytest.mark.parametrize(("words", "country"), [
    ("Merci d'envoyer au 12 rue de la Paix, 75002 Paris.", "FR"),
    ("Spedire a Via Roma 12, 00184 Roma.", "IT"), ("Enviar a Calle Mayor 5, 28013 Madrid.", "ES"),
])
def test_a_french_italian_or_spanish_address_is_taken_out(words, country):
    from bot.sources.redaction import redacted

    said = redacted(words, set(), country)
    assert not any(w in said for w in ("Paix", "Roma 12", "Mayor", "75002", "28013")), said
    assert redacted("I ordered via Amazon 2 units", set(), "US") == "I ordered via Amazon 2 units"


def test_a_uk_postcode_is_taken_out():
    from bot.sources.redaction import redacted

    said = redacted("Please send it to 10 Downing Street, London SW1A 2AA.", set(), "UK")
    assert "SW1A 2AA" not in said and "10 Downing Street" not in said and "London" in said
    # Typed in lower case, on amazon.co.uk; sizes that look like its second half stay.
    said = redacted("send it to my mum in london, sw1a 2aa. the ps5 1tb, not the 2xl", set(),
                    "UK")
    assert "sw1a 2aa" not in said and said.endswith("the ps5 1tb, not the 2xl"), said


@pytest.mark.parametrize(("country", "words", "personal"), [
    # amazon.co.jp: "Please change the address: 〒150-0002 Tokyo, Shibuya-ku, Shibuya 2-21-1."
    ("JP", "住所を変更してください。〒150-0002 東京都渋谷区渋谷2-21-1 までお願いします。",
     ["150-0002", "渋谷2-21-1"]),
    ("JP", "新しい住所は東京都千代田区丸の内1-9-1です。", ["丸の内1-9-1"]),
    ("JP", "中央区銀座四丁目5番3号に送ってください", ["銀座四丁目5番3号"]),
    # amazon.ca, amazon.com.au: the street, and the postal code after the town.
    ("CA", "Please ship to 123 Maple Ave, Toronto ON M5V 2T6. Thanks", ["123 Maple", "M5V 2T6"]),
    ("CA", "My postal code is M5V 2T6, not M5V 2T7.", ["M5V 2T6", "M5V 2T7"]),
    ("AU", "Please send it to 12 Smith St, Parramatta NSW 2150 instead.",
     ["12 Smith", "NSW 2150"]),
    # amazon.com.mx: the street, the colonia and the código postal.
    ("MX", "Envíelo a Av. Insurgentes Sur 1602, Col. Crédito Constructor, 03940 Ciudad de "
     "México.", ["Insurgentes Sur 1602", "Crédito", "03940"]),
    ("MX", "Mi dirección es Calle Reforma 222, CP 06600, CDMX", ["Reforma 222", "06600"]),
])
def test_an_address_on_the_other_marketplaces_is_taken_out(country, words, personal):
    from bot.sources.redaction import redacted

    said = redacted(words, set(), country)
    assert not [p for p in personal if p in said], said


@pytest.mark.parametrize(("country", "words"), [
    # Ranges and counts in Japanese ("bought two or three at the market", "3-5 business days").
    ("JP", "市場で2-3個買いました。"), ("JP", "村上春樹の本を2-3冊注文しました。"),
    ("JP", "3-5営業日以内に発送してください。"),
    # Codes shaped like another country's post code, where that country's are not written.
    ("US", "Model A1B 2C3 charger, and a Walther WA 2000 replica."),
    ("UK", "The CP 12345 part is missing."),
    ("US", "The Col. Sanders bobblehead arrived broken, can you replace it?"),
    # An order id after a word with 市 or 区 in it ("off-the-shelf", "to tell apart").
    ("JP", "この市販品の注文番号は503-1234567-1234567です。"),
    ("JP", "色の区別のため注文番号503-1234567-1234567を書きます。"),
])
def test_a_count_or_code_shaped_like_another_countrys_address_stays(country, words):
    from bot.sources.redaction import redacted

    assert redacted(words, set(), country) == words


@pytest.mark.parametrize("words", [
    "Order 112-4058823-6619405 arrived broken; I paid $12.99 on 11/20.",
    "The 2 way radios and 3 Road bikes came, model 2024-1234, code is 12345.",
    "It is 10 x 12 in, and it came at 10.30 am",
    # A sentence's full stop after "at" is no spelled-out address, nor a shop's name one.
    "Please look at this. It is broken.", "It arrived at 5pm. In pieces.",
    "I bought it at amazon.com last week.",
    # Street words that are everyday words, quantities and prices.
    "I ordered 2 but they will not close.", "Received 1 TB External Hard Drive instead.",
    "I ordered the 12 inch Square pan.", "I ordered 2 pairs of Dr. Martens in size 8.",
    "I need 4 more place settings.", "You charged a flat 10 dollar fee.",
    "Only unit 2 of 3 works.", "I ordered 100 1000mAh batteries.",
    "Model B07XJ8C8F5, tracking 1Z999AA10123456784.",
    # A price, an order id or a quantity before a shop's address; a product named like a
    # street; a size that looks like half a postcode.
    "I paid $24.99 at Amazon.com but the listing said $19.99.",
    "My order 112-4058823-6619405 at amazon.com never came.", "I ordered 2 at amazon.co.uk.",
    "I saw it cheaper at walmart.com.", "I ordered 2 Sesame Street Elmo plush toys, got 1.",
    "I ordered 1 Abbey Road LP and got a CD.", "The PS5 1TB console and the M2 1TB SSD.",
    "Wrong item: SKU TS123XL was sent.", "I received a 1 TB External Hard Drive.",
    "SKU 123-4567 and part no. 100-2000 came.", "Model XL 12345 and PO 12345 are wrong.",
])
def test_numbers_and_words_that_are_no_address_or_phone_stay(words):
    from bot.sources.redaction import redacted

    assert redacted(words, set(), "US") == words


@pytest.mark.parametrize(("display", "closing"), [
    ("Pat Doe", "thanks so much, pat"), ("Pat Doe", "Danke, pat"), ("Pat Doe", "- pat"),
    ("Pat Doe", "best wishes, pat"), ("Pat Doe", "Where is it? Thanks, pat"),
    ("Robin Roe", "thank u robin"), ("Robin Roe", "thanks robin 😊"),
    ("Jean Dupont", "merci jean"), ("Marco Rossi", "grazie marco"),
    # Typed without the accents.
    ("José Núñez", "gracias, jose"), ("Jürgen Müller", "Danke\njuergen"),
])
def test_a_lower_case_name_signed_after_a_closing_is_taken_out(display, closing):
    from bot.sources.redaction import name_words, redacted

    said = redacted("Where is my parcel?\n" + closing, name_words([f"{display} - Amazon"]), "US")
    typed = {"José": "jose", "Jürgen": "juergen"}.get(display.split()[0], display.split()[0])
    assert typed.lower() not in said and "[…]" in said, said


def test_a_lower_case_name_after_im_is_taken_out_and_a_word_that_is_one_stays():
    from bot.sources.redaction import name_words, redacted

    assert redacted("hi im robin, where is it", name_words(["Robin Roe"]), "US") == (
        "hi im […], where is it")
    assert redacted("it will :)", name_words(["Will Doe"]), "US") == "it will :)"


@pytest.mark.parametrize(("display", "words"), [
    ("Tom Small - Amazon Marketplace", "Size ordered: small\nSize received: large"),
    ("James Brown - Amazon Marketplace", "Color: brown\nQty: 2"),
    ("Mary White - Amazon Marketplace", "You sent black.\nPlease send white"),
])
def test_a_colour_or_size_that_is_the_buyers_surname_stays(display, words):
    from bot.sources.redaction import name_words, redacted

    # Last on a short line, but no signature: after a colon, or the end of a request.
    assert redacted(words, name_words([display]), "US") == words


def test_a_name_written_in_lower_case_is_taken_out_where_it_stands_as_a_name():
    from bot.sources.redaction import name_words, redacted

    # Buyers sign in lower case too; a name that is an everyday word ("will") stays a word
    # where it is one, even at the end of a wrapped line.
    names = name_words(["Will Doe - Amazon Marketplace"])
    assert redacted("It will arrive soon, will it?\nthanks, will", names, "US") == (
        "It will arrive soon, will it?\nthanks, […]")
    assert redacted("hi, this is will doe. where is my order?", names, "US") == (
        "hi, this is […]. where is my order?")
    assert redacted("I'm will and it will be late", names, "US") == "I'm […] and it will be late"
    assert redacted("best regards,\n- will.", names, "US") == "best regards,\n- […]."
    assert redacted("Can you tell me when the parcel will\nbe sent?", names, "US") == (
        "Can you tell me when the parcel will\nbe sent?")


def test_an_address_the_cut_goes_through_is_taken_out_whole():
    from bot.sources.buyer_mail import MAX_TEXT_CHARS

    # The words are cut at MAX_TEXT_CHARS after being looked through (a body may be
    # megabytes, and is cut first, with a margin): half an address must not be left.
    words = "x" * (MAX_TEXT_CHARS - 12) + " robin.roe77@example.com " + "tail " * 20_000
    found = read_buyer_message(relayed("112-4058823-6619405", words, received=ARRIVED),
                               relay_rules(), received=ARRIVED)
    assert isinstance(found, BuyerMessage) and found.cut
    assert "robin" not in found.text and "@" not in found.text
    assert len(found.text) <= MAX_TEXT_CHARS


def test_a_japanese_given_name_that_is_an_everyday_word_is_taken_out_only_as_a_name():
    from bot.sources.redaction import name_words, redacted

    # 希望 (Nozomi) is also "wish": "交換を希望します" is "I'd like an exchange".
    names = name_words(["佐藤 希望 - Amazon Marketplace"])
    assert redacted("商品が破損していたので、交換を希望します。", names, "JP") == (
        "商品が破損していたので、交換を希望します。")
    assert redacted("よろしくお願いします。\n佐藤", names, "JP") == "よろしくお願いします。\n[…]"
    assert redacted("佐藤希望です。交換を希望します。", names, "JP") == "[…]です。交換を希望します。"
    assert redacted("私は佐藤と申します。", names, "JP") == "私は[…]と申します。"
    # At a line's start it is the everyday word ("the colour I wish for is blue").
    assert redacted("希望の色は青です。", names, "JP") == "希望の色は青です。"
