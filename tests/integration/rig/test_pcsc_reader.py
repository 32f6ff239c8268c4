"""The rig as PC/SC sees it: private pcscd, readers, insert/remove, the ATR on the wire."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from smartcard.Exceptions import NoCardException
from smartcard.System import readers

from assistant.demo.atrs import ATRS
from assistant.demo.pcscd import PcscService
from assistant.demo.virtual_card import VirtualCard

pytestmark = pytest.mark.integration


def _reader(name: str):  # type: ignore[no-untyped-def]
    (reader,) = [r for r in readers() if str(r) == name]
    return reader


def test_private_pcscd_owns_its_socket_and_leaves_the_system_one_alone(
    pcsc_service: PcscService,
) -> None:
    assert Path(os.environ["PCSCLITE_CSOCK_NAME"]) == pcsc_service.socket_path
    assert pcsc_service.socket_path.is_socket()
    # pcscd wrote its pid file into our directory, not into the machine's /run/pcscd
    assert (pcsc_service.run_dir / "pcscd.pid").read_text().split()[0] == str(pcsc_service.pid)
    system_pid = Path("/run/pcscd/pcscd.pid")
    if system_pid.exists():
        assert system_pid.read_text().split()[0] != str(pcsc_service.pid)
    names = {str(r) for r in readers()}
    assert {slot.name for slot in pcsc_service.slots} <= names
    # a child process (pcsc_scan would do the same) reaches the same daemon
    assert set(pcsc_service.reader_names()) == names


@pytest.mark.parametrize("atr", sorted(ATRS))
def test_inserted_card_shows_its_atr_and_removal_empties_the_reader(
    virtual_card: Callable[..., VirtualCard], atr: str
) -> None:
    card = virtual_card(atr=atr)
    assert card.inserted
    connection = _reader(card.reader).createConnection()
    connection.connect()
    assert bytes(connection.getATR()) == ATRS[atr] == card.atr
    connection.disconnect()
    card.remove()
    assert not card.inserted
    with pytest.raises(NoCardException):
        _reader(card.reader).createConnection().connect()
    card.insert()
    connection = _reader(card.reader).createConnection()
    connection.connect()
    assert bytes(connection.getATR()) == ATRS[atr]
    connection.disconnect()


def test_apdus_reach_the_piv_application(virtual_card: Callable[..., VirtualCard]) -> None:
    card = virtual_card()
    connection = _reader(card.reader).createConnection()
    connection.connect()
    select = [0x00, 0xA4, 0x04, 0x00, 0x09, 0xA0, 0, 0, 0x03, 0x08, 0, 0, 0x10, 0, 0x00]
    data, sw1, sw2 = connection.transmit(select)
    assert (sw1, sw2) == (0x90, 0x00) and data[0] == 0x61
    # VERIFY without data reads the counter without spending a try
    assert connection.transmit([0x00, 0x20, 0x00, 0x80])[1:] == (0x63, 0xC3)
    wrong = [0x00, 0x20, 0x00, 0x80, 0x08, *b"000000", 0xFF, 0xFF]
    assert connection.transmit(wrong)[1:] == (0x63, 0xC2)
    connection.disconnect()
    assert card.pin_tries_left == 2


def test_two_cards_in_two_readers_do_not_mix(virtual_card: Callable[..., VirtualCard]) -> None:
    first, second = virtual_card(atr="akis"), virtual_card(atr="tckk")
    assert first.reader != second.reader
    first.remove()
    connection = _reader(second.reader).createConnection()
    connection.connect()
    assert bytes(connection.getATR()) == ATRS["tckk"]
    connection.disconnect()


def test_pcsc_scan_in_a_subprocess_lists_the_private_readers(
    pcsc_service: PcscService,
) -> None:
    result = subprocess.run(
        ["pcsc_scan", "-r"], capture_output=True, text=True, timeout=20, check=False
    )
    assert pcsc_service.slots[0].name in result.stdout, result.stdout + result.stderr
