"""The files of an import: each opened and recognised, their order, and a parser process
started on the first before anything else loads.

Nothing here loads the store or its libraries (SQLAlchemy), so `sellerbot import` starts its
parser process first: the process loads its own modules and the holiday tables while this one
loads the settings, the rules and the database's libraries (bot/usecases/import_pipeline.py).
"""

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from bot.errors import BadInput, ImportRejected
from bot.paths import file_problem
from bot.sources.files import SourceFile, Unrecognized, open_source
from bot.usecases import import_pipeline


@contextmanager
def opened(path: Path, encoding: str) -> Iterator[SourceFile]:
    """Open and recognise `path`, turning every way a file can be wrong into a user-facing error."""
    problem = file_problem(path)
    if problem is not None:
        raise ImportRejected(problem, path=str(path))
    try:
        with open_source(path, encoding) as source:
            yield source
    except Unrecognized as exc:
        raise ImportRejected("file_unrecognized", path=str(path), why=str(exc)) from None
    except OSError as exc:
        raise ImportRejected("file_unreadable", path=str(path), reason=exc.strerror) from None


@contextmanager
def parsing_ahead(path: Path | None, encoding: str
                  ) -> Iterator[import_pipeline.ParserProcess | None]:
    """A parser process started on `path` now, for the `import_file` of it that follows: it
    loads while the caller loads the rest (0.2-0.3 s of a 200,000-row import,
    bench/import_orders.py), and parses once handed the seller and the row makers
    (imports.hand_over; import_file hands them itself otherwise). None where `path` imports
    in-process, or import_file will say what is wrong with it. Stopped on leaving, used or
    not."""
    try:
        if path is None or file_problem(path) is not None:
            raise Unrecognized("not a file")
        with open_source(path, encoding) as source:
            size, parts = source.size, import_pipeline.parts_of(source)
    except (Unrecognized, OSError):
        size = 0
    if not import_pipeline.worthwhile(size):
        yield None
        return
    assert path is not None
    process = import_pipeline.ParserProcess(path, encoding, parts)
    try:
        yield process
    finally:
        process.stop()


def check_encoding(name: str) -> None:
    """Refuse an --encoding Python cannot decode text with (a typo, or "hex")."""
    try:
        b"x".decode(name)  # not b"": Python decodes nothing without looking the codec up
    except LookupError:
        raise BadInput("encoding_unknown", name=name[:40]) from None
    except UnicodeError:  # a text codec, for which one byte is not enough (UTF-16)
        pass


def import_order(paths: Sequence[Path], encoding: str = "utf-8-sig") -> list[Path]:
    """Files holding orders first, then those holding only items or returns, each stably.

    Lines of a saved getOrderItems response need their order stored already, and a shell glob
    lists getOrderItems-*.json before getOrders-*.json.
    """
    holds_orders = {}
    for path in paths:
        try:
            with opened(path, encoding) as source:
                holds_orders[path] = source.holds_orders
        except ImportRejected:
            holds_orders[path] = True  # its import will fail with the same, clear error
    return sorted(paths, key=lambda p: not holds_orders[p])
