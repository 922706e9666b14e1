"""Returns: `can-return`."""

from typing import Annotated

import typer

from bot.cli.common import Json, app, as_of_day_or_time, database, echo, print_json, settings


@app.command("can-return")
def can_return(
    order_id: Annotated[str, typer.Argument(metavar="ORDER_ID", hidden=True)],
    as_of: Annotated[str | None, typer.Option(
        "--as-of", metavar="YYYY-MM-DD", help="Answer for this day (default now); a time "
        "such as 2026-12-24T10:00 (in SELLER_TIMEZONE unless it gives its offset) means its "
        "day in the order's marketplace, as Amazon's return-by dates are.")] = None,
    as_json: Json = False,
) -> None:
    """Can this order still be returned, until when, for what refund; with the reasons.

    ORDER_ID: e.g. 123-4567890-1234567, or enough of it to be unique (123-4567).
    """
    from bot import render, wiring
    from bot.render import data as render_data
    from bot.usecases import returns

    current = settings()
    asked = as_of_day_or_time(as_of, current)
    db = database(current)
    seller = wiring.seller_of(current)
    answer = returns.can_return(db, seller, order_id, asked)
    if as_json:
        print_json(render_data.can_return(answer))
    else:
        echo(render.text("can_return", answer=answer, tz=current.timezone))
