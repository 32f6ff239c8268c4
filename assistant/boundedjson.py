"""JSON from a peer that may send anything: parsed only when it is shallow enough.

`json.loads` recurses once per `[` or `{`, so a line of a few thousand brackets raises
RecursionError (not ValueError) from deep inside the parser. Every wire this project
reads (the agent socket, the web chat, the helpdesk relay, the training portal) carries
flat objects, so the depth is counted first, in one linear pass, and anything deeper
than MAX_DEPTH is refused like any other malformed message.
"""

from __future__ import annotations

import json
import re
from typing import Any

MAX_DEPTH = 8
_SIGNIFICANT = re.compile(r'[\[\]{}"\\]')


def nesting_depth(text: str) -> int:
    """How deep `[` and `{` nest in a JSON text (quoted strings skipped), counted in one
    pass before parsing: json.loads recurses, and a line of brackets could exhaust the
    stack."""
    depth = deepest = 0
    in_string = False
    escaped_at = -1  # the position a backslash inside a string makes literal
    for match in _SIGNIFICANT.finditer(text):
        char, at = match.group(), match.start()
        if in_string:
            if at == escaped_at:
                continue
            if char == "\\":
                escaped_at = at + 1
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


def parse_object(data: str | bytes) -> dict[str, Any] | None:
    """The JSON object in one line or frame; None if it is not UTF-8, not JSON, not an
    object, or nested deeper than MAX_DEPTH."""
    try:
        text = data.decode("utf-8") if isinstance(data, bytes) else data
    except UnicodeDecodeError:
        return None
    if nesting_depth(text) > MAX_DEPTH:
        return None
    try:
        parsed = json.loads(text)
    except ValueError:
        return None
    return parsed if isinstance(parsed, dict) else None
