"""`nes-asistan agent`: one long-running process that owns the card, serving front ends
over a Unix socket (0600, in the user's 0700 runtime dir).

Only one process may talk to the card at a time without tripping over another's PKCS#11
state, so the terminal chat attaches here when an agent runs and starts one in-process
only when none does. Card operations block, so every request runs in a worker thread;
card events come from the monitor thread and are handed to the event loop.

`nes-asistan doctor` sends `{"op": "doctor"}` and gets the checks' findings run against
this agent's card service, without a conversation (assistant.doctor.remote).

Whatever a front end sends, it gets one answer a line and keeps its connection: a line
longer than `wire.MAX_LINE_BYTES` is read to its end and dropped; such a line, bad JSON,
JSON nested deeper than `boundedjson.MAX_DEPTH` and unknown requests are answered
`bad_request`.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import signal
import socket
from collections.abc import Callable
from pathlib import Path
from typing import Any

from assistant.agent.conversation import Attached
from assistant.agent.core import Agent
from assistant.agent.wire import MAX_LINE_BYTES, encode, outputs_message
from assistant.boundedjson import parse_object
from assistant.flow.outputs import Output

_log = logging.getLogger(__name__)


class AgentRunningError(RuntimeError):
    """Another agent already answers on the socket."""


def agent_answers(path: Path) -> bool:
    """Whether an agent is listening on `path` (a file alone may be a dead agent's)."""
    with socket.socket(socket.AF_UNIX) as probe:
        try:
            probe.connect(str(path))
        except OSError:
            return False
    return True


def claim_socket(path: Path) -> None:
    """Remove a socket left by an agent that died; refuse if one is alive."""
    if agent_answers(path):
        raise AgentRunningError(str(path))
    path.unlink(missing_ok=True)


class AgentServer:
    def __init__(self, agent: Agent, path: Path) -> None:
        self.agent = agent
        self.path = path

    async def serve(self, stop: asyncio.Event, ready: Callable[[], None] = lambda: None) -> None:
        """Listen until `stop` is set; `ready` is called once front ends can connect."""
        claim_socket(self.path)
        old_umask = os.umask(0o177)  # the socket is born 0600, not chmod-ed afterwards
        try:
            server = await asyncio.start_unix_server(
                self._client, path=str(self.path), limit=MAX_LINE_BYTES
            )
        finally:
            os.umask(old_umask)
        _log.info("agent listening")
        ready()
        try:
            async with server:
                await stop.wait()
        finally:
            self.path.unlink(missing_ok=True)
            _log.info("agent stopped")

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        loop = asyncio.get_running_loop()
        conversation: Attached | None = None  # a conversation, or the offer to take one over

        def push(outputs: list[Output]) -> None:  # monitor thread
            language = conversation.language if conversation is not None else None
            loop.call_soon_threadsafe(writer.write, outputs_message("push", outputs, language))

        try:
            while (line := await _next_line(reader)) != b"":
                request = parse_object(line) if line is not None else None
                if request is None or not _well_formed(request):
                    _log.info("agent: refused a malformed request (%s)", _why(line))
                    writer.write(encode({"type": "error", "error": "bad_request"}))
                elif request.get("op") == "open" and conversation is None:
                    channel = str(request.get("channel", "terminal"))
                    language = str(request.get("language", "tr"))
                    opened, first = await loop.run_in_executor(
                        None, self.agent.conversation, channel, push, language
                    )
                    conversation = opened
                    writer.write(outputs_message("outputs", first, opened.language))
                elif request.get("op") == "reply" and conversation is not None:
                    outputs = await loop.run_in_executor(
                        None, conversation.reply, str(request.get("text", ""))
                    )
                    writer.write(outputs_message("outputs", outputs, conversation.language))
                elif request.get("op") == "doctor":
                    writer.write(encode(await loop.run_in_executor(None, self.agent.doctor)))
                elif request.get("op") == "close":
                    break
                else:
                    writer.write(encode({"type": "error", "error": "bad_request"}))
                await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError):
            pass  # the front end went away; its conversation is saved
        finally:
            if conversation is not None:
                await loop.run_in_executor(None, conversation.close)
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()


async def _next_line(reader: asyncio.StreamReader) -> bytes | None:
    """The next line; b"" at the end of the stream; None for a line longer than
    MAX_LINE_BYTES, which is read to its newline and dropped so the stream stays in step."""
    too_long = False
    while True:
        try:
            line = await reader.readuntil(b"\n")
        except asyncio.IncompleteReadError as error:
            return None if too_long else error.partial  # b"" once the front end is gone
        except asyncio.LimitOverrunError as error:
            await reader.readexactly(error.consumed)  # already buffered: drop it
            too_long = True
            continue
        return None if too_long else line


def _well_formed(request: dict[str, Any]) -> bool:
    """Every field a request may carry has the type the protocol gives it."""
    fields = ("op", "channel", "language", "text")
    return isinstance(request.get("op"), str) and all(
        isinstance(request.get(name, ""), str) for name in fields
    )


def _why(line: bytes | None) -> str:
    """What was wrong with a refused line, for the log (never the line itself)."""
    return "longer than the limit" if line is None else f"{len(line)} bytes"


def main(args: argparse.Namespace) -> int:
    from assistant.agent import logs
    from assistant.agent.core import load_agent
    from assistant.paths import agent_socket

    logs.configure()
    path = agent_socket()
    try:
        claim_socket(path)
    except AgentRunningError:
        print(f"NES Asistanı zaten çalışıyor / the agent is already running ({path})")
        return 1
    agent = load_agent()
    if agent is None:
        return 2
    agent.start()

    def ready() -> None:
        print(f"NES Asistanı hazır / agent ready: {path}", flush=True)

    async def run() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            loop.add_signal_handler(signum, stop.set)
        await AgentServer(agent, path).serve(stop, ready)

    try:
        asyncio.run(run())
    finally:
        agent.stop()
    return 0
