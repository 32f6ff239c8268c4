"""The portal knows nothing of conversations: no flow, agent or channel imports."""

from __future__ import annotations

import ast
from pathlib import Path

import assistant.portal

FORBIDDEN = ("assistant.flow", "assistant.agent", "assistant.channels", "assistant.helpdesk")


def test_portal_imports_no_conversation_layer() -> None:
    root = Path(assistant.portal.__file__).parent
    sources = sorted(root.rglob("*.py"))
    assert len(sources) >= 10
    for source in sources:
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                assert not name.startswith(FORBIDDEN), f"{source.name} imports {name}"
