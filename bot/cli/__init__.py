"""The `sellerbot` command: every feature answers in the terminal too.

One module per group of commands (orders, returns, replies, data, serve), each registering its
commands on `app`. Their heavy imports (the store, Slack, the rules, the SP-API client) happen
inside the commands, so `sellerbot --help` and every command start fast (bench/startup.py).
"""

import atexit
import gc
import io
import logging
import sys

# The command groups register their commands on `app` (in the order --help lists them).
from bot.cli import data, messages, orders, replies, returns, reviews, serve  # noqa: F401
from bot.cli.common import State, app, close_databases, error_line
from bot.errors import SellerbotError

__all__ = ["app", "main"]


def main() -> None:
    """Run the command line; errors print as one friendly line, tracebacks only with --debug."""
    # Python's exit walks every object left (the libraries' 90,000) with its cyclic collector,
    # pass after pass, to free what the process's end frees anyway: 0.1-0.25 s at the end of
    # every command (bench/import_orders.py). Frozen objects are not walked. Frozen at exit,
    # not now: a test calling main() in its own process keeps its collector whole. Unregistered
    # first, so that calling main() again registers it once.
    atexit.unregister(gc.freeze)
    atexit.register(gc.freeze)
    # A terminal or pipe in Latin-1 or cp437 cannot show "…" or a CJK title: a mark in their place,
    # not a list cut off half-way by an error.
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(errors="replace")
    try:
        app()
    except SellerbotError as exc:
        if State.debug:
            raise
        error_line(exc)
        sys.exit(exc.exit_code)
    except Exception as exc:
        if State.debug:
            raise
        known = _store_error(exc)
        if known is not None:
            error_line(known)
            sys.exit(known.exit_code)
        logging.getLogger(__name__).error("unexpected %s", type(exc).__name__)
        error_line(SellerbotError("unexpected", kind=type(exc).__name__))
        sys.exit(1)
    finally:
        close_databases()


def _store_error(exc: Exception) -> SellerbotError | None:
    """The database's own refusals that a user can act on (SQLite's lock held by another
    command, a read-only file), as errors with a message; None for anything else."""
    from sqlalchemy.exc import OperationalError

    from bot.cli.common import settings
    from bot.errors import StoreError
    from bot.wiring import safe_url

    if not isinstance(exc, OperationalError):
        return None
    said = str(exc.orig)
    if "database is locked" in said:
        return StoreError("db_locked", url=safe_url(settings().database_url))
    if "readonly database" in said:
        return StoreError("db_read_only", url=safe_url(settings().database_url))
    return None
