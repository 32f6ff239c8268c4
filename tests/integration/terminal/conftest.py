"""A terminal chat against a virtual AKİS card, typed into through tmux."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.integration.conftest import chat_env
from tests.integration.terminal.tmux import TmuxChat


@pytest.fixture
def terminal_chat(
    chat_home: Path, opensc_module: Path, tmp_path: Path
) -> Iterator[Callable[..., TmuxChat]]:
    """Factory: start `nes-asistan` in tmux (after the test has inserted its card)."""
    chats: list[TmuxChat] = []

    def start(*args: str) -> TmuxChat:
        env = {**chat_env(chat_home, opensc_module), "TERM": "xterm-256color"}
        workdir = tmp_path / f"tmux-{len(chats)}"
        workdir.mkdir()
        chat = TmuxChat(workdir, env, [sys.executable, "-m", "assistant", *args])
        chats.append(chat)
        return chat

    yield start
    for chat in chats:
        chat.close()


def files_containing(root: Path, needle: str) -> list[Path]:
    """Every file under `root` whose bytes contain `needle` (UTF-8)."""
    data = needle.encode()
    return [p for p in root.rglob("*") if p.is_file() and data in p.read_bytes()]
