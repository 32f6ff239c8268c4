"""Loopback web chat latency on the virtual card rig, measured like a page would see it.

A private pcscd + vpcd + virtual AKİS card, and `nes-asistan web` as its own process.
- connect → first prompt: WebSocket handshake (Host/Origin/token checks) until the turn
  holding the first question, for a new conversation and for a resumed one.
- menu → PIN question: choosing "new card" until "PIN'inizi biliyor musunuz?" arrives
  (when the assistant opens with a topic menu, the card checks run here instead).
- reply round trip: a reply sent until its turn is back; "yardım" (help: no card
  involved) shows the server's own overhead, a PIN verification adds the card.
Medians over several runs; the first connection pays the PKCS#11 module load.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from websockets.sync.client import ClientConnection

    from tests.integration.web.client import Turn
    from tests.integration.web.server import WebServer

RUNS = 5
HELP_RUNS = 30
PIN = "730419"
OPENSC = Path("/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so")
OPENSC_CONF = (
    "app opensc-pkcs11 { pkcs11 { user_pin_unblock_style = set_pin_in_unlogged_session; } }\n"
)


def _ms(values: list[float]) -> float:
    return round(statistics.median(values) * 1000, 1)


def main() -> dict[str, float | str]:
    if not OPENSC.exists():
        print("skipped: opensc-pkcs11.so missing")
        return {"skipped": "opensc-pkcs11.so missing"}
    with tempfile.TemporaryDirectory(prefix="bench-web-") as tmp:
        return _run(Path(tmp))


def _run(work: Path) -> dict[str, float | str]:
    from assistant.demo.pcscd import PcscService
    from assistant.demo.pki import TestPki
    from assistant.demo.virtual_card import VirtualCard, create_state
    from tests.integration.web.server import start_server

    service = PcscService(work / "pcsc", entries=1)
    service.start()
    try:
        os.environ.update(service.env())
        conf = work / "opensc.conf"
        conf.write_text(OPENSC_CONF, encoding="utf-8")
        os.environ["OPENSC_CONF"] = str(conf)
        create_state(TestPki(work / "pki"), work / "card.json", key_type="p384", pin=PIN)
        slot = service.acquire_slot()
        card = VirtualCard(work / "card.json", "akis", slot.port, slot.name)
        card.insert()
        server = start_server(work, OPENSC)
        try:
            results = _measure(server)
        finally:
            server.stop()
            card.remove(wait=False)
    finally:
        service.stop()
    for name, value in results.items():
        print(f"{name:34} {value:8.1f} ms")
    return results


def _measure(server: WebServer) -> dict[str, float | str]:
    from tests.integration.web.client import next_turn, reply, turn_until

    fresh, resumed, card_checks, helps, verifies = [], [], [], [], []
    for _ in range(RUNS):
        seconds, ws, _ = _first_prompt(server)
        fresh.append(seconds)
        ws.close()
        seconds, ws, turn = _first_prompt(server)  # resumes the conversation just left
        resumed.append(seconds)
        if _ids(turn)[-1] == "main.menu":  # the assistant may open with a topic menu
            start = time.perf_counter()
            reply(ws, "1")  # a new card: reader, card, token status, certificate
            turn_until(ws, "onboarding.knows_pin")
            card_checks.append(time.perf_counter() - start)
        for _ in range(HELP_RUNS // RUNS):
            start = time.perf_counter()
            reply(ws, "yardım")
            next_turn(ws)
            helps.append(time.perf_counter() - start)
        reply(ws, "1")  # yes, I know my PIN
        next_turn(ws)
        start = time.perf_counter()
        reply(ws, PIN)
        verified = next_turn(ws)
        verifies.append(time.perf_counter() - start)
        assert "onboarding.pin_ok" in _ids(verified), _ids(verified)
        for answer in ("iptal", "1"):  # leave, so the next connection starts afresh
            reply(ws, answer)
            next_turn(ws)
        ws.close()
    results = {
        "connect_to_first_prompt_new_ms": _ms(fresh),
        "connect_to_first_prompt_resumed_ms": _ms(resumed),
        "reply_round_trip_help_ms": _ms(helps),
        "reply_round_trip_pin_verify_ms": _ms(verifies),
    }
    if card_checks:
        results["menu_to_pin_question_ms"] = _ms(card_checks)
    return results


def _first_prompt(server: WebServer) -> tuple[float, ClientConnection, Turn]:
    """Seconds from opening the WebSocket to the first turn that asks something."""
    from tests.integration.web.client import first_prompt, open_chat

    start = time.perf_counter()
    ws = open_chat(server)
    turn = first_prompt(ws)
    return time.perf_counter() - start, ws, turn


def _ids(turn: Turn) -> list[str]:
    return [str(o["id"]) for o in turn["outputs"]]
