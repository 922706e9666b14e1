"""The compliance engine on the replies people actually try: obfuscations, Unicode tricks,
extremes of length, context, and the rewrite. The development corpus is a regression test."""

import json
import re

import pytest

from bot.compliance import CATEGORIES
from bot.compliance.loading import checker
from tests.conftest import ROOT

CHECK = checker().check


def categories(text, **kw):
    return set(CHECK(text, **kw).categories)


@pytest.mark.parametrize("text", [
    "Manuals: shop[.]hillcrest[.]net",
    "Manuals: shop(dot)hillcrest(dot)net",
    "go to hillcrest dot co dot uk for spares",
    "h t t p s : / / hillcrest.net/manual",
    "www . hillcrest . net has the manual",
    "HILLCREST.NET/MANUAL has it",
    "See hill\u200bcrest.\u200bnet/manual",
    "See ｈｉｌｌｃｒｅｓｔ．ｎｅｔ",
    "See \u0455h\u043e\u0440.net for parts",  # Cyrillic s, o, p
    'Click <a href="https://hillcrest.net">here</a>',
    "Details: [our page](http://hillcrest.net/faq)",
    "Details: <http://hillcrest.net|our page>",
    "Free guide at bit.ly/3xY",
    "The help page is http://www.amazon.com/gp/help",  # Amazon, but not https
    "Look at amazon-deals.shop for the same item",  # merely contains "amazon"
])
def test_disguised_links_are_found(text):
    assert "external-link" in categories(text)


@pytest.mark.parametrize("text", [
    "Write to care at hillcrest dot com",
    "care (at) hillcrest (dot) com",
    "care[at]hillcrest[dot]co[dot]uk",
    "care @ hillcrest . com",
    "care\u200b@hillcrest\u200b.com",
    "care＠hillcrest．com",
    "mailto:care@hillcrest.com",
    "Kind regards,\nFernhill Candles\nhello@fernhillcandles.example",  # a reserved name
    # The sentence's stop and the next word are no part of the address.
    "Their support address is support@kestrelaudio.com. Best, SoundWave Direct",
    "Their claims desk is claims@swiftparcel-express.co.uk. thanks",
    "Write to care at hillcrest dot com. Cheers",
])
def test_disguised_email_addresses_are_found(text):
    assert "email-address" in categories(text)


@pytest.mark.parametrize("text", [
    "Call 555 010 0199 today.",
    "Call (555)010-0123 today.",
    "Call +44 20 7946 0958 today.",
    "Call 555.010.0142 today.",
    "Call five five five zero one zero zero today.",
    "Call 5 5 5 0 1 0 0 1 2 3 today.",
    "Call 555\u200b-0142 today.",
    "Call ５５５-０１４２ today.",
    "My cell is 415 five five five 0199.",  # digits spelled among written ones
    "Our line: 1-800-FLOWERS.",  # a toll-free number in letters
])
def test_disguised_phone_numbers_are_found(text):
    assert "phone-number" in categories(text)


@pytest.mark.parametrize("text", ["電話番号は090-1234-5678です。", "お電話は03-1234-5678までお願いします。"])
def test_a_number_written_straight_after_japanese_text_is_found(text):
    # Japanese needs no space before a number; kana are word characters to `re`.
    assert "phone-number" in categories(text, region="JP")


@pytest.mark.parametrize(("draft", "link"), [
    # "The manual is at https://myshop.jp/manual.": no space on either side, as Japanese writes.
    ("商品の説明書はhttps://myshop.jp/manualにあります。", "https://myshop.jp/manual"),
    ("新商品はmyshop.jpでご覧いただけます。", "myshop.jp"),
    ("詳しくはwww.myshop.jpをご覧ください。", "www.myshop.jp"),
])
def test_a_link_written_straight_after_japanese_text_is_the_link_alone(draft, link):
    result = checker().check(draft, region="JP")
    links = [draft[f.start:f.end] for f in result.findings if f.category == "external-link"]
    assert links == [link] and result.verdict == "block", (result.verdict, links)


@pytest.mark.parametrize("draft", [
    "詳しくは https://お名前.jp/faq をご覧ください", "Please see https://例え.jp for the manual.",
    "Details: https://한국.kr/help", "返品の方法は https://ヘルプ.tanaka-shop.co.jp/returns にあります",
])
def test_a_link_to_a_domain_written_in_japanese_or_korean_is_a_link(draft):
    assert "external-link" in categories(draft, region="JP")


def test_an_email_address_written_straight_after_japanese_text_is_the_address_alone():
    # "Thank you for your order. For questions, please write to info@shop.co.jp."
    draft = "ご注文ありがとうございます。お問い合わせはinfo@shop.co.jpまでお願いします。"
    result = checker().check(draft, region="JP")
    emails = [draft[f.start:f.end] for f in result.findings if f.category == "email-address"]
    assert emails == ["info@shop.co.jp"]
    # The rewrite takes the address out, not the whole reply.
    assert result.suggestion and result.suggestion.startswith("ご注文ありがとうございます。")


def test_a_japanese_reply_with_a_link_in_it_is_still_read_as_japanese():
    # "Thank you for your order. Please leave a five-star review. Returns: from <Amazon page>."
    # Its review request is in words the English rules cannot read: never "good to send".
    draft = ("ご注文ありがとうございます。五つ星のレビューをお願いします。"
             "返品はhttps://www.amazon.co.jp/gp/css/order-historyからどうぞ。")
    result = checker().check(draft, region="JP")
    assert result.english is False and result.verdict != "ok"


@pytest.mark.parametrize(("text", "category"), [
    ("For anything else, email help@<b>hillcresthome</b>.com", "email-address"),
    ("Write to help@hillcresthome\U0001F642.com", "email-address"),
    ("My line: 415\U0001F642555\U0001F6420199", "phone-number"),
    ("Visit hillcrest<b>home</b>.com for more colours", "external-link"),
    ("Please leave us a <b>5-star</b> review!", "review-manipulation"),
    ("The manual is at _hillcresthome.com/manual_", "external-link"),
    ("Our line is _415-555-0199_", "phone-number"),
    ("Write to _help@hillcresthome.com_", "email-address"),
    ("Please leave us a *5-star* review!", "review-manipulation"),
])
def test_what_styling_splits_or_wraps_is_found_and_taken_out_whole(text, category):
    # A tag or a pictograph inside an address, or Slack's emphasis around it, hid it from the
    # rules, and the rewrite took the styling out and handed the address back whole.
    result = CHECK(text)
    assert result.verdict == "block" and category in result.categories
    assert result.suggestion is None or category not in categories(result.suggestion)


@pytest.mark.parametrize("text", [
    "Sorry we dont do refunds on sale items",
    "pls dont leave bad feedback, just msg us and we'll fix it",
])
def test_contractions_typed_without_their_apostrophe_are_read_as_with_it(text):
    with_it = text.replace("dont", "don't")
    assert CHECK(text).verdict == CHECK(with_it).verdict == "block"


@pytest.mark.parametrize("text", [
    "Order 113-4567890-1234567 shipped with tracking 1Z 999 AA1 01 2345 6784.",
    "The ISBN is 0316769487 and the model is BX-200.",
    "It measures 27 x 20 inches, weighs 1.2 kg and takes 100-240V.",
    "It was delivered at 10:42 am on 2026-11-24 (11/24/2026).",
    "Please reply in this Amazon thread rather than by e-mail.",
    "You can start the return at https://www.amazon.co.uk/gp/css/order-history",
    "Open Your Orders on Amazon.com and choose the item.",
    "Hold the MODE button and plug in the USB-C cable; it uses AAA batteries.",
    "These are genuine Five Star notebooks, and the discount was applied at checkout.",
    "The KitchenPro™ lid fits; it cost €24.",
    "Hello,\n\nThe cable is 2 m long.\n\nKind regards,\nDana",
    "Hi, I’m sorry it arrived late; I’ve sent a replacement.",
    "The icon is saved as logo@2x.png and the sheet as list@v2.pdf.",
])
def test_look_alikes_pass(text):
    # As answers to a buyer: sent unasked, "Order ... shipped with tracking ..." is itself a
    # shipment confirmation, which Amazon sends (test_an_unasked_shipment_note_is_only_that).
    result = CHECK(text, in_reply_to="Can you tell me more about it?")
    assert result.verdict == "ok", [(f.rule, f.excerpt) for f in result.findings]


def test_an_unasked_shipment_note_is_only_that():
    result = CHECK("Order 113-4567890-1234567 shipped with tracking 1Z 999 AA1 01 2345 6784.")
    assert result.categories == ("order-confirmation",)


def test_findings_point_at_what_was_typed():
    text = "Héllo ｆｒｉｅｎｄ, write to care\u200b@hillcrest.com or call ５５５-０１４２."
    result = CHECK(text)
    spans = {f.rule: text[f.start:f.end] for f in result.findings}
    assert spans["email-address"] == "care\u200b@hillcrest.com"
    assert spans["phone-number"] == "５５５-０１４２"
    for finding in result.findings:
        assert finding.excerpt == " ".join(text[finding.start:finding.end].split())


def test_ten_thousand_characters():
    text = ("Your copy is the 2004 paperback in very good condition. " * 200)[:10_000]
    result = CHECK(text)
    assert result.verdict == "warn" and result.rules == ("too-long",)
    (finding,) = result.findings
    assert (finding.start, finding.end) == (2000, 10_000)
    assert finding.excerpt.endswith("…") and len(finding.excerpt) <= 120


def test_ten_thousand_characters_of_violations():
    text = ("Call 555-0142 or visit shop.example.com for 20% off your next order! 🎉 " * 150)
    result = CHECK(text[:10_000])
    assert {"phone-number", "external-link", "marketing", "styling"} <= set(result.categories)
    assert result.suggestion == ""  # nothing compliant is left to send


@pytest.mark.parametrize("text", ["", " ", "\n\n\t "])
def test_empty_or_blank_text_has_no_findings(text):
    # The engine judges what it is given; reports.check_reply refuses blank input first.
    assert CHECK(text).verdict == "ok"


def test_only_an_emoji():
    result = CHECK("👍")
    assert result.verdict == "warn" and result.rules == ("emoji",)
    assert result.suggestion == "" and [r.text for r in result.removed] == ["👍"]


def test_verdict_is_the_worst_severity():
    assert CHECK("Great news: your order has shipped!").verdict == "warn"
    assert CHECK("Great news: your order has shipped! Call 555-0142.").verdict == "block"
    # A carrier's line is a finding, at warn (messaging.md §5 phone-number).
    carrier = CHECK("The FedEx depot's number is 901-555-0134; they can hold it for you.")
    assert carrier.verdict == "warn" and carrier.rules == ("third-party-phone",)


def test_context_turns_a_confirmation_into_an_answer():
    reply = "Your order shipped today; tracking 9400 1118 9922 3344 5566 77."
    assert "order-confirmation" in categories(reply)
    assert "order-confirmation" not in categories(reply, in_reply_to="Where is my order?")
    # Any answer to the buyer: "Answering a buyer's question is always allowed" (messaging.md
    # §1), so a reply is never an unsolicited confirmation, for the rules or the model.
    assert "order-confirmation" not in categories(reply, in_reply_to="Is the blue one in stock?")


def test_the_suggestion_takes_out_and_never_adds():
    text = ("Hi Sam,\n\nThe lid is in the post today. Call 555-0142 if it doesn't fit. "
            "Use code SAVE15 for 15% off your next order!\n\nThanks,\nDana\n"
            "dana@hillcrest.com")
    result = CHECK(text)
    assert result.verdict == "block"
    assert result.suggestion == "Hi Sam,\n\nThe lid is in the post today.\n\nThanks,\nDana"
    removed = {r.text: r.categories for r in result.removed}
    assert removed["Use code SAVE15 for 15% off your next order!"] == ("marketing",)
    assert removed["dana@hillcrest.com"] == ("email-address",)
    assert any("555-0142" in r.text for r in result.removed)
    # Every word of the suggestion is a word of the original, in order.
    words = re.findall(r"\w+", text)
    position = 0
    for word in re.findall(r"\w+", result.suggestion):
        position = words.index(word, position) + 1


def test_the_suggestion_keeps_what_needs_a_person():
    result = CHECK("As I've told you twice, read the listing. Visit www.example-shop.com.")
    assert result.suggestion == "As I've told you twice, read the listing."
    assert [f.rule for f in result.to_fix_by_hand] == ["rude-tone"]


def test_what_the_suggestion_itself_breaks_is_left_to_rewrite():
    # Taking the discount out leaves thanks alone, which is not a reason to message a buyer
    # (messaging.md §5 order-confirmation): the suggestion is checked again and says so.
    result = CHECK("Thanks for your order! As a returning customer you get 20% off with code "
                   "THANKYOU20 on your next order.")
    assert result.suggestion == "Thanks for your order!"
    assert "thanks-only" in {f.rule for f in result.in_suggestion}
    assert "thanks-only" in {f.rule for f in result.to_fix_by_hand}
    assert "thanks-only" not in result.rules  # the draft as written holds more than thanks


def test_html_and_blank_lines_are_tidied():
    result = CHECK("<p>Hello,</p><p>your book ships today.</p>\n\n\n\nBest,<br>Dana")
    assert result.suggestion == "Hello,\nyour book ships today.\n\nBest,\nDana"


def test_no_suggestion_when_nothing_can_be_taken_out():
    result = CHECK("YOU ORDERED THE WRONG SIZE.")
    assert result.rules == ("shouting",) and result.suggestion is None and result.removed == ()


def read(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def quality(rows):
    hits = {"tp": 0, "fp": 0, "fn": 0}
    caught = {c: [0, 0] for c in CATEGORIES}
    for row in rows:
        found = set(CHECK(row["text"]).categories)
        flagged, bad = bool(found), bool(row["labels"])
        hits["tp"] += flagged and bad
        hits["fp"] += flagged and not bad
        hits["fn"] += bad and not flagged
        for label in row["labels"]:
            caught[label][0] += label in found
            caught[label][1] += 1
    recall = hits["tp"] / (hits["tp"] + hits["fn"])
    precision = hits["tp"] / (hits["tp"] + hits["fp"])
    return recall, precision, {c: n / total for c, (n, total) in caught.items() if total}


# The development corpus is not the project's (tests/fixtures/compliance/NOTICE.md) and not in
# a user's clone: bench/compliance_quality.py measures it where it is at hand. The sets below
# live here and are held to the same targets.


SECOND_DEV = ROOT / "rules" / "labelled" / "second-dev.jsonl"


def test_second_development_set_targets():
    # Written blind from the policy (tests/fixtures/compliance/NOTICE.md), measured once
    # (recall 0.836, precision 0.939), then used to fix rules where the policy was not covered.
    recall, precision, per_category = quality(read(SECOND_DEV))
    assert recall >= 0.97 and precision >= 0.95
    assert min(per_category.values()) >= 0.9, per_category


@pytest.mark.parametrize("text", ["\u200b\n\n\n\n", "\n\n\n\n\u00ad", "\u200b" * 2001])
def test_only_invisible_characters_is_no_draft(text):
    from bot.errors import BadInput
    from bot.usecases import reply_checks

    with pytest.raises(BadInput) as error:
        reply_checks.check(checker(), text)
    assert error.value.code == "reply_empty"
    CHECK(text)  # the engine itself copes: no crash on a text without sentences


def test_invisible_characters_past_the_limit_still_point_at_text():
    finding = next(f for f in CHECK("a" * 2000 + "\u200b").findings if f.rule == "too-long")
    assert finding.end > finding.start


@pytest.mark.parametrize("text", ["." * 10_000, "!" * 10_000, "?" * 9_999 + " ok",
                                  "a . " * 2_500, "a[.]" * 2_500, "a dot " * 1_666])
def test_long_runs_of_stops_and_disguised_dots_are_checked(text):
    # These once backtracked for 10-30 s each (quadratic stop runs, unbounded host labels);
    # bench/check_reply.py times them, this shows the answer is still right.
    result = CHECK(text[:10_000])
    assert "external-link" not in result.categories


@pytest.mark.parametrize("text", [
    "Hallo Herr Weber, vielen Dank für Ihre Nachricht. Wir würden uns sehr über eine "
    "Bewertung mit fünf Sternen freuen!",
    "Bonjour, merci pour votre commande. Laissez-nous un avis positif et nous vous offrons "
    "un bon de réduction.",
    "Hola, gracias por su pedido. Si nos deja una reseña de cinco estrellas le devolvemos el "
    "envío.",
    "ご注文ありがとうございます。星5つのレビューをお願いします。",
])
def test_a_reply_in_another_language_is_never_good_to_send(text):
    # Its marketing or review request is in words the English rules cannot read: at best a
    # warning that says so, never "good to send".
    result = checker().check(text)
    assert result.english is False and result.verdict == "warn"


def test_what_is_found_in_any_language_is_still_found():
    result = checker().check("Rufen Sie uns an: 030 123456, wir helfen Ihnen gerne weiter.",
                             region="DE")
    assert result.english is False and result.verdict == "block"
    assert result.categories == ("phone-number",)


@pytest.mark.parametrize("text", [
    "Thanks, it fits.",
    "Model XR-2000 fits the 2019-2023 Corolla; part 8871-A is the left one.",
    "The Fjällräven Kånken 16 L in Frost Green ships from Düsseldorf today.",
    "Your replacement left Utrecht this morning.\n\nMet vriendelijke groet,\nJoost van Dijk",
    "You asked what \"Danke für Ihre Geduld\" on the card means: thank you for your patience.",
    # Short product answers whose codes and names are other languages' little words too.
    "Size chart: S/M/L/XL. Runs small - size up.",
    "Sure, size 8.5 W.",
    "Hi Al, size M is correct.",
    "Open till 5 PM EST.",
    "Sim card tray included, nano size.",
    "YSL La Nuit de L'Homme EDT, 3.3 oz: yes, in stock.",
    "Die-cast metal, 1:24 scale, AV cable and PO box label included.",
])
def test_english_with_names_codes_and_a_foreign_phrase_is_english(text):
    assert checker().check(text).english is True
