"""The card layer's verdict when a write loses its answer, at the holder-PUK unblock.

The Kilit Çözme journey covers the CA route through the chat; `unblock_pin` (a PUK the
holder manages, PIV cards) sends the same RESET RETRY COUNTER and must come back UNKNOWN
with what the card may hold, and with the PIN state from just before, whichever side of
the command the card was pulled.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from assistant.card.notes import CardNotes
from assistant.card.outcomes import Effect, OutcomeKind
from assistant.card.profiles import ProfileSet
from assistant.card.token import open_token
from assistant.secret import Secret, SecretKind
from tests.integration.card_check import login

pytestmark = pytest.mark.integration

RESET_RETRY_COUNTER = 0x2C
NEW = "135790"


@pytest.mark.parametrize("point", ["before", "after"])
def test_a_lost_puk_unblock_is_unknown_and_the_card_holds_what_it_applied(
    rig_card: Callable[..., Any], opensc: Path, point: str
) -> None:
    card = rig_card(atr="piv")
    card.state.pin_tries_left = 0  # locked by three wrong PINs
    card.state.save(card.state_path)
    card.remove()
    card.insert()
    opened = open_token(ProfileSet.load().get("piv"), reader=card.reader, configured_module=opensc)
    token = opened.unwrap()
    card.cut_at(RESET_RETRY_COUNTER, point)
    outcome = token.unblock_pin(Secret(card.puk, SecretKind.PUK), Secret(NEW, SecretKind.PIN))
    card.wait_cut()
    card.insert()

    assert outcome.kind is OutcomeKind.UNKNOWN
    assert outcome.effect is Effect.PIN_MAYBE_RESET
    assert outcome.before is not None and outcome.before.locked
    assert card.puk not in repr(outcome) and NEW not in repr(outcome)
    assert card.puk_tries_left == 3  # the right PUK: counted or not, nothing lost
    if point == "before":
        assert card.pin == "123456" and card.pin_tries_left == 0
    else:
        assert card.pin == NEW and card.pin_tries_left == 3
        assert login(opensc, card, NEW)


class _NotesSeenAtTheAnswer:
    """The agent's card notes, recording what was on disk when the answer (or its loss)
    came back: had the agent been killed while the command was in flight, that file is
    all the next start would find."""

    def __init__(self, path: Path) -> None:
        self.notes = CardNotes(path)
        self.on_disk_at_answer: list[str | None] = []

    def writing(self, serial: str, effect: Effect, before: Any) -> None:
        self.notes.writing(serial, effect, before)

    def observe(self, serial: str, outcome: Any) -> None:
        note = CardNotes(self.notes.path).get(serial)  # another process's view
        self.on_disk_at_answer.append(note.operation if note else None)
        self.notes.observe(serial, outcome)


CHANGE_REFERENCE_DATA = 0x24


@pytest.mark.parametrize("point", ["before", "after"])
def test_the_maybe_new_pin_note_is_on_disk_while_the_change_is_in_flight(
    rig_card: Callable[..., Any], opensc: Path, tmp_path: Path, point: str
) -> None:
    card = rig_card(atr="piv")
    watcher = _NotesSeenAtTheAnswer(tmp_path / "card_notes.json")
    opened = open_token(
        ProfileSet.load().get("piv"),
        reader=card.reader,
        configured_module=opensc,
        observer=watcher,
    )
    token = opened.unwrap()
    card.cut_at(CHANGE_REFERENCE_DATA, point)
    outcome = token.change_pin(Secret(card.pin, SecretKind.PIN), Secret(NEW, SecretKind.PIN))
    card.wait_cut()
    card.insert()

    assert outcome.kind is OutcomeKind.UNKNOWN and outcome.effect is Effect.PIN_MAYBE_CHANGED
    assert watcher.on_disk_at_answer == ["change"]  # written before the APDU went out
    note = CardNotes(tmp_path / "card_notes.json").get(token.serial)
    assert note is not None and note.operation == "change"
    assert (card.pin == NEW) is (point == "after")
