"""Counting the APDUs a virtual card answers, by command, around one operation.

On a real card every exchange costs real time (an ACR38 reader at T=0 takes tens of
milliseconds each, the card's own work comes on top), so the number of APDUs per
operation is the measure that carries over from the rig to a person's desk; unlike wall
time on a shared machine it is also repeatable. `ApduCounter` sits between the vpcd link
and the card model (`VirtualCard.count_apdus()` installs it) and changes nothing the card
answers.

What it keeps of each command is its name, header, answer status word and, for GET DATA
and SELECT, the object tag or AID: never the command data itself, so a PIN in a VERIFY or
CHANGE REFERENCE DATA is not recorded anywhere.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from assistant.demo import tlv
from assistant.demo.piv_card import parse_command
from assistant.demo.vpcd_link import CardModel

INS_NAMES = {
    0xA4: "SELECT",
    0xCB: "GET DATA",
    0xCA: "GET DATA (CA)",
    0x20: "VERIFY",
    0x24: "CHANGE REFERENCE DATA",
    0x2C: "RESET RETRY COUNTER",
    0x87: "GENERAL AUTHENTICATE",
    0xC0: "GET RESPONSE",
}
CHAINED = " (chained part)"


@dataclass(frozen=True)
class ApduRecord:
    """One command the card answered."""

    name: str
    """E.g. "SELECT", "VERIFY (no data)", "GENERAL AUTHENTICATE (chained part)"."""
    header: bytes
    """CLA INS P1 P2."""
    detail: str
    """GET DATA: the object tag ("5FC105"); SELECT: the AID; otherwise empty."""
    expected_length: int | None
    """Le as the host sent it (256 for Le=00); None without Le."""
    status_word: int


def describe(raw: bytes) -> tuple[str, str, int | None]:
    """(name, detail, Le) of a command APDU, without keeping any of its data."""
    try:
        command = parse_command(raw)
    except ValueError:
        return "malformed", "", None
    name = INS_NAMES.get(command.ins, f"INS {command.ins:02X}")
    detail = ""
    if command.ins == 0x20:
        # The retry probe (no data) and the logout (P1 FF) are not PIN presentations.
        if command.p1 == 0xFF:
            name = "VERIFY (reset)"
        elif not command.data:
            name = "VERIFY (no data)"
    elif command.ins == 0xA4:
        detail = command.data.hex().upper()
    elif command.ins == 0xCB:
        try:
            tag = tlv.find(command.data, 0x5C)
        except ValueError:
            tag = None
        detail = tag.hex().upper() if tag else ""
    if command.cla & 0x10:
        name += CHAINED
    return name, detail, command.ne


@dataclass(frozen=True)
class ApduTally:
    """The APDUs of one operation (or since the last reset), in the order sent."""

    records: tuple[ApduRecord, ...] = ()
    power_events: int = 0
    """Power on/off/reset from the reader: each one clears the card's PIN status."""

    @property
    def total(self) -> int:
        return len(self.records)

    def by_command(self) -> dict[str, int]:
        """Command name → count, in the order each name first appeared."""
        return dict(Counter(r.name for r in self.records))

    def reads_by_object(self) -> dict[str, int]:
        """GET DATA (INS CB) object tag → how many times it was asked for."""
        return dict(Counter(r.detail for r in self.records if r.header[1] == 0xCB))

    def __add__(self, other: ApduTally) -> ApduTally:
        """Two operations back to back, e.g. opening the token and then using it."""
        return ApduTally(self.records + other.records, self.power_events + other.power_events)

    def summary(self) -> str:
        """A table cell: "SELECT 2, GET DATA 16, VERIFY (no data) 1"."""
        return ", ".join(f"{name} {count}" for name, count in self.by_command().items())


@dataclass
class Operation:
    """Filled in when the `with counter.operation()` block ends."""

    tally: ApduTally = field(default_factory=ApduTally)


class ApduCounter:
    """A card model that counts what it answers and passes everything on unchanged."""

    def __init__(self, card: CardModel) -> None:
        self.card = card
        self._lock = threading.Lock()
        self._records: list[ApduRecord] = []
        self._power_events = 0

    def power_on(self) -> None:
        with self._lock:
            self._power_events += 1
        self.card.power_on()

    def process(self, raw: bytes) -> bytes:
        answer = self.card.process(raw)
        name, detail, expected = describe(raw)
        status_word = int.from_bytes(answer[-2:], "big") if len(answer) >= 2 else 0
        record = ApduRecord(name, bytes(raw[:4]), detail, expected, status_word)
        with self._lock:
            self._records.append(record)
        return answer

    def reset(self) -> None:
        """Forget everything counted so far."""
        with self._lock:
            self._records.clear()
            self._power_events = 0

    def read(self) -> ApduTally:
        """Everything since the counter was installed or last reset."""
        with self._lock:
            return ApduTally(tuple(self._records), self._power_events)

    @contextmanager
    def operation(self) -> Iterator[Operation]:
        """Count one operation: the APDUs answered while the block runs.

        Starts from a reset, so it is meant for one operation at a time on this card.
        """
        self.reset()
        done = Operation()
        try:
            yield done
        finally:
            done.tally = self.read()
