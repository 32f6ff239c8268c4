"""The agent's note "the PIN may be the new one": kept per card, across processes, no secret."""

from __future__ import annotations

import datetime as dt
import stat
from pathlib import Path

from assistant.card.notes import CardNotes
from assistant.card.outcomes import Effect, OutcomeKind, PinAttempt
from assistant.card.retries import RetrySource, RetryState

SERIAL = "6e0e3937d4e822c8"
AT = dt.datetime(2026, 12, 3, 11, 5, tzinfo=dt.UTC)


def state(locked: bool) -> RetryState:
    left = 0 if locked else 3
    return RetryState(locked, False, False, False, left, RetrySource.VERIFY)


def lost(effect: Effect, *, locked: bool = False) -> PinAttempt[object]:
    return PinAttempt(OutcomeKind.UNKNOWN, effect=effect, before=state(locked), error="CKR_X")


def notes_at(path: Path) -> CardNotes:
    return CardNotes(path / "card_notes.json", clock=lambda: AT)


def test_a_lost_change_is_noted_and_read_back_by_another_process(tmp_path: Path) -> None:
    notes_at(tmp_path).observe(SERIAL, lost(Effect.PIN_MAYBE_CHANGED))
    note = notes_at(tmp_path).get(SERIAL)  # a fresh instance: as after a restart
    assert note is not None
    assert (note.operation, note.pin_was_locked) == ("change", False)
    assert note.at == AT.isoformat()
    path = tmp_path / "card_notes.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["card_notes.json"]  # no temp file left


def test_an_unblock_of_a_locked_pin_remembers_it_was_locked(tmp_path: Path) -> None:
    notes = notes_at(tmp_path)
    notes.observe(SERIAL, lost(Effect.PIN_MAYBE_RESET, locked=True))
    note = notes.get(SERIAL)
    assert note is not None and note.operation == "unblock" and note.pin_was_locked


def test_a_pin_the_card_accepts_clears_the_note(tmp_path: Path) -> None:
    notes = notes_at(tmp_path)
    notes.observe(SERIAL, lost(Effect.PIN_MAYBE_CHANGED))
    notes.observe("another card", lost(Effect.PIN_MAYBE_CHANGED))
    notes.observe(SERIAL, PinAttempt(OutcomeKind.OK))
    assert notes.get(SERIAL) is None
    assert notes.get("another card") is not None  # per card


def test_a_signature_lost_after_the_pin_was_accepted_clears_it_too(tmp_path: Path) -> None:
    notes = notes_at(tmp_path)
    notes.observe(SERIAL, lost(Effect.PIN_MAYBE_CHANGED))
    notes.observe(SERIAL, lost(Effect.SIGNATURE_LOST))
    assert notes.get(SERIAL) is None


def test_what_leaves_the_pin_as_it_was_keeps_the_note(tmp_path: Path) -> None:
    notes = notes_at(tmp_path)
    notes.observe(SERIAL, lost(Effect.PIN_MAYBE_CHANGED))
    for outcome in (
        PinAttempt(OutcomeKind.PIN_INCORRECT, retry=state(False)),
        PinAttempt(OutcomeKind.CARD_REMOVED),
        lost(Effect.PIN_TRY_MAYBE_USED),
    ):
        notes.observe(SERIAL, outcome)
        assert notes.get(SERIAL) is not None, outcome


def test_a_lost_pin_check_alone_writes_nothing(tmp_path: Path) -> None:
    notes = notes_at(tmp_path)
    notes.observe(SERIAL, lost(Effect.PIN_TRY_MAYBE_USED))
    assert notes.get(SERIAL) is None
    assert not (tmp_path / "card_notes.json").exists()


def test_a_damaged_file_is_no_note_rather_than_a_crash(tmp_path: Path) -> None:
    path = tmp_path / "card_notes.json"
    path.write_bytes(b"\x00{not json")
    notes = notes_at(tmp_path)
    assert notes.get(SERIAL) is None
    notes.observe(SERIAL, lost(Effect.PIN_MAYBE_CHANGED))
    assert notes.get(SERIAL) is not None


def test_the_time_is_shown_in_the_computers_zone(tmp_path: Path) -> None:
    notes = notes_at(tmp_path)
    notes.observe(SERIAL, lost(Effect.PIN_MAYBE_CHANGED))
    note = notes.get(SERIAL)
    assert note is not None
    expected = AT.astimezone().strftime("%Y-%m-%d %H:%M")
    assert note.local_time() == expected


def test_the_note_is_on_disk_before_the_write_goes_out(tmp_path: Path) -> None:
    notes_at(tmp_path).writing(SERIAL, Effect.PIN_MAYBE_CHANGED, state(False))
    note = notes_at(tmp_path).get(SERIAL)  # what a restarted agent reads, had this one died
    assert note is not None and note.operation == "change"


def test_a_write_the_card_refused_leaves_the_note_as_it_was(tmp_path: Path) -> None:
    notes = notes_at(tmp_path)
    notes.writing(SERIAL, Effect.PIN_MAYBE_CHANGED, state(False))
    notes.observe(SERIAL, PinAttempt(OutcomeKind.PIN_POLICY, error="CKR_PIN_LEN_RANGE"))
    assert notes.get(SERIAL) is None
    notes.observe(SERIAL, lost(Effect.PIN_MAYBE_RESET, locked=True))
    notes.writing(SERIAL, Effect.PIN_MAYBE_CHANGED, state(False))
    notes.observe(SERIAL, PinAttempt(OutcomeKind.PIN_POLICY, error="CKR_PIN_LEN_RANGE"))
    kept = notes.get(SERIAL)
    assert kept is not None and kept.operation == "unblock" and kept.pin_was_locked


def test_a_write_that_went_through_clears_the_note(tmp_path: Path) -> None:
    notes = notes_at(tmp_path)
    notes.writing(SERIAL, Effect.PIN_MAYBE_RESET, state(True))
    notes.observe(SERIAL, PinAttempt(OutcomeKind.OK))
    assert notes.get(SERIAL) is None
