"""The helpdesk protocol: the frames an agent and the relay exchange, and nothing else.

Shared by both ends (the agent's link in `agent_link.py`, the relay in
`assistant.helpdesk_server.relay`), so neither can accept a frame the other cannot send.

The protocol is the safety boundary, so it is closed by construction:
- agent → relay frames are `open`, `resume`, `transcript`, `diagnostics`, `new_code`,
  `end`, each with exactly its keys; anything else closes the socket with 1008 (policy
  violation);
- relay → agent frames are `opened`, `resumed`, `code`, `joined`, `message`, `suggest`,
  `left`, `ended`. None of them carries input for the conversation: an operator's words are
  shown, never answered with. There is no frame by which anyone but the person could
  type into a secret or confirm prompt, and the agent side (agent_link.py) rejects any
  frame outside this list as well.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

AGENT_PATH = "/v1/agent"
CLOSE_POLICY = 1008
CLOSE_BUSY = 1013  # "try again later": max_waiting sessions already wait
CLOSE_ENDED = 4001
MAX_TEXT = 4096
MAX_LINES = 50
ROLES = frozenset({"user", "assistant"})

AGENT_FRAMES: dict[str, frozenset[str]] = {
    "open": frozenset({"language"}),
    "resume": frozenset({"session", "secret"}),
    "transcript": frozenset({"lines"}),
    "diagnostics": frozenset({"text"}),
    "new_code": frozenset(),
    "end": frozenset(),
}
"""Every frame an agent may send, with its exact keys besides `type`."""

RELAY_FRAMES: dict[str, frozenset[str]] = {
    "opened": frozenset({"session", "code", "resume"}),
    "resumed": frozenset({"operator"}),  # who is still joined ("" for nobody)
    "code": frozenset({"code"}),
    "joined": frozenset({"operator"}),
    "message": frozenset({"operator", "text"}),
    "suggest": frozenset({"flow"}),
    "left": frozenset({"operator"}),
    "ended": frozenset({"reason"}),
}
"""Every frame the relay sends an agent. No frame carries input to the conversation."""


class ProtocolError(ValueError):
    """A frame outside the protocol: the connection is closed, its content not logged."""


def check_frame(frame: object, allowed: Mapping[str, frozenset[str]]) -> dict[str, Any]:
    """The frame if it is one of `allowed` with exactly its keys and sane values."""
    if not isinstance(frame, dict) or not isinstance(frame.get("type"), str):
        raise ProtocolError("not a frame")
    keys = allowed.get(frame["type"])
    if keys is None or set(frame) - {"type"} != keys:
        raise ProtocolError("unknown frame type or keys")
    for key in keys - {"lines"}:
        if not isinstance(frame[key], str) or len(frame[key]) > MAX_TEXT:
            raise ProtocolError(f"bad {key}")
    if "lines" in keys:
        lines = frame["lines"]
        if not isinstance(lines, list) or len(lines) > MAX_LINES:
            raise ProtocolError("bad lines")
        for line in lines:
            if (
                not isinstance(line, dict)
                or set(line) != {"role", "text"}
                or line["role"] not in ROLES
                or not isinstance(line["text"], str)
                or len(line["text"]) > MAX_TEXT
            ):
                raise ProtocolError("bad line")
    return frame
