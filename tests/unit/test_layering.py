"""Layering as a test: every import in `assistant/` follows the graph in CONTRIBUTING.md.

The graph is read from CONTRIBUTING.md itself (the fenced `layering` block under
"Dependency direction"), so the document and the code cannot drift apart. A unit is a
top-level module or package of `assistant/` (`assistant/card/**` is `card`); an import is
every `import`/`from … import` anywhere in a file (inside functions and `TYPE_CHECKING`
blocks too, relative ones resolved) and every `"assistant.x.y:function"` string, the
handlers `cli` and `flows lint` import by name.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
PACKAGE = ROOT / "assistant"
CONTRIBUTING = ROOT / "CONTRIBUTING.md"
TOP = "assistant"  # the package's own __init__ (e.g. `from assistant import __version__`)
HANDLER = re.compile(r"^assistant(?:\.\w+)+:\w+$")
# Conversation layers: what card, pki and portal must know nothing about.
CONVERSATION = {"flow", "agent", "channels", "helpdesk", "helpdesk_server"}

Graph = Mapping[str, frozenset[str]]


@dataclass(frozen=True, slots=True)
class Edge:
    """One import: from unit `source` to unit `target`, at `where` (file:line)."""

    source: str
    target: str
    where: str


def declared_graph(markdown: str) -> dict[str, frozenset[str]]:
    """The `name -> allowed names` lines of the `layering` block; an indented line
    continues the entry above it."""
    section = markdown.split("## Dependency direction", 1)[1]
    found = re.search(r"^```layering\n(.*?)^```", section, re.MULTILINE | re.DOTALL)
    assert found, "CONTRIBUTING.md has no ```layering block under Dependency direction"
    graph: dict[str, frozenset[str]] = {}
    name = None
    for line in found.group(1).splitlines():
        if not line.strip():
            continue
        if line[0].isspace():
            assert name is not None, f"a continuation line with no entry above: {line!r}"
            graph[name] |= frozenset(line.split())
            continue
        name, arrow, allowed = line.partition("->")
        name = name.strip()
        assert arrow and name, f"not `name -> allowed names`: {line!r}"
        assert name not in graph, f"{name} is listed twice"
        graph[name] = frozenset(allowed.split())
    return graph


def units(package: Path = PACKAGE) -> set[str]:
    """The top-level modules and packages of `assistant/`."""
    found = {TOP}
    for path in package.iterdir():
        if path.suffix == ".py" and path.name != "__init__.py":
            found.add(path.stem)
        elif (path / "__init__.py").is_file():
            found.add(path.name)
    return found


def unit_of(module: str, package: Path = PACKAGE) -> str | None:
    """The unit a dotted module name (or `module.attribute`) belongs to; None outside us."""
    parts = module.split(".")
    if parts[0] != TOP:
        return None
    if len(parts) == 1:
        return TOP
    head = package / parts[1]
    return parts[1] if head.with_suffix(".py").is_file() or head.is_dir() else TOP


def module_name(path: Path, package: Path = PACKAGE) -> tuple[str, str]:
    """(dotted name of the file's module, dotted name of the package it is in)."""
    parts = (TOP, *path.relative_to(package).with_suffix("").parts)
    if parts[-1] == "__init__":
        name = ".".join(parts[:-1])
        return name, name
    return ".".join(parts), ".".join(parts[:-1])


def imported(tree: ast.AST, package_name: str) -> Iterator[tuple[str, int]]:
    """Every module name `tree` imports (and handler string it names), with its line."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package_name.split(".")[: len(package_name.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            # `from assistant import paths` imports the module assistant.paths.
            for alias in node.names:
                yield f"{base}.{alias.name}", node.lineno
        elif isinstance(node, ast.Constant) and HANDLER.match(str(node.value)):
            yield str(node.value).partition(":")[0], node.lineno


def edges(package: Path = PACKAGE) -> list[Edge]:
    """Every import from one unit of `assistant/` into another."""
    found = []
    for path in sorted(package.rglob("*.py")):
        name, package_name = module_name(path, package)
        source = unit_of(name, package)
        assert source is not None
        tree = ast.parse(path.read_bytes(), str(path))
        for module, line in imported(tree, package_name):
            target = unit_of(module, package)
            if target is not None and target != source:
                where = f"{path.relative_to(package.parent)}:{line}"
                found.append(Edge(source, target, where))
    return found


def refused(found: Iterable[Edge], graph: Graph) -> list[str]:
    """The imports the graph does not allow, each with where it is."""
    return [
        f"{edge.where}: {edge.source} imports {edge.target}, which CONTRIBUTING.md does not allow"
        for edge in found
        if edge.target not in graph.get(edge.source, frozenset())
    ]


def cycle(graph: Graph) -> list[str] | None:
    """One cycle in `graph` as [a, b, …, a], or None when it has none."""
    done: set[str] = set()

    def visit(name: str, path: list[str]) -> list[str] | None:
        if name in path:
            return [*path[path.index(name) :], name]
        if name in done:
            return None
        for target in sorted(graph.get(name, ())):
            found = visit(target, [*path, name])
            if found:
                return found
        done.add(name)
        return None

    for name in sorted(graph):
        found = visit(name, [])
        if found:
            return found
    return None


def reachable(graph: Graph, start: str) -> set[str]:
    seen: set[str] = set()
    todo = [start]
    while todo:
        for target in graph.get(todo.pop(), ()):
            if target not in seen:
                seen.add(target)
                todo.append(target)
    return seen


@pytest.fixture(scope="module")
def graph() -> dict[str, frozenset[str]]:
    return declared_graph(CONTRIBUTING.read_text(encoding="utf-8"))


def test_the_graph_names_every_module_and_package_and_nothing_else(graph: Graph) -> None:
    named = set(graph) | set().union(*graph.values())
    assert set(graph) == units(), "CONTRIBUTING.md's layering block and assistant/ differ"
    assert named <= units(), f"the graph names what does not exist: {named - units()}"


def test_the_graph_has_no_cycle(graph: Graph) -> None:
    assert cycle(graph) is None


def test_every_import_in_assistant_follows_the_graph(graph: Graph) -> None:
    found = edges()
    assert len(found) > 200  # the reader sees the real imports, not none
    assert refused(found, graph) == []


def test_the_house_rules_hold_in_the_graph(graph: Graph) -> None:
    # card, pki and portal know nothing about conversations (formerly the portal's own test).
    for lower in ("card", "pki", "portal"):
        assert not reachable(graph, lower) & CONVERSATION, lower
    # flow knows no channel, no agent, no helpdesk; only the command line imports channels.
    assert not reachable(graph, "flow") & {"channels", "agent", "helpdesk", "helpdesk_server"}
    assert {name for name, allowed in graph.items() if "channels" in allowed} == {"cli"}
    # The agent does not depend on the helpdesk server, a deployable of its own.
    assert "helpdesk_server" not in reachable(graph, "agent")


def test_an_import_outside_the_graph_is_refused(graph: Graph) -> None:
    # Fed a fake edge, the check names it: the layering test can fail.
    fake = Edge("card", "flow", "assistant/card/token.py:1")
    assert refused([fake], graph) == [
        "assistant/card/token.py:1: card imports flow, which CONTRIBUTING.md does not allow"
    ]
    assert refused([Edge("flow", "card", "assistant/flow/x.py:1")], graph) == []


def test_a_cycle_is_found_even_when_every_edge_is_declared(graph: Graph) -> None:
    looped = {**graph, "card": graph["card"] | {"flow"}}
    found = cycle(looped)
    assert found is not None
    assert found[0] == found[-1]
    assert {"card", "flow"} <= set(found)


def test_the_reader_sees_function_level_relative_and_handler_imports(tmp_path: Path) -> None:
    package = tmp_path / "assistant"
    (package / "card").mkdir(parents=True)
    (package / "flow").mkdir()
    for path in (package, package / "card", package / "flow"):
        (path / "__init__.py").write_text("")
    (package / "secret.py").write_text("")
    (package / "flow" / "model.py").write_text("")
    (package / "card" / "token.py").write_text(
        "from . import guard\n"  # inside the unit: no edge
        "def f():\n"
        "    from ..flow import model\n"  # function level, relative
        "    from assistant import secret\n"
        "HANDLER = 'assistant.flow.model:main'\n"
    )
    (package / "card" / "guard.py").write_text("")
    found = {(edge.source, edge.target, edge.where.rpartition(":")[2]) for edge in edges(package)}
    assert found == {("card", "flow", "3"), ("card", "secret", "4"), ("card", "flow", "5")}


def test_shipped_data_is_found_only_through_resources() -> None:
    allowed = {PACKAGE / "resources.py", PACKAGE / "build.py"}
    for path in sorted(PACKAGE.rglob("*.py")):
        if path in allowed:
            continue
        tree = ast.parse(path.read_bytes(), str(path))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [f"{node.module}.{alias.name}" for alias in node.names]
            assert not any(name.startswith("importlib.resources") for name in names), path
            assert not (isinstance(node, ast.Name) and node.id == "__file__"), path
