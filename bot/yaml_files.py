"""Reading sellerbot's YAML files (rules/ and the seller's own): one mapping per file."""

from pathlib import Path
from typing import Any

import yaml

from bot.errors import ConfigError

# libyaml's loader when PyYAML was built with it: the same safe subset, several times faster.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_yaml(path: Path) -> dict[str, Any]:
    """The mapping in the YAML file `path`; ConfigError naming the file if it is not one."""
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER)  # noqa: S506
    except OSError as exc:
        raise ConfigError("rules_invalid", path=str(path), key="", problem="unreadable",
                          params={"reason": exc.strerror}) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else ""
        raise ConfigError("rules_invalid", path=str(path), key=where, problem="not_yaml",
                          params={}) from None
    if not isinstance(data, dict):
        raise ConfigError("rules_invalid", path=str(path), key="", problem="not_mapping",
                          params={})
    return data
