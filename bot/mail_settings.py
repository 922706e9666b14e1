"""The buyer-message settings (issue 20), part of Settings (bot/config.py): the seller's
mailbox that Amazon relays buyer messages to (IMAP_*), the server replies leave from (SMTP_*),
and how the messages are posted in Slack."""

from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings

from bot.domain.slack_ids import channel_id
from bot.errors import Problem


def comma_parts(value: str | None) -> list[str]:
    """A list setting's parts: separated by commas (or semicolons), spaces trimmed."""
    return [part.strip() for part in (value or "").replace(";", ",").split(",") if part.strip()]


class MailSettings(BaseSettings):
    """The settings of buyer messages: names are the environment variables, upper-cased."""

    # The mailbox Amazon relays buyer messages to (issue 20); read only, never changed.
    imap_host: str | None = None
    imap_port: int = Field(default=993, ge=1, le=65535)
    imap_security: Literal["tls", "starttls", "none"] = "tls"
    imap_user: str | None = None
    imap_password: SecretStr | None = None
    imap_folder: str = "INBOX"
    # Where replies go out (the seller's address registered with Amazon); the user and password
    # default to IMAP's, the sender to SMTP_USER.
    smtp_host: str | None = None
    smtp_port: int = Field(default=587, ge=1, le=65535)
    smtp_security: Literal["tls", "starttls", "none"] = "starttls"
    smtp_user: str | None = None
    smtp_password: SecretStr | None = None
    smtp_from: str | None = None
    # The Slack channel each buyer message is posted to, and whether its words are shown.
    buyer_messages_channel: str | None = None
    buyer_message_text: Literal["show", "hide"] = "show"
    # Hours after a message came when an unanswered one is brought up in its thread.
    buyer_message_reminders: str = "12,20"
    # How often the mailbox is looked at when the server cannot say (IMAP IDLE) it has mail.
    mailbox_poll_seconds: int = Field(default=60, ge=10, le=3600)


    @field_validator("buyer_messages_channel")
    @classmethod
    def _buyer_messages_channel(cls, value: str | None) -> str | None:
        if value is not None and value.strip() and channel_id(value.strip()) is None:
            raise Problem("not_channel_id", value=value)
        return value.strip() or None if value is not None else None

    @field_validator("buyer_message_reminders")
    @classmethod
    def _reminders(cls, value: str) -> str:
        hours = comma_parts(value)
        if not all(part.isdigit() and 0 < int(part) < 24 for part in hours):
            raise Problem("bad_reminders", value=value)
        return ",".join(sorted(set(hours), key=int))

    @property
    def mailbox_configured(self) -> bool:
        """Whether IMAP_HOST, IMAP_USER and IMAP_PASSWORD are all set."""
        return bool(self.imap_host and self.imap_user and self.imap_password
                    and self.imap_password.get_secret_value())

    @property
    def outbox_configured(self) -> bool:
        """Whether replies can be sent: SMTP_HOST, and a user and password (SMTP's or IMAP's)."""
        return bool(self.smtp_host and self.smtp_sender_user and self.smtp_secret)

    @property
    def smtp_sender_user(self) -> str | None:
        """SMTP_USER, else IMAP_USER."""
        return self.smtp_user or self.imap_user

    @property
    def smtp_secret(self) -> str | None:
        """SMTP_PASSWORD, else IMAP_PASSWORD."""
        secret = self.smtp_password or self.imap_password
        return secret.get_secret_value() if secret is not None else None

    @property
    def reply_sender(self) -> str:
        """The address replies go from: SMTP_FROM, else the SMTP user."""
        return self.smtp_from or self.smtp_sender_user or ""

    @property
    def reminder_hours(self) -> tuple[int, ...]:
        """BUYER_MESSAGE_REMINDERS as hours, earliest first (empty: no reminders)."""
        return tuple(int(part) for part in comma_parts(self.buyer_message_reminders))

    @property
    def buyer_messages_on(self) -> bool:
        """Buyer messages are posted: the mailbox and BUYER_MESSAGES_CHANNEL are set."""
        return self.mailbox_configured and self.buyer_messages_channel is not None
