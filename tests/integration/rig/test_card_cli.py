"""`python -m assistant.demo.card_cli` (what the demo runs) serves a card until interrupted."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from smartcard.System import readers

from assistant.demo.atrs import ATRS
from assistant.demo.pcscd import PcscService, ReaderSlot
from assistant.demo.virtual_card import wait_for_card

pytestmark = pytest.mark.integration


@pytest.fixture
def slot(pcsc_service: PcscService) -> Iterator[ReaderSlot]:
    reserved = pcsc_service.acquire_slot()
    yield reserved
    # Only an empty reader goes back: a card left in it would answer the next test's
    # PIN (once, a card_cli that outlived its test made every later test fail).
    wait_for_card(reserved.name, present=False, timeout=30)
    pcsc_service.release_slot(reserved)


def _serve(state: Path, port: int, *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "assistant.demo.card_cli",
         "--state", str(state), "--port", str(port), *extra],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        cwd=Path(__file__).resolve().parents[3],
    )  # fmt: skip


def _stop(process: subprocess.Popen[str], signum: signal.Signals) -> str:
    """Send `signum` and wait for the exit, with a deadline; a process that outlives it
    is killed (so its card leaves the reader) and the test fails saying so."""
    process.send_signal(signum)
    try:
        output, _ = process.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
        output, _ = process.communicate(timeout=60)
        raise AssertionError(f"card_cli ignored {signum.name}: {output}") from None
    return output


def _atr(reader: str) -> bytes:
    connection = next(r for r in readers() if str(r) == reader).createConnection()
    connection.connect()
    try:
        return bytes(connection.getATR())
    finally:
        connection.disconnect()


def test_cli_creates_state_serves_the_card_and_removes_it_on_ctrl_c(
    slot: ReaderSlot, tmp_path: Path
) -> None:
    state = tmp_path / "demo-card.json"
    process = _serve(state, slot.port, "--atr", "akis", "--key", "rsa2048", "--pin", "246802")
    try:
        wait_for_card(slot.name, present=True, timeout=30)
        assert _atr(slot.name) == ATRS["akis"]
    finally:
        output = _stop(process, signal.SIGINT)
    assert process.returncode == 0, output
    wait_for_card(slot.name, present=False)
    saved = json.loads(state.read_text())
    assert saved["pin"] == "246802" and set(saved["certs"]) == {"9a", "9c"}
    assert (tmp_path / "demo-card.json.pki" / "index.txt").exists()

    again = _serve(state, slot.port)  # reuses the state: same certificates
    try:
        wait_for_card(slot.name, present=True, timeout=30)
        assert _atr(slot.name) == ATRS["piv"]
    finally:
        _stop(again, signal.SIGTERM)
    assert again.returncode == 0
    assert json.loads(state.read_text())["certs"] == saved["certs"]
