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


def data_home() -> Path:
    """Where sellerbot keeps its data by default: the platform's folder for a user's
    application data (XDG_DATA_HOME, ~/.local/share on Linux; Application Support on macOS;
    LOCALAPPDATA on Windows), in a sellerbot folder."""
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Application Support"
    else:
        base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "sellerbot"


def default_database_url() -> str:
    """The SQLite file sellerbot uses when DATABASE_URL is not set, the same from any folder."""
    return f"sqlite:///{data_home() / 'sellerbot.db'}"
