"""The loopback web chat as a Starlette app: one page, its static files, one WebSocket.

Each WebSocket is one conversation on channel "web". Replies are handled in a worker
thread, because a reply can mean a PKCS#11 call that takes a second and the event loop
must keep serving card events meanwhile; those arrive on the card-monitor thread and are
handed to the loop with `call_soon_threadsafe`. Everything a socket sends goes through
one queue, so a pushed card event and the answer to a reply never interleave mid-turn.

Only one conversation is open at a time, as in the terminal: a second tab (or a reload
racing the old socket's close) takes it over, and the old tab is told so and closed,
so two pages never answer the same question. What the person types is handed to the
conversation and nowhere else: never logged, never sent back (a secret shows as a mask
in the page only).

A frame the page never sends closes the socket with the code that names it: 1003 for
binary, 1009 for text longer than MAX_MESSAGE_CHARS or JSON nested deeper than
`boundedjson.MAX_DEPTH`, 1008 for anything else that is not a reply; invalid UTF-8
(1007) and frames over the server's size limit (1009) are closed by the WebSocket layer
itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import anyio
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.requests import ClientDisconnect, Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles
from starlette.types import Message
from starlette.websockets import WebSocket, WebSocketDisconnect

from assistant.agent.conversation import Attached, Opener
from assistant.boundedjson import MAX_DEPTH, nesting_depth, parse_object
from assistant.channels.web.guard import UPLOAD_PATH, WEBSOCKET_PATH, LoopbackGuard
from assistant.channels.web.texts import WEB_TEXTS
from assistant.channels.web.uploads import MAX_UPLOAD_BYTES, TooLargeError, Uploads
from assistant.flow.outputs import Output, Translator
from assistant.i18n import messages
from assistant.i18n.language import SOURCE_LANGUAGE, direction, language_of
from assistant.paths import data_dir
from assistant.resources import packaged

STATIC = packaged("channels", "web", "static")
CHANNEL = "web"
MAX_MESSAGE_CHARS = 4096  # a reply is a line of text; anything longer is not our page
CLOSE_UNSUPPORTED = 1003  # a binary frame: the page sends text only
CLOSE_POLICY = 1008  # a message our page never sends
CLOSE_TOO_BIG = 1009  # longer than MAX_MESSAGE_CHARS, or nested deeper than MAX_DEPTH
CLOSE_REPLACED = 4000  # the conversation moved to another tab

Turn = dict[str, Any]


def create_app(
    opener: Opener,
    translator: Translator,
    token: str,
    *,
    port: int,
    language: str | None = None,
) -> Starlette:
    """The web chat, reachable as http://127.0.0.1:`port`/#`token` only; `opener` gives
    a conversation (the in-process agent's, or one held by `nes-asistan agent`).

    `language` (the `--lang` option) wins over the browser's Accept-Language; a `lang`
    query parameter on the page URL wins over both.
    """
    uploads = Uploads(data_dir() / "uploads")
    uploads.clear()  # what a crashed run left behind
    chat = WebChat(opener, translator, language, uploads)
    routes = [
        Route("/", _page, methods=["GET"]),
        Route(UPLOAD_PATH, chat.upload, methods=["POST"]),
        Route("/download/{folder}/{name}", chat.download, methods=["GET"]),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
        WebSocketRoute(WEBSOCKET_PATH, chat.serve),
    ]
    return Starlette(routes=routes, middleware=[Middleware(LoopbackGuard, token=token, port=port)])


async def _page(request: Request) -> FileResponse:
    return FileResponse(STATIC / "index.html", media_type="text/html; charset=utf-8")


def accepted_languages(header: str) -> list[str]:
    """Accept-Language tags, most wanted first ("de-DE,en;q=0.8" -> ["de-DE", "en"])."""
    weighted: list[tuple[float, str]] = []
    for part in header.split(","):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        name, _, value = params.strip().partition("=")
        if name.strip() == "q":
            try:
                quality = float(value)
            except ValueError:
                continue
        if tag and quality > 0:
            weighted.append((quality, tag))
    return [tag for _, tag in sorted(weighted, key=lambda pair: -pair[0])]


def choose_language(query: str | None, option: str | None, accept: str) -> str:
    """The first shipped language among: query parameter, --lang, the browser's list."""
    for candidate in (query, option, *accepted_languages(accept)):
        code = language_of(candidate) if candidate else None
        if code is not None:
            return code
    return SOURCE_LANGUAGE


def turn(
    conversation: Attached,
    outputs: list[Output],
    translator: Translator,
    downloads: list[dict[str, str]] | None = None,
) -> Turn:
    """One message to the page: outputs plus the language, direction and UI words, and
    the files made beside an upload since the last turn (the signed copy), to download."""
    language = conversation.language
    ui = {
        message_id.removeprefix("web."): messages.text(
            message_id, source, language, None, translator
        )
        for message_id, source in WEB_TEXTS.items()
    }
    return {
        "lang": language,
        "dir": direction(language),
        "ui": ui,
        "outputs": [_output(o) for o in outputs],
        "downloads": downloads or [],
        "upload_limit": MAX_UPLOAD_BYTES,
    }


def _output(output: Output) -> dict[str, Any]:
    return {
        "kind": output.kind.value,
        "id": output.message_id,
        "text": output.text,
        "choices": [{"id": c.id, "text": c.text} for c in output.choices],
        "secret_kind": output.secret_kind,
        "accepts_file": output.params.get("accepts") == "file",
        "from_helpdesk": output.message_id.startswith("helpdesk."),
        "picture": _picture(output),
    }


def _picture(output: Output) -> dict[str, str] | None:
    """A step's illustration: our own SVG under static/pictures, with its alt text."""
    picture = output.picture
    if picture is None or not (STATIC / "pictures" / f"{picture.name}.svg").is_file():
        return None
    return {"src": f"/static/pictures/{picture.name}.svg", "alt": picture.alt}


def reply_text(message: str) -> str | None:
    """The text of a `{"type": "reply", "text": ...}` message; None for anything else."""
    data = parse_object(message)
    if data is None or data.get("type") != "reply":
        return None
    text = data.get("text")
    return text if isinstance(text, str) else None


def read_frame(message: Message) -> str | int:
    """A received WebSocket message's reply text, or the close code it calls for."""
    text = message.get("text")
    if not isinstance(text, str):
        return CLOSE_UNSUPPORTED
    if len(text) > MAX_MESSAGE_CHARS or nesting_depth(text) > MAX_DEPTH:
        return CLOSE_TOO_BIG
    reply = reply_text(text)
    return CLOSE_POLICY if reply is None else reply


class _Connection:
    """An open socket's handle for the one that replaces it."""

    def __init__(self) -> None:
        self.scope = anyio.CancelScope()
        self.done = anyio.Event()


class WebChat:
    def __init__(
        self, opener: Opener, translator: Translator, language: str | None, uploads: Uploads
    ) -> None:
        self.opener = opener
        self.translator = translator
        self.language = language
        self.uploads = uploads
        self._active: _Connection | None = None

    async def upload(self, request: Request) -> Response:
        """Keep the posted file in a fresh private folder; answer with its path, which the
        page sends as the reply to the file question (the guard has checked Host, Origin
        and token). Over the limit: 413, and nothing is kept."""
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > MAX_UPLOAD_BYTES:
            return JSONResponse({"error": "too_large"}, 413)
        path = self.uploads.begin(unquote(request.headers.get("x-file-name", "")))
        try:
            await _receive_file(request, path)
        except TooLargeError:
            self.uploads.discard(path)
            return JSONResponse({"error": "too_large"}, 413)
        except (OSError, ClientDisconnect):
            self.uploads.discard(path)
            return JSONResponse({"error": "failed"}, 500)
        return JSONResponse({"path": str(path), "name": path.name})

    async def download(self, request: Request) -> Response:
        """A file made beside an upload, as an attachment; 404 for any other name."""
        found = self.uploads.find(request.path_params["folder"], request.path_params["name"])
        if found is None:
            return Response(status_code=404)
        return FileResponse(found, filename=found.name, content_disposition_type="attachment")

    async def serve(self, websocket: WebSocket) -> None:
        """One WebSocket, one conversation (the guard has checked Host, Origin, token)."""
        language = choose_language(
            websocket.query_params.get("lang"),
            self.language,
            websocket.headers.get("accept-language", ""),
        )
        await websocket.accept()
        me = _Connection()
        previous, self._active = self._active, me
        if previous is not None:
            previous.scope.cancel()
            await previous.done.wait()
        try:
            await self._converse(websocket, me, language)
        finally:
            me.done.set()
            if self._active is me:
                self._active = None

    async def _converse(self, websocket: WebSocket, me: _Connection, language: str) -> None:
        loop = asyncio.get_running_loop()
        pending: asyncio.Queue[list[Output]] = asyncio.Queue()

        def push(outputs: list[Output]) -> None:  # card-monitor thread
            with contextlib.suppress(RuntimeError):  # loop closed: server and page are gone
                loop.call_soon_threadsafe(pending.put_nowait, outputs)

        conversation, first = await run_in_threadpool(self.opener, CHANNEL, push, language)
        pending.put_nowait(first)
        try:
            with me.scope:
                async with anyio.create_task_group() as group:
                    group.start_soon(self._send_turns, websocket, conversation, pending)
                    close_code = await _answer(websocket, conversation, pending)
                    group.cancel_scope.cancel()
            if me.scope.cancelled_caught:
                close_code = CLOSE_REPLACED
            if close_code is not None:
                await _close(websocket, close_code)
        finally:
            await run_in_threadpool(conversation.close)
            self.uploads.clear()  # the documents do not outlive the conversation

    async def _send_turns(
        self,
        websocket: WebSocket,
        conversation: Attached,
        pending: asyncio.Queue[list[Output]],
    ) -> None:
        try:
            while True:
                outputs = await pending.get()
                downloads = [{"name": d.name, "url": d.url} for d in self.uploads.new_files()]
                await websocket.send_json(turn(conversation, outputs, self.translator, downloads))
        except (WebSocketDisconnect, RuntimeError):
            # The page went, or the WebSocket layer closed the socket over a junk frame
            # (uvicorn refuses a send after its close with RuntimeError); `_answer` sees
            # it too and ends the conversation.
            return


async def _answer(
    websocket: WebSocket, conversation: Attached, pending: asyncio.Queue[list[Output]]
) -> int | None:
    """Read replies until the page goes; the close code to send, if any."""
    try:
        while True:
            message = await websocket.receive()
            if message["type"] == "websocket.disconnect":
                return None
            text = read_frame(message)
            if isinstance(text, int):
                return text
            pending.put_nowait(await run_in_threadpool(conversation.reply, text))
    except WebSocketDisconnect:
        return None


async def _receive_file(request: Request, path: Path) -> None:
    """Stream the request body into `path` (0600), stopping at the size limit."""
    received = 0
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as out:
        async for chunk in request.stream():
            received += len(chunk)
            if received > MAX_UPLOAD_BYTES:
                raise TooLargeError(MAX_UPLOAD_BYTES)
            out.write(chunk)


async def _close(websocket: WebSocket, code: int) -> None:
    with contextlib.suppress(RuntimeError):  # the page closed it first
        await websocket.close(code)
