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


class _Refused(yaml.YAMLError):
    """A file PyYAML would read, but not as its writer meant: where, and the problem."""

    def __init__(self, node: yaml.Node, problem: str, **params: Any) -> None:
        super().__init__(problem)
        self.problem_mark, self.problem, self.params = node.start_mark, problem, params


# libyaml's parser when PyYAML was built with it: the same safe subset, several times faster.
_BASE: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_MERGE = "tag:yaml.org,2002:merge"


class _Loader(_BASE):  # type: ignore[misc,valid-type]
    """PyYAML's safe loader, refusing what it would let pass unseen: a key given twice (YAML
    forbids it; PyYAML keeps the last, so a seller's `allow_pages` above a copied empty one was
    dropped) and a date that is not on the calendar (PyYAML raises a bare ValueError)."""

    def flatten_mapping(self, node: yaml.MappingNode) -> None:
        # A merge (<<) puts the merged pairs before the mapping's own, in place, and a key of
        # its own then overrides one merged: the repeats that count are among its own.
        if not hasattr(node, "own"):
            node.own = list(node.value)  # type: ignore[attr-defined]
        super().flatten_mapping(node)

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> Any:
        seen: set[tuple[str, str]] = set()
        for key_node, _ in getattr(node, "own", node.value):
            if isinstance(key_node, yaml.ScalarNode) and key_node.tag != _MERGE:
                key = (key_node.tag, key_node.value)  # 1 and '1' are two keys
                if key in seen:  # named where it comes again
                    raise _Refused(key_node, "repeated_key", key=key_node.value)
                seen.add(key)
        return super().construct_mapping(node, deep=deep)

    def construct_yaml_timestamp(self, node: yaml.ScalarNode) -> Any:
        try:
            return super().construct_yaml_timestamp(node)
        except (ValueError, OverflowError):
            raise _Refused(node, "not_a_date", value=node.value) from None


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _Loader.construct_yaml_timestamp)


def parse_yaml(data: bytes, path: Path) -> dict[str, Any]:
    """The mapping in `data`, read from `path`; ConfigError naming the file if it is not one."""
    try:
        loaded = yaml.load(data.decode("utf-8"), Loader=_Loader)  # noqa: S506
    except UnicodeDecodeError:
        raise ConfigError("rules_invalid", path=str(path), key="", problem="not_yaml",
                          params={}) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else ""
        refused = isinstance(exc, _Refused)
        raise ConfigError("rules_invalid", path=str(path), key=where,
                          problem=exc.problem if refused else "not_yaml",
                          params=exc.params if refused else {}) from None
    if not isinstance(loaded, dict):
        raise ConfigError("rules_invalid", path=str(path), key="", problem="not_mapping",
                          params={})
    return loaded
