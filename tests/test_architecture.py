"""The architecture's rules that a reading of the source can check."""

import ast
import re

import pytest

from tests.conftest import ROOT

BOT = ROOT / "bot"
# Where the clock may be read: the edges (CLI, console, Slack listeners, the server, the
# scheduler). Reports,
# imports, the domain, the store and rendering take `now` as an argument.
CLOCK_ALLOWED = {"cli", "console.py", "server.py", "jobs.py", "slack"}
CLOCK = re.compile(r"\b(datetime\.now|date\.today|datetime\.today|datetime\.utcnow|time\.time)\(")


def modules(folder):
    return sorted(p for p in folder.rglob("*.py") if "migrations" not in p.parts)


@pytest.mark.parametrize("path", modules(BOT / "domain") + modules(BOT / "compliance"),
                         ids=lambda p: str(p.relative_to(BOT)))
def test_domain_is_pure(path):
    tree = ast.parse(path.read_text())
    imported = {alias.name.split(".")[0] for node in ast.walk(tree)
                if isinstance(node, ast.Import) for alias in node.names}
    imported |= {node.module.split(".")[0] for node in ast.walk(tree)
                 if isinstance(node, ast.ImportFrom) and node.module}
    assert not imported & {"sqlalchemy", "slack_bolt", "slack_sdk", "apscheduler", "jinja2"}
    assert "bot.store" not in path.read_text() and "bot.render" not in path.read_text()


@pytest.mark.parametrize("path", modules(BOT), ids=lambda p: str(p.relative_to(BOT)))
def test_the_clock_is_read_only_at_the_edges(path):
    relative = path.relative_to(BOT)
    if relative.parts[0] in CLOCK_ALLOWED:
        return
    assert CLOCK.findall(path.read_text()) == []


@pytest.mark.parametrize("path", modules(BOT), ids=lambda p: str(p.relative_to(BOT)))
def test_tables_stay_in_the_store(path):
    if path.relative_to(BOT).parts[0] == "store":
        return
    assert "bot.store.models" not in path.read_text()


def public_definitions(tree: ast.Module):
    """Module-level functions and classes, and the methods of public classes."""
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.ClassDef) and not node.name.startswith("_"):
            yield node
            if isinstance(node, ast.ClassDef):
                yield from (item for item in node.body if isinstance(item, ast.FunctionDef)
                            and not item.name.startswith("_"))


def test_every_public_function_has_a_docstring():
    missing = [
        f"{path.relative_to(ROOT)}:{node.lineno} {node.name}"
        for path in modules(BOT)
        for node in public_definitions(ast.parse(path.read_text()))
        if ast.get_docstring(node) is None
    ]
    assert missing == []
