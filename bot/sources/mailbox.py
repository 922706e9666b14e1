"""The seller's mailbox over IMAP (IMAPClient): the mail that arrived since the last look, by
UID. The folder is opened read-only (EXAMINE) and messages are fetched with BODY.PEEK, so
sellerbot never marks, moves or deletes the seller's mail.
"""

import logging
import ssl
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime

from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError, LoginError

from bot.config import Settings
from bot.errors import SellerbotError

# imaplib, through IMAPClient, logs every line the server sends at DEBUG: whole mails, with the
# buyer's words, name and relay address. Never, whatever --debug says.
logging.getLogger("imapclient").setLevel(logging.WARNING)

# Messages fetched per look: a mailbox full of old mail is read over several looks.
PER_LOOK = 200
# Mail larger than this is fetched at its headers only (photos attached): bot/sources/
# buyer_mail.py reads it as a message whose text stays in the mailbox.
MAX_FETCH_BYTES = 12 * 1024 * 1024
TIMEOUT_SECONDS = 30


@dataclass(frozen=True)
class Mail:
    """One message as the mailbox holds it: its UID, arrival time and raw bytes."""

    uid: int
    arrived: datetime
    raw: bytes
    # False for mail too large to fetch whole: `raw` is its headers.
    whole: bool = True


@dataclass(frozen=True)
class Look:
    """What one look at the folder found: its UIDVALIDITY, and the mail after the cursor."""

    uidvalidity: int
    mail: list[Mail]
    # More mail is waiting beyond PER_LOOK.
    more: bool = False


class Mailbox:
    """The folder IMAP_FOLDER of the mailbox in the settings."""

    def __init__(self, settings: Settings) -> None:
        if not settings.mailbox_configured:
            raise SellerbotError("mailbox_not_configured")
        assert settings.imap_host and settings.imap_user and settings.imap_password
        self.host, self.port, self.security = (settings.imap_host, settings.imap_port,
                                               settings.imap_security)
        self.user, self.folder = settings.imap_user, settings.imap_folder
        self._password = settings.imap_password.get_secret_value()
        # The folder's next UID at the last wait_for_mail (None before the first).
        self._next_uid: int | None = None

    def look(self, uidvalidity: int | None, after_uid: int) -> Look:
        """The mail after UID `after_uid` (all of it when the folder's UIDVALIDITY is no longer
        `uidvalidity`: its UIDs were renumbered)."""
        with self._connected() as client:
            selected = client.select_folder(self.folder, readonly=True)
            validity = int(selected[b"UIDVALIDITY"])
            after = after_uid if validity == uidvalidity else 0
            # "N:*" always names the last message, even one at or below N: filtered here.
            uids = sorted(uid for uid in client.search(["UID", f"{after + 1}:*"]) if uid > after)
            batch = uids[:PER_LOOK]
            mail = _fetched(client, batch)
        return Look(validity, mail, more=len(uids) > len(batch))

    def read(self, uidvalidity: int, uids: list[int]) -> list[Mail]:
        """The messages `uids` again, as the mailbox holds them now: those the seller deleted,
        or all when the folder's UIDs were renumbered, are missing from the answer."""
        with self._connected() as client:
            selected = client.select_folder(self.folder, readonly=True)
            if int(selected[b"UIDVALIDITY"]) != uidvalidity or not uids:
                return []
            return _fetched(client, sorted(uids))

    def wait_for_mail(self, seconds: float) -> bool | None:
        """Wait up to `seconds` for the server to say mail came (IMAP IDLE, RFC 2177): True
        when it did, False when the time ran out, None when the server cannot say (no IDLE):
        then only looking now and then finds new mail. Mail that came between two waits (or
        before the first) is said at once: the folder's next UID moved."""
        with self._connected() as client:
            if b"IDLE" not in client.capabilities():
                return None
            selected = client.select_folder(self.folder, readonly=True)
            next_uid = int(selected.get(b"UIDNEXT", 0))
            seen, self._next_uid = self._next_uid, next_uid
            if seen != next_uid:
                return True
            client.idle()
            try:
                said = client.idle_check(timeout=seconds)
            finally:
                client.idle_done()
        # "* 12 EXISTS": the folder has a message more.
        return any(len(line) > 1 and line[1] == b"EXISTS" for line in said)

    @contextmanager
    def _connected(self) -> Iterator[IMAPClient]:
        """A logged-in client; the server's refusals and silences as SellerbotErrors."""
        try:
            context = ssl.create_default_context()
            client = IMAPClient(self.host, port=self.port, ssl=self.security == "tls",
                                ssl_context=context, timeout=TIMEOUT_SECONDS)
            if self.security == "starttls":
                client.starttls(context)
            client.login(self.user, self._password)
            # Arrival times with their offsets, not turned into this machine's local time.
            client.normalise_times = False
        except LoginError:
            raise SellerbotError("mailbox_refused", user=self.user, host=self.host) from None
        except (OSError, IMAPClientError) as exc:
            raise SellerbotError("mailbox_unreachable", host=self.host, port=self.port,
                                 reason=type(exc).__name__) from None
        try:
            yield client
        except (OSError, IMAPClientError) as exc:
            raise SellerbotError("mailbox_unreachable", host=self.host, port=self.port,
                                 reason=type(exc).__name__) from None
        finally:
            # The connection may already be gone: nothing to close then.
            with suppress(OSError, IMAPClientError):
                client.logout()


def _fetched(client: IMAPClient, uids: list[int]) -> list[Mail]:
    """The messages `uids` (those still there): whole, or at their headers when too large."""
    if not uids:
        return []
    sizes = client.fetch(uids, ["RFC822.SIZE", "INTERNALDATE"])
    there = [u for u in uids if u in sizes]
    small = [u for u in there if sizes[u][b"RFC822.SIZE"] <= MAX_FETCH_BYTES]
    bodies = client.fetch(small, ["BODY.PEEK[]"]) if small else {}
    large = [u for u in there if u not in bodies]
    headers = client.fetch(large, ["BODY.PEEK[HEADER]"]) if large else {}
    return [Mail(uid, _utc(sizes[uid][b"INTERNALDATE"]), bodies[uid][b"BODY[]"])
            if uid in bodies else
            Mail(uid, _utc(sizes[uid][b"INTERNALDATE"]), headers[uid][b"BODY[HEADER]"],
                 whole=False)
            for uid in there]


def _utc(moment: datetime) -> datetime:
    # INTERNALDATE carries the server's offset (normalise_times off); a naive one is UTC.
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
