"""The rule cache: what loading the compliance rules works out, kept between processes the way
Python keeps compiled modules in __pycache__.

Loading the rules reads some forty YAML files and parses and compiles some three hundred
regular expressions: most of a `sellerbot check-reply`'s start-up (bench/check_reply.py
times both). The cache keeps each file's checked contents and every pattern's compiled
program. A file's entry is used only while its bytes, and its word list's, are the ones
read when the entry was made; a program only for the same pattern, flags and interpreter.
A cache that cannot be read, is from another interpreter or is damaged is ignored and
written anew; one that cannot be written is left alone. Rules load the same either way.

marshal, not pickle: it reads only plain values (lists, dicts, strings, numbers), and it is
what Python itself uses for __pycache__.
"""

import _sre
import hashlib
import logging
import marshal
import os
import sys
import tempfile
from functools import cache
from importlib.util import find_spec
from pathlib import Path
from typing import Any

import pydantic

from bot.domain.compliance.checks.triggers import Program, ProgramKey, Programs
from bot.paths import user_folder

log = logging.getLogger(__name__)

# The code that works out what is kept, and how it is kept: an upgrade of sellerbot, or an edit
# of these by a developer, may read or check a file differently (the categories, the check
# types and their keys), find other triggers or keep entries of another shape, so a cache made
# by other code is not used. (No format number to bump: this module's own source is digested.)
_MAKERS = ("bot.compliance_rules", "bot.yaml_files", "bot.domain.compliance.rules",
           "bot.domain.compliance.checks", "bot.domain.compliance.checks.triggers",
           "bot.rule_cache")


@cache
def _stamp() -> tuple[object, ...] | None:
    """What a cache must have been made by to be used: this interpreter and regex engine (a
    program is valid for these only), pydantic, and sellerbot's code that makes the entries;
    None when that code cannot be read (then no cache is used)."""
    try:
        code = b"".join(Path(find_spec(name).origin).read_bytes()  # type: ignore[arg-type,union-attr]
                        for name in _MAKERS)
    except (OSError, AttributeError, TypeError, ValueError):
        return None
    return sys.version, _sre.MAGIC, pydantic.VERSION, _digest(code)


def default_path() -> Path | None:
    """Where the cache lives: in sellerbot's cache folder ($XDG_CACHE_HOME/sellerbot, or
    ~/.cache/sellerbot: bot/paths.py); None (no cache) when there is none, as for a
    container user with no home."""
    folder = user_folder("cache")
    return folder / f"rules-{sys.implementation.cache_tag}.marshal" if folder else None


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class RuleCache:
    """The cache file's rule entries and programs, read once; `save` writes back what this
    load used, so that entries for files since changed or removed do not pile up."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        kept = self._read()
        self._rules: dict[str, tuple[str, dict[str, str], dict[str, Any], bool]] = kept[0]
        self.programs = Programs(kept[1])
        self._used: dict[str, tuple[str, dict[str, str], dict[str, Any], bool]] = {}
        self._changed = False

    def _read(self) -> tuple[dict[str, Any], dict[ProgramKey, Program]]:
        if self.path is None:
            return {}, {}
        try:
            # Plain values only are used: marshal builds no object that runs code when read.
            stamp, rules, programs = marshal.loads(self.path.read_bytes())  # noqa: S302
            if stamp is None or stamp != _stamp() or not (
                    isinstance(rules, dict) and isinstance(programs, dict)):
                raise ValueError("made by another interpreter or another sellerbot")
        except FileNotFoundError:
            return {}, {}
        except (OSError, ValueError, EOFError, TypeError) as exc:
            log.info("rule cache %s ignored: %s", self.path, exc)
            return {}, {}
        return rules, programs

    def contents(self, path: Path, data: bytes) -> tuple[dict[str, Any], bool] | None:
        """The checked contents of the rule file `path` holding `data`, and whether it is
        enabled, if kept and still current (its word list unchanged too); else None."""
        entry = self._rules.get(str(path))
        try:
            if entry is None or entry[0] != _digest(data) or not all(
                    _digest(Path(other).read_bytes()) == digest
                    for other, digest in entry[1].items()):
                return None
            contents, enabled = dict(entry[2]), bool(entry[3])
        except (OSError, TypeError, ValueError, IndexError, AttributeError):
            return None  # a word list gone, or an entry not of this format
        self._used[str(path)] = entry
        return contents, enabled

    def keep(self, path: Path, data: bytes, read: dict[Path, bytes],
             contents: dict[str, Any], enabled: bool) -> None:
        """Keep the checked `contents` of the rule file `path` holding `data`; `read` is every
        other file its contents came from (its word list), with the bytes read."""
        entry = (_digest(data), {str(p): _digest(b) for p, b in read.items()}, contents,
                 enabled)
        try:
            marshal.dumps(entry)
        except ValueError:
            return  # a value marshal cannot keep: this file is read from YAML every time
        self._used[str(path)] = entry
        self._changed = True

    def save(self) -> None:
        """Write what this load used, if anything was new; never raises."""
        programs = self.programs
        unchanged = not (self._changed or programs.compiled or len(self._used) != len(self._rules)
                         or len(programs.used) != len(programs.kept))
        if self.path is None or _stamp() is None or unchanged:
            return
        try:
            data = marshal.dumps((_stamp(), self._used, programs.used))
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # Written beside it and renamed: a process reading it meanwhile sees the old file
            # or the new one, never half of one.
            handle, temporary = tempfile.mkstemp(dir=self.path.parent, suffix=".tmp")
            try:
                with os.fdopen(handle, "wb") as out:
                    out.write(data)
                os.replace(temporary, self.path)
            except BaseException:
                os.unlink(temporary)
                raise
        except (OSError, ValueError) as exc:  # ValueError: a value marshal cannot keep
            log.info("rule cache %s not written: %s", self.path, exc)


# Read now, as the modules it digests are imported, rather than at the first load: an upgrade
# that replaces their files while this process runs must not stamp its results as the new
# code's.
_stamp()
