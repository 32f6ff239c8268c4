"""Kilit Çözme with the card pulled at the RESET RETRY COUNTER: before it, or after the
card applied it and before its answer left.

The chat must say the PIN may now be the new one (never "not unlocked"), must not try
again by itself, and the next PIN question must know what the card really holds: still
locked (the reset never happened) or unlocked with the new PIN. Checked on the rig card
and with pkcs11-tool.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from assistant.agent.core import Agent
from assistant.demo.virtual_card import VirtualCard
from tests.integration.card_check import login, token_flags
from tests.integration.portal_journey.conftest import CARD_PIN, NEW_PIN, PUK_CANARY, Journey

pytestmark = pytest.mark.integration

RESET_RETRY_COUNTER = 0x2C


def hint_now(run: Journey, flows: Path) -> str:
    """What the PIN hint says to a new conversation of the same agent."""
    agent = Agent(card=run.agent.card, flows_path=flows, root="pin_hint")
    try:
        _, outputs = agent.conversation("terminal", lambda _: None)
    finally:
        agent.store.close()
    return "\n".join(o.text for o in outputs)


@pytest.mark.parametrize("point", ["before", "after"])
def test_a_lost_kilit_cozme_says_the_pin_may_be_new_and_is_settled_by_the_card(
    journey: Callable[..., Journey],
    locked_akis_card: VirtualCard,
    opensc_module: Path,
    tmp_path: Path,
    point: str,
) -> None:
    card = locked_akis_card
    run = journey("unlock", card)
    run.login()
    run.expect("portal_unlock.ask_new_pin")
    run.reply(NEW_PIN)
    run.reply(NEW_PIN)
    run.expect("portal_unlock.confirm")
    serial = run.conversation.session.context["token"]["serial"]
    card.cut_at(RESET_RETRY_COUNTER, point)
    said = "\n".join(o.text for o in run.reply(serial[-4:]))
    card.wait_cut()
    card.insert()

    assert "kartın yanıtı gelmeden bağlantı kesildi" in said
    assert "PIN'i az önce belirlediğiniz yeni PIN olmuş olabilir" in said
    assert "kendiliğinden yeniden denemiyorum" in said
    assert "Kilit çözme tamamlanmadı" not in said and "kilidi çözüldü" not in said
    assert run.outputs[-1].outcome == "unknown", run.trace()
    assert card.puk_tries_left == 3  # one credential, sent once, never again

    hint = hint_now(run, tmp_path / "flows")
    if point == "before":  # the card never saw it: still locked, the old PIN
        assert card.pin == CARD_PIN and card.pin_tries_left == 0
        assert token_flags(opensc_module, card).locked
        assert "Kilit Çözme" not in hint  # the note was settled away: nothing to say
    else:  # the card took it: unlocked, the new PIN
        assert card.pin == NEW_PIN and card.pin_tries_left == 3
        assert not token_flags(opensc_module, card).locked
        assert "Kilit Çözme kartınızda tamamlanmış" in hint
        assert login(opensc_module, card, NEW_PIN)
    assert run.leaks([NEW_PIN, CARD_PIN, PUK_CANARY]) == []
