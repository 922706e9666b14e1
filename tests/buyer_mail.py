"""Relayed buyer messages made for a test, in the layout of Amazon's US relay (the same layout
as tests/fixtures/buyer_mail/us-inquiry.eml), dated as the test needs."""

from datetime import datetime
from email.utils import format_datetime

NAME = "Robin Roe"


def relayed(order_id: str | None, text: str, *, received: datetime,
            alias: str = "q4kz8mr2b0x1c5d", message_id: str = "<m1.fake-relay@amazon.example>",
            references: str = "") -> bytes:
    """A buyer's message as Amazon's relay mails it to the seller."""
    about = f" (Order: {order_id})" if order_id else ""
    order_line = f"# {order_id}:\n1 / Riverside Ceramic Travel Mug | SKU RS-MUG12\n\n" if order_id else ""
    headers = [
        f'From: "{NAME} - Amazon Marketplace" <{alias}@marketplace.amazon.com>',
        f"Reply-To: {alias}@marketplace.amazon.com",
        "To: orders@riverside-goods.example",
        f"Subject: Shipping inquiry from Amazon customer {NAME}{about}",
        f"Date: {format_datetime(received)}",
        f"Message-ID: {message_id}",
        *([f"References: {references}"] if references else []),
        "X-Space-Notification-Type: BBC_MESSAGE_SENT_TO_MERCHANT",
        'Content-Type: text/plain; charset="utf-8"',
        "Content-Transfer-Encoding: 8bit",
        "MIME-Version: 1.0",
    ]
    body = (f"You have received a message.\n\n{order_line}"
            "------------- Begin message -------------\n\n"
            f"{text}\n\n"
            "------------- End message -------------\n\n"
            "Copyright 2026 Amazon, Inc. or its affiliates. All rights reserved.\n")
    return ("\r\n".join(headers) + "\r\n\r\n" + body.replace("\n", "\r\n")).encode("utf-8")
