"""What the agent remembers about a card between conversations: "the PIN may be the new one".

When a PIN change or an unblock loses the card's answer, the card may hold the new PIN
or the old one, and nobody can tell without spending a try. The next PIN prompt, in this
conversation or after a restart, must say which PIN to try first, so the agent keeps a
small note per token serial: which operation, when, and whether the PIN was locked just
before. Never a PIN, nor anything typed. The note goes as soon as the card accepts a PIN.

One JSON file in the user data dir, replaced atomically (0600), read on every question:
a second agent process or a crash mid-write never leaves half a note behind.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from assistant.card.outcomes import Effect, OutcomeKind, PinAttempt
from assistant.card.retries import RetryState

NOTES_NAME = "card_notes.json"


@dataclass(frozen=True)
class PinNote:
    effect: str
    """`Effect.PIN_MAYBE_CHANGED` (a PIN change) or `Effect.PIN_MAYBE_RESET` (an unblock)."""
    at: str
    """When the answer was lost, ISO 8601 in UTC."""
    pin_was_locked: bool
    """An unblock of a locked PIN is settled by the retry state: still locked means the
    reset never happened, unlocked means it did."""

    @property
    def operation(self) -> str:
        return "unblock" if self.effect == Effect.PIN_MAYBE_RESET else "change"

    def local_time(self) -> str:
        """'2026-12-03 14:05' in the computer's time zone, as the person lived it."""
        moment = dt.datetime.fromisoformat(self.at).astimezone()
        return moment.strftime("%Y-%m-%d %H:%M")


class CardNotes:
    def __init__(
        self,
        path: Path | None = None,
        clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
    ) -> None:
        self._path = path
        self._clock = clock
        self._lock = threading.Lock()
        self._before_write: dict[str, object] = {}
        """Serial → its note as it was before a write went out (None: there was none),
        put back when the card's answer settles that nothing changed."""

    @property
    def path(self) -> Path:
        if self._path is None:  # found on first use: lint builds actions without a home
            from assistant.paths import data_dir

            self._path = data_dir() / NOTES_NAME
        return self._path

    def get(self, serial: str) -> PinNote | None:
        with self._lock:
            entry = self._read().get(serial)
        if not isinstance(entry, dict):
            return None
        try:
            return PinNote(str(entry["effect"]), str(entry["at"]), bool(entry["pin_was_locked"]))
        except KeyError:
            return None

    def remember(self, serial: str, effect: Effect, before: RetryState | None) -> None:
        note = PinNote(effect.value, self._clock().isoformat(), bool(before and before.locked))
        with self._lock:
            notes = self._read()
            notes[serial] = asdict(note)
            self._write(notes)

    def writing(self, serial: str, effect: Effect, before: RetryState | None) -> None:
        """The token's PinObserver, before a command that may leave a new PIN goes out:
        the note is on disk while the command is in flight, so an agent killed then
        still tells the next PIN question which PIN to try first."""
        note = PinNote(effect.value, self._clock().isoformat(), bool(before and before.locked))
        with self._lock:
            notes = self._read()
            self._before_write[serial] = notes.get(serial)
            notes[serial] = asdict(note)
            self._write(notes)

    def forget(self, serial: str) -> None:
        with self._lock:
            notes = self._read()
            if notes.pop(serial, None) is not None:
                self._write(notes)

    def observe(self, serial: str, outcome: PinAttempt[object]) -> None:
        """The token's PinObserver: note a PIN that may be new, drop the note once the card
        accepted a PIN (an operation that went through, or a signature whose PIN had been
        accepted before its answer was lost)."""
        written = serial in self._before_write
        prior = self._before_write.pop(serial, None)
        if outcome.ok or outcome.effect is Effect.SIGNATURE_LOST:
            self.forget(serial)
        elif (
            outcome.kind is OutcomeKind.UNKNOWN
            and outcome.effect is not None
            and outcome.effect.pin_may_be_new
        ):
            self.remember(serial, outcome.effect, outcome.before)
        elif written:
            self._restore(serial, prior)

    def _restore(self, serial: str, prior: object) -> None:
        """The card answered that the write did not happen: the note as it was before."""
        with self._lock:
            notes = self._read()
            if prior is None:
                notes.pop(serial, None)
            else:
                notes[serial] = prior
            self._write(notes)

    def _read(self) -> dict[str, object]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (FileNotFoundError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def _write(self, notes: dict[str, object]) -> None:
        path = self.path
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(notes, out, indent=1, sort_keys=True)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
