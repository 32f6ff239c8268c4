"""The helpdesk server on loopback (relay + bot), a fake Bot API, and local conversations.

The server runs in its own thread and event loop exactly as `nes-asistan helpdesk` runs
it, except that the Bot API base URL points at the loopback fake and long polling is off
(tests feed real `telegram.Update` objects to `Application.process_update`). Local chats
are real `Conversation`s over a real flow session; the card service is never started, as
nothing in these flows touches a card.
"""

from __future__ import annotations

import asyncio
import ssl
import threading
import time
from collections.abc import Callable, Coroutine, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import pytest
from telegram import Update

from assistant.agent.conversation import Conversation
from assistant.card.service import CardService
from assistant.flow.actions import Registry
from assistant.flow.loader import load_all
from assistant.flow.model import Flow
from assistant.flow.outputs import Output
from assistant.flow.session import Session
from assistant.flow.store import SessionStore
from assistant.helpdesk.agent_link import SupportLink
from assistant.helpdesk_server.server import HelpdeskConfig, HelpdeskServer
from tests.integration.helpdesk.fake_bot_api import TOKEN, FakeBotApi, Served, free_socket
from tests.unit.helpdesk.conftest import FakeClock

T = TypeVar("T")
REPO = Path(__file__).resolve().parents[3]
AGENT_TOKEN = "agent-token-for-tests-0123456789"
OPERATOR = 111
OPERATOR_NAME = "Ayşe (BİDB)"
DEMO_FLOWS = Path(__file__).parent / "flows"


@pytest.fixture
def bot_api() -> Iterator[FakeBotApi]:
    api = FakeBotApi()
    with Served(api.app()) as served:
        api.port = served.port
        yield api


class RunningHelpdesk:
    def __init__(
        self, config: HelpdeskConfig, api: FakeBotApi, clock: FakeClock, port: int = 0
    ) -> None:
        self.config = config
        self.clock = clock
        self.server = HelpdeskServer(
            config,
            bot_token=TOKEN,
            agent_tokens=[AGENT_TOKEN],
            bot_base_url=api.base_url,
            clock=clock,
        )
        sock = free_socket(port)  # a restarted server listens where its agents look
        self.url = f"ws://127.0.0.1:{sock.getsockname()[1]}"
        self.loop = asyncio.new_event_loop()
        self._update_ids = iter(range(1, 10**6))
        self.thread = threading.Thread(
            target=self.loop.run_until_complete,
            args=(self.server.serve(polling=False, sock=sock),),
            daemon=True,
        )

    def start(self) -> RunningHelpdesk:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not getattr(self.server._uvicorn, "started", False):
            assert self.thread.is_alive() and time.monotonic() < deadline, "server did not start"
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        self.server.stop()
        self.thread.join(10)
        self.loop.close()

    def call(self, coroutine: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(10)

    def send(self, update: dict[str, Any]) -> None:
        """Hand one Bot API update to the application, as polling would."""
        application = self.server.application
        self.call(application.process_update(Update.de_json(update, application.bot)))


@pytest.fixture
def helpdesk_config(tmp_path: Path) -> HelpdeskConfig:
    return HelpdeskConfig(
        database=tmp_path / "helpdesk" / "helpdesk.db",
        flows=REPO / "flows",
        operators={OPERATOR: OPERATOR_NAME},
        idle_timeout=30 * 60,
    )


@pytest.fixture
def helpdesk(helpdesk_config: HelpdeskConfig, bot_api: FakeBotApi) -> Iterator[RunningHelpdesk]:
    helpdesk_config.database.parent.mkdir()
    running = RunningHelpdesk(helpdesk_config, bot_api, FakeClock()).start()
    yield running
    running.stop()


@dataclass
class LocalChat:
    """A person at their own computer: a real conversation, and what reached their screen."""

    conversation: Conversation
    link: SupportLink
    pushed: list[Output] = field(default_factory=list)
    _arrived: threading.Condition = field(default_factory=threading.Condition)

    def push(self, outputs: list[Output]) -> None:
        with self._arrived:
            self.pushed.extend(outputs)
            self._arrived.notify_all()

    def open(self, relay_url: str, token: str = AGENT_TOKEN) -> str:
        """What `operatör` does in a front end: connect and get the pairing code."""
        return self.link.open_support(relay_url, token, self.conversation.session.transcript)

    def say(self, text: str) -> list[Output]:
        return self.link.reply(self.conversation, text)

    def wait_for(self, message_id: str, timeout: float = 5.0) -> Output:
        with self._arrived:
            found = self._arrived.wait_for(
                lambda: any(o.message_id == message_id for o in self.pushed), timeout
            )
        assert found, f"{message_id} never arrived; got {[o.message_id for o in self.pushed]}"
        return next(o for o in self.pushed if o.message_id == message_id)

    def ids(self) -> list[str]:
        with self._arrived:
            return [o.message_id for o in self.pushed]


@pytest.fixture
def demo_flows() -> dict[str, Flow]:
    flows, problems = load_all([DEMO_FLOWS])
    assert not problems
    return flows


@pytest.fixture
def local_chat(tmp_path: Path, demo_flows: dict[str, Flow]) -> Iterator[Callable[[], LocalChat]]:
    chats: list[LocalChat] = []

    def open_chat(ssl_context: ssl.SSLContext | None = None) -> LocalChat:
        registry = Registry()

        def fresh() -> Session:
            return Session(demo_flows, registry, "support_demo", channel="terminal")

        store = SessionStore(tmp_path / f"sessions-{len(chats)}.sqlite3")
        holder: list[LocalChat] = []

        def push(outputs: list[Output]) -> None:  # the chat exists once the link does
            holder[0].push(outputs)

        link = SupportLink(push, flows=demo_flows, ssl_context=ssl_context)
        conversation = Conversation(fresh(), store, CardService(), lambda o: None, fresh)
        chat = LocalChat(conversation, link)
        holder.append(chat)
        conversation.start()
        chats.append(chat)
        return chat

    yield open_chat
    for chat in chats:
        if chat.link.active:
            chat.link.end()
        chat.conversation.close()


def wait_until(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition never became true"
        time.sleep(0.01)
