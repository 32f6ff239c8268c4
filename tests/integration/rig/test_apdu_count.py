"""The APDU counter on a card in a real vpcd reader: it sees what crosses pcscd.

pkcs11-tool (OpenSC, a tool we did not write) drives the card; the counter must see
its commands and change nothing it gets back: the token still lists and logs in, and a
wrong PIN is exactly one PIN presentation, one try spent.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from assistant.demo.virtual_card import VirtualCard
from tests.integration.rig.test_opensc_token import tool

pytestmark = pytest.mark.integration


def test_the_counter_sees_opensc_read_the_card(
    virtual_card: Callable[..., VirtualCard], opensc_module: Path
) -> None:
    card = virtual_card()
    counter = card.count_apdus()
    assert card.count_apdus() is counter  # installed once: nothing is counted twice
    with counter.operation() as op:
        listed = tool(opensc_module, card, "--login", "--pin", card.pin, "-O")
    assert listed.returncode == 0, listed.stderr
    assert "Certificate Object" in listed.stdout
    reads = op.tally.reads_by_object()
    assert reads.get("5FC10A", 0) >= 1  # the signing certificate (9C) was read
    assert op.tally.by_command().get("VERIFY") == 1
    assert card.pin_tries_left == 3


def test_a_wrong_pin_is_one_verify_and_one_try(
    virtual_card: Callable[..., VirtualCard], opensc_module: Path
) -> None:
    card = virtual_card()
    counter = card.count_apdus()
    with counter.operation() as op:
        refused = tool(opensc_module, card, "--login", "--pin", "000000", "-O")
    assert refused.returncode != 0
    presented = [r for r in op.tally.records if r.name == "VERIFY"]
    assert [r.status_word for r in presented] == [0x63C2]
    assert card.pin_tries_left == 2
