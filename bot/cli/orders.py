"""Orders and their deadlines: `orders`, `digest` and `confirm`."""

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from bot.cli.common import (
    AsOf,
    Json,
    app,
    as_of,
    database,
    echo,
    print_json,
    say,
    settings,
    width,
)
from bot.errors import BadInput

if TYPE_CHECKING:
    from bot.config import Settings

# `digest --post` exit statuses beyond 0 (posted) and 1 (failed), for scripts and cron.
EXIT_ALREADY_POSTED = 3
EXIT_BEING_POSTED = 75  # EX_TEMPFAIL, as for Busy: another process has it now; try later


@app.command()
def orders(
    what: Annotated[str, typer.Argument(
        metavar="[today|at-risk|late|unshipped|ORDER_ID]", hidden=True)] = "today",
    as_of_time: AsOf = None,
    as_json: Json = False,
) -> None:
    """List today's, at-risk, late or unshipped orders, or show one order.

    A list (today, the default; at-risk, late, unshipped) or one order by its id, or enough
    of it to be unique (123-4567890-1234567, 123-4567).
    """
    from bot import render, wiring
    from bot.render import data as render_data
    from bot.usecases import orders

    current = settings()
    moment = as_of(as_of_time, current)
    db = database(current)
    seller = wiring.seller_of(current)
    tz = current.timezone
    asked = orders.OrdersRequest.parse(what)
    if asked.kind == "help":
        raise BadInput("orders_what", text=what.strip()[:40])
    if asked.view is None:
        detail = orders.order_detail(db, seller, asked.order, moment)
        if as_json:
            print_json(render_data.order(detail, tz))
        else:
            echo(render.text("order", detail=detail, tz=tz, marketplace=seller.marketplace))
        return
    report = orders.orders_report(db, seller, asked.view, moment)
    if as_json:
        print_json(render_data.orders(report, tz))
    else:
        echo(render.text("orders", report=report, seller=seller, database=db.safe_url,
                         width=width()))


@app.command()
def digest(
    print_: Annotated[bool, typer.Option("--print", help="Print the digest here (the default).")
                      ] = False,
    post: Annotated[bool, typer.Option(
        "--post", help="Post today's digest to each DIGEST_CHANNEL now, unless already posted.")
    ] = False,
    force: Annotated[bool, typer.Option(
        "--force", help="With --post: post even if today's digest is already there.")] = False,
    as_of_time: AsOf = None,
    as_json: Json = False,
) -> None:
    """Build the morning digest: new, late, due today and due next business day, and the LSR."""
    from bot import render, wiring
    from bot.render import data as render_data
    from bot.usecases import digests

    if force and not post:
        raise BadInput("force_without_post")
    current = settings()
    if post:
        _post_digests(current, force=force)
        return
    moment = as_of(as_of_time, current)
    db = database(current)
    seller = wiring.seller_of(current)
    report = digests.digest(db, seller, moment)
    if as_json:
        print_json(render_data.digest(report, current.timezone))
    else:
        del print_  # printing is what digest does without --post
        echo(render.text("digest", digest=report, seller=seller, width=width()))


def _post_digests(current: "Settings", *, force: bool) -> None:
    """digest --post: the scheduler's own run, now, for every DIGEST_CHANNEL entry. A run that
    failed earlier is tried again at once: the person asking has likely fixed the cause."""
    from bot import jobs, render
    from bot.app import web_client

    if not current.digests:
        raise BadInput("no_digest_channel")
    runner = jobs.Digests(current, database(current), web_client(current))
    outcomes = [(s, runner.run(s, force=force, retry_failed_after=timedelta(0)))
                for s in current.digests]
    echo(render.text("digest_post", outcomes=outcomes, now=datetime.now(UTC),
                     tz=current.timezone))
    statuses = {o.status if o.status != "skipped" else o.why for _, o in outcomes}
    if "failed" in statuses:
        raise typer.Exit(1)
    if "running" in statuses:
        raise typer.Exit(EXIT_BEING_POSTED)
    # A day none is due for (weekdays-only digests at a weekend) is nothing to report.
    if "posted" not in {o.status for _, o in outcomes} and statuses != {"not_due"}:
        raise typer.Exit(EXIT_ALREADY_POSTED)


@app.command()
def confirm(
    order: Annotated[str, typer.Argument(metavar="ORDER_ID", show_default=False, hidden=True)],
    carrier: Annotated[str, typer.Option(metavar="CODE", help="Amazon's carrier code: USPS, UPS, "
                                         "FedEx, DHL, ..., or Other with --carrier-name.")],
    tracking: Annotated[str, typer.Option(metavar="NUMBER",
                                          help="The parcel's tracking number.")],
    ship_date: Annotated[str | None, typer.Option(
        "--ship-date", metavar="YYYY-MM-DD", help="When it left (default today, SELLER_TIMEZONE).")
    ] = None,
    carrier_name: Annotated[str | None, typer.Option(
        "--carrier-name", metavar="NAME", help="The carrier's name, with --carrier Other.")
    ] = None,
    method: Annotated[str | None, typer.Option(
        metavar="SERVICE", help="The service, e.g. 'UPS Ground'.")] = None,
) -> None:
    """Confirm an order's shipment to Amazon (once: confirming it again says it is done).

    ORDER_ID: the order's id, or enough of it to be unique.
    """
    from bot import render, wiring
    from bot.usecases import lookup, shipments
    from bot.wiring import orders_api

    current = settings()
    db = database(current)
    seller = wiring.seller_of(current)
    now = datetime.now(UTC)
    package = shipments.package_from(carrier, tracking, ship_date, carrier_name, method,
                                     today=now.astimezone(current.timezone).date())
    order_id = lookup.find_order_id(db, order)
    done = shipments.confirm(db, orders_api(current), seller, order_id, package, now=now)
    echo(render.text("confirm", done=done, tz=current.timezone))


@app.command("chart")
def chart(
    out: Annotated[Path, typer.Option("--out", help="Where to write the PNG.")] = Path(
        "week.png"),
    as_of_time: AsOf = None,
) -> None:
    """Draw the last 8 weeks' shipping health as a PNG: orders a day, the late ones, and the
    Late Shipment Rate against Amazon's limit (the chart the Monday digest carries)."""
    from bot import wiring
    from bot.render.chart import chart_png
    from bot.usecases.shipping_health import shipping_health

    if out.suffix.lower() != ".png":  # "week.svg" would hold a PNG under another name
        raise BadInput("not_png", path=str(out))
    current = settings()
    health = shipping_health(database(current), wiring.seller_of(current),
                             as_of(as_of_time, current))
    try:
        out.write_bytes(chart_png(health))
    except OSError as exc:
        raise BadInput("cannot_write", path=str(out), reason=exc.strerror or type(exc).__name__
                       ) from None
    say("notices", "chart_written", path=str(out), health=health)
