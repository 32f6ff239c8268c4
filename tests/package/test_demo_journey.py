"""The installed `nes-asistan demo`, typed into through tmux, to a verified test signature."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from assistant.demo.pcscd import recorded_pid
from tests.integration.terminal.tmux import TmuxChat
from tests.package.conftest import Installed

pytestmark = [pytest.mark.integration, pytest.mark.timeout(900)]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_installed_demo_reaches_a_verified_test_signature_and_cleans_up(
    installed: Installed, tmp_path: Path
) -> None:
    state = tmp_path / "demo"
    workdir = tmp_path / "cwd"
    workdir.mkdir()
    env = {**installed.env, "TERM": "xterm-256color"}
    command = [
        "sh", "-c", f"cd '{workdir}' && exec \"$@\"", "demo",
        "env", "-i", *(f"{k}={v}" for k, v in env.items()),
        str(installed.bin_dir / "nes-asistan"), "demo", "--state", str(state),
    ]  # fmt: skip
    chat = TmuxChat(tmp_path, {}, command)
    try:
        chat.wait_for("Demo kartı takıldı", timeout=60)
        pid_file = state / "pcscd" / "run" / "pcscd.pid"
        pcscd = recorded_pid(pid_file)
        assert _alive(pcscd)
        chat.answer("Size nasıl yardımcı olabilirim", "4")
        chat.answer("İmza için PIN'inizi yazınız", "123456")
        chat.wait_for("Deneme imzası atıldı ve sertifikanızla doğrulandı", after=chat.position)
        chat.answer("Başka bir konuda yardımcı olabilir miyim", "hayır")
        assert chat.exit_code(timeout=30) == 0
    finally:
        chat.close()
    assert not _alive(pcscd) and not pid_file.exists()  # stopped by PID
    assert (state / "card.json").is_file() and (state / "home" / "data").is_dir()
    assert list(workdir.iterdir()) == []  # nothing written to the current directory
