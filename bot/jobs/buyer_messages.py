"""Buyer messages into Slack: each new one posted once in BUYER_MESSAGES_CHANNEL (claimed in
the database first; a claim taken over from a stopped process reads Slack's history before
posting), and the reminders in each unanswered one's thread, each once.

Every process runs this every MAILBOX_POLL_SECONDS (sooner when the mailbox says it has new
mail: IMAP IDLE); the database decides who posts what.
"""

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot import wiring
from bot.config import Settings
from bot.errors import SellerbotError
from bot.jobs.slack_calls import Unknown, call, landed, rate_limited
from bot.render import message
from bot.render.blocks import text_message
from bot.render.buyer_blocks import buyer_message_post
from bot.usecases import message_posts, messages, runs
from bot.wiring import Database

log = logging.getLogger(__name__)

# Posts carry this, with the message's key, so that a process taking over a stopped one's
# claim can see the post it made.
METADATA_EVENT = "sellerbot_buyer_message"
# Looks at the mailbox per run: more mail than this waits for the next run.
LOOKS_PER_RUN = 5
# One IMAP IDLE lasts this long before it is started again: servers end an IDLE after 30
# minutes (RFC 2177), and some middleboxes drop a connection quiet for much less.
IDLE_SECONDS = 300
# After the mailbox could not be reached, the watch waits this long (the poll goes on).
IDLE_RETRY_SECONDS = 60


@dataclass
class Run:
    """What one run did: messages read, posted, found already posted, failed; reminders."""

    fetched: int = 0
    posted: int = 0
    found_posted: int = 0
    failed: list[str] = field(default_factory=list)
    reminded: int = 0


class BuyerMessagePosts:
    """Reads the mailbox and posts what came to BUYER_MESSAGES_CHANNEL."""

    def __init__(self, settings: Settings, db: Database, client: WebClient, *,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        assert settings.buyer_messages_channel is not None
        self.settings, self.db, self.client, self.clock = settings, db, client, clock
        self.channel = settings.buyer_messages_channel
        self.seller = wiring.seller_of(settings)
        self.mailbox = wiring.mailbox(settings)
        self.rules = wiring.relay_rules()
        self.owner = runs.owner_id()

    def run(self) -> Run:
        """Read the new mail, post every buyer message not posted yet, send the reminders."""
        done = Run()
        try:
            fetched = self._fetch(done)
            for post in message_posts.to_post(self.db, self.mailbox, self.rules, self.seller,
                                              self.owner, self.clock(), fetched):
                self._post(post, done)
        except SellerbotError as exc:  # the mailbox is down: the next run tries again
            log.warning("buyer messages: %s", message("errors", exc.code, **exc.params))
            done.failed.append(exc.code)
        self._remind(done)
        return done

    def _fetch(self, done: Run) -> list[Any]:
        fetched: list[Any] = []
        for _ in range(LOOKS_PER_RUN):
            look = messages.fetch(self.db, self.mailbox, self.rules, self.clock())
            fetched += look.new
            if not look.more:
                break
        done.fetched = len(fetched)
        return fetched

    def _post(self, post: message_posts.ToPost, done: Run) -> None:
        """Post one message, unless a taken-over claim's post is in the channel already."""
        key = post.known.key
        if post.taken_over:
            try:
                ts = landed(self.client, self.channel, post.known.received_at,
                            METADATA_EVENT, {"key": key})
            except (SlackApiError, Unknown) as exc:
                # Nobody can tell whether it landed: the claim stays, and the next process to
                # take it over reads the history again. Released, it would be posted blindly.
                log.warning("buyer message post: Slack's history could not be read (%s)",
                            type(exc).__name__)
                done.failed.append(type(exc).__name__)
                return
            if ts is not None:
                message_posts.posted(self.db, key, self.owner, self.channel, ts)
                done.found_posted += 1
                return
        if not message_posts.still_ours(self.db, key, self.owner, self.clock()):
            return  # taken over while this process posted the ones before it
        try:
            answer = call(self.client.chat_postMessage, channel=self.channel,
                          unfurl_links=False, unfurl_media=False,
                          metadata={"event_type": METADATA_EVENT, "event_payload": {"key": key}},
                          **buyer_message_post(post, self.seller, self.clock(),
                                               show_text=self.settings.buyer_message_text
                                               == "show",
                                               can_send=self.settings.outbox_configured))
        except Unknown as lost:
            # It may have landed: the claim stays, goes stale, and whoever takes it over reads
            # the channel's history first.
            log.warning("buyer message post: Slack's answer was lost (%s)", lost)
            done.failed.append(str(lost))
            return
        except SlackApiError as exc:
            error = str(exc.response.get("error") or exc.response.status_code)
            log.error("buyer message post refused by Slack: %s", error)
            message_posts.release(self.db, key, self.owner)
            done.failed.append(error)
            return
        message_posts.posted(self.db, key, self.owner, self.channel, str(answer["ts"]))
        done.posted += 1

    def _remind(self, done: Run) -> None:
        """Each reminder due, in its message's thread: claimed first, so never twice (one
        Slack refuses is logged, not tried again; one it rate-limits, the next run posts)."""
        now = self.clock()
        for due in message_posts.reminders(self.db, now, self.settings.reminder_hours):
            try:
                call(self.client.chat_postMessage, channel=due.known.channel,
                     thread_ts=due.known.post_ts,
                     **text_message("buyer_reminder", number=due.number, reply_by=due.reply_by,
                                    now=now, tz=self.seller.timezone))
                done.reminded += 1
            except SlackApiError as exc:
                log.error("buyer message reminder not posted: %s",
                          exc.response.get("error") or exc.response.status_code)
                if rate_limited(exc):  # Slack did nothing for now: the next run posts it
                    message_posts.not_reminded(self.db, due)
            except Unknown as exc:
                log.error("buyer message reminder not posted: %s", exc)



def watch(mailbox: Any, wake: Callable[[], object], stopping: threading.Event) -> None:
    """Wake the posting job as soon as the mailbox says mail came (IMAP IDLE), until
    `stopping` is set; return at once when the server cannot say (the poll alone then)."""
    while not stopping.is_set():
        try:
            came = mailbox.wait_for_mail(IDLE_SECONDS)
        except SellerbotError as exc:
            log.warning("buyer messages: %s", message("errors", exc.code, **exc.params))
            stopping.wait(IDLE_RETRY_SECONDS)
            continue
        if came is None:
            log.info("buyer messages: the mailbox offers no IMAP IDLE; new mail is found "
                     "every MAILBOX_POLL_SECONDS")
            return
        if came:
            wake()
