"""No function in `assistant/` is longer than 60 lines unless a `# Whole:` comment right
above it says why it must stay in one piece (issue 18): a long function is where the next
engineer gets lost, so the exceptions are few and each one is argued."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MAX_LINES = 60


def too_long(source: str) -> list[tuple[int, str, int]]:
    """(line, name, length) of every function over the limit without a `# Whole:` reason."""
    lines = source.splitlines()
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        length = (node.end_lineno or node.lineno) - node.lineno + 1
        if length <= MAX_LINES:
            continue
        first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
        if not any(line.startswith("# Whole:") for line in _comments_above(lines, first)):
            found.append((node.lineno, node.name, length))
    return found


def _comments_above(lines: list[str], first: int) -> list[str]:
    """The run of comment lines directly above line `first` (1-based), stripped."""
    run: list[str] = []
    index = first - 2
    while index >= 0 and lines[index].strip().startswith("#"):
        run.append(lines[index].strip())
        index -= 1
    return run


def test_no_function_in_assistant_is_over_60_lines_without_a_reason() -> None:
    problems = [
        f"{path.relative_to(ROOT)}:{line}: {name} has {length} lines"
        for path in sorted((ROOT / "assistant").rglob("*.py"))
        for line, name, length in too_long(path.read_text(encoding="utf-8"))
    ]
    assert problems == []


@pytest.mark.parametrize(
    ("comment", "refused"), [("", True), ("# just long\n", True), ("# Whole: why\n", False)]
)
def test_a_long_function_needs_a_whole_comment(comment: str, refused: bool) -> None:
    body = "".join(f"    x{i} = {i}\n" for i in range(MAX_LINES))
    source = f"{comment}def f() -> None:\n{body}"
    assert bool(too_long(source)) is refused
