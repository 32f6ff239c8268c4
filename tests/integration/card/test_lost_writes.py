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
