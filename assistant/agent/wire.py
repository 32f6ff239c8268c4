"""The local agent API's messages: JSON lines over a 0600 Unix socket.

Client → agent: `{"op": "open", "channel", "language"}`, `{"op": "reply", "text"}`,
`{"op": "close"}`. Agent → client: `{"type": "outputs", "language", "outputs": [...]}`
answering a request, `{"type": "push", "language", "outputs": [...]}` for card events,
`{"type": "error", "error": code}`. A line holds at most MAX_LINE_BYTES and JSON nested
at most `boundedjson.MAX_DEPTH` deep; anything else is answered `bad_request`. A reply
may carry a PIN: the socket is the user's own (0600 in a 0700 directory), the agent
never logs message bodies, and nothing here is ever written down.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from assistant.flow.outputs import Output, OutputChoice, OutputKind, OutputPicture

MAX_LINE_BYTES = 64 * 1024  # one request: a typed reply and a few keys


def output_to_json(output: Output) -> dict[str, Any]:
    return {
        "kind": output.kind.value,
        "message_id": output.message_id,
        "text": output.text,
        "params": dict(output.params),
        "choices": [{"id": c.id, "text": c.text} for c in output.choices],
        "secret_kind": output.secret_kind,
        "outcome": output.outcome,
        "picture": {"name": p.name, "alt": p.alt} if (p := output.picture) else None,
    }


def output_from_json(data: Mapping[str, Any]) -> Output:
    return Output(
        OutputKind(data["kind"]),
        str(data["message_id"]),
        str(data["text"]),
        {str(k): str(v) for k, v in data.get("params", {}).items()},
        tuple(OutputChoice(str(c["id"]), str(c["text"])) for c in data.get("choices", ())),
        data.get("secret_kind"),
        data.get("outcome"),
        _picture(data.get("picture")),
    )


def _picture(data: object) -> OutputPicture | None:
    if not isinstance(data, Mapping):
        return None
    return OutputPicture(str(data["name"]), str(data["alt"]))


def encode(message: Mapping[str, Any]) -> bytes:
    return json.dumps(message, ensure_ascii=False).encode() + b"\n"


def outputs_message(kind: str, outputs: list[Output], language: str | None) -> bytes:
    """`language` is the conversation's after these outputs, for the front end's own words."""
    return encode(
        {"type": kind, "language": language, "outputs": [output_to_json(o) for o in outputs]}
    )
