"""The last PIN try on the virtual card: spent only with the consent typed in this run.

A restart between "SON DENEME" and the PIN drops the consent (it is never saved): the
resumed conversation asks for the confirmation again instead of spending the try, and the
card's own state (its retry counter, kept by the virtual card) shows no try was spent.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from assistant.demo.pki import TestPki
from assistant.demo.virtual_card import VirtualCard, create_state
from tests.integration.agent.conftest import Chat

pytestmark = pytest.mark.integration

PIN = "582046"


def _prompt(chat: Chat) -> str:
    prompts = [o for o in chat.seen if o.kind.value.endswith(("request", "choice", "question"))]
    return prompts[-1].message_id


def test_a_resumed_last_try_is_not_spent_until_confirmed_again(
    virtual_card: Callable[..., VirtualCard],
    agent_chat: Callable[..., Chat],
    test_pki: TestPki,
    tmp_path: Path,
) -> None:
    path = tmp_path / "last-try.json"
    state = create_state(test_pki, path, pin=PIN)
    state.pin_tries_left = 1
    state.save(path)
    card = virtual_card("akis", state_path=path)
    chat = agent_chat()
    chat.say("1")  # new card
    chat.say("1")  # I know my PIN
    chat.say(PIN)  # the guard does not send it: it would be the last try
    assert _prompt(chat) == "onboarding.last_try_warning"
    chat.say("1")
    chat.say("SON DENEME")
    assert _prompt(chat) == "onboarding.ask_pin_last_try"
    assert chat.agent is not None
    chat.agent.stop()  # the agent dies before the PIN is typed

    resumed = agent_chat()
    assert _prompt(resumed) == "onboarding.ask_pin_last_try"
    resumed.say(PIN)
    assert [o.message_id for o in resumed.seen][-2:] == [
        "engine.confirm_again",
        "onboarding.confirm_last_try",
    ]
    assert card.pin_tries_left == 1  # nothing reached the card
    resumed.say("son deneme")
    resumed.say(PIN)
    assert "PIN doğru." in resumed.text
    assert card.pin_tries_left == 3
