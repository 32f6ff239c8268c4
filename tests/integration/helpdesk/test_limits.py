"""The helpdesk's limits, on loopback: a full helpdesk refuses cleanly, closing is no error.

Before: after 12 opens refused at the code cap, with every socket closed, 12 agents were
still registered and 222 session rows still open; and an operator's /say meeting a
closing socket escaped as "Exception in ASGI application" (36 in one shutdown).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import logging
import sqlite3
from collections.abc import Callable, Iterator

import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from assistant.helpdesk.agent_link import HelpdeskUnavailableError
from assistant.helpdesk.protocol import AGENT_PATH, CLOSE_BUSY
from assistant.helpdesk_server.pairing import JoinOutcome
from assistant.helpdesk_server.server import HelpdeskConfig
from tests.integration.helpdesk.conftest import (
    AGENT_TOKEN,
    OPERATOR,
    LocalChat,
    RunningHelpdesk,
    wait_until,
)
from tests.integration.helpdesk.fake_bot_api import FakeBotApi, update_json
from tests.unit.helpdesk.conftest import FakeClock

pytestmark = pytest.mark.integration
WAITING = 3


@pytest.fixture
def small_helpdesk(
    helpdesk_config: HelpdeskConfig, bot_api: FakeBotApi
) -> Iterator[RunningHelpdesk]:
    config = dataclasses.replace(helpdesk_config, max_waiting=WAITING)
    config.database.parent.mkdir()
    running = RunningHelpdesk(config, bot_api, FakeClock()).start()
    yield running
    running.stop()


@pytest.fixture
def sockets() -> Iterator[contextlib.ExitStack]:
    with contextlib.ExitStack() as stack:
        yield stack


def agent_socket(helpdesk: RunningHelpdesk, sockets: contextlib.ExitStack) -> ClientConnection:
    return sockets.enter_context(
        connect(
            helpdesk.url + AGENT_PATH,
            additional_headers={"Authorization": f"Bearer {AGENT_TOKEN}"},
            open_timeout=10,
        )
    )


def opened(
    helpdesk: RunningHelpdesk, sockets: contextlib.ExitStack
) -> tuple[ClientConnection, str]:
    """An agent with an open support session: its socket and pairing code."""
    socket = agent_socket(helpdesk, sockets)
    socket.send(json.dumps({"type": "open", "language": "tr"}))
    frame = json.loads(socket.recv(10))
    assert frame["type"] == "opened"
    return socket, frame["code"]


def rows(helpdesk: RunningHelpdesk) -> dict[str, int]:
    """Support session rows by state, read with sqlite3 itself."""
    with sqlite3.connect(helpdesk.config.database) as db:
        found = db.execute("SELECT state, COUNT(*) FROM support_sessions GROUP BY state")
        return dict(found.fetchall())


def test_a_full_helpdesk_refuses_opens_and_keeps_nothing_of_them(
    small_helpdesk: RunningHelpdesk,
    sockets: contextlib.ExitStack,
    local_chat: Callable[[], LocalChat],
) -> None:
    waiting = [opened(small_helpdesk, sockets) for _ in range(WAITING)]
    with pytest.raises(HelpdeskUnavailableError):  # the person is told: not now
        local_chat().open(small_helpdesk.url)
    for _ in range(12):
        refused = agent_socket(small_helpdesk, sockets)
        refused.send(json.dumps({"type": "open", "language": "tr"}))
        with pytest.raises(ConnectionClosed) as closed:
            refused.recv(10)
        assert closed.value.rcvd is not None and closed.value.rcvd.code == CLOSE_BUSY
    assert rows(small_helpdesk) == {"waiting": WAITING}
    assert len(small_helpdesk.server.hub._agents) == WAITING
    first, _ = waiting[0]
    first.send(json.dumps({"type": "end"}))  # one person is helped: a place is free again
    wait_until(lambda: rows(small_helpdesk).get("waiting") == WAITING - 1)
    opened(small_helpdesk, sockets)


def test_operators_writing_to_closing_sockets_is_no_error(
    small_helpdesk: RunningHelpdesk,
    sockets: contextlib.ExitStack,
    bot_api: FakeBotApi,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Operators keep writing while the people's computers go away and the server shuts
    down: every /say is answered delivered or not, and nothing is logged as an error."""
    caplog.set_level(logging.INFO)
    helpdesk, hub = small_helpdesk, small_helpdesk.server.hub
    agents = []
    for operator in range(OPERATOR, OPERATOR + WAITING):
        socket, code = opened(helpdesk, sockets)
        assert helpdesk.call(hub.join(operator, code)) is JoinOutcome.JOINED
        assert json.loads(socket.recv(10))["type"] == "joined"
        agents.append(socket)
    raised: list[str] = []

    def shut_down() -> bool:  # uvicorn stopping and every agent gone: the store closes next
        return helpdesk.server._uvicorn.should_exit and not hub._agents  # type: ignore[union-attr]

    async def write() -> None:  # as fast as the loop lets the operators type
        while not shut_down():
            for operator in range(OPERATOR, OPERATOR + WAITING):
                try:
                    await hub.say(operator, "tarayıcıyı yeniden başlatır mısınız?")
                except Exception as error:
                    raised.append(type(error).__name__)
            await asyncio.sleep(0)

    writer = asyncio.run_coroutine_threadsafe(write(), helpdesk.loop)
    agents[0].close()  # one person's computer goes away
    wait_until(lambda: rows(helpdesk).get("joined", 0) == WAITING)  # detached, not ended
    helpdesk.send(update_json(next(helpdesk._update_ids), OPERATOR, "/say hâlâ orada mısınız?"))
    assert "görüşmede değilsiniz" in bot_api.texts_to(OPERATOR)[-1]  # told: not delivered
    helpdesk.server.stop()  # and the server shuts down with the others connected
    for other in agents[1:]:
        with pytest.raises(ConnectionClosed):
            while True:
                other.recv(10)
    writer.result(10)
    assert raised == []
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
    assert errors == [], [r.getMessage() for r in errors]
