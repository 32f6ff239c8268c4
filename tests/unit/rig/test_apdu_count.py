"""The APDU counter between the vpcd link and the card model.

The benchmark's APDU table is only as true as this count: every command the card
answers is counted once, under a name that tells a PIN presentation from a retry probe,
the answers pass through untouched, and no PIN is kept in what it records.
"""

from __future__ import annotations

from pathlib import Path

from assistant.demo import tlv
from assistant.demo.apdu_count import ApduCounter
from assistant.demo.piv_card import PIV_AID, PivCard, PivState
from assistant.demo.pki import TestPki
from assistant.demo.virtual_card import create_state

PIN = "918273"


def _state(test_pki: TestPki, tmp_path: Path) -> PivState:
    return create_state(test_pki, tmp_path / "card.json", pin=PIN)


def _copy(state: PivState) -> PivCard:
    return PivCard(PivState.from_json(state.to_json()))


def _pad(pin: str) -> bytes:
    return pin.encode().ljust(8, b"\xff")


def _apdu(cla: int, ins: int, p1: int, p2: int, data: bytes = b"", *, le: bool = False) -> bytes:
    body = bytes([len(data)]) + data if data else b""
    return bytes([cla, ins, p1, p2]) + body + (b"\x00" if le else b"")


SELECT = _apdu(0, 0xA4, 4, 0, PIV_AID, le=True)
GET_SIGNING_CERT = _apdu(0, 0xCB, 0x3F, 0xFF, tlv.tlv(0x5C, bytes.fromhex("5FC10A")), le=True)
VERIFY_PROBE = _apdu(0, 0x20, 0, 0x80)
VERIFY_RESET = _apdu(0, 0x20, 0xFF, 0x80)


def _sw(answer: bytes) -> int:
    return int.from_bytes(answer[-2:], "big")


def _read_all(card: ApduCounter | PivCard, command: bytes) -> list[bytes]:
    answers = [card.process(command)]
    while _sw(answers[-1]) >> 8 == 0x61:
        answers.append(card.process(_apdu(0, 0xC0, 0, 0, le=True)))
    return answers


def test_every_command_is_counted_once_by_name(test_pki: TestPki, tmp_path: Path) -> None:
    counter = ApduCounter(_copy(_state(test_pki, tmp_path)))
    with counter.operation() as op:
        counter.process(SELECT)
        certificate = _read_all(counter, GET_SIGNING_CERT)
        counter.process(VERIFY_PROBE)
        counter.process(_apdu(0, 0x20, 0, 0x80, _pad(PIN)))
        counter.process(VERIFY_RESET)
    assert len(certificate) > 1  # a certificate needs GET RESPONSE on short APDUs
    assert op.tally.by_command() == {
        "SELECT": 1,
        "GET DATA": 1,
        "GET RESPONSE": len(certificate) - 1,
        "VERIFY (no data)": 1,
        "VERIFY": 1,
        "VERIFY (reset)": 1,
    }
    assert op.tally.total == 4 + len(certificate)
    assert op.tally.reads_by_object() == {"5FC10A": 1}
    assert [r.status_word for r in op.tally.records][-3:] == [0x63C3, 0x9000, 0x9000]


def test_chained_parts_are_counted_apart_from_the_last(test_pki: TestPki, tmp_path: Path) -> None:
    counter = ApduCounter(_copy(_state(test_pki, tmp_path)))
    data = _pad(PIN) + _pad("135790")
    with counter.operation() as op:
        counter.process(_apdu(0x10, 0x24, 0, 0x80, data[:8]))
        answer = counter.process(_apdu(0x00, 0x24, 0, 0x80, data[8:]))
    assert _sw(answer) == 0x9000
    assert op.tally.by_command() == {
        "CHANGE REFERENCE DATA (chained part)": 1,
        "CHANGE REFERENCE DATA": 1,
    }


def test_answers_and_card_state_are_those_of_the_card_alone(
    test_pki: TestPki, tmp_path: Path
) -> None:
    state = _state(test_pki, tmp_path)
    plain, counted = _copy(state), ApduCounter(_copy(state))
    commands = [SELECT, GET_SIGNING_CERT, VERIFY_PROBE, _apdu(0, 0x20, 0, 0x80, _pad("000000"))]
    for command in commands:
        assert _read_all(counted, command) == _read_all(plain, command)
    assert isinstance(counted.card, PivCard)
    assert counted.card.state.pin_tries_left == plain.state.pin_tries_left == 2


def test_no_pin_is_kept_in_what_is_recorded(test_pki: TestPki, tmp_path: Path) -> None:
    counter = ApduCounter(_copy(_state(test_pki, tmp_path)))
    counter.process(_apdu(0, 0x20, 0, 0x80, _pad(PIN)))
    counter.process(_apdu(0, 0x24, 0, 0x80, _pad(PIN) + _pad("246802")))
    recorded = repr(counter.read())
    for needle in (PIN, "246802", PIN.encode().hex(), b"246802".hex()):
        assert needle not in recorded.lower()
    assert repr(_pad(PIN)) not in recorded


def test_an_operation_counts_its_own_block_and_power_events(
    test_pki: TestPki, tmp_path: Path
) -> None:
    counter = ApduCounter(_copy(_state(test_pki, tmp_path)))
    counter.process(SELECT)  # before: not part of the operation
    with counter.operation() as op:
        counter.process(VERIFY_PROBE)
        counter.power_on()  # a reset from the reader clears the PIN status
    counter.process(SELECT)  # after: not part of it either
    assert (op.tally.total, op.tally.power_events) == (1, 1)
    assert (op.tally + op.tally).total == 2
    counter.reset()
    assert counter.read().total == 0
