"""Frames into the web chat's WebSocket: junk is closed with the code that names it.

The web chat runs as `nes-asistan web` runs it (the same uvicorn config, guard and app)
in a thread of this process, over a real in-process agent on the echo flow, so every
log record reaches pytest. Binary frames close with 1003, invalid UTF-8 with 1007, text
too long or nested too deep with 1009, other junk with 1008; none leaves an ERROR line,
nor does a refused handshake; and the next page to connect converses as usual.
CI runs CI_EXAMPLES frames; NES_ASISTAN_EXAMPLES sets more.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import uvicorn
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import ClientConnection, connect

from assistant.boundedjson import MAX_DEPTH
from assistant.channels.web.app import MAX_MESSAGE_CHARS, create_app
from assistant.channels.web.server import MAX_WS_BYTES, listening_socket, server_config
from assistant.flow.outputs import Translator
from tests.examples import examples
from tests.fixtures.echo import QUESTION, echo_agent

CI_EXAMPLES = 60
TOKEN = "frames-test-token"


@dataclass
class Chat:
    port: int

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def open(self, token: str = TOKEN, origin: str | None = None) -> ClientConnection:
        return connect(
            f"ws://127.0.0.1:{self.port}/ws?token={token}",
            origin=origin or self.origin,  # type: ignore[arg-type]
            proxy=None,
            open_timeout=30,
            max_size=None,
        )


@pytest.fixture(scope="module")
def chat(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Chat]:
    agent = echo_agent(tmp_path_factory.mktemp("web"))
    translator: Translator = agent.translator
    sock = listening_socket(0)
    port = sock.getsockname()[1]
    app = create_app(agent.conversation, translator, TOKEN, port=port)
    server = uvicorn.Server(server_config(app))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="web-chat")
    thread.start()
    yield Chat(port)
    server.should_exit = True
    thread.join(30)
    sock.close()
    agent.stop()


def turn(ws: ClientConnection) -> dict[str, Any]:
    message: dict[str, Any] = json.loads(ws.recv(timeout=30))
    return message


def asks(message: dict[str, Any]) -> bool:
    return QUESTION in {o["id"] for o in message["outputs"]}


def close_code(ws: ClientConnection) -> int | None:
    """Read until the server closes; the code it sent."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            ws.recv(timeout=30)
        except ConnectionClosed as closed:
            return closed.rcvd.code if closed.rcvd is not None else None
    raise AssertionError("the server did not close the socket")


def server_side(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    """The server's records; the test's own WebSocket client logs its resets in DEBUG."""
    return [r for r in caplog.records if not r.name.startswith("websockets.client")]


def expected_close(text: str) -> int:
    if len(text) > MAX_MESSAGE_CHARS:
        return 1009
    from assistant.boundedjson import nesting_depth

    return 1009 if nesting_depth(text) > MAX_DEPTH else 1008


def junk_json() -> st.SearchStrategy[Any]:
    scalars = st.none() | st.booleans() | st.integers() | st.text(max_size=20)
    return st.recursive(
        scalars,
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner),
        max_leaves=16,
    )


# (what to send, the close code it must get; None: work it out from the text)
FRAMES = st.one_of(
    st.binary(max_size=200).map(lambda b: (b, 1003)),
    st.binary(min_size=1, max_size=40)
    .filter(lambda b: not _utf8(b))
    .map(lambda b: (("invalid-utf8", b), 1007)),
    st.text(max_size=200).map(lambda t: (t, None)),
    junk_json().map(lambda v: (json.dumps(v), None)),
    st.integers(min_value=MAX_DEPTH + 1, max_value=3000).map(lambda n: ("[" * n + "]" * n, 1009)),
    st.integers(min_value=MAX_DEPTH, max_value=30).map(
        lambda n: (
            json.dumps({"type": "reply", "text": "x", "n": json.loads("[" * n + "]" * n)}),
            1009,
        )
    ),
    st.integers(min_value=MAX_MESSAGE_CHARS, max_value=MAX_WS_BYTES * 2).map(
        lambda n: (json.dumps({"type": "reply", "text": "x" * n}), 1009)
    ),
    st.sampled_from(
        [
            ('{"type": "reply", "text": 5}', 1008),
            ('{"type": "reply", "text": ["evet"]}', 1008),
            ("", 1008),
        ]
    ),
)


def _utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


@settings(
    max_examples=examples(CI_EXAMPLES),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(frame=FRAMES)
def test_junk_frames_close_with_their_code_and_the_chat_goes_on(
    chat: Chat, frame: tuple[Any, int | None], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.clear()
    payload, expected = frame
    with chat.open() as ws:
        assert asks(turn(ws))
        if isinstance(payload, tuple):
            ws.send(payload[1], text=True)  # bytes in a text frame: not valid UTF-8
        else:
            ws.send(payload)
        if expected is None:
            from assistant.channels.web.app import reply_text

            if (
                isinstance(payload, str)
                and expected_close(payload) == 1008
                and reply_text(payload) is not None
            ):
                assert asks(turn(ws))  # it was a reply after all
                return
            expected = expected_close(payload)
        assert close_code(ws) == expected, payload if len(payload) < 200 else len(payload)
    with chat.open() as ws:  # the next page converses as usual
        assert asks(turn(ws))
        ws.send(json.dumps({"type": "reply", "text": "merhaba"}))
        assert asks(turn(ws))
    errors = [r for r in server_side(caplog) if r.levelno >= logging.ERROR or r.exc_info]
    assert errors == [], [r.getMessage() for r in errors]


def test_refused_handshakes_are_logged_at_info_never_error(
    chat: Chat, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO):
        for token, origin in (
            ("wrong", None),
            ("", None),
            (TOKEN, "http://evil.example"),
        ):
            with pytest.raises(InvalidStatus) as refused:
                chat.open(token, origin)
            assert refused.value.response.status_code == 403
        deadline = time.monotonic() + 30
        while sum("web chat: refused" in r.getMessage() for r in caplog.records) < 3:
            assert time.monotonic() < deadline, "the guard did not log the refusals"
            time.sleep(0.01)
    assert [r for r in server_side(caplog) if r.levelno >= logging.WARNING] == []
    assert all(TOKEN not in r.getMessage() for r in server_side(caplog))
