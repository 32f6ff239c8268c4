"""Card events on the rig: pulling a card pauses the chat however and whenever it was inserted.

Pausing used to hang on a context key one flow happened to set; now it follows what the
conversation is doing (a flow that works with the card), so the cases below — inserted
when asked, inserted at the menu before choosing, present from the start in a flow that
never reads the status — all pause, and the same card resumes.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from assistant.agent.conversation import Conversation
from assistant.demo.virtual_card import VirtualCard
from tests.integration.agent.conftest import Chat
from tests.integration.card_seen import insert_seen_by

pytestmark = pytest.mark.integration

PIN = "731904"
PAUSED = "Kart çıkarıldı; görüşmeyi duraklattım"
BACK = "Kart yeniden takıldı; kaldığımız yerden devam ediyoruz"
ASK_SIGNATURE_PIN = "İmza için PIN'inizi yazınız"


def agent_sees_a_card(chat: Chat, present: bool, timeout: float = 30.0) -> None:
    """Wait until the agent itself has handled the insertion or removal."""
    assert chat.agent is not None
    deadline = time.monotonic() + timeout
    while (chat.agent.card.picture().card is not None) != present:
        assert time.monotonic() < deadline, "the agent never saw the card event"
        time.sleep(0.02)


def pull_and_put_back(card: VirtualCard, chat: Chat) -> None:
    mark = chat.position
    card.remove()
    chat.wait_for(PAUSED, after=mark)
    assert "Kartı bekliyorum" in chat.say(PIN)  # typed while paused: never reaches the card
    assert card.pin_tries_left == 3
    mark = chat.position
    card.insert()
    chat.wait_for(BACK, after=mark)


def test_a_card_inserted_when_asked_pauses_when_pulled(
    virtual_card: Callable[..., VirtualCard], agent_chat: Callable[[], Chat]
) -> None:
    card = virtual_card("akis", pin=PIN, insert=False)
    chat = agent_chat()
    chat.say("1")
    chat.wait_for("çipi okuyucuya yerleştirin")
    mark = chat.position
    card.insert()
    chat.wait_for("PIN'inizi biliyor musunuz", after=mark)
    pull_and_put_back(card, chat)
    assert "PIN'inizi biliyor musunuz" in chat.seen[-1].text


def test_a_card_inserted_at_the_menu_pauses_a_flow_that_never_read_its_status(
    virtual_card: Callable[..., VirtualCard], agent_chat: Callable[[], Chat]
) -> None:
    card = virtual_card("akis", pin=PIN, insert=False)
    chat = agent_chat()  # no card when the conversation starts
    assert chat.agent is not None
    insert_seen_by(chat.agent.card, card)  # inserted at the menu, before anything is chosen
    assert ASK_SIGNATURE_PIN in chat.say("4")
    pull_and_put_back(card, chat)
    assert ASK_SIGNATURE_PIN in chat.seen[-1].text
    assert "Deneme imzası atıldı" in chat.say(PIN)


def test_pulling_the_card_at_the_menu_does_not_pause(
    virtual_card: Callable[..., VirtualCard], agent_chat: Callable[[], Chat]
) -> None:
    card = virtual_card("akis", pin=PIN)
    chat = agent_chat()
    card.remove()
    agent_sees_a_card(chat, present=False)
    assert "Size nasıl yardımcı olabilirim" in chat.say("yardım")  # the menu answers
    assert PAUSED not in chat.text


def test_putting_the_same_card_back_asks_again_without_lengthening_the_record(
    virtual_card: Callable[..., VirtualCard], agent_chat: Callable[[], Chat]
) -> None:
    card = virtual_card("akis", pin=PIN)
    chat = agent_chat()
    assert chat.agent is not None and isinstance(chat.conversation, Conversation)
    chat.say("1")
    chat.wait_for("PIN'inizi biliyor musunuz")
    saved = chat.agent.store.transcript(chat.conversation.session.id)
    for _ in range(3):
        pull_and_put_back(card, chat)
        assert "PIN'inizi biliyor musunuz" in chat.seen[-1].text  # asked again
    assert chat.agent.store.transcript(chat.conversation.session.id) == saved
