"""Review requests: `reviews due` and `reviews request`, Amazon's "Request a Review"."""

from datetime import UTC, datetime
from typing import Annotated

import typer

from bot.cli.common import Json, app, database, echo, print_json, settings

reviews_app = typer.Typer(help="Amazon's \"Request a Review\" for your orders, once each.",
                          no_args_is_help=True, rich_markup_mode=None)
app.add_typer(reviews_app, name="reviews")


@reviews_app.command("due")
def due(as_json: Json = False) -> None:
    """The orders a review request is due for now, and why the others of the last weeks are
    not asked."""
    from bot import render, wiring
    from bot.render import data as render_data
    from bot.usecases import reviews

    current = settings()
    seller = wiring.seller_of(current)
    report = reviews.reviews_due(database(current), seller, datetime.now(UTC))
    if as_json:
        print_json(render_data.reviews(report))
    else:
        echo(render.text("reviews", report=report, tz=current.timezone,
                         enabled=seller.reviews.enabled))


@reviews_app.command("request")
def request(
    order_id: Annotated[str | None, typer.Argument(metavar="[ORDER_ID]", show_default=False)]
    = None,
    all_due: Annotated[bool, typer.Option("--due", help="Every order it is due for.")] = False,
) -> None:
    """Send Amazon's "Request a Review" for ORDER_ID, or with --due for every order it is
    due for: each order once, however often or from however many places it is asked."""
    from bot import render, wiring
    from bot.errors import BadInput, SellerbotError
    from bot.usecases import reviews

    current = settings()
    if (order_id is None) == (not all_due):
        raise BadInput("reviews_request_what")
    if current.review_requests == "off":
        raise SellerbotError("reviews_off")
    db, seller = database(current), wiring.seller_of(current)
    api = wiring.solicitations_api(current)
    if all_due:
        done = reviews.request_due(
            db, api, seller, datetime.now(UTC),
            done=lambda sent: echo(render.text("reviews_sent", results=[sent])))
        if done.demo or not done.results:
            echo(render.text("reviews_sent", results=[], demo=done.demo))
    else:
        sent = reviews.request_review(db, api, seller, order_id or "", datetime.now(UTC))
        echo(render.text("reviews_sent", results=[sent]))
