"""Errors a user can cause and fix: each names a message in templates/text/errors.txt.j2."""

from typing import Any


class SellerbotError(Exception):
    """A problem the user can act on; rendered from its template, never as a traceback."""

    code = "error"
    exit_code = 1

    def __init__(self, code: str | None = None, /, **params: Any) -> None:
        self.code = code or self.code
        self.params = params
        super().__init__(f"{self.code}: {params}")


class Problem(ValueError):
    """What is wrong with one value, by code (templates/text/values.txt.j2) and parameters."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


class ConfigError(SellerbotError):
    """A setting has a value sellerbot cannot use."""

    code = "config_invalid"
    exit_code = 2


class StoreError(SellerbotError):
    """The database cannot be reached or is at the wrong schema version."""


class ImportRejected(SellerbotError):
    """A file was not imported; nothing from it was committed."""

    code = "file_rejected"


class NotFound(SellerbotError):
    """The thing asked for is not in the database."""

    exit_code = 3


class SpApiFailed(SellerbotError):
    """Amazon's Selling Partner API refused or failed a call: its status, Amazon's error code
    and message, or one of sellerbot's own codes for an answer it cannot use."""

    code = "sp_api_failed"


class BadInput(SellerbotError):
    """The user typed something sellerbot cannot read."""

    exit_code = 2


def problem_of(error: Any) -> dict[str, Any]:
    """A pydantic error as a Problem's code and parameters, for templates/text/values.txt.j2.

    sellerbot's own validators raise Problem; pydantic's own checks (a number that is not one,
    out of bounds, not one of the choices) are named by pydantic's error type.
    """
    raised = error.get("ctx", {}).get("error")
    if isinstance(raised, Problem):
        return {"problem": raised.code, "params": raised.params}
    context = {k: v for k, v in error.get("ctx", {}).items() if isinstance(v, str | int | float)}
    return {"problem": error["type"], "params": {"message": error["msg"], **context}}


class Busy(SellerbotError):
    """Another process is doing the same work now; nothing was done, and trying again later
    will do it."""

    # EX_TEMPFAIL (sysexits.h), "a temporary failure; the user is invited to retry later":
    # a cron job or script can tell "busy" from "broken" (exit 1).
    exit_code = 75
