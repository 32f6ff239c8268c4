"""The parts of the benchmarks that read a measurement, checked on known inputs.

When the first prompt counts as on screen, how `-X importtime` lines are read, how
"flat" memory is judged, and that each protocol-minimum sequence is one the card
accepts: if any of these drifted, the benchmark would print a confident wrong figure.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.demo.pki import TestPki
from assistant.demo.virtual_card import create_state
from benchmarks import apdu_minimum
from benchmarks.bench_agent import first_prompt_on_screen, import_rows, parse_importtime
from benchmarks.bench_memory import slope_per_100

QUESTION = "Merhaba, ben NES Asistanı. Size nasıl yardımcı olabilirim?\n"
LAST = "  8) Sorun giderme: okuyucu, kart ya da sürücü çalışmıyor\n"


def test_the_first_prompt_counts_once_the_last_choice_and_the_input_marker_are_shown() -> None:
    assert not first_prompt_on_screen(QUESTION.encode())
    assert not first_prompt_on_screen((QUESTION + LAST).encode())
    assert first_prompt_on_screen((QUESTION + LAST + "\x1b[36m› \x1b[0m").encode())
    assert not first_prompt_on_screen(("› " + QUESTION + LAST).encode())  # marker before


IMPORTTIME = """\
import time: self [us] | cumulative | imported package
import time:       120 |        120 |   _io
import time:      1003 |       1500 | assistant
import time:       324 |      31800 |       httpx
import time:      2550 |      47001 |     assistant.portal.client
import time:       791 |     114267 |   assistant.agent.core
import time:      1134 |     115400 | assistant.agent.server
"""


def test_importtime_lines_keep_their_nesting_depth_and_cumulative_time() -> None:
    lines = parse_importtime(IMPORTTIME)
    assert [(line.module, line.depth) for line in lines] == [
        ("_io", 1),
        ("assistant", 0),
        ("httpx", 3),
        ("assistant.portal.client", 2),
        ("assistant.agent.core", 1),
        ("assistant.agent.server", 0),
    ]
    rows = import_rows(lines)
    assert rows["import_total_us"] == 1500 + 115400  # top level only: no double counting
    assert rows["import_assistant_agent_core_us"] == 114267
    assert rows["import_httpx_us"] == 31800
    assert rows["import_pkcs11_us"] == 0  # not imported before the first prompt
    assert str(rows["import_top_level_detail"]).startswith("assistant.agent.server 115400 µs")


def test_memory_that_levels_off_has_no_slope_and_a_leak_has_its_own() -> None:
    levelled = [(0, 60000), (100, 64000), (200, 64100), (300, 64100), (400, 64100)]
    assert slope_per_100(levelled) == 0.0
    leaking = [(step, 60000 + step * 3) for step in range(0, 1001, 100)]
    assert slope_per_100(leaking) == pytest.approx(300.0)


@pytest.mark.parametrize("key_type", ["p384", "rsa2048"])
def test_each_minimum_sequence_is_accepted_by_the_card(
    test_pki: TestPki, tmp_path: Path, key_type: str
) -> None:
    state = create_state(test_pki, tmp_path / "card.json", key_type=key_type)
    before = state.to_json()
    assert apdu_minimum.verify_pin(state, cold=False).by_command() == {"SELECT": 1, "VERIFY": 1}
    assert apdu_minimum.change_pin(state, cold=True).by_command() == {
        "SELECT": 1,
        "CHANGE REFERENCE DATA": 1,
    }
    assert apdu_minimum.status(state, cold=True).total == 3
    assert apdu_minimum.certificates(state, cold=False).total == 0
    cold = apdu_minimum.certificates(state, cold=True).reads_by_object()
    assert cold == dict.fromkeys(["5FC105", "5FC10A", "5FC10B", "5FC101"], 1)
    signature = apdu_minimum.test_signature(state, cold=False).by_command()
    assert signature["GENERAL AUTHENTICATE"] == 1
    assert ("GENERAL AUTHENTICATE (chained part)" in signature) == (key_type == "rsa2048")
    assert state.to_json() == before  # done on a copy: the real card is untouched
