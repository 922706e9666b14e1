"""Where sellerbot's own data folders (rules/, templates/) are, however it was installed, and
whether a path a user names is a file sellerbot can read."""

import os
import sys
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def data_dir(name: str) -> Path:
    """Return the folder `name` (rules or templates) shipped with this sellerbot."""
    # A wheel carries the folders inside the package (pyproject's force-include); an editable
    # install or a source checkout runs from the repository, where they sit beside bot/.
    bundled = _PACKAGE / name
    if bundled.is_dir():
        return bundled
    return _PACKAGE.parent / name


def rules_dir() -> Path:
    """Return the rules/ folder: policy as data."""
    return data_dir("rules")


def templates_dir() -> Path:
    """Return the templates/ folder: every user-visible word."""
    return data_dir("templates")


def file_problem(path: Path) -> str | None:
    """Why `path` is not a regular file to read (an error code), or None when it is one."""
    if path.is_file():
        return None
    if path.is_dir():
        return "file_is_directory"
    # A device (/dev/null), a pipe or a socket: nothing a report or a draft is saved as.
    return "file_not_regular" if path.exists() else "file_missing"


def data_folder() -> Path | None:
    """sellerbot's folder among this user's data folders (XDG_DATA_HOME, else ~/.local/share;
    on macOS ~/Library/Application Support; on Windows LOCALAPPDATA), or None when the user
    has no home (a container user)."""
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or ""
        return Path(base) / "sellerbot" if os.path.isabs(base) else None
    home = os.path.expanduser("~")
    if sys.platform == "darwin":
        if not os.path.isabs(home):
            return None
        return Path(home) / "Library" / "Application Support" / "sellerbot"
    base = os.environ.get("XDG_DATA_HOME") or ""
    if not os.path.isabs(base):  # the XDG spec: a relative path is to be ignored
        if not os.path.isabs(home):
            return None
        base = os.path.join(home, ".local/share")
    return Path(base) / "sellerbot"


def default_database() -> Path:
    """The SQLite file sellerbot uses when DATABASE_URL is not set, the same from any folder
    (in the current folder for a user without a home)."""
    folder = data_folder()
    return folder / "sellerbot.db" if folder is not None else Path("sellerbot.db")


def default_database_url() -> str:
    """DATABASE_URL's default: default_database(), its folder made if it is not there yet."""
    path = default_database()
    path.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{path}"
