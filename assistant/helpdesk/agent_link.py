"""The local assistant's side of a support session: an outbound WebSocket to the relay.

A front end (terminal, web) creates a `SupportLink` when the person says "operatör" or
runs `nes-asistan support`, shows the code it returns, and from then on routes the
person's replies through `reply()` and pushed outputs through `forward()`. What leaves
this computer is decided here, before the relay ever sees it:
- a reply typed at a secret prompt is sent as `••••••`, and its value is marked in this
  session's `Redactor` (as an HMAC only), so the same PIN or security word typed later
  in plain chat is masked too; everything else passes the redactor (TC Kimlik No,
  PIN-like digits);
- what comes back from the relay can only be *shown*: an operator's message, a flow
  suggestion (shown with its title; the person starts it from the menu, or not), who
  joined or left. Any other frame — for instance one that tries to answer the current
  question — closes the link; it never reaches `Conversation.reply`.
Typing "destek bitir" / "end support" ends the session at any time.

When the connection drops without the relay ending the session (the helpdesk server
restarted, the network blinked), the link reconnects with backoff for about a minute
(RECONNECT_DELAYS) and presents the resume secret the relay gave at opening; the joined
operator stays joined. The person sees one notice when it drops and one when it is back.
Lines written meanwhile are redacted as always and queued (at most QUEUE_FRAMES frames,
in memory only), then sent after the reconnect; if it fails they are dropped and the
person is told that they were not delivered. A refused resume ends the session.

The socket runs on a private event loop in a daemon thread, because the terminal chat is
synchronous; outputs from the helpdesk reach the person through the same `push` callback
card events use. Every helpdesk output has a message id starting with `helpdesk.`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import ssl
import threading
import tomllib
from collections.abc import Mapping, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, WebSocketException

from assistant.flow.model import Flow, SecretStep, render
from assistant.flow.outputs import Output, OutputKind, Push, Translator
from assistant.flow.session import Session, TranscriptEntry
from assistant.helpdesk.protocol import (
    AGENT_PATH,
    CLOSE_ENDED,
    CLOSE_POLICY,
    MAX_LINES,
    RELAY_FRAMES,
    ProtocolError,
    check_frame,
)
from assistant.helpdesk.redact import Redactor
from assistant.helpdesk.texts import HELPDESK_TEXTS
from assistant.i18n.catalog import source_text
from assistant.i18n.matching import ascii_fold
from assistant.secret import MASK, Secret

log = logging.getLogger(__name__)

URL_ENV = "NES_ASISTAN_HELPDESK_URL"
TOKEN_ENV = "NES_ASISTAN_HELPDESK_TOKEN"
CA_ENV = "NES_ASISTAN_HELPDESK_CA"
END_WORDS = frozenset({"destek bitir", "end support", "support beenden", "انهاء الدعم"})
CONNECT_SECONDS = 10.0
RECONNECT_DELAYS = (0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 15.0, 15.0, 15.0)  # ~61 s in all
QUEUE_FRAMES = 100
FINAL_CLOSE_CODES = frozenset({CLOSE_POLICY, CLOSE_ENDED})  # the relay ended or refused us


@dataclass(frozen=True)
class HelpdeskSettings:
    """Where this computer's helpdesk is: set by the organisation, not by the person."""

    url: str
    token: str
    ca_file: Path | None = None

    @classmethod
    def load(cls, environ: Mapping[str, str] = os.environ) -> HelpdeskSettings | None:
        """`NES_ASISTAN_HELPDESK_URL`/`_TOKEN`/`_CA`, else `helpdesk.toml` in the config dir
        (keys url, token, ca_file); None when no helpdesk is configured."""
        url, token = environ.get(URL_ENV), environ.get(TOKEN_ENV)
        ca = environ.get(CA_ENV)
        if not (url and token):
            from assistant.paths import config_dir

            path = config_dir() / "helpdesk.toml"
            if not path.is_file():
                return None
            data = tomllib.loads(path.read_text(encoding="utf-8"))
            url, token, ca = data.get("url"), data.get("token"), data.get("ca_file")
            if not (isinstance(url, str) and isinstance(token, str)):
                return None
        return cls(url, token, Path(ca) if ca else None)

    def ssl_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.ca_file) if self.ca_file else None)


class LocalConversation(Protocol):
    """The conversation on this computer, as the link drives it."""

    @property
    def session(self) -> Session: ...

    def reply(self, text: str) -> list[Output]: ...


class HelpdeskUnavailableError(RuntimeError):
    """The relay could not be reached or refused us (the person is told, not the log)."""


def awaited_secret(session: Session) -> SecretStep | None:
    """The secret step the session waits at, if the next reply is a secret."""
    if session.ended or not session.frames or session.pending is not None:
        return None
    step = session.flow.step(session.step_id)
    return step if isinstance(step, SecretStep) else None


class SupportLink:
    def __init__(
        self,
        push: Push,
        *,
        language: str = "tr",
        translator: Translator = source_text,
        flows: Mapping[str, Flow] | None = None,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self._push = push
        self.language = language
        self._translate = translator
        self._flows = flows or {}
        self._ssl = ssl_context
        self.redactor = Redactor()
        self.session_id: str | None = None
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._socket: ClientConnection | None = None  # None while reconnecting
        self._reader: Future[None] | None = None
        self._live = False  # the session is open on our side (connected or reconnecting)
        self._stopping = asyncio.Event()  # set by end(): stop waiting to reconnect
        self._url = ""
        self._token = ""
        self._resume = ""
        self._queue: list[dict[str, Any]] = []  # touched on the link's loop only

    @property
    def active(self) -> bool:
        return self._live

    # -- opening -----------------------------------------------------------------------
    def open_support(
        self, relay_url: str, token: str, transcript: Sequence[TranscriptEntry] = ()
    ) -> str:
        """Connect, open a support session and return its pairing code.

        `transcript` (the session's, where secrets are already `••••••`) is shared so the
        operator sees how the person got here; it passes the redactor like everything."""
        self._thread.start()
        future = asyncio.run_coroutine_threadsafe(self._open(relay_url, token), self._loop)
        try:
            code = future.result(CONNECT_SECONDS)
        except (OSError, TimeoutError, WebSocketException, ProtocolError) as error:
            log.warning("helpdesk relay unavailable: %s", type(error).__name__)
            self._stop_loop()
            raise HelpdeskUnavailableError(type(error).__name__) from None
        shared = [(e.role, e.text) for e in transcript if e.text]
        for start in range(0, len(shared), MAX_LINES):
            self._lines(shared[start : start + MAX_LINES])
        self._push([self.notice("helpdesk.code", {"code": code})])
        return code

    async def _connect(
        self, first: dict[str, str], expected: str
    ) -> tuple[ClientConnection, dict[str, Any]]:
        """A socket to the relay on which `first` was answered by an `expected` frame."""
        url = self._url.rstrip("/") + AGENT_PATH
        socket = await connect(
            url,
            additional_headers={"Authorization": f"Bearer {self._token}"},
            ssl=self._ssl if url.startswith("wss:") else None,
            open_timeout=CONNECT_SECONDS,
        )
        await socket.send(json.dumps(first))
        try:
            raw = await asyncio.wait_for(socket.recv(), CONNECT_SECONDS)
            frame = check_frame(json.loads(raw), RELAY_FRAMES)
            if frame["type"] != expected:
                raise ProtocolError(f"expected {expected}")
        except BaseException:
            await socket.close()
            raise
        return socket, frame

    async def _open(self, relay_url: str, token: str) -> str:
        self._url, self._token = relay_url, token
        opening = {"type": "open", "language": self.language}
        socket, frame = await self._connect(opening, "opened")
        self._socket, self._live = socket, True
        self.session_id, self._resume = frame["session"], frame["resume"]
        self._reader = asyncio.run_coroutine_threadsafe(self._read(socket), self._loop)
        return str(frame["code"])

    # -- what leaves this computer -----------------------------------------------------
    def reply(self, conversation: LocalConversation, text: str) -> list[Output]:
        """The person's reply: to the conversation, and (redacted) to the helpdesk."""
        if ascii_fold(text) in {ascii_fold(w) for w in END_WORDS}:
            self.end()
            return [self.notice("helpdesk.ended", {})]
        step = awaited_secret(conversation.session)
        if step is not None and text.strip():
            with Secret(text.strip(), step.secret_kind) as typed:
                self.redactor.mark(typed)
        self.chat(MASK if step is not None else text)
        outputs = conversation.reply(text)
        self.forward(outputs)
        return outputs

    def forward(self, outputs: list[Output]) -> None:
        """What the assistant said (including pushed card events), for the operator."""
        lines = []
        for output in outputs:
            if output.message_id.startswith("helpdesk."):
                continue  # the operator's own words and our notices stay here
            shown = [output.text, *(f"{n}) {c.text}" for n, c in enumerate(output.choices, 1))]
            lines.append(("assistant", "\n".join(s for s in shown if s)))
        self._lines(lines)

    def chat(self, text: str) -> None:
        """A line the person wrote for the operator (redacted like everything else)."""
        self._lines([("user", text)])

    def send_diagnostics(self, text: str) -> None:
        self._send({"type": "diagnostics", "text": self.redactor(text)})

    def new_code(self) -> None:
        self._send({"type": "new_code"})

    def end(self) -> None:
        """End the support session (the person's decision; the operator is told)."""
        self._send({"type": "end"})
        self._close()

    def _lines(self, lines: list[tuple[str, str]]) -> None:
        if lines:
            redacted = [{"role": role, "text": self.redactor(text)} for role, text in lines]
            self._send({"type": "transcript", "lines": redacted})

    def _send(self, frame: dict[str, Any]) -> None:
        if not self._live:
            return
        future = asyncio.run_coroutine_threadsafe(self._deliver(frame), self._loop)
        with contextlib.suppress(TimeoutError):
            future.result(CONNECT_SECONDS)

    async def _deliver(self, frame: dict[str, Any]) -> None:
        """Send now, or queue (already redacted) until the link has reconnected."""
        socket = self._socket
        if socket is not None:
            try:
                await socket.send(json.dumps(frame))
                return
            except (OSError, WebSocketException):
                pass  # the reader sees the drop too and reconnects
        if len(self._queue) < QUEUE_FRAMES:
            self._queue.append(frame)

    # -- what comes back ---------------------------------------------------------------------
    async def _read(self, socket: ClientConnection | None) -> None:
        """Show what the relay sends; on a dropped connection, resume the session."""
        notice = "helpdesk.ended"
        while socket is not None:
            if await self._listen(socket) or not self._live:
                break
            socket = await self._reconnect()
            if socket is None:
                notice = "helpdesk.lost"
        self._closed_by_relay(notice)

    async def _listen(self, socket: ClientConnection) -> bool:
        """True when the session is over, False when only the connection dropped."""
        try:
            async for message in socket:
                output = self._shown(check_frame(json.loads(message), RELAY_FRAMES))
                if output is not None:
                    self._push([output])
        except (ProtocolError, ValueError):
            log.warning("helpdesk relay sent a frame outside the protocol; link closed")
            await socket.close()
            return True
        except WebSocketException:
            pass
        return socket.close_code in FINAL_CLOSE_CODES

    async def _reconnect(self) -> ClientConnection | None:
        """Resume the session on a new socket, with backoff; None when that failed."""
        self._socket = None
        self._push([self.notice("helpdesk.reconnecting", {})])
        assert self.session_id is not None
        resume = {"type": "resume", "session": self.session_id, "secret": self._resume}
        for delay in RECONNECT_DELAYS:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), delay)
            if not self._live:
                return None
            try:
                socket, _ = await self._connect(resume, "resumed")
            except ConnectionClosed as closed:
                if closed.rcvd is not None and closed.rcvd.code in FINAL_CLOSE_CODES:
                    log.warning("helpdesk relay refused to resume the session")
                    return None
                continue
            except (OSError, TimeoutError, WebSocketException, ProtocolError, ValueError):
                continue  # not up yet: try again after the next delay
            while self._queue:  # in order; lines queued during this flush included
                await socket.send(json.dumps(self._queue.pop(0)))
            self._socket = socket
            log.info("helpdesk link resumed")
            self._push([self.notice("helpdesk.reconnected", {})])
            return socket
        return None

    def _shown(self, frame: dict[str, Any]) -> Output | None:
        kind = frame["type"]
        if kind == "code":
            return self.notice("helpdesk.code", {"code": frame["code"]})
        if kind in ("joined", "left"):
            return self.notice(f"helpdesk.{kind}", {"operator": frame["operator"]})
        if kind == "message":
            return self.notice(
                "helpdesk.message", {"operator": frame["operator"], "text": frame["text"]}
            )
        if kind == "suggest":
            flow = self._flows.get(frame["flow"])
            if flow is None or flow.title is None:
                return None  # not a flow of this assistant: nothing to offer
            title = self._translate(flow.title.id, flow.title.text, self.language)
            return self.notice("helpdesk.suggest", {"title": title, "flow": flow.name})
        return None  # "opened"/"resumed" twice or "ended": the close that follows says it

    def notice(self, message_id: str, params: Mapping[str, str]) -> Output:
        """A helpdesk.* text as an output, in the person's language (front ends use it for
        `helpdesk.unavailable` and `helpdesk.not_configured`)."""
        template = self._translate(message_id, HELPDESK_TEXTS[message_id], self.language)
        return Output(OutputKind.TEXT, message_id, render(template, params), dict(params))

    # -- closing -------------------------------------------------------------------------------
    def _closed_by_relay(self, notice: str) -> None:
        self._socket = None
        self._queue.clear()
        if self._live:
            self._live = False
            self._push([self.notice(notice, {})])

    def _close(self) -> None:
        self._live = False
        if self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._stopping.set)
        socket, self._socket = self._socket, None
        if socket is not None:
            future = asyncio.run_coroutine_threadsafe(socket.close(), self._loop)
            with contextlib.suppress(Exception):
                future.result(CONNECT_SECONDS)
        if self._reader is not None:
            with contextlib.suppress(Exception):
                self._reader.result(CONNECT_SECONDS)
        self._stop_loop()

    def _stop_loop(self) -> None:
        if self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(CONNECT_SECONDS)
        self._loop.close()
