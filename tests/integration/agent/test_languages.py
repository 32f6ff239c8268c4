"""The whole new-card journey in every shipped language, on the virtual card."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from assistant.demo.virtual_card import VirtualCard
from assistant.flow.outputs import OutputKind
from assistant.i18n.catalog import translate
from assistant.i18n.language import SUPPORTED
from assistant.i18n.messages import text
from tests.integration.agent.conftest import Chat

pytestmark = pytest.mark.integration

PIN = "731904"


@pytest.mark.parametrize("language", SUPPORTED)
def test_new_card_journey_in_every_language(
    language: str,
    virtual_card: Callable[..., VirtualCard],
    agent_chat: Callable[..., Chat],
) -> None:
    card = virtual_card("akis", pin=PIN)
    chat = agent_chat(language)
    chat.say("1")  # the menu: new card
    chat.say("1")  # yes, I know my PIN
    chat.say(PIN)
    chat.say("2")  # no PIN change now
    chat.say(PIN)  # test signature
    chat.say("2")  # nothing else
    assert chat.conversation.session.outcome == "ok"
    assert card.pin_tries_left == 3
    assert chat.agent is not None
    flows = chat.agent.flows
    for flow, step in [("main", "menu"), ("onboarding", "advice"), ("test_signature", "verified")]:
        message = flows[flow].step(step).message  # type: ignore[union-attr]
        assert message is not None
        shown = text(message.id, message.text, language)  # as the person sees it
        assert any(o.text.startswith(shown[:20]) for o in chat.seen), (flow, step)
        if language != "tr":
            translated = translate(message.id, message.text, language)
            assert translated != message.text, f"{message.id} is not translated to {language}"
    assert all(PIN not in o.text for o in chat.seen)
    assert any(o.kind is OutputKind.SECRET_REQUEST for o in chat.seen)
