"""Fixtures shared by the integration tests that run the assistant's own processes."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def chat_home(tmp_path: Path) -> Path:
    home = tmp_path / "home"
    home.mkdir()
    return home


def chat_env(home: Path, module: Path) -> dict[str, str]:
    """What the assistant's processes need to reach the rig and keep data under `home`."""
    return {
        "PCSCLITE_CSOCK_NAME": os.environ["PCSCLITE_CSOCK_NAME"],
        "OPENSC_CONF": os.environ["OPENSC_CONF"],
        "NES_ASISTAN_HOME": str(home),
        "NES_ASISTAN_PKCS11_MODULE": str(module),
        "PYTHONPATH": str(REPO),
    }


@pytest.fixture
def agent_process(
    chat_home: Path, opensc_module: Path, tmp_path: Path
) -> Iterator[Callable[[], subprocess.Popen[bytes]]]:
    """Factory: `nes-asistan agent` in the background, returned once it is ready."""
    started: list[subprocess.Popen[bytes]] = []

    def start() -> subprocess.Popen[bytes]:
        log = tmp_path / f"agent-{len(started)}.out"
        with log.open("wb") as out:
            process = subprocess.Popen(
                [sys.executable, "-m", "assistant", "agent"],
                env={**os.environ, **chat_env(chat_home, opensc_module)},
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        started.append(process)
        deadline = time.monotonic() + 30
        while b"agent ready" not in log.read_bytes():
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"agent did not start: {log.read_text(errors='replace')}")
            time.sleep(0.05)
        return process

    yield start
    for process in started:
        if process.poll() is None:
            process.terminate()
            process.wait(10)
