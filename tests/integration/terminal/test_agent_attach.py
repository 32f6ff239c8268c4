"""`nes-asistan agent` holds the card; the terminal chat attaches to it over the socket."""

from __future__ import annotations

import signal
import stat
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from assistant.demo.virtual_card import VirtualCard
from tests.integration.terminal.conftest import files_containing
from tests.integration.terminal.tmux import TmuxChat

pytestmark = pytest.mark.integration

PIN = "731904"


def test_terminal_attaches_to_a_running_agent_and_the_agent_stops_cleanly(
    virtual_card: Callable[..., VirtualCard],
    agent_process: Callable[[], subprocess.Popen[bytes]],
    terminal_chat: Callable[..., TmuxChat],
    chat_home: Path,
) -> None:
    card = virtual_card("akis", pin=PIN)
    agent = agent_process()
    socket_file = chat_home / "run" / "agent.sock"
    assert stat.S_IMODE(socket_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(socket_file.parent.stat().st_mode) == 0o700

    chat = terminal_chat()
    chat.answer("Size nasıl yardımcı olabilirim", "1")
    chat.answer("PIN'inizi biliyor musunuz", "evet")
    chat.answer("Kartınızın PIN'ini yazınız", PIN)
    chat.wait_for("PIN doğru", after=chat.position)
    # The card event reaches the attached chat through the agent.
    card.remove()
    chat.wait_for("Kart çıkarıldı", after=chat.position)
    card.insert()
    chat.wait_for("Kart yeniden takıldı", after=chat.position)

    agent.send_signal(signal.SIGTERM)
    assert agent.wait(15) == 0
    assert not socket_file.exists()
    chat.send("1")
    chat.wait_for("görüşmeniz kayıtlı", after=chat.position)
    assert chat.exit_code() == 1
    assert files_containing(chat_home, PIN) == []


def test_a_second_agent_refuses_to_start(
    agent_process: Callable[[], subprocess.Popen[bytes]],
) -> None:
    agent_process()
    with pytest.raises(RuntimeError, match="zaten çalışıyor"):
        agent_process()
