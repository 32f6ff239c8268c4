"""Every kind of screen the web chat shows, on demand, for the accessibility tests.

The real web app (Starlette, its static page, the WebSocket, uvicorn on loopback) serves
conversations of the real engine over the real flows and catalogs; only the actions are
answered from a table, so each screen kind (menu, question, secret, confirm, error,
paused, picture) is reached in one turn, in any language, without a card rig. The
card-rig journeys in test_browser_journey.py show the same page with the real agent.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from assistant.agent.texts import AGENT_TEXTS
from assistant.channels.web.app import create_app
from assistant.flow.actions import ActionResult, ActionSpec, Registry
from assistant.flow.loader import load_all
from assistant.flow.model import Flow
from assistant.flow.outputs import Output, OutputKind, Push
from assistant.flow.session import Session
from assistant.i18n.catalog import translator
from assistant.i18n.messages import text
from tests.contracts import contract_registry
from tests.unit.portal.conftest import free_port

ROOT = Path(__file__).parents[3]
CERTIFICATE = {"serial": "3F:0A:00:BA", "subject": "Ada", "not_after": "2027-03-12"}
# The card checks every card flow runs first (flows/card_ready.yaml), all passing.
CARD_READY = {
    "card.find_token": ActionResult("found"),
    "card.pin_note": ActionResult("none"),
}


@dataclass(frozen=True)
class Screen:
    root: str
    replies: tuple[str, ...] = ()
    answers: Mapping[str, ActionResult] = field(default_factory=dict)
    paused: bool = False  # the card was pulled: the agent's own notices follow


SCREENS: dict[str, Screen] = {
    "menu": Screen("main"),
    "question": Screen(
        "portal_login",
        answers={"portal.mode": ActionResult("training", {"url": "https://training.example"})},
    ),
    "secret": Screen("test_signature", answers=CARD_READY),
    "confirm": Screen(
        "portal_revoke",
        replies=("1", "1"),
        answers={
            "portal.list_certificates": ActionResult("ok", {"count": 1, "listing": []}),
            "portal.select_certificate": ActionResult("found", CERTIFICATE),
        },
    ),
    "error": Screen("main", replies=("zzz",)),
    "paused": Screen("test_signature", answers=CARD_READY, paused=True),
    "picture": Screen(
        "onboarding",
        answers={
            "card.find_reader": ActionResult("found", {"name": "ACS ACR39U 00 00"}),
            "card.find_card": ActionResult("no_card"),
        },
    ),
}


def _registry(flows: Mapping[str, Flow], answers: Mapping[str, ActionResult]) -> Registry:
    """The real actions' contracts, answered from `answers` (else their first outcome)."""

    def answer(spec: ActionSpec) -> Callable[..., ActionResult]:
        result = answers.get(spec.name, ActionResult(sorted(spec.outcomes)[0]))
        return lambda **_: result

    return contract_registry(flows, answer)


class ScreenConversation:
    """A conversation that opens straight at one screen; later replies go on normally."""

    def __init__(self, screen: Screen, language: str) -> None:
        flows, problems = load_all([ROOT / "flows"])
        assert problems == []
        self.session = Session(
            flows,
            _registry(flows, screen.answers),
            screen.root,
            language=language,
            channel="web",
            translator=translator(),
        )
        outputs = self.session.start()
        for reply in screen.replies:
            outputs = self.session.handle(reply)
        if screen.paused:
            outputs = [*outputs, self._agent("agent.card_removed")]
            outputs.append(self._agent("agent.waiting_for_card"))
        self.first = outputs

    @property
    def language(self) -> str:
        return self.session.language

    def _agent(self, message_id: str) -> Output:
        shown = text(message_id, AGENT_TEXTS[message_id], self.language)
        return Output(OutputKind.TEXT, message_id, shown)

    def reply(self, reply: str) -> list[Output]:
        return self.session.handle(reply)

    def close(self) -> None:
        self.session.close()


@dataclass
class ScreenServer:
    url: str
    screen: str = "menu"

    def page_url(self, language: str) -> str:
        base, token = self.url.split("#")
        return f"{base}?lang={language}#{token}"


@contextmanager
def screen_server() -> Iterator[ScreenServer]:
    """The web app on a free loopback port; `server.screen` picks what the next page shows."""
    import uvicorn

    port = free_port()
    token = secrets.token_urlsafe(16)
    served = ScreenServer(f"http://127.0.0.1:{port}/#{token}")

    def opener(channel: str, push: Push, language: str) -> tuple[ScreenConversation, list[Output]]:
        conversation = ScreenConversation(SCREENS[served.screen], language)
        return conversation, conversation.first

    app = create_app(opener, translator(), token, port=port)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "the web app did not start"
        time.sleep(0.02)
    try:
        yield served
    finally:
        server.should_exit = True
        thread.join(timeout=20)
