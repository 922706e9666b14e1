"""Reports as Slack messages: Block Kit JSON from templates/blocks/, always within Slack's limits.

Long lists are cut with "...and N more": packing lines into sections is counting, done here;
every word is in the templates.
"""

import json
from collections.abc import Iterator, Sequence
from typing import Any

from bot.domain.shipping import Standing
from bot.render.environment import codeblock, template

# Slack's limits (https://docs.slack.dev/reference/block-kit/blocks; slack.md §6).
MAX_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
SECTION_CHARS = 3000
# Lines per section: more would be a wall of text on a phone.
LINES_PER_SECTION = 10
# Orders listed in one message: past this, a list stops being read and starts being scrolled
# ("...and N more" points to the full list). It also bounds the work after each ack.
MAX_LISTED = 40
# Failed digests on App Home, one section each: DIGEST_CHANNEL lists a handful of channels.
MAX_FAILURES_SHOWN = 10
# Sections of late orders on App Home.
HOME_LATE_SECTIONS = 5
# Slack's limit on a select menu's options.
MAX_OPTIONS = 100
# The most orders of one digest list that a message or App Home shows (the "Confirm shipment"
# pick lists up to MAX_OPTIONS, late ones first): what the digest is asked to list (its
# `listed`); the rest it only counts.
DIGEST_LISTED = max(MAX_LISTED, MAX_OPTIONS, HOME_LATE_SECTIONS * LINES_PER_SECTION)


def _lines(entries: Sequence[Standing], seller: Any) -> Iterator[str]:
    macro = template("lines.j2").module.order_line
    for entry in entries:
        yield str(macro(entry, seller.timezone, seller.marketplace)).strip()


def pack(lines: Iterator[str], total: int, max_sections: int) -> dict[str, Any]:
    """Lines into at most `max_sections` section texts; says how many lines did not fit."""
    sections: list[str] = []
    current: list[str] = []
    size = shown = 0
    for line in lines:
        fits = len(current) < LINES_PER_SECTION and size + len(line) + 1 <= SECTION_CHARS
        if not fits:
            if len(sections) + 1 == max_sections:
                break
            sections.append("\n".join(current))
            current, size = [], 0
        current.append(line)
        size += len(line) + 1
        shown += 1
    if current:
        sections.append("\n".join(current))
    return {"sections": sections, "more": total - shown}


HEADER_CHARS = 150


def fit(blocks: list[dict[str, Any]]) -> None:
    """The last guard: text a template let grow (escaped titles expand up to five times) is
    cut rather than refused by Slack with invalid_blocks."""
    for block in blocks:
        limit = HEADER_CHARS if block["type"] == "header" else SECTION_CHARS
        parts = [block["text"]] if "text" in block else block.get("elements", [])
        for part in parts:
            # Context elements carry text; buttons and menus in an actions block do not.
            text = part.get("text") if isinstance(part, dict) else None
            if isinstance(text, str) and len(text) > limit:
                part["text"] = text[: limit - 1] + "…"


def _message(name: str, **context: Any) -> dict[str, Any]:
    message = json.loads(template(f"blocks/{name}.json.j2").render(**context))
    # A message Slack would refuse is a bug here, never something to send.
    assert len(message["blocks"]) <= MAX_BLOCKS, (name, len(message["blocks"]))
    fit(message["blocks"])
    return message


def _confirmable(entries: Sequence[Standing]) -> list[Standing]:
    """The entries a "Confirm shipment" pick lists: open orders, late ones first."""
    return [e for e in entries if e.urgency is not None][:MAX_OPTIONS]


def orders_message(report: Any, seller: Any, *, post_value: str | None = None,
                   posted_by: str | None = None, confirm: bool = False) -> dict[str, Any]:
    """An orders list (`/orders today`, `at-risk`, `late`, `unshipped`) as a Slack message,
    with a "Post to channel" button carrying `post_value`, or the note of who posted it, and
    with `confirm` (SP-API set up) a "Confirm shipment" pick of its open orders."""
    listed = pack(_lines(report.entries[:MAX_LISTED], seller),
                  len(report.entries), MAX_BLOCKS - 6)
    return _message("orders", report=report, seller=seller, post_value=post_value,
                    posted_by=posted_by,
                    confirmable=_confirmable(report.entries) if confirm else [], **listed)


def text_message(name: str, **params: Any) -> dict[str, Any]:
    """A short answer (templates/slack/messages.j2) as a message: mrkdwn text, no blocks."""
    module = template("slack/messages.j2").module
    return {"text": str(getattr(module, name)(**params)).strip()}


def digest_message(digest: Any, seller: Any, late: Any = None,
                   confirm: bool = False) -> dict[str, Any]:
    """The morning digest as a Slack message; `late` says when it was due and why it was not
    posted then, if it is late; with `confirm` (SP-API set up), a "Confirm shipment" pick of
    the late and due orders."""
    # Three order groups share what the fixed blocks (header, context, buyer messages, new
    # orders, LSR, returns, freshness, the confirm pick: 8) leave, each also taking a title
    # and a "more".
    per_group = (MAX_BLOCKS - 8) // 3 - 2
    groups = {
        name: pack(_lines(getattr(digest, name)[:MAX_LISTED], seller), digest.count(name),
                   per_group)
        for name in ("late", "due_today", "due_next")
    }
    confirmable = _confirmable([*digest.late, *digest.due_today, *digest.due_next])
    return _message("digest", digest=digest, seller=seller, groups=groups, late=late,
                    confirmable=confirmable if confirm else [])


def home_view(digest: Any, seller: Any, failures: Sequence[Any] = (),
              trend: Any = None) -> dict[str, Any]:
    """The App Home tab (a view: up to 100 blocks; the late list is kept to a few sections),
    with any morning digest that could not be posted and how to fix it, and the weekly
    chart's figures as a short text trend."""
    late = pack(_lines(digest.late, seller), digest.count("late"), HOME_LATE_SECTIONS)
    view = json.loads(template("blocks/home.json.j2").render(
        digest=digest, seller=seller, late=late, failures=failures[:MAX_FAILURES_SHOWN],
        trend=trend))
    assert len(view["blocks"]) <= MAX_VIEW_BLOCKS
    return view


def can_return_message(answer: Any, seller: Any, *, share_value: str | None = None,
                       posted_by: str | None = None) -> dict[str, Any]:
    """A /can-return answer as a Slack message, with its "Share in channel" button."""
    return _message("can_return", answer=answer, seller=seller, share_value=share_value,
                    posted_by=posted_by)


# /reviews lists this many due orders; the "Request all due" button sends this many a click
# (Amazon takes one a second: REVIEW_REQUESTS=auto sends the rest each day).
MAX_REVIEWS_LISTED = 30


def reviews_message(report: Any, seller: Any, *, enabled: bool, per_click: int
                    ) -> dict[str, Any]:
    """/reviews: the due review requests, why others are not asked, and with `enabled` a
    button sending up to `per_click` of them."""
    return _message("reviews", report=report, seller=seller, enabled=enabled,
                    per_click=per_click, listed_max=MAX_REVIEWS_LISTED)


def order_message(detail: Any, seller: Any, *, confirm: bool = False,
                  confirmed_by: str | None = None, reviews: bool = False) -> dict[str, Any]:
    """One order as a Slack message; with `confirm` (SP-API set up) and the order open, a
    "Confirm shipment" button; `confirmed_by` notes who just confirmed its shipment; with
    `reviews` (REVIEW_REQUESTS on), its review request: a button when it is due."""
    return _message("order", detail=detail, seller=seller, confirm=confirm,
                    confirmed_by=confirmed_by, reviews=reviews)


# "Check reply": findings listed one section each, past this "…and N more" (a longer list is
# no longer read, and it keeps a message under Slack's 50 blocks).
MAX_FINDINGS = 15
# The suggestion is shown in sections of at most this many characters once escaped for a
# code block (the section's 3,000 less the ``` fences and a margin).
SUGGESTION_CHARS = SECTION_CHARS - 100


def _fits(text: str) -> int:
    """How much of `text` fits a section once escaped as the template escapes it."""
    if len(codeblock(text)) <= SUGGESTION_CHARS:
        return len(text)
    low, high = 0, min(len(text), SUGGESTION_CHARS)
    while low < high:  # escaping only grows text: the longest prefix that fits
        middle = (low + high + 1) // 2
        if len(codeblock(text[:middle])) <= SUGGESTION_CHARS:
            low = middle
        else:
            high = middle - 1
    return low


def _chunks(text: str | None) -> list[str]:
    """`text` in pieces that fit a section once escaped, cut at line breaks where possible."""
    pieces: list[str] = []
    rest = text or ""
    while rest:
        fits = _fits(rest)
        if fits == len(rest):
            pieces.append(rest)
            break
        cut = rest.rfind("\n", 0, fits)
        cut = cut if cut > fits // 2 else fits
        pieces.append(rest[:cut])
        rest = rest[cut:].lstrip("\n")
    return pieces


def _check(result: Any, *, modal: bool, share_value: str | None, posted_by: str | None,
           context_used: bool, review_order: str | None) -> dict[str, Any]:
    def rendering(chunks: list[str], cut: bool) -> dict[str, Any]:
        return json.loads(template("blocks/check_reply.json.j2").render(
            result=result, modal=modal, share_value=share_value, posted_by=posted_by,
            context_used=context_used, chunks=chunks, suggestion_cut=cut,
            max_findings=MAX_FINDINGS, review_order=review_order))

    limit = MAX_VIEW_BLOCKS if modal else MAX_BLOCKS
    chunks = _chunks(result.suggestion)
    rendered = rendering(chunks, cut=False)
    if len(rendered["blocks"]) > limit:
        # A draft whose every character escapes to several (&amp;) needs more sections than a
        # message holds beside fifteen findings: the suggestion stops where the message is
        # full (one block goes to saying so).
        keep = max(len(chunks) - (len(rendered["blocks"]) - limit) - 1, 0)
        rendered = rendering(chunks[:keep], cut=True)
    assert len(rendered["blocks"]) <= limit
    # Context elements too: the words to fix by hand on a long shouted draft ran past 3,000.
    fit(rendered["blocks"])
    return rendered


def check_reply_message(result: Any, *, share_value: str | None = None,
                        posted_by: str | None = None, context_used: bool = False,
                        review_order: str | None = None) -> dict[str, Any]:
    """A "Check reply" result as a message: /check-reply's private answer, or a shared one;
    `review_order` is the order the draft names whose review request is due."""
    return _check(result, modal=False, share_value=share_value, posted_by=posted_by,
                  context_used=context_used, review_order=review_order)


def check_reply_view(result: Any, *, share_value: str | None = None,
                     posted_by: str | None = None, context_used: bool = False,
                     review_order: str | None = None) -> dict[str, Any]:
    """A "Check reply" result as a modal view (the shortcuts)."""
    return _check(result, modal=True, share_value=share_value, posted_by=posted_by,
                  context_used=context_used, review_order=review_order)


def check_view(name: str, **params: Any) -> dict[str, Any]:
    """One of the other "Check reply" modals (templates/blocks/check_views.json.j2): checking,
    said(text) or draft."""
    module = template("blocks/check_views.json.j2").module
    return json.loads(str(getattr(module, name)(**params)))


def confirm_view(name: str, **params: Any) -> dict[str, Any]:
    """One of the "Confirm shipment" modals (templates/blocks/confirm_views.json.j2): form,
    working or said(text)."""
    module = template("blocks/confirm_views.json.j2").module
    view = json.loads(str(getattr(module, name)(**params)))
    assert len(view["blocks"]) <= MAX_VIEW_BLOCKS
    fit(view["blocks"])
    return view
