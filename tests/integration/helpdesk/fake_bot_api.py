"""A loopback stand-in for api.telegram.org: answers the Bot API methods PTB calls.

Responses mirror the real Bot API JSON (`{"ok": true, "result": …}`, Message and User
objects with the fields Telegram sends), so PTB parses them exactly as in production.
Every sendMessage is captured for the tests; failures can be queued to show the bot
riding out flood control (429 + retry_after) and server errors. getUpdates serves
queued updates, so long polling can be exercised too.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import socket
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

TOKEN = "123456:TEST-token_for-the-fake-bot-api"
BOT_USER = {
    "id": 123456,
    "is_bot": True,
    "first_name": "NES Yardım Masası",
    "username": "nes_yardim_test_bot",
    "can_join_groups": False,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}


@dataclass
class FakeBotApi:
    sent: list[dict[str, Any]] = field(default_factory=list)
    calls: list[str] = field(default_factory=list)
    failures: list[tuple[int, dict[str, Any]]] = field(default_factory=list)  # for sendMessage
    updates: list[dict[str, Any]] = field(default_factory=list)
    port: int = 0
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1000))

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    def texts_to(self, chat_id: int) -> list[str]:
        return [m["text"] for m in self.sent if int(m["chat_id"]) == chat_id]

    async def _method(self, request: Request) -> JSONResponse:
        if request.path_params["token"] != TOKEN:
            return JSONResponse(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, status_code=401
            )
        method = request.path_params["method"]
        self.calls.append(method)
        params = await _params(request)
        if method == "getMe":
            return _ok(BOT_USER)
        if method in ("deleteWebhook", "setMyCommands"):
            return _ok(True)
        if method == "getUpdates":
            offset = int(params.get("offset", 0) or 0)
            pending = [u for u in self.updates if u["update_id"] >= offset]
            if not pending:
                await asyncio.sleep(0.05)
            return _ok(pending)
        if method == "sendMessage":
            if self.failures:
                status, body = self.failures.pop(0)
                return JSONResponse(body, status_code=status)
            self.sent.append({"chat_id": params["chat_id"], "text": params["text"]})
            chat_id = int(params["chat_id"])
            return _ok(
                {
                    "message_id": next(self._ids),
                    "from": BOT_USER,
                    "chat": {"id": chat_id, "first_name": "Test", "type": "private"},
                    "date": int(time.time()),
                    "text": params["text"],
                }
            )
        return JSONResponse(
            {"ok": False, "error_code": 404, "description": "Not Found: method not found"},
            status_code=404,
        )

    def app(self) -> Starlette:
        return Starlette(
            routes=[Route("/bot{token}/{method}", self._method, methods=["GET", "POST"])]
        )


def _ok(result: object) -> JSONResponse:
    return JSONResponse({"ok": True, "result": result})


async def _params(request: Request) -> dict[str, Any]:
    kind = request.headers.get("content-type", "")
    if kind.startswith("application/json"):
        return dict(await request.json())
    # PTB posts plain parameters form-urlencoded (no files here, so never multipart).
    return dict(parse_qsl((await request.body()).decode("utf-8")))


def free_socket(port: int = 0) -> socket.socket:
    # IPPROTO_TCP spelled out: asyncio sets TCP_NODELAY on accepted sockets only when the
    # listening socket says so; with proto 0 every response waits ~40 ms (delayed ACK).
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", port))  # 0: any free port; else the one a restart reuses
    return sock


class Served:
    """A uvicorn app in its own thread and loop, on a socket bound to 127.0.0.1."""

    def __init__(self, app: Starlette) -> None:
        self.sock = free_socket()
        self.port = self.sock.getsockname()[1]
        self.server = uvicorn.Server(
            uvicorn.Config(app, lifespan="off", log_config=None, access_log=False)
        )
        self.thread = threading.Thread(
            target=lambda: asyncio.run(self.server.serve(sockets=[self.sock])), daemon=True
        )

    def __enter__(self) -> Served:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline:
                raise TimeoutError("server did not start")
            time.sleep(0.01)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(10)


def update_json(
    update_id: int,
    user_id: int,
    text: str,
    *,
    language: str = "tr",
    first_name: str = "Ayşe",
) -> dict[str, Any]:
    """A private-chat text message update, as Telegram sends it."""
    message: dict[str, Any] = {
        "message_id": update_id + 500,
        "from": {
            "id": user_id,
            "is_bot": False,
            "first_name": first_name,
            "language_code": language,
        },
        "chat": {"id": user_id, "first_name": first_name, "type": "private"},
        "date": int(time.time()),
        "text": text,
    }
    if text.startswith("/"):
        command = text.split(maxsplit=1)[0]
        message["entities"] = [{"offset": 0, "length": len(command), "type": "bot_command"}]
    return {"update_id": update_id, "message": message}


def dumps(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)
