"""Check reply in Slack: the message shortcut, /check-reply, the draft modal and "Share".

Nothing is posted for others to see until someone clicks "Share in channel": the shortcuts
answer in a modal only the clicker sees, /check-reply answers privately.
"""

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from slack_bolt import Ack, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.errors import BadInput
from bot.render import message
from bot.render.blocks import check_reply_message, check_reply_view, check_view, text_message
from bot.slack.actions import post_once
from bot.slack.failures import reported
from bot.slack.formatting import plain_text
from bot.slack.services import Services
from bot.usecases import reply_checks

log = logging.getLogger(__name__)


@contextmanager
def _check(services: Services, text: str, asker: reply_checks.Asker,
           in_reply_to: str | None = None) -> Iterator[reply_checks.Checked]:
    """The check, to answer with; audited once the answer is given (the audit waits for an
    import that holds SQLite's write lock, which must not keep the person waiting)."""
    assert services.checker is not None
    checked, audit = reply_checks.check_to_record(
        services.db, services.checker, text, asker, datetime.now(UTC),
        in_reply_to=in_reply_to, seller=services.seller)
    try:
        yield checked
    finally:  # audited whatever became of the answer (a modal closed meanwhile)
        services.after_ack("audit", None, reply_checks.record, services.db, [audit])


def on_message(services: Services) -> Callable[..., None]:
    """The "Check reply" message shortcut: a modal opens at once, the result fills it."""

    def listener(ack: Ack, shortcut: dict[str, Any], client: WebClient) -> None:
        ack()
        # The trigger id is good for about 3 seconds (slack.md §2): open the modal now, before
        # any work, and fill it in afterwards with views.update.
        opened = client.views_open(trigger_id=shortcut["trigger_id"],
                                   view=check_view("checking"))
        services.after_ack("message_action", None, _fill, services, shortcut,
                           opened["view"]["id"], client)

    return listener


def _fill(services: Services, shortcut: dict[str, Any], view_id: str,
          client: WebClient) -> None:
    """Check the message the shortcut was used on and put the result in the modal."""
    with reported("message_action"):
        try:
            _fill_view(services, shortcut, view_id, client)
        except SlackApiError as exc:
            if exc.response.get("error") != "not_found":
                raise
            # The person closed the modal before the result came: there is nothing to fill.
            log.info("check reply modal %s closed before its result", view_id)
        except Exception:
            client.views_update(view_id=view_id, view=check_view(
                "said", text=str(text_message("check_failed")["text"])))
            raise


def _fill_view(services: Services, shortcut: dict[str, Any], view_id: str,
               client: WebClient) -> None:
    posted = shortcut.get("message") or {}
    channel, user = shortcut["channel"]["id"], shortcut["user"]["id"]
    parent = _thread_parent(client, channel, posted)
    try:
        with _check(services, plain_text(posted.get("text") or ""),
                    reply_checks.Asker("shortcut", user, channel), parent) as checked:
            key = services.shares.keep(checked.result, channel,
                                       posted.get("thread_ts") or posted.get("ts"))
            client.views_update(view_id=view_id, view=check_reply_view(
                checked.result, share_value=key, context_used=parent is not None,
                review_order=checked.review_order))
    except BadInput as exc:
        client.views_update(view_id=view_id, view=check_view(
            "said", text=message("errors", exc.code, **exc.params)))


def _thread_parent(client: WebClient, channel: str, posted: dict[str, Any]) -> str | None:
    """The text of the message that started the thread `posted` is in: the buyer's message
    the draft answers, when the team keeps them that way. None outside a thread."""
    thread = posted.get("thread_ts")
    if not thread or thread == posted.get("ts"):
        return None
    try:
        replies = client.conversations_replies(channel=channel, ts=thread, limit=1,
                                               inclusive=True)
    except SlackApiError as exc:
        # Without the history scope or outside the channel, the check runs without context.
        log.info("no thread context in %s: %s", channel, exc.response.get("error", ""))
        return None
    found = replies.get("messages") or []
    return plain_text(found[0].get("text") or "") or None if found else None


def command(services: Services) -> Callable[..., None]:
    """/check-reply TEXT: the result privately, with "Share in channel"."""

    def listener(ack: Ack, command: dict[str, Any], respond: Respond) -> None:
        text = plain_text(command.get("text") or "")
        if not text.strip() or text.strip().lower() == "help":
            ack(**text_message("check_reply_help"))
            return
        ack()
        services.after_ack("/check-reply", respond, _answer, services, command, text, respond)

    return listener


def _answer(services: Services, command: dict[str, Any], text: str, respond: Respond) -> None:
    channel, user = command.get("channel_id") or "", command.get("user_id")
    try:
        with _check(services, text, reply_checks.Asker("command", user, channel or None)
                    ) as checked:
            key = services.shares.keep(checked.result, channel) if channel else None
            respond(**check_reply_message(checked.result, share_value=key,
                                          review_order=checked.review_order))
    except BadInput as exc:
        respond(**text_message("not_found", text=message("errors", exc.code, **exc.params)))


def draft_modal(services: Services) -> Callable[..., None]:
    """The global "Check a reply" shortcut: a modal with room for a long draft."""

    def listener(ack: Ack, shortcut: dict[str, Any], client: WebClient) -> None:
        ack()
        client.views_open(trigger_id=shortcut["trigger_id"], view=check_view("draft"))

    return listener


def draft_submitted(services: Services) -> Callable[..., None]:
    """The draft modal's "Check": the result replaces the form (the check takes milliseconds,
    well inside the 3 seconds a view submission has); the audit is written after."""

    def listener(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        values = view["state"]["values"]
        # A plain_text_input gives the text as typed: no Slack markup to decode, and decoding
        # would turn "<https://x|y>" or "<b>" into harmless words the check then misses.
        text = (values.get("draft", {}).get("text", {}).get("value")) or ""
        buyer = (values.get("buyer", {}).get("text", {}).get("value")) or None
        assert services.checker is not None
        try:
            result = reply_checks.check(services.checker, text, in_reply_to=buyer,
                                        region=services.seller.marketplace.country)
        except BadInput as exc:
            ack(response_action="errors",
                errors={"draft": message("errors", exc.code, **exc.params)[:150]})
            return
        ack(response_action="update",
            view=check_reply_view(result, context_used=buyer is not None))
        record = reply_checks.audit_record(
            text, result, reply_checks.Asker("modal", body["user"]["id"]), datetime.now(UTC))
        services.after_ack("view_submission", None, reply_checks.record, services.db, [record])

    return listener


def share(services: Services) -> Callable[..., None]:
    """"Share in channel" under a check: posts it once, in the thread it came from."""

    def listener(ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond,
                 client: WebClient) -> None:
        ack()
        answer = respond if body.get("response_url") else None
        services.after_ack("block_actions", answer, _share, services, body, action["value"],
                           respond, client)

    return listener


def _share(services: Services, body: dict[str, Any], key: str, respond: Respond,
           client: WebClient) -> None:
    user = body["user"]["id"]
    view = body.get("view")

    def show(result: Any = None, note: dict[str, Any] | None = None) -> None:
        if view is None:  # /check-reply's private message
            if note is not None:
                respond(**note, replace_original=False)
            else:
                respond(**check_reply_message(result, posted_by=user), replace_original=True)
        else:  # a shortcut's modal
            shown = (check_view("said", text=note["text"]) if note is not None
                     else check_reply_view(result, posted_by=user))
            client.views_update(view_id=view["id"], view=shown)

    kept = services.shares.get(key)
    if kept is None:
        show(note=text_message("check_expired"))
        return
    post_once(services, client, key, kept.channel,
              check_reply_message(kept.result, posted_by=user), thread_ts=kept.thread_ts,
              tell=lambda note: show(note=note), done=lambda: show(kept.result),
              already="check_already_shared")
