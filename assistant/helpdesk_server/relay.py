"""The relay: local agents connect out to it, operators reach them through the Telegram bot.

The person's computer never accepts connections; its assistant opens a WebSocket to
`/v1/agent` with the organisation's token (`Authorization: Bearer …`), asks for a support
session and gets a pairing code. From then on it streams its (already redacted)
transcript lines and a diagnostics summary; the relay redacts them once more before an
operator sees them. Operators act only through `RelayHub` methods the bot calls (`join`,
`leave`, `say`, `suggest`).

The protocol (`assistant.helpdesk.protocol`, shared with the agent's link) is the
safety boundary: no frame carries input for the conversation, and a frame outside it
closes the socket with 1008 (policy violation).
Resuming: `opened` carries a resume secret (256 random bits) of which only the SHA-256
is stored, in the session's row. When the socket drops (the relay restarted, the network
blinked) the session stays open for RESUME_GRACE seconds; an agent that presents the
session id with its secret (`resume`, compared in constant time) takes it up again, with
the operator still joined. A wrong or expired secret closes the socket with 1008. The
secret is bound to its one session and cleared from the database when the session ends.
Nothing a person typed is stored or logged here: logs carry session ids and frame types.
TLS is uvicorn's (`--ssl-certfile/--ssl-keyfile`, see README.md); the app is the same.

Limits: an `open` is refused with 1013 (try again later) before anything is created when
`max_waiting` sessions already wait for an operator (pairing.py), so a refused open
leaves no session row and no registered agent. A frame that is binary, nested deeper
than `boundedjson.MAX_DEPTH` or not JSON is outside the protocol (1008). A socket that
closes while the relay writes to it (an operator's /say as the agent goes away, a
shutdown) is the ordinary end of a connection, logged at INFO, never an error.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import logging
import secrets
from collections import deque
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.routing import WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from assistant.boundedjson import parse_object
from assistant.helpdesk.protocol import (
    AGENT_FRAMES,
    AGENT_PATH,
    CLOSE_BUSY,
    CLOSE_ENDED,
    CLOSE_POLICY,
    MAX_TEXT,
    ProtocolError,
    check_frame,
)
from assistant.helpdesk.redact import redact
from assistant.helpdesk_server.pairing import JoinOutcome, Pairing, TooManyCodesError
from assistant.helpdesk_server.store import HelpdeskStore

log = logging.getLogger(__name__)

BACKLOG_LINES = 200  # what an operator sees of the conversation before they joined
IDLE_TIMEOUT = 30 * 60.0
RESUME_GRACE = 120.0  # how long a session waits for its agent (which retries for ~60 s)
RESUME_BYTES = 32
_NO_HASH = bytes(32)  # compared against when the session is unknown: same time either way

# (operator's Telegram id, helpdesk.operator.* message id, params) -> shown on Telegram
OperatorSink = Callable[[int, str, Mapping[str, str]], Awaitable[None]]


class HelpdeskBusyError(RuntimeError):
    """As many sessions wait for an operator as the helpdesk allows (`max_waiting`)."""


@dataclass
class _Agent:
    socket: WebSocket
    session_id: str
    language: str
    backlog: deque[tuple[str, str]] = field(default_factory=lambda: deque(maxlen=BACKLOG_LINES))
    diagnostics: str | None = None


class RelayHub:
    """The agents connected right now and what operators may do to them."""

    def __init__(
        self,
        store: HelpdeskStore,
        pairing: Pairing,
        tokens: Sequence[str],
        notify: OperatorSink,
        idle_timeout: float = IDLE_TIMEOUT,
        *,
        resume_grace: float = RESUME_GRACE,
    ) -> None:
        if not tokens or any(len(t) < 16 for t in tokens):
            raise ValueError("agent tokens must be set and at least 16 characters long")
        self.store = store
        self.pairing = pairing
        self._tokens = [t.encode() for t in tokens]
        self.notify = notify
        self.idle_timeout = idle_timeout
        self.resume_grace = resume_grace
        self._agents: dict[str, _Agent] = {}
        store.detach_all()  # after a restart, sessions wait for their agents to resume

    # -- the Starlette app ---------------------------------------------------------------
    def app(self) -> Starlette:
        return Starlette(routes=[WebSocketRoute(AGENT_PATH, self.serve_agent)])

    def _authorised(self, socket: WebSocket) -> bool:
        scheme, _, presented = socket.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer":
            return False
        given = presented.strip().encode()
        # Compare with every token, always: the time taken says nothing about which matched.
        return sum(hmac.compare_digest(given, token) for token in self._tokens) > 0

    async def serve_agent(self, socket: WebSocket) -> None:
        if not self._authorised(socket):
            log.warning("agent connection refused: bad token")
            await socket.close(code=CLOSE_POLICY)
            return
        await socket.accept()
        agent: _Agent | None = None
        reason = "disconnected"
        try:
            while True:
                frame = check_frame(await _receive_object(socket), AGENT_FRAMES)
                if agent is None:
                    if frame["type"] == "open":
                        agent = await self._open(socket, frame["language"])
                    elif frame["type"] == "resume":
                        agent = await self._resume(socket, frame["session"], frame["secret"])
                    else:
                        raise ProtocolError("first frame must be open or resume")
                elif frame["type"] == "end":
                    reason = "user_ended"
                    break
                else:
                    await self._from_agent(agent, frame)
        except WebSocketDisconnect:
            pass
        except (HelpdeskBusyError, TooManyCodesError):
            log.warning("support session refused: %d sessions wait already", self._waiting())
            await _close(socket, CLOSE_BUSY)
        except ProtocolError as error:
            # Log the kind only; the frame may hold anything.
            log.warning("agent frame rejected: %s", error)
            await _close(socket, CLOSE_POLICY)
        finally:
            if agent is not None and self._agents.get(agent.session_id) is agent:
                if reason == "disconnected":  # it may come back: wait RESUME_GRACE for it
                    del self._agents[agent.session_id]
                    self.store.detach(agent.session_id)
                    log.info("support session %s detached", agent.session_id)
                else:
                    await self._end(agent.session_id, reason)

    def _waiting(self) -> int:
        return self.store.waiting_sessions()

    async def _open(self, socket: WebSocket, language: str) -> _Agent:
        """A new session with its code, or nothing at all: a refused or failed open leaves
        no session row, no valid code and no registered agent behind."""
        if not self.pairing.has_room():
            raise HelpdeskBusyError
        session = self.store.create_session(language[:8])
        try:
            code = self.pairing.issue(session.id)
        except TooManyCodesError:  # codes of sessions past waiting fill the last place
            self.store.discard_session(session.id)
            raise
        secret = secrets.token_urlsafe(RESUME_BYTES)
        self.store.set_resume(session.id, _resume_hash(secret))
        agent = _Agent(socket, session.id, session.language)
        self._agents[session.id] = agent
        opened = {"type": "opened", "session": session.id, "code": code, "resume": secret}
        if not await _send(socket, opened):  # it never learnt the session: nothing to resume
            del self._agents[session.id]
            self.store.discard_session(session.id)
            raise WebSocketDisconnect
        log.info("support session %s opened", session.id)
        return agent

    async def _resume(self, socket: WebSocket, session_id: str, secret: str) -> _Agent:
        """Take up an open session again with its resume secret (and nothing else)."""
        stored = self.store.resume_hash(session_id)
        matches = hmac.compare_digest(_resume_hash(secret), stored or _NO_HASH)
        if stored is None or not matches:
            log.warning("resume refused for session %s", session_id[:64])
            raise ProtocolError("resume refused")
        session = self.store.session(session_id)
        assert session is not None  # it has a resume hash, so it exists and is open
        previous = self._agents.get(session_id)
        agent = _Agent(socket, session_id, session.language)
        if previous is not None:  # a half-dead socket the relay had not noticed yet
            agent.backlog, agent.diagnostics = previous.backlog, previous.diagnostics
            await _close(previous.socket, CLOSE_POLICY)
        self._agents[session_id] = agent
        self.store.attach(session_id)
        operator = session.operator_id
        name = "" if operator is None else self.store.operator_name(operator) or str(operator)
        if not await _send(socket, {"type": "resumed", "operator": name}):
            raise WebSocketDisconnect  # gone again at once: detached as before
        log.info("support session %s resumed", session_id)
        if operator is not None:
            await self.notify(operator, "helpdesk.operator.resumed", {})
        return agent

    async def _from_agent(self, agent: _Agent, frame: dict[str, Any]) -> None:
        self.store.touch(agent.session_id)
        kind = frame["type"]
        if kind == "new_code":
            try:
                code = self.pairing.issue(agent.session_id)
            except TooManyCodesError:  # back to waiting after /leave, with the helpdesk full
                await self._end(agent.session_id, "busy")
                return
            await _send(agent.socket, {"type": "code", "code": code})
            return
        session = self.store.session(agent.session_id)
        operator = session.operator_id if session is not None else None
        if kind == "diagnostics":
            agent.diagnostics = redact(frame["text"])
            if operator is not None:
                await self.notify(
                    operator, "helpdesk.operator.diagnostics", {"text": agent.diagnostics}
                )
            return
        lines = [(line["role"], redact(line["text"])) for line in frame["lines"]]
        agent.backlog.extend(lines)
        if operator is not None and lines:
            await self.notify(operator, "helpdesk.operator.transcript", {"text": _lines(lines)})

    async def _end(self, session_id: str, reason: str) -> None:
        session = self.store.session(session_id)
        agent = self._agents.pop(session_id, None)
        if session is None or not self.store.end_session(session_id, reason):
            return
        log.info("support session %s ended: %s", session_id, reason)
        ended = {"type": "ended", "reason": reason}
        if agent is not None and reason != "disconnected" and await _send(agent.socket, ended):
            await _close(agent.socket, CLOSE_ENDED)
        if session.operator_id is not None:
            await self.notify(session.operator_id, f"helpdesk.operator.{reason}", {})

    # -- what operators can do (called by the bot) -------------------------------------------
    async def join(self, operator_id: int, code: str) -> JoinOutcome:
        outcome, session_id = self.pairing.redeem(code, operator_id)
        if outcome is not JoinOutcome.JOINED or session_id is None:
            log.warning("join refused for operator %s: %s", operator_id, outcome.value)
            return outcome
        agent = self._agents.get(session_id)
        if agent is None:  # the agent went away between issuing the code and now
            self.store.end_session(session_id, "disconnected")
            return JoinOutcome.WRONG
        name = self.store.operator_name(operator_id) or str(operator_id)
        if not await _send(agent.socket, {"type": "joined", "operator": name}):
            self.store.leave(operator_id)  # the agent is going: it resumes or the session ends
            return JoinOutcome.WRONG
        log.info("operator %s joined support session %s", operator_id, session_id)
        await self.notify(operator_id, "helpdesk.operator.joined", {"language": agent.language})
        if agent.diagnostics:
            await self.notify(
                operator_id, "helpdesk.operator.diagnostics", {"text": agent.diagnostics}
            )
        if agent.backlog:
            await self.notify(
                operator_id, "helpdesk.operator.transcript", {"text": _lines(agent.backlog)}
            )
        return outcome

    def joined(self, operator_id: int) -> bool:
        return self._agent_of(operator_id) is not None

    def _agent_of(self, operator_id: int) -> _Agent | None:
        session_id = self.store.joined_session(operator_id)
        return None if session_id is None else self._agents.get(session_id)

    async def leave(self, operator_id: int) -> bool:
        agent = self._agent_of(operator_id)
        name = self.store.operator_name(operator_id) or str(operator_id)
        if self.store.leave(operator_id) is None:
            return False
        if agent is not None:
            await _send(agent.socket, {"type": "left", "operator": name})
        return True

    async def say(self, operator_id: int, text: str) -> bool:
        """Show the operator's words in the person's chat (never as their answer)."""
        agent = self._agent_of(operator_id)
        if agent is None or not text.strip():
            return False
        self.store.touch(agent.session_id)
        name = self.store.operator_name(operator_id) or str(operator_id)
        frame = {"type": "message", "operator": name, "text": text[:MAX_TEXT]}
        return await _send(agent.socket, frame)

    async def suggest(self, operator_id: int, flow: str) -> bool:
        """Offer a flow; the person decides whether to start it."""
        agent = self._agent_of(operator_id)
        if agent is None or not flow.isidentifier() or len(flow) > 64:
            return False
        self.store.touch(agent.session_id)
        return await _send(agent.socket, {"type": "suggest", "flow": flow})

    async def expire_idle(self) -> list[str]:
        """End sessions idle for longer than the timeout (called periodically)."""
        ended = self.store.idle_sessions(self.idle_timeout, self.resume_grace)
        for session_id in ended:
            gone = session_id not in self._agents
            await self._end(session_id, "disconnected" if gone else "timeout")
        return ended

    async def expire_forever(self, every: float = 30.0) -> None:
        while True:
            await asyncio.sleep(every)
            await self.expire_idle()


async def _receive_object(socket: WebSocket) -> dict[str, Any]:
    """The next frame as a JSON object; ProtocolError for binary, deep or non-JSON frames."""
    message = await socket.receive()
    if message["type"] == "websocket.disconnect":
        raise WebSocketDisconnect(message.get("code", 1000))
    text = message.get("text")
    frame = parse_object(text) if isinstance(text, str) else None
    if frame is None:
        raise ProtocolError("not a JSON object in a text frame")
    return frame


async def _send(socket: WebSocket, frame: dict[str, Any]) -> bool:
    """Send `frame` to an agent; False when its socket has closed or is closing, which
    is how connections end (the agent went, the relay shuts down), not an error."""
    try:
        await socket.send_json(frame)
    except (WebSocketDisconnect, RuntimeError, OSError):
        log.info("agent socket closed before a %s frame could be sent", frame["type"])
        return False
    return True


async def _close(socket: WebSocket, code: int) -> None:
    with contextlib.suppress(WebSocketDisconnect, RuntimeError, OSError):
        await socket.close(code=code)


def _resume_hash(secret: str) -> bytes:
    """SHA-256 is enough: the secret is 256 random bits, nothing to guess or stretch."""
    return hashlib.sha256(secret.encode("utf-8", "replace")).digest()


def _lines(lines: Sequence[tuple[str, str]] | deque[tuple[str, str]]) -> str:
    return "\n".join(f"{'👤' if role == 'user' else '🤖'} {text}" for role, text in lines)
