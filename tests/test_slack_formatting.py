"""Slack hands sellerbot mrkdwn: a link can hide behind other words. What the buyer would get
is what is checked (issue 17, item 5)."""

import pytest

from bot.compliance.loading import checker
from bot.slack.formatting import plain_text

CHECK = checker().check


@pytest.mark.parametrize(("typed", "words", "rule"), [
    ("For the manual see <https://shop.example/manual|here>.", "here", "external-link"),
    ("Any question: <mailto:help@shop.example|just write to us>.", "just write to us",
     "email-address"),
    ("Questions? <tel:+12065550199|Give us a ring>.", "Give us a ring", "phone-number"),
])
def test_what_hides_behind_a_link_is_checked(typed, words, rule):
    text = plain_text(typed)
    assert rule in CHECK(text).rules, text
    # The words the person sees stay, with the address beside them.
    assert f"{words} (" in text


@pytest.mark.parametrize(("typed", "read"), [
    ("<http://evil-shop.com|evil-shop.com>", "evil-shop.com"),  # Slack's own auto-link
    ("<mailto:help@shop.example|help@shop.example>", "help@shop.example"),
    ("<https://shop.example>", "https://shop.example"),
    ("Hi <!channel> <@U0123ABCD> <#C0123ABCD|orders>", "Hi @channel @U0123ABCD #orders"),
    ("5 &lt; 6 &amp; 7 &gt; 2", "5 < 6 & 7 > 2"),
])
def test_what_slack_formatted_reads_as_typed(typed, read):
    assert plain_text(typed) == read


def test_an_amazon_link_behind_words_stays_allowed():
    text = plain_text("Start it in <https://www.amazon.com/gp/css/order-history|Your Orders>.")
    assert "external-link" not in CHECK(text).rules
