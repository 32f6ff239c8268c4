"""A conversation with the agent, a served training portal and a virtual AKİS card.

The agent is driven directly (`Agent` + `Conversation.reply`), as a channel would, with
the real parts under it: pcscd + vpcd + the virtual card + OpenSC, and
`python -m assistant.portal.reference` in a subprocess seeded so that its holder owns the
card in the reader (same certificate serial, CA-managed PUK = the card's PUK).
"""

from __future__ import annotations

import dataclasses
import json
import logging
import shutil
import subprocess
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from assistant.agent import logs
from assistant.agent.conversation import Conversation
from assistant.agent.core import Agent
from assistant.agent.portal_actions import PORTAL_URL_ENV
from assistant.card.monitor import CardEvent, CardInserted, CardRemoved
from assistant.card.profiles import ProfileSet, UnblockStyle
from assistant.card.service import CardService
from assistant.demo.piv_card import PivState
from assistant.demo.pki import TestPki
from assistant.demo.virtual_card import VirtualCard, create_state
from assistant.flow.outputs import Output, OutputKind
from assistant.portal.reference.training import captcha_answer, latest_code
from assistant.resources import shipped_flows
from tests.integration.portal.conftest import PortalProcess, portal_process  # noqa: F401
from tests.unit.portal.conftest import (
    MOBILE,
    PIN_CANARY,
    PUK_CANARY,
    TCKN,
    TRAINING_KEY,
    WORD_CANARY,
    seed,
    write_seed,
)

# Canaries: values distinctive enough that any occurrence anywhere is a leak.
NEW_PIN = "582617"
CARD_PIN = "904731"
MY_FLOWS = (
    "card_ready",
    "pin_hint",
    "portal",
    "portal_login",
    "portal_guide",
    "portal_unlock",
    "portal_revoke",
    "unlock",
    "lost_card",
)


def rig_profiles() -> ProfileSet:
    """The packaged profiles, except that AKİS resets its PIN the way the rig's module does.

    The rig's module is OpenSC's PIV driver, which sends RESET RETRY COUNTER for C_SetPIN
    in an unlogged session; akisp11 may use the SO-login route. Everything else about
    the AKİS profile (puk_manager: ca above all) stays as shipped.
    """
    shipped = ProfileSet.load()
    return ProfileSet(
        [
            dataclasses.replace(p, unblock_style=UnblockStyle.SET_PIN_UNLOGGED)
            if p.id == "akis"
            else p
            for p in shipped.profiles
        ]
    )


@dataclasses.dataclass
class Journey:
    """One conversation: every output kept, plus the places a secret must never reach."""

    agent: Agent
    conversation: Conversation
    portal: PortalProcess
    home: Path
    outputs: list[Output]

    def reply(self, text: str) -> list[Output]:
        got = self.conversation.reply(text)
        self.outputs.extend(got)
        return got

    @property
    def prompt(self) -> Output:
        return next(o for o in reversed(self.outputs) if o.kind in _PROMPTS)

    def expect(self, message_id: str) -> Output:
        """The last prompt must be `message_id` (so the test types into the right question)."""
        assert self.prompt.message_id == message_id, self.trace()
        return self.prompt

    def reinsert(self, card: VirtualCard, timeout: float = 30.0) -> None:
        """Pull `card` and put it back, returning once the agent itself has seen both:
        PC/SC knowing it (what `insert()` waits for) is not the agent's monitor knowing
        it, and a reply sent in between meets the old card or a paused conversation."""
        seen: list[CardEvent] = []
        arrived = threading.Condition()

        def listener(event: CardEvent) -> None:  # the card service's monitor thread
            with arrived:
                seen.append(event)
                arrived.notify_all()

        def wait_for(kind: type[CardEvent]) -> None:
            with arrived:
                found = arrived.wait_for(lambda: any(isinstance(e, kind) for e in seen), timeout)
            assert found, f"the agent never saw {kind.__name__}; it saw {seen}"

        unsubscribe = self.agent.card.subscribe(listener)
        try:
            card.remove()
            wait_for(CardRemoved)
            seen.clear()
            card.insert()
            wait_for(CardInserted)
        finally:
            unsubscribe()

    def trace(self) -> str:
        return "\n".join(f"{o.kind.value} {o.message_id}: {o.text}" for o in self.outputs[-8:])

    @property
    def login_id(self) -> str:
        """This conversation's login attempt at the portal (its context holds it)."""
        login = self.conversation.session.action_context.portal
        assert login is not None and login.login_id is not None
        return login.login_id

    def login(self) -> None:
        """TC Kimlik No → captcha (trainer's key) → security word → SMS code (the outbox)."""
        self.expect("portal_login.ask_tckn")
        self.reply(TCKN)
        self.expect("portal_login.ask_captcha")
        self.reply(self.captcha())
        self.expect("portal_login.ask_word")
        self.reply(WORD_CANARY)
        self.expect("portal_login.ask_sms")
        code = latest_code(self.portal.outbox_path, MOBILE)
        assert code is not None
        self.reply(code)

    def captcha(self) -> str:
        """What the trainer's console shows as the current captcha's text."""
        return captcha_answer(self.portal.base_url, self.login_id, TRAINING_KEY)

    def sms_codes(self) -> list[str]:
        lines = self.portal.outbox_path.read_text(encoding="utf-8").splitlines()
        return [json.loads(line)["code"] for line in lines if line.strip()]

    def leaks(self, canaries: list[str]) -> list[str]:
        """Where any canary shows up: agent files, logs, transcript, context, any Output."""
        self.agent.store.save(self.conversation.session)
        for handler in logging.getLogger().handlers:
            handler.flush()
        places: dict[str, str] = {
            "outputs": "\n".join(f"{o.text} {o.params}" for o in self.outputs),
            "transcript": repr(self.conversation.session.transcript),
            "stored transcript": repr(self.agent.store.transcript(self.conversation.session.id)),
            "context": json.dumps(self.conversation.session.context, ensure_ascii=False),
        }
        for path in self.home.rglob("*"):
            if path.is_file():
                places[str(path)] = path.read_bytes().decode("utf-8", errors="replace")
        return [f"{c} in {where}" for c in canaries for where, text in places.items() if c in text]


_PROMPTS = frozenset(
    {
        OutputKind.QUESTION,
        OutputKind.CHOICE,
        OutputKind.SECRET_REQUEST,
        OutputKind.CONFIRM_REQUEST,
    }
)


def portal_seed(card: VirtualCard) -> dict[str, Any]:
    """The training holder, owning `card`: its certificate serial and its PUK."""
    data = seed()
    holder = data["holders"][0]
    holder["certificates"][0]["serial"] = format(card.certificate.serial_number, "X")
    holder["puk"] = card.puk
    return data


@pytest.fixture
def locked_akis_card(
    virtual_card: Callable[..., VirtualCard], test_pki: TestPki, tmp_path: Path
) -> VirtualCard:
    """An AKİS-ATR card whose PIN is locked (3 wrong entries); PUK = the portal's canary."""
    path = tmp_path / "locked-card.json"
    state = create_state(test_pki, path, pin=CARD_PIN, puk=PUK_CANARY)
    state.pin_tries_left = 0
    state.save(path)
    card = virtual_card("akis", state_path=path)
    assert PivState.load(path).pin_tries_left == 0
    return card


@pytest.fixture
def journey(
    portal_process: Callable[..., PortalProcess],  # noqa: F811
    opensc_module: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Callable[..., Journey]]:
    """Factory: journey(root, card) → a conversation started at flow `root`."""
    started: list[Journey] = []

    def start(root: str, card: VirtualCard, *, guided: bool = False) -> Journey:
        home = tmp_path / "agent-home"
        user_home = tmp_path / "user-home"
        user_home.mkdir(exist_ok=True)
        monkeypatch.setenv("NES_ASISTAN_HOME", str(home))
        monkeypatch.setenv("HOME", str(user_home))
        portal = portal_process(
            "--seed", str(write_seed(tmp_path / "journey-seed.yaml", portal_seed(card)))
        )
        if guided:
            monkeypatch.delenv(PORTAL_URL_ENV, raising=False)
        else:
            monkeypatch.setenv(PORTAL_URL_ENV, portal.base_url)
        logs.configure(level=logging.DEBUG)
        flows = tmp_path / "flows"
        flows.mkdir(exist_ok=True)
        for name in MY_FLOWS:
            shutil.copy(shipped_flows() / f"{name}.yaml", flows / f"{name}.yaml")
        service = CardService(rig_profiles(), configured_module=opensc_module)
        agent = Agent(card=service, flows_path=flows, root=root)
        agent.start()
        conversation, outputs = agent.conversation("terminal", lambda _: None)
        running = Journey(agent, conversation, portal, home, list(outputs))
        started.append(running)
        return running

    yield start
    for running in started:
        running.conversation.close()
        running.agent.stop()
    logging.getLogger().handlers.clear()


def pkcs11_login(module: Path, card: VirtualCard, pin: str) -> subprocess.CompletedProcess[str]:
    """`pkcs11-tool --login --pin PIN` on the card's slot: the independent check."""
    listing = subprocess.run(
        ["pkcs11-tool", "--module", str(module), "-L"],
        capture_output=True, text=True, check=True, timeout=60,
    )  # fmt: skip
    slot = None
    for line in listing.stdout.splitlines():
        if line.startswith("Slot ") and line.rstrip().endswith(card.reader):
            slot = line.split("(")[1].split(")")[0]
    assert slot is not None, listing.stdout
    return subprocess.run(
        ["pkcs11-tool", "--module", str(module), "--slot", slot, "--login", "--pin", pin, "-O"],
        capture_output=True, text=True, check=False, timeout=60,
    )  # fmt: skip


__all__ = ["CARD_PIN", "NEW_PIN", "PIN_CANARY", "PUK_CANARY", "WORD_CANARY", "Journey"]
