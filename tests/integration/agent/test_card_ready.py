"""The readiness check every card flow runs first: the real cause, before any question.

An AKİS card in the reader and no akisp11 installed is the helpdesk's most common case:
every menu entry must name the missing middleware (and where to get it) before it asks
for anything, and the log must say where it stopped, for the helpdesk.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from assistant.agent import logs
from assistant.card.discovery import ENV_VAR
from assistant.demo.virtual_card import VirtualCard
from assistant.flow.outputs import OutputKind
from tests.integration.agent.conftest import Chat

pytestmark = pytest.mark.integration

PIN = "731904"
ASKING = frozenset({OutputKind.SECRET_REQUEST, OutputKind.CONFIRM_REQUEST})
MENU = {
    "1": "new card",
    "2": "certificate",
    "3": "PIN change",
    "4": "test signature",
    "5": "Kilit Çözme",
    "8": "troubleshoot",
}


@pytest.fixture
def agent_log(agent_env: Path) -> Iterator[Path]:
    path = logs.configure()  # the log dir under NES_ASISTAN_HOME
    yield path
    logging.getLogger().handlers.clear()


def log_lines(path: Path) -> list[str]:
    for handler in logging.getLogger().handlers:
        handler.flush()
    return [json.loads(line)["message"] for line in path.read_text("utf-8").splitlines()]


@pytest.mark.parametrize("choice", sorted(MENU), ids=MENU.get)
def test_every_menu_entry_names_the_missing_middleware_first(
    virtual_card: Callable[..., VirtualCard],
    agent_chat: Callable[[], Chat],
    agent_log: Path,
    monkeypatch: pytest.MonkeyPatch,
    choice: str,
) -> None:
    monkeypatch.delenv(ENV_VAR)  # nothing but the AKİS profile's own paths: no akisp11 here
    virtual_card("akis", pin=PIN)
    chat = agent_chat()
    before = chat.position
    chat.say(choice)
    shown = chat.seen[before:]
    named = next(i for i, o in enumerate(shown) if "libakisp11" in o.text)
    assert "Akia" in shown[named].text and "kamusm.gov.tr" in shown[named].text
    assert not any(o.kind in ASKING for o in shown[:named]), [o.text for o in shown]
    if choice != "8":  # the doctor words its own finding; the flows say it here
        assert "ara yazılım" in shown[named].text
        assert (
            "flow=card_ready step=find_module action=card.find_module outcome=missing"
            in log_lines(agent_log)
        )


def test_a_pin_the_card_cannot_take_gets_its_reason_and_costs_no_try(
    virtual_card: Callable[..., VirtualCard], agent_chat: Callable[[], Chat], agent_log: Path
) -> None:
    card = virtual_card("akis", pin=PIN)
    chat = agent_chat()
    assert "İmza için PIN'inizi yazınız" in chat.say("4")
    answer = chat.say("123")
    assert "Kart bu PIN'i biçimi yüzünden kabul etmedi: PIN 4–8 haneli" in answer
    assert "deneme hakkınız azalmadı" in answer
    assert answer.rstrip().endswith("İmza için PIN'inizi yazınız.")
    assert card.pin_tries_left == 3
    lines = log_lines(agent_log)
    refused = [line for line in lines if "action=card.test_signature" in line]
    assert refused == [
        "flow=test_signature step=sign action=card.test_signature outcome=bad_format "
        "problem=pin_policy"
    ]
    assert all("123" not in line and PIN not in line for line in lines)
