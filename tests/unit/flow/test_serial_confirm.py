"""Confirming with a serial's last characters: serials are hex, so letters count, in
either case, and the prompt says "characters", not "digits"."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.flow.actions import Registry
from assistant.flow.loader import load_all, load_text
from assistant.flow.outputs import OutputKind
from assistant.flow.session import Session
from assistant.i18n.catalog import translator

ROOT = Path(__file__).parents[3]
FLOW = """
flow: gate
inputs: [token]
steps:
  - id: confirm
    confirm: "Seri numarasının son 4 karakterini yazınız."
    last_digits: {of: token.serial, count: 4}
  - id: done
    end: ok
    say: "Onaylandı."
"""


@pytest.mark.parametrize("typed", ["00ba", "00BA", "00 Ba", "0:0BA"])
def test_the_last_four_characters_match_in_either_case(typed: str) -> None:
    flow = load_text(FLOW, "gate.yaml")
    session = Session({"gate": flow}, Registry(), "gate", context={"token": {"serial": "3F0A00BA"}})
    session.start()
    assert session.handle(typed)[0].message_id == "gate.done"


def test_other_characters_are_refused() -> None:
    flow = load_text(FLOW, "gate.yaml")
    session = Session({"gate": flow}, Registry(), "gate", context={"token": {"serial": "3F0A00BA"}})
    session.start()
    assert session.handle("00bb")[-1].kind is OutputKind.CONFIRM_REQUEST


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("tr", "son 4 karakterini"),
        ("en", "last 4 characters"),
        ("de", "letzten 4 Zeichen"),
        ("ar", "آخر 4 رموز"),
    ],
)
def test_the_pin_change_prompt_asks_for_characters(language: str, words: str) -> None:
    flows, _ = load_all([ROOT / "flows"])
    step = flows["pin_change"].step("confirm_change")
    assert step is not None and step.message is not None
    shown = translator()(step.message.id, step.message.text, language)
    assert words in shown
