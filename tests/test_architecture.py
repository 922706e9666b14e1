"""The architecture's rules that a reading of the source can check."""

import ast
import re

import pytest

from tests.conftest import ROOT

BOT = ROOT / "bot"
# Where the clock may be read: the edges (CLI, console, Slack listeners, the server, the
# scheduler). Reports,
# imports, the domain, the store and rendering take `now` as an argument.
CLOCK_ALLOWED = {"cli", "console.py", "server.py", "jobs", "slack"}
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


# The layers (README, "How the code is laid out"): data flows sources → store → domain → use
# cases → render → slack / cli / jobs. Each layer, and what it must never import. The app
# factory (app.py) and bot/wiring.py build everything at the edge, so they may import it all.
INTERFACES = ("slack", "cli", "jobs", "console", "server")
NEVER = {
    **{interface: {"store", "sources"} for interface in INTERFACES},
    # Settings and policy files are read at the edge (bot/wiring.py), never by a use case.
    "usecases": {*INTERFACES, "app", "wiring", "render", "config", "policy"},
    "render": {*INTERFACES, "app", "wiring", "store", "sources"},
    "store": {*INTERFACES, "app", "wiring", "render", "usecases", "sources"},
    "sources": {*INTERFACES, "app", "wiring", "render", "usecases", "store"},
}


def layer(path) -> str:
    """The layer a module of bot/ is in: its package, or its own name for a loose module."""
    first = path.relative_to(BOT).parts[0]
    return first.removesuffix(".py")


def imported_layers(tree: ast.Module) -> set[str]:
    """The bot/ layers a module imports, in any form (TYPE_CHECKING imports included)."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            if node.module == "bot":  # from bot import store
                names |= {f"bot.{alias.name}" for alias in node.names}
    return {name.split(".")[1] for name in names if name.startswith("bot.")}


@pytest.mark.parametrize("path", [p for p in modules(BOT) if layer(p) in NEVER],
                         ids=lambda p: str(p.relative_to(BOT)))
def test_each_layer_imports_only_the_layers_below_it(path):
    crossed = imported_layers(ast.parse(path.read_text())) & NEVER[layer(path)]
    assert crossed == set(), f"{layer(path)} must not import {sorted(crossed)}"


def test_a_listener_that_queries_the_store_breaks_the_layers():
    # The rule above, on the listener as it was before issue 18 (it read the order itself).
    listener = ast.parse("from bot.store import queries\nfrom bot import store\n")
    assert imported_layers(listener) & NEVER["slack"] == {"store"}
