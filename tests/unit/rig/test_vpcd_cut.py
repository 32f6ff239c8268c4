"""Which command an armed cut waits for: by INS, only with data, chained parts apart."""

from __future__ import annotations

from assistant.demo.vpcd_link import Cut, CutPoint

VERIFY_PIN = bytes.fromhex("0020008008313233343536FFFF")
VERIFY_STATUS = bytes.fromhex("00200080")  # reads the counter, presents nothing
CHAINED_SIGN = bytes.fromhex("108700140A7C088106") + bytes(4)
FINAL_SIGN = bytes.fromhex("008700140A7C088106") + bytes(4)


def test_a_cut_waits_for_a_command_that_presents_something() -> None:
    cut = Cut(0x20, CutPoint.AFTER)
    assert cut.matches(VERIFY_PIN)
    assert not cut.matches(VERIFY_STATUS)
    assert not cut.matches(FINAL_SIGN)


def test_chained_parts_and_final_commands_are_told_apart() -> None:
    assert Cut(0x87, CutPoint.CHAINED).matches(CHAINED_SIGN)
    assert not Cut(0x87, CutPoint.CHAINED).matches(FINAL_SIGN)
    assert Cut(0x87, CutPoint.BEFORE).matches(FINAL_SIGN)
    assert not Cut(0x87, CutPoint.BEFORE).matches(CHAINED_SIGN)
