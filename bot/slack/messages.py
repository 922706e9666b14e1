"""Buyer messages in Slack: "Draft reply" (a modal whose draft is checked before "Send" is
offered, then sent after the ack) and "No response needed" under each message's post.

Sending once is bot/usecases/buyer_replies.py's; the post itself is the job's
(bot/jobs/buyer_messages.py).
"""

import hashlib
import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from slack_bolt import Ack, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.errors import BadInput, SellerbotError
from bot.render import message
from bot.render.blocks import text_message
from bot.render.buyer_blocks import answered_post, buyer_reply_status, buyer_reply_view
from bot.slack.failures import carried_on, show_in_view
from bot.slack.services import Services
from bot.usecases import buyer_replies, reply_checks


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def draft(services: Services) -> Callable[..., None]:
    """"Draft reply": the modal opens at once (a trigger lasts 3 seconds)."""

    def listener(ack: Ack, action: dict[str, Any], body: dict[str, Any],
                 client: WebClient) -> None:
        ack()
        key = str(action.get("value") or "")
        try:
            known = buyer_replies.answer_state(services.db, key, datetime.now(UTC))
        except SellerbotError as exc:
            client.views_open(trigger_id=body["trigger_id"], view=buyer_reply_status(
                "said", text=message("errors", exc.code, **exc.params)))
            return
        if known.outcome is not None or known.reply_state in (buyer_replies.SENDING,
                                                              buyer_replies.SENT):
            said = text_message("buyer_already_answered", known=known)["text"]
            client.views_open(trigger_id=body["trigger_id"],
                              view=buyer_reply_status("said", text=said))
            return
        unknown = known.reply_state == buyer_replies.UNKNOWN
        notice = text_message("buyer_unknown_warning")["text"] if unknown else None
        meta = json.dumps({"key": key, "unknown": unknown, "checked": None})
        client.views_open(trigger_id=body["trigger_id"],
                          view=buyer_reply_view(meta, notice=notice))

    return listener


def draft_submitted(services: Services) -> Callable[..., None]:
    """The modal's "Check", then "Send": a draft is checked (milliseconds, inside the view
    submission's 3 seconds); once a check of this very text passed, it is sent after the ack."""

    def listener(ack: Ack, body: dict[str, Any], view: dict[str, Any],
                 client: WebClient) -> None:
        meta = json.loads(view.get("private_metadata") or "{}")
        text = view["state"]["values"].get("draft", {}).get("text", {}).get("value") or ""
        if meta.get("checked") == _digest(text):
            # This very text passed its check: send it (sending checks it once more).
            ack(response_action="update", view=buyer_reply_status("working"))
            services.after_ack("view_submission", None, _send, services, meta, text,
                               body["user"]["id"], body["view"]["id"], client, outside=True)
            return
        assert services.checker is not None
        try:
            result = reply_checks.check(services.checker, text,
                                        region=services.seller.marketplace.country)
        except BadInput as exc:
            ack(response_action="errors",
                errors={"draft": message("errors", exc.code, **exc.params)[:150]})
            return
        ready = result.verdict != "block"
        checked = {**meta, "checked": _digest(text) if ready else None}
        ack(response_action="update", view=buyer_reply_view(
            json.dumps(checked), text, result=result, ready=ready,
            changed=meta.get("checked") not in (None, _digest(text)),
            sender=services.settings.reply_sender))

    return listener


# The thread note for each way a send can end.
NOTES = {buyer_replies.SENT: "buyer_reply_sent", buyer_replies.FAILED: "buyer_reply_failed",
         buyer_replies.UNKNOWN: "buyer_reply_unknown", buyer_replies.BLOCKED: "buyer_reply_blocked",
         buyer_replies.GONE: "buyer_reply_gone",
         buyer_replies.ANSWERED: "buyer_already_answered"}


def _send(services: Services, meta: dict[str, Any], text: str, user: str, view_id: str,
          client: WebClient) -> None:
    """Send once; say how it went in the modal and in the message's thread, and mark the
    post answered when it went."""
    assert services.checker is not None
    try:
        replied = buyer_replies.send_reply(
            services.db, checker=services.checker, mailbox=services.mailbox,
            rules=services.relay_rules, outbox=services.outbox, seller=services.seller,
            key=str(meta.get("key") or ""), text=text, by=user, now=datetime.now(UTC),
            after_unknown=bool(meta.get("unknown")))
    except SellerbotError as exc:  # no mail server set up, the mailbox unreachable
        _said(client, view_id, message("errors", exc.code, **exc.params))
        return
    note = text_message(NOTES[replied.status], user=user, words=replied.words,
                        known=replied.known)
    _said(client, view_id, note["text"])
    known = replied.known
    if known.channel and known.post_ts and replied.status != buyer_replies.ANSWERED:
        with carried_on("send_reply", "the thread's note"):
            client.chat_postMessage(channel=known.channel, thread_ts=known.post_ts, **note)
    if replied.status == buyer_replies.SENT:
        with carried_on("send_reply", "marking the post answered"):
            _mark_answered(services, client, known)


def _said(client: WebClient, view_id: str, text: str) -> None:
    """How the send went, in the modal: one closed meanwhile is no reason to leave the thread
    without its note or the post unanswered."""
    show_in_view(client, view_id, buyer_reply_status("said", text=text), "reply")


def _mark_answered(services: Services, client: WebClient, known: Any,
                   blocks: list[dict[str, Any]] | None = None) -> None:
    """The post says who answered, and loses its buttons."""
    if not (known.channel and known.post_ts):
        return
    if blocks is None:
        try:
            found = client.conversations_history(channel=known.channel, latest=known.post_ts,
                                                 inclusive=True, limit=1)
        except SlackApiError:
            return  # the thread says it was answered; the post keeps its buttons
        posts = [m for m in found.get("messages") or [] if m.get("ts") == known.post_ts]
        if not posts:
            return
        blocks = posts[0].get("blocks") or []
    client.chat_update(channel=known.channel, ts=known.post_ts,
                       **answered_post(blocks, known, services.seller, datetime.now(UTC)))


def no_response(services: Services) -> Callable[..., None]:
    """"No response needed": recorded once; the post says so and loses its buttons."""

    def listener(ack: Ack, action: dict[str, Any], body: dict[str, Any], respond: Respond,
                 client: WebClient) -> None:
        ack()
        services.after_ack("no_buyer_response", respond, _no_response, services,
                           str(action.get("value") or ""), body["user"]["id"],
                           (body.get("message") or {}).get("blocks"), respond, client)

    return listener


def _no_response(services: Services, key: str, user: str,
                 blocks: list[dict[str, Any]] | None, respond: Respond,
                 client: WebClient) -> None:
    try:
        replied = buyer_replies.no_response(services.db, key, user, datetime.now(UTC))
    except SellerbotError as exc:  # a message cleaned up since (RETENTION_DAYS)
        respond(text=message("errors", exc.code, **exc.params), replace_original=False)
        return
    known = replied.known
    if replied.status == buyer_replies.ANSWERED or not (known.channel and known.post_ts):
        return  # a second click, or a post made elsewhere: nothing more to say
    with carried_on("no_buyer_response", "the thread's note"):
        client.chat_postMessage(channel=known.channel, thread_ts=known.post_ts, **text_message(
            "buyer_no_response", user=user, url=services.seller.marketplace.messages_url))
    with carried_on("no_buyer_response", "marking the post"):
        _mark_answered(services, client, known, blocks)
