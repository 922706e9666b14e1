"""`sellerbot console`: the Slack commands in a terminal, with the same answers.

The way to try sellerbot without a Slack workspace. Commands come from the keyboard with a
prompt, or one per line from standard input when it is not a terminal.
"""

import contextlib
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import TextIO

from bot import render
from bot.compliance import Checker
from bot.compliance.loading import checker as compliance_checker
from bot.errors import SellerbotError
from bot.usecases import orders, reply_checks, returns, reviews, sellers
from bot.wiring import Database

PROMPT = "sellerbot> "


def _lines(source: TextIO, interactive: bool) -> Iterator[str]:
    if not interactive:
        yield from source
        return
    with contextlib.suppress(ImportError):
        import readline  # noqa: F401 - line editing and history at the prompt
    while True:
        try:
            yield input(PROMPT)
        except EOFError:
            return


def answer(db: Database, seller: sellers.Seller, line: str, checker: Checker | None = None
           ) -> str | None:
    """The terminal answer to one command line; None ends the console."""
    command, _, rest = line.strip().partition(" ")
    command = command.lower()
    if command in ("quit", "exit", "/quit", "/exit"):
        return None
    now = datetime.now(UTC)
    if command == "/orders":
        asked = orders.OrdersRequest.parse(rest)
        if asked.kind == "help":
            return render.text("console", topic="orders")
        try:
            if asked.view is not None:
                report = orders.orders_report(db, seller, asked.view, now)
                return render.text("orders", report=report, seller=seller)
            detail = orders.order_detail(db, seller, asked.order, now)
        except SellerbotError as exc:
            return render.message("errors", exc.code, **exc.params)
        return render.text("order", detail=detail, tz=seller.timezone,
                           marketplace=seller.marketplace)
    if command == "/can-return":
        if not rest.strip():
            return render.text("console", topic="can-return")
        try:
            found = returns.can_return(db, seller, rest, now)
        except SellerbotError as exc:
            return render.message("errors", exc.code, **exc.params)
        return render.text("can_return", answer=found, tz=seller.timezone)
    if command == "/check-reply":
        if not rest.strip() or rest.strip().lower() == "help":
            return render.text("console", topic="check-reply")
        try:
            checked = reply_checks.check_and_record(
                db, checker or compliance_checker(), rest, reply_checks.Asker("console"), now,
                seller=seller)
        except SellerbotError as exc:
            return render.message("errors", exc.code, **exc.params)
        return render.text("check_reply", result=checked.result,
                           review_order=checked.review_order)
    if command == "/reviews":
        # As in Slack, a list: sending needs the SP-API (`sellerbot reviews request`).
        report = reviews.reviews_due(db, seller, now)
        return render.text("reviews", report=report, tz=seller.timezone,
                           enabled=seller.reviews.enabled)
    return render.text("console", topic="help")


def run(db: Database, seller: sellers.Seller, source: TextIO, echo: Callable[[str], None], *,
        interactive: bool, checker: Checker | None = None) -> None:
    """Answer commands until `quit` or the end of input."""
    if interactive:
        echo(render.text("console", topic="welcome"))
    for line in _lines(source, interactive):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        reply = answer(db, seller, line, checker)
        if reply is None:
            return
        echo(reply)
