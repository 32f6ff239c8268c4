"""Two front ends on one agent: two logins and two conversations, each its own.

The agent serves its Unix socket as `nes-asistan agent` does; the front ends attach the
way the terminal chat and the web chat do (`RemoteConversation`, channel "terminal" or
"web"), and the training portal runs as its own process. Before this, a second login
closed the first one's portal session, and two terminals answered one saved
conversation with the last save winning.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from assistant.agent.client import RemoteConversation
from assistant.agent.conversation import Conversation
from assistant.agent.core import Agent
from assistant.agent.portal_actions import PORTAL_URL_ENV
from assistant.agent.server import AgentServer
from assistant.agent.texts import AGENT_TEXTS
from assistant.card.service import CardService
from assistant.demo.pcscd import PcscService
from assistant.flow.outputs import Output, OutputKind, Push
from assistant.flow.store import SessionStore
from assistant.portal.reference.training import captcha_answer, latest_code
from tests.integration.portal.conftest import PortalProcess, portal_process  # noqa: F401
from tests.unit.portal.conftest import MOBILE, OLD_CARD_TCKN, TCKN, TRAINING_KEY, WORD_CANARY

pytestmark = pytest.mark.integration

SECOND_MOBILE, SECOND_WORD = "05329876543", "eski kart"
PROMPTS = {OutputKind.QUESTION, OutputKind.CHOICE, OutputKind.SECRET_REQUEST}


class RecordingAgent(Agent):
    """The agent, noting each new conversation (to read its login id like a trainer)."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.opened: list[Conversation] = []

    def fresh_conversation(
        self, channel: str, push: Push, language: str
    ) -> tuple[Conversation, list[Output]]:
        conversation, outputs = super().fresh_conversation(channel, push, language)
        self.opened.append(conversation)
        return conversation, outputs


@dataclass
class FrontEnd:
    """One attached front end: what it was shown, answers and pushes alike."""

    conversation: RemoteConversation
    shown: list[Output] = field(default_factory=list)

    def say(self, text: str) -> list[Output]:
        outputs = self.conversation.reply(text)
        self.shown.extend(outputs)
        return outputs

    @property
    def prompt(self) -> str:
        return next(o.message_id for o in reversed(self.shown) if o.kind in PROMPTS)

    def wait_for(self, message_id: str) -> Output:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            found = [o for o in self.shown if o.message_id == message_id]
            if found:
                return found[-1]
            time.sleep(0.02)
        raise AssertionError(f"{message_id} never shown: {[o.message_id for o in self.shown]}")


@dataclass
class Served:
    agent: RecordingAgent
    socket: Path
    portal: PortalProcess
    front_ends: list[FrontEnd] = field(default_factory=list)

    def attach(self, channel: str, language: str = "tr") -> FrontEnd:
        shown: list[Output] = []
        attached = RemoteConversation.attach(self.socket, shown.extend, channel, language)
        assert attached is not None
        conversation, first = attached
        shown.extend(first)
        front_end = FrontEnd(conversation, shown)
        self.front_ends.append(front_end)
        return front_end

    def login_id(self, index: int) -> str:
        login = self.agent.opened[index].session.action_context.portal
        assert login is not None and login.login_id is not None
        return login.login_id

    def captcha(self, index: int) -> str:
        return captcha_answer(self.portal.base_url, self.login_id(index), TRAINING_KEY)

    def sms(self, mobile: str) -> str:
        code = latest_code(self.portal.outbox_path, mobile)
        assert code is not None
        return code


@pytest.fixture
def served(
    agent_env: Path,
    pcsc_service: PcscService,
    portal_process: Callable[..., PortalProcess],  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Served]:
    portal = portal_process()
    monkeypatch.setenv(PORTAL_URL_ENV, portal.base_url)
    agent = RecordingAgent(
        card=CardService(),  # the module from NES_ASISTAN_PKCS11_MODULE (agent_env)
        store=SessionStore(tmp_path / "sessions.sqlite3"),
        root="portal",
    )
    agent.start()
    socket = tmp_path / "agent.sock"
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    stop: list[asyncio.Event] = []

    async def serve() -> None:
        stop.append(asyncio.Event())
        await AgentServer(agent, socket).serve(stop[0], ready.set)
        clients = asyncio.all_tasks() - {asyncio.current_task()}
        if clients:  # front ends that just closed: let their conversations close too
            await asyncio.wait(clients, timeout=20)

    thread = threading.Thread(target=loop.run_until_complete, args=(serve(),), daemon=True)
    thread.start()
    assert ready.wait(20)
    running = Served(agent, socket, portal)
    try:
        yield running
    finally:
        for front_end in running.front_ends:
            front_end.conversation.close()
        loop.call_soon_threadsafe(stop[0].set)
        thread.join(20)
        loop.close()
        agent.stop()


def _log_in(served: Served, a: FrontEnd, b: FrontEnd, a_index: int, b_index: int) -> None:
    """Both front ends log in, step by step in turn, each as its own holder."""
    assert a.prompt == b.prompt == "portal_login.ask_tckn"
    a.say(TCKN)
    b.say(OLD_CARD_TCKN)  # used to close a's portal session
    a.say(served.captcha(a_index))
    b.say(served.captcha(b_index))
    assert a.prompt == b.prompt == "portal_login.ask_word"
    a.say(WORD_CANARY)
    b.say(SECOND_WORD)
    a.say(served.sms(MOBILE))
    b.say(served.sms(SECOND_MOBILE))
    assert a.prompt == b.prompt == "portal.menu"


def test_terminal_and_web_log_in_at_once_without_touching_each_other(served: Served) -> None:
    terminal = served.attach("terminal")
    web = served.attach("web")
    _log_in(served, terminal, web, 0, 1)
    mine = "\n".join(o.text for o in terminal.say("Bilgi Güncelle"))
    theirs = "\n".join(o.text for o in web.say("Bilgi Güncelle"))
    assert "Ayşe Yılmaz" in mine and "Mehmet Demir" not in mine
    assert "Mehmet Demir" in theirs and "Ayşe Yılmaz" not in theirs
    first, second = (c.session for c in served.agent.opened)
    assert first.id != second.id
    assert first.action_context.portal is not second.action_context.portal


def test_a_second_terminal_starts_its_own_or_takes_over_and_the_first_is_told(
    served: Served,
) -> None:
    first = served.attach("terminal")
    second = served.attach("terminal")
    assert second.prompt == "agent.takeover_offer"  # the first one's conversation is open
    second.say("2")  # start a new one
    _log_in(served, second, first, 1, 0)
    first.say("Bilgi Güncelle")  # first is now the most recent conversation
    assert first.prompt == "portal.which_field"

    third = served.attach("terminal", language="en")
    offer = third.shown[-1]
    assert offer.message_id == "agent.takeover_offer" and "window" in offer.text
    outputs = third.say("1")  # continue here
    assert [o.message_id for o in outputs][-1] == "portal.which_field"
    told = first.wait_for("agent.taken_over")
    assert told.kind is OutputKind.END and told.text == AGENT_TEXTS["agent.taken_over"]
    assert first.say("Adres")[-1].message_id == "agent.taken_over"  # it answers nothing now
    # The portal login moved along with the conversation, and nothing typed was lost.
    third.say("Hiçbiri, menüye dön")
    assert third.prompt == "portal.menu"
    session = served.agent.opened[0].session
    assert served.agent.store.transcript(session.id) == session.transcript
    assert sum(1 for e in session.transcript if e.role == "user") == 6


def test_a_front_end_opened_right_after_another_closed_resumes_without_being_asked(
    served: Served,
) -> None:
    """A reloaded web page, a terminal opened again at once: no takeover question."""
    first = served.attach("web")
    first.say(TCKN)
    first.conversation.close()
    served.front_ends.remove(first)
    again = served.attach("web")
    assert again.shown[0].message_id == "agent.resumed"
    assert again.prompt == "portal_login.ask_captcha"
