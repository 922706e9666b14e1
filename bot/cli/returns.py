"""Returns: `can-return`."""

from datetime import UTC, date, datetime
from typing import Annotated

import typer

from bot.cli.common import Json, app, database, echo, plausible, print_json, settings
from bot.errors import BadInput


@app.command("can-return")
def can_return(
    order_id: Annotated[str, typer.Argument(
        metavar="ORDER_ID", help="e.g. 123-4567890-1234567, or enough of it to be unique")],
    as_of: Annotated[str | None, typer.Option(
        "--as-of", metavar="YYYY-MM-DD", help="Answer for this day (default today).")] = None,
    as_json: Json = False,
) -> None:
    """Can this order still be returned, until when, for what refund; with the reasons."""
    from bot import render, reports
    from bot.render import data as render_data

    current = settings()
    if as_of is None:
        today = datetime.now(UTC).astimezone(current.timezone).date()
    else:
        try:
            today = plausible(date.fromisoformat(as_of.strip()), "--as-of")
        except ValueError:
            raise BadInput("as_of_malformed", text=as_of.strip()[:40]) from None
    db = database(current)
    seller = reports.seller_of(current)
    answer = reports.can_return(db, seller, order_id, today)
    if as_json:
        print_json(render_data.can_return(answer))
    else:
        echo(render.text("can_return", answer=answer, tz=current.timezone))
