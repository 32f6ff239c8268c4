"""Frames into the agent socket: every line gets one answer and the connection stays up.

The agent runs for real (AgentServer on a Unix socket, the echo flow, SQLite), in a
thread of this process so its log records reach pytest. A front end that sends a line
of 200 KiB, JSON nested 5,000 deep, bytes that are not UTF-8 or a request of the wrong
shape gets `bad_request`, and its next good request is answered as if nothing happened.
CI runs CI_EXAMPLES sequences; NES_ASISTAN_EXAMPLES sets more.
"""

from __future__ import annotations

import asyncio
import json
import logging
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant.agent.client import AgentGoneError, RemoteConversation
from assistant.agent.server import AgentServer
from assistant.agent.wire import MAX_LINE_BYTES
from tests.examples import examples
from tests.fixtures.echo import QUESTION, echo_agent

CI_EXAMPLES = 60
OPEN = {"op": "open", "channel": "terminal", "language": "tr"}


@pytest.fixture(scope="module")
def agent_socket(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    folder = tmp_path_factory.mktemp("agent")
    path = folder / "agent.sock"
    agent = echo_agent(folder)
    loop = asyncio.new_event_loop()
    stop = asyncio.Event()
    ready = threading.Event()

    def run() -> None:
        loop.run_until_complete(AgentServer(agent, path).serve(stop, ready.set))

    thread = threading.Thread(target=run, name="agent-under-test")
    thread.start()
    assert ready.wait(30), "the agent did not start listening"
    yield path
    loop.call_soon_threadsafe(stop.set)
    thread.join(30)
    agent.stop()
    loop.close()


class Line:
    """One front end's connection, read a line at a time with a deadline."""

    def __init__(self, path: Path) -> None:
        self.sock = socket.socket(socket.AF_UNIX)
        self.sock.settimeout(30)
        self.sock.connect(str(path))
        self.stream = self.sock.makefile("rb")

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def answer(self) -> dict[str, Any]:
        line = self.stream.readline()
        assert line.endswith(b"\n"), f"the agent dropped the connection ({line!r})"
        message: dict[str, Any] = json.loads(line)
        return message

    def request(self, message: dict[str, Any]) -> dict[str, Any]:
        self.send(json.dumps(message).encode() + b"\n")
        return self.answer()

    def close(self) -> None:
        self.stream.close()
        self.sock.close()


def asks(answer: dict[str, Any]) -> bool:
    return answer["type"] == "outputs" and QUESTION in {o["message_id"] for o in answer["outputs"]}


def junk_json() -> st.SearchStrategy[Any]:
    scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20)
    return st.recursive(
        scalars,
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner),
        max_leaves=12,
    )


def deep(depth: int, opener: str, closer: str) -> bytes:
    return (opener * depth + closer * depth).encode()


FRAMES = st.one_of(
    st.binary(max_size=64).map(lambda b: b.replace(b"\n", b"") + b"\n"),
    junk_json().map(lambda v: json.dumps(v).encode() + b"\n"),
    st.integers(min_value=9, max_value=20_000).map(lambda n: deep(n, "[", "]") + b"\n"),
    st.integers(min_value=9, max_value=20_000).map(lambda n: deep(n, '{"a":', "}") + b"\n"),
    st.integers(min_value=MAX_LINE_BYTES, max_value=4 * MAX_LINE_BYTES).map(
        lambda n: b"x" * n + b"\n"
    ),
    st.sampled_from(
        [
            b'{"op": "open"}\n',  # a second open on a connection
            b'{"op": "reply", "text": ["evet"]}\n',
            b'{"op": "reply", "text": 5}\n',
            b'{"op": 7}\n',
            b'{"op": "reply", "text": "' + b"9" * 5000 + b'"' + b"9" * 5000 + b"}\n",
            b'{"op": "reply", "text": "x", "n": ' + b"9" * 5000 + b"}\n",
            b"\xff\xfe{}\n",
            b"\n",
            b"   \n",
            b"[]\n",
            b"null\n",
        ]
    ),
)


@settings(
    max_examples=examples(CI_EXAMPLES),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(frames=st.lists(FRAMES, min_size=1, max_size=6))
def test_junk_frames_get_bad_request_and_the_conversation_goes_on(
    agent_socket: Path, frames: list[bytes], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.clear()
    line = Line(agent_socket)
    try:
        assert asks(line.request(OPEN))
        for frame in frames:
            line.send(frame)
            answer = line.answer()
            assert answer == {"type": "error", "error": "bad_request"}, (frame[:80], answer)
        assert asks(line.request({"op": "reply", "text": "merhaba"}))
    finally:
        line.close()
    escaped = [r for r in caplog.records if r.levelno >= logging.WARNING or r.exc_info]
    assert escaped == [], [r.getMessage() for r in escaped]


def test_a_line_split_over_many_writes_and_one_over_the_limit_in_a_row(agent_socket: Path) -> None:
    line = Line(agent_socket)
    try:
        assert asks(line.request(OPEN))
        request = json.dumps({"op": "reply", "text": "bir"}).encode() + b"\n"
        for byte in request:  # a slow writer: one byte at a time
            line.send(bytes([byte]))
        assert asks(line.answer())
        line.send(b"y" * (MAX_LINE_BYTES * 3) + b"\n" + request)
        assert line.answer() == {"type": "error", "error": "bad_request"}
        assert asks(line.answer())
    finally:
        line.close()


def test_a_client_whose_agent_stops_answering_is_told_the_agent_is_gone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An agent that accepts and then says nothing (hung on a card call) must not leave the
    front end with a queue.Empty traceback: it is the same "agent gone" as a closed socket."""
    monkeypatch.setattr("assistant.agent.client.REPLY_TIMEOUT_SECONDS", 0.5)
    path = tmp_path / "mute.sock"
    with socket.socket(socket.AF_UNIX) as mute:
        mute.bind(str(path))
        mute.listen(1)
        with pytest.raises(AgentGoneError):
            RemoteConversation.attach(path, lambda outputs: None, "terminal", "tr")
