"""Talking to the web chat without a browser: raw handshakes and a JSON WebSocket client."""

from __future__ import annotations

import json
import socket
from typing import Any

from websockets.sync.client import ClientConnection, connect

from assistant.agent.conversation import PROMPT_OUTPUTS
from tests.integration.web.server import WebServer

Turn = dict[str, Any]
PROMPTS = frozenset(kind.value for kind in PROMPT_OUTPUTS)


def handshake_status(
    port: int, *, host: str, origin: str | None, path: str, connect_to: str = "127.0.0.1"
) -> int:
    """The HTTP status a WebSocket upgrade request gets, with exactly these headers.

    Written by hand because client libraries set Host and Origin themselves, and those
    are precisely the headers an attacking page would differ in."""
    lines = [
        f"GET {path} HTTP/1.1",
        f"Host: {host}",
        "Upgrade: websocket",
        "Connection: Upgrade",
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
        "Sec-WebSocket-Version: 13",
    ]
    if origin is not None:
        lines.append(f"Origin: {origin}")
    with socket.create_connection((connect_to, port), timeout=30) as sock:
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        status_line = sock.recv(4096).split(b"\r\n", 1)[0]
    return int(status_line.split()[1])


def open_chat(server: WebServer, query: str = "", **headers: str) -> ClientConnection:
    """A WebSocket to the chat as the server's own page would open it."""
    uri = f"ws://127.0.0.1:{server.port}/ws?token={server.token}{query}"
    return connect(
        uri,
        origin=server.origin,  # type: ignore[arg-type]
        additional_headers=headers,
        proxy=None,
        open_timeout=30,
    )


def next_turn(ws: ClientConnection, timeout: float = 30) -> Turn:
    message = ws.recv(timeout=timeout)
    turn: Turn = json.loads(message)
    return turn


def turn_until(ws: ClientConnection, message_id: str, timeout: float = 30) -> Turn:
    """Read turns until one holds an output with `message_id`; that turn."""
    while True:
        turn = next_turn(ws, timeout)
        if any(o["id"] == message_id for o in turn["outputs"]):
            return turn


def first_prompt(ws: ClientConnection) -> Turn:
    """Read turns until one asks something (the first question of the conversation)."""
    while True:
        turn = next_turn(ws)
        if any(o["kind"] in PROMPTS for o in turn["outputs"]):
            return turn


def to_knows_pin(ws: ClientConnection) -> Turn:
    """From a fresh connection to "PIN'inizi biliyor musunuz?", past the topic menu
    if the assistant opens with one (its first topic is the new-card journey)."""
    turn = first_prompt(ws)
    if turn["outputs"][-1]["id"] == "main.menu":
        reply(ws, "1")
        turn = turn_until(ws, "onboarding.knows_pin")
    return turn


def reply(ws: ClientConnection, text: str) -> None:
    ws.send(json.dumps({"type": "reply", "text": text}))
