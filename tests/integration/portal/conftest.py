"""The training portal as users run it: `python -m assistant.portal.reference` in a subprocess."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from assistant.demo.portal import wait_until_serving
from tests.unit.portal.conftest import TRAINING_KEY, free_port, write_seed


@dataclass
class PortalProcess:
    base_url: str
    state_path: Path
    outbox_path: Path
    log_path: Path
    process: subprocess.Popen[bytes]

    def log_text(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")


@pytest.fixture
def portal_process(tmp_path: Path) -> Iterator[Callable[..., PortalProcess]]:
    """Factory: portal_process(*extra_args) → a served portal on a free loopback port."""
    started: list[PortalProcess] = []

    def start(*extra: str) -> PortalProcess:
        index = len(started)
        key_file = tmp_path / "training.key"
        key_file.write_text(TRAINING_KEY, encoding="utf-8")
        state, outbox = tmp_path / f"state-{index}.json", tmp_path / f"outbox-{index}.jsonl"
        log = tmp_path / f"portal-{index}.log"
        port = free_port()
        command = [
            sys.executable, "-m", "assistant.portal.reference",
            "--state", str(state), "--port", str(port),
            "--seed", str(write_seed(tmp_path / "seed.yaml")),
            "--outbox", str(outbox), "--training-key-file", str(key_file),
            "--log-level", "debug", *extra,
        ]  # fmt: skip
        with log.open("wb") as out:
            process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
        running = PortalProcess(f"http://127.0.0.1:{port}", state, outbox, log, process)
        started.append(running)
        wait_until_serving(running.base_url, process, log)
        return running

    yield start
    for running in started:
        running.process.terminate()
        try:
            running.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            running.process.kill()
            running.process.wait()
