"""Replies to buyers, sent over SMTP from the seller's address to the buyer's relay address,
in the thread of the buyer's mail (In-Reply-To and References). Amazon's relay passes on only
mail from an address the seller registered with it, and plain text (messaging.md §4).

A send ends one of three ways: accepted (the server said 250 to the message), refused (the
server said no before taking the message: nothing went, it may be tried again), or unknown (the
connection failed while the message was being handed over: it may have gone, so it is never
sent again blindly).
"""

import re
import smtplib
import ssl
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from bot.config import Settings
from bot.domain.buyer_messages import BuyerMessage
from bot.errors import SellerbotError

TIMEOUT_SECONDS = 30
# A server's words are kept this long (they are shown in Slack and stored with the send).
MAX_WORDS = 200
# An e-mail address inside a server's answer ("550 <x@marketplace.amazon.com>: unknown"): the
# buyer's relay address must reach neither the store nor Slack.
_ADDRESS = re.compile(r"<?[^\s<>@]+@[^\s<>@]+>?")


@dataclass(frozen=True)
class Sent:
    """How a send ended: "accepted", "refused" or "unknown", with the server's words."""

    outcome: str
    words: str = ""


class Outbox:
    """The SMTP server in the settings (SMTP_*), sending as SMTP_FROM."""

    def __init__(self, settings: Settings) -> None:
        if not settings.outbox_configured:
            raise SellerbotError("outbox_not_configured")
        assert settings.smtp_host and settings.smtp_sender_user and settings.smtp_secret
        self.host, self.port, self.security = (settings.smtp_host, settings.smtp_port,
                                               settings.smtp_security)
        self.user, self._password = settings.smtp_sender_user, settings.smtp_secret
        self.sender = settings.reply_sender

    def send(self, to: BuyerMessage, text: str, now: datetime) -> Sent:
        """Send `text` as the reply to the buyer's message `to`, dated `now`."""
        mail = reply(to, text, self.sender, now)
        context = ssl.create_default_context()
        try:
            server = (smtplib.SMTP_SSL(self.host, self.port, timeout=TIMEOUT_SECONDS,
                                       context=context) if self.security == "tls"
                      else smtplib.SMTP(self.host, self.port, timeout=TIMEOUT_SECONDS))
        except (OSError, smtplib.SMTPException) as exc:
            return Sent("refused", _words(exc))
        try:
            return self._hand_over(server, mail, context)
        finally:
            try:
                server.quit()
            except (OSError, smtplib.SMTPException):
                server.close()  # the connection is gone already

    def _hand_over(self, server: smtplib.SMTP, mail: EmailMessage,
                   context: ssl.SSLContext) -> Sent:
        try:
            if self.security == "starttls":
                server.starttls(context=context)
            server.login(self.user, self._password)
            code, words = server.mail(self.sender)
            if code != 250:
                return Sent("refused", _words(words))
            code, words = server.rcpt(str(mail["To"]))
            if code not in (250, 251):
                return Sent("refused", _words(words))
        except (OSError, smtplib.SMTPException) as exc:
            # Before DATA nothing was handed over: the reply did not go.
            return Sent("refused", _words(exc))
        try:
            code, words = server.data(mail.as_bytes())
        except smtplib.SMTPResponseException as exc:
            # The server answered and said no: the message was not taken.
            return Sent("refused", _words(exc.smtp_error))
        except (OSError, smtplib.SMTPException) as exc:
            # The connection failed while the message was handed over, or before the
            # server's answer: it may have been taken.
            return Sent("unknown", _words(exc))
        if code != 250:
            return Sent("refused", _words(words))
        return Sent("accepted", _words(words))


def reply(to: BuyerMessage, text: str, sender: str, now: datetime) -> EmailMessage:
    """The reply as a plain-text mail in the buyer's mail's thread."""
    mail = EmailMessage()
    mail["From"] = sender
    mail["To"] = to.relay_address
    subject = to.subject or (f"Order {to.order_id}" if to.order_id else "Your message")
    mail["Subject"] = subject if subject.lower().startswith("re:") else f"Re: {subject}"
    mail["Date"] = format_datetime(now)
    mail["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    if to.message_id:
        mail["In-Reply-To"] = to.message_id
        mail["References"] = " ".join(filter(None, (to.references, to.message_id)))
    mail.set_content(text)
    return mail


def _words(said: object) -> str:
    """A server's answer (or a connection's failure) in a few words, with no address in it."""
    if isinstance(said, bytes):
        said = said.decode("utf-8", "replace")
    if isinstance(said, smtplib.SMTPResponseException):
        said = f"{said.smtp_code} {_words(said.smtp_error)}"
    elif isinstance(said, BaseException):
        said = str(said) or type(said).__name__
    words = " ".join(_ADDRESS.sub("[address]", str(said)).split())
    return words[:MAX_WORDS]
