"""Buyer messages as Slack messages and modals (issue 20): the post, the "Draft reply" modal
with its check, and the reply's outcome. Every word is in the templates."""

import json
from datetime import datetime
from typing import Any

from bot.render.blocks import MAX_BLOCKS, MAX_VIEW_BLOCKS, check_reply_view, fit
from bot.render.environment import template


def buyer_message_post(post: Any, seller: Any, now: datetime, *, show_text: bool,
                       can_send: bool) -> dict[str, Any]:
    """A buyer message's post: its words (unless `show_text` is off), the clock, its order,
    and the buttons while it is unanswered ("Draft reply" when replies can be sent)."""
    message = json.loads(template("blocks/buyer_message.json.j2").render(
        post=post, seller=seller, now=now, show_text=show_text, can_send=can_send))
    assert len(message["blocks"]) <= MAX_BLOCKS
    fit(message["blocks"])
    return message


def buyer_reply_view(meta: str, text: str | None = None, *, result: Any = None,
                     ready: bool = False, changed: bool = False, sender: str = "",
                     notice: str | None = None) -> dict[str, Any]:
    """The "Draft reply" modal: the draft, the check's findings above it when it was checked,
    and "Send" as its button once a check passed (`ready`)."""
    module = template("blocks/buyer_reply_views.json.j2").module
    view = json.loads(str(module.draft(meta=meta, text=text, ready=ready, changed=changed,
                                       sender=sender)))
    above: list[dict[str, Any]] = []
    if notice:
        above.append({"type": "section", "text": {"type": "mrkdwn", "text": notice}})
    if result is not None:
        above += [*check_reply_view(result)["blocks"], {"type": "divider"}]
    view["blocks"] = [*above[:MAX_VIEW_BLOCKS - len(view["blocks"])], *view["blocks"]]
    fit(view["blocks"])
    return view


def buyer_reply_status(name: str, **params: Any) -> dict[str, Any]:
    """One of the other "Draft reply" modals: working, or said(text)."""
    module = template("blocks/buyer_reply_views.json.j2").module
    return json.loads(str(getattr(module, name)(**params)))


def answered_post(blocks: list[dict[str, Any]], known: Any, seller: Any,
                  now: datetime) -> dict[str, Any]:
    """A message's post once it is answered, from the post's blocks as Slack has them: its
    first line says who answered and how soon, and its buttons go. The buyer's words are
    left as they were posted (sellerbot does not keep them to draw them again)."""
    words = template("buyer_messages.j2").module
    about = words.about(known, seller, None, now)
    kept = [block for block in blocks if block.get("block_id") != "buyer_message"]
    for block in kept:
        if block.get("block_id") == "about":
            block["text"] = {"type": "mrkdwn", "verbatim": True, "text": str(about).strip()}
    return {"text": str(words.summary(known)).strip(), "blocks": kept}
