"""The agent in-process on the rig: a conversation driven reply by reply, no terminal."""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from assistant.agent.conversation import Conversation
from assistant.agent.core import Agent
from assistant.demo.ocsp import OcspResponder, start_openssl_ocsp
from assistant.demo.pki import TestPki
from assistant.flow.outputs import Output
from assistant.flow.store import SessionStore


@dataclass
class Chat:
    """What the person saw, as one text, and a way to answer."""

    conversation: Conversation
    seen: list[Output] = field(default_factory=list)
    agent: Agent | None = None

    def say(self, text: str) -> str:
        outputs = self.conversation.reply(text)
        self.seen.extend(outputs)
        return "\n".join(o.text for o in outputs)

    @property
    def text(self) -> str:
        return "\n".join(o.text for o in self.seen)

    def wait_for(self, needle: str, after: int = 0, timeout: float = 15.0) -> int:
        """Wait until an output from position `after` on (pushed by a card event, say)
        contains `needle`; the position just past it."""
        deadline = time.monotonic() + timeout
        while True:
            for index, output in enumerate(list(self.seen)[after:], start=after):
                if needle in output.text:
                    return index + 1
            if time.monotonic() > deadline:
                raise AssertionError(f"{needle!r} never shown; saw:\n{self.text}")
            time.sleep(0.02)

    @property
    def position(self) -> int:
        return len(self.seen)


@pytest.fixture
def agent_env(
    tmp_path: Path, test_pki: TestPki, opensc_module: Path, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """User dirs in tmp, the OpenSC module, and the TEST roots as the trust store."""
    home = tmp_path / "home"
    trust = tmp_path / "trust"
    trust.mkdir()
    for name in ("root.pem", "ca.pem"):
        shutil.copyfile(test_pki.dir / name, trust / name)
    monkeypatch.setenv("NES_ASISTAN_HOME", str(home))
    monkeypatch.setenv("NES_ASISTAN_PKCS11_MODULE", str(opensc_module))
    monkeypatch.setenv("NES_ASISTAN_TRUST_DIR", str(trust))
    return home


@pytest.fixture
def agent_chat(agent_env: Path, tmp_path: Path) -> Iterator[Callable[..., Chat]]:
    """Factory: start the agent (after the test inserted its card) and open a chat."""
    agents: list[Agent] = []

    def start(language: str = "tr") -> Chat:
        agent = Agent(store=SessionStore(tmp_path / "sessions.sqlite3"))
        agent.start()
        agents.append(agent)
        chat = Chat(conversation=None)  # type: ignore[arg-type]
        conversation, first = agent.conversation("terminal", chat.seen.extend, language)
        chat.conversation = conversation
        chat.agent = agent
        chat.seen.extend(first)
        return chat

    yield start
    for agent in agents:
        agent.stop()


@pytest.fixture
def ocsp_responder(test_pki: TestPki) -> Iterator[Callable[[], OcspResponder]]:
    """Factory: (re)start `openssl ocsp` for the TEST PKI on the port its certificates name."""
    running: list[OcspResponder] = []

    def start() -> OcspResponder:
        for old in running:
            old.stop()
        running.clear()
        signer = (test_pki.dir / "ocsp.pem", test_pki.dir / "ocsp.key")
        responder = start_openssl_ocsp(
            test_pki.dir, test_pki.dir / "ca.pem", signer, test_pki.ocsp_port, "agent"
        )
        running.append(responder)
        return responder

    yield start
    for responder in running:
        responder.stop()
