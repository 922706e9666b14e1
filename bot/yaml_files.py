"""Reading sellerbot's YAML files (rules/ and the seller's own): one mapping per file.

Shared by the compliance rules (bot/compliance/loading.py) and the shipping and returns
policies (bot/policy.py)."""

from pathlib import Path
from typing import Any

import yaml

from bot.errors import ConfigError


def read_bytes(path: Path) -> bytes:
    """The bytes of the file `path`; ConfigError naming it if it cannot be read."""
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ConfigError("rules_invalid", path=str(path), key="", problem="unreadable",
                          params={"reason": exc.strerror}) from None


def read_yaml(path: Path) -> dict[str, Any]:
    """The mapping in the YAML file `path`; ConfigError naming the file if it is not one."""
    return parse_yaml(read_bytes(path), path)


def parse_yaml(data: bytes, path: Path) -> dict[str, Any]:
    """The mapping in `data`, read from `path`; ConfigError naming the file if it is not one."""
    # libyaml's loader when PyYAML was built with it: the same safe subset, several times faster.
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        loaded = yaml.load(data.decode("utf-8"), Loader=loader)  # noqa: S506
    except UnicodeDecodeError:
        raise ConfigError("rules_invalid", path=str(path), key="", problem="not_yaml",
                          params={}) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else ""
        raise ConfigError("rules_invalid", path=str(path), key=where, problem="not_yaml",
                          params={}) from None
    if not isinstance(loaded, dict):
        raise ConfigError("rules_invalid", path=str(path), key="", problem="not_mapping",
                          params={})
    return loaded
