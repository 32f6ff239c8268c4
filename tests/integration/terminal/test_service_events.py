"""The smart-card service dying under a running chat, typed into the real terminal.

The session's pcscd is shared by every test, and libpcsclite binds a process to one
daemon for good, so this test runs its own pcscd (own mount namespace, own socket) and
the chat in its own process pointed at it. Killing that pcscd with SIGKILL is a crash;
starting it again with the same readers is the service coming back (RIG.md).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.demo.pcscd import PcscService
from assistant.demo.pki import TestPki
from assistant.demo.virtual_card import VirtualCard, create_state
from tests.integration.conftest import chat_env
from tests.integration.terminal.tmux import TmuxChat

pytestmark = pytest.mark.integration

PIN = "731904"
ASK_PIN = "İmza için PIN'inizi yazınız"


@pytest.fixture
def own_pcscd(tmp_path: Path) -> Iterator[PcscService]:
    service = PcscService(tmp_path / "own-pcscd", entries=1)
    service.start()
    try:
        yield service
    finally:
        service.cleanup()


def test_a_dead_service_is_said_as_such_and_the_chat_resumes_when_it_is_back(
    own_pcscd: PcscService,
    test_pki: TestPki,
    opensc_module: Path,
    chat_home: Path,
    tmp_path: Path,
) -> None:
    state = tmp_path / "card.json"
    create_state(test_pki, state, pin=PIN)
    card = VirtualCard(state, "akis", own_pcscd.acquire_slot().port)  # no reader: no waits here
    card.insert()
    env = {
        **chat_env(chat_home, opensc_module),
        **own_pcscd.env(),
        "TERM": "xterm-256color",
    }
    workdir = tmp_path / "tmux"
    workdir.mkdir()
    chat = TmuxChat(workdir, env, [sys.executable, "-m", "assistant"])
    try:
        chat.answer("Size nasıl yardımcı olabilirim", "4")
        found = chat.wait_for(ASK_PIN, after=chat.position)
        chat.position = found.end()

        own_pcscd.kill()
        down = chat.wait_for("Akıllı kart hizmeti \\(PC/SC\\) durdu", after=chat.position)
        assert "Kart çıkarıldı" not in chat.screen()[chat.position :]
        chat.position = down.end()
        chat.send("999000")  # typed while the service is down: must not reach the card
        chat.wait_for("Akıllı kart hizmetinin yeniden çalışmasını bekliyorum", after=chat.position)

        own_pcscd.restart()
        card.insert()  # the card never left the reader; its vpcd link did
        back = chat.wait_for("Akıllı kart hizmeti yeniden çalışıyor", after=chat.position)
        chat.position = back.end()
        chat.answer(ASK_PIN, PIN)
        chat.wait_for("Deneme imzası atıldı ve sertifikanızla doğrulandı", after=chat.position)
        assert card.pin_tries_left == 3
    finally:
        chat.close()
        card.remove(wait=False)
