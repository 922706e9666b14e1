"""Buyer messages: `messages fetch` and `messages list` (issue 20, first part)."""

from datetime import UTC, datetime
from typing import Annotated

import typer

from bot.cli.common import Json, app, database, echo, print_json, settings

messages_app = typer.Typer(help="Buyer messages Amazon relays to your mailbox (IMAP_*).",
                           no_args_is_help=True, rich_markup_mode=None)
app.add_typer(messages_app, name="messages")


@messages_app.command("fetch")
def fetch() -> None:
    """Read the mail that came since the last look and list the new buyer messages; the
    mailbox is only read: nothing is marked, moved or deleted."""
    from bot import render, wiring
    from bot.usecases import messages

    current = settings()
    fetched = messages.fetch(database(current), wiring.mailbox(current), wiring.relay_rules(),
                             datetime.now(UTC))
    echo(render.text("messages_fetched", fetched=fetched, tz=current.timezone))


@messages_app.command("list")
def list_messages(
    unanswered: Annotated[bool, typer.Option("--unanswered", help="Only those not answered yet.")]
    = False,
    as_json: Json = False,
) -> None:
    """The buyer messages of the last 7 days, each with the time its answer is due."""
    from bot import render
    from bot.render import data as render_data
    from bot.usecases import messages

    current = settings()
    db, now = database(current), datetime.now(UTC)
    found = messages.listed(db, now, unanswered=unanswered)
    if as_json:
        print_json(render_data.messages(found))
    else:
        echo(render.text("messages", listed=found, status=messages.status(db, now), now=now,
                         tz=current.timezone))


@messages_app.command("record")
def record(as_json: Json = False) -> None:
    """The share of buyer messages answered within 24 hours, over 7 and 30 days, as Amazon
    measures your response time."""
    from bot import render
    from bot.render import data as render_data
    from bot.usecases import messages

    current = settings()
    status = messages.status(database(current), datetime.now(UTC))
    if as_json:
        print_json(render_data.response_record(status))
    else:
        echo(render.text("messages_record", status=status))
