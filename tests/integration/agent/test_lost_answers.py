"""A card pulled at every APDU boundary of a PIN change, a PIN check and a test signature.

The rig's vpcd link cuts the card out at one boundary of one command: before the card
sees it, after it applied it (its answer never leaves), or on a chained part. For each,
the chat's words are held against the card's real state — the rig card's PIN and
counters, `pkcs11-tool -L` and a `pkcs11-tool` login with the PIN the card really
holds — and the counters show that no try went that the person did not type.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

import pytest

from assistant.demo.virtual_card import VirtualCard
from tests.integration.agent.conftest import Chat
from tests.integration.card_check import login, token_flags

pytestmark = pytest.mark.integration

OLD = "731904"  # canaries as well: none may reach a file or an output
NEW = "582617"
WRONG = "906153"
VERIFY, CHANGE, GENERAL_AUTHENTICATE = 0x20, 0x24, 0x87
MENU_NEW_CARD, MENU_PIN_CHANGE, MENU_TEST_SIGNATURE = "1", "3", "4"
ANYTHING_ELSE = "Başka bir konuda yardımcı olabilir miyim"
UNCHANGED = ("PIN değişmedi", "PIN'iniz değişti")  # what a lost change must never claim


def change_until_confirm(chat: Chat) -> str:
    """Menu → PIN change → old, new, new; returns the serial tail the confirm step wants."""
    assert "Şu anki PIN'inizi yazınız" in chat.say(MENU_PIN_CHANGE)
    chat.say(OLD)
    chat.say(NEW)
    chat.say(NEW)
    serial = chat.conversation.session.context["token"]["serial"]
    return str(serial)[-4:]


def leaks(home: Path, chat: Chat, canaries: list[str]) -> list[str]:
    """Where a typed PIN shows up: any file under the user's dirs (SQLite pages too), or
    anything the chat said."""
    assert chat.agent is not None
    chat.agent.store.save(chat.conversation.session)
    places = {str(p): p.read_bytes() for p in home.rglob("*") if p.is_file()}
    places["outputs"] = "\n".join(f"{o.text} {o.params}" for o in chat.seen).encode()
    return [f"{c} in {w}" for c in canaries for w, data in places.items() if c.encode() in data]


def pulled_and_back(card: VirtualCard) -> None:
    card.wait_cut()
    card.insert()


def test_pulled_before_the_current_pin_reached_the_card(
    virtual_card: Callable[..., VirtualCard], agent_chat: Callable[[], Chat], opensc_module: Path
) -> None:
    card = virtual_card("akis", pin=OLD)
    chat = agent_chat()
    tail = change_until_confirm(chat)
    card.cut_at(VERIFY, "before")
    answer = chat.say(tail)
    pulled_and_back(card)
    assert "şu anki PIN'iniz kartta denenirken" in answer
    assert "PIN'iniz değişmedi" in answer and "sayılmış olabilir" in answer
    assert card.pin == OLD and card.pin_tries_left == 3  # never reached the card
    assert not token_flags(opensc_module, card).final_try
    assert login(opensc_module, card, OLD)


def test_pulled_after_the_card_checked_the_current_pin(
    virtual_card: Callable[..., VirtualCard], agent_chat: Callable[[], Chat], opensc_module: Path
) -> None:
    card = virtual_card("akis", pin=OLD)
    chat = agent_chat()
    tail = change_until_confirm(chat)
    card.cut_at(VERIFY, "after")
    answer = chat.say(tail)
    pulled_and_back(card)
    assert "PIN'iniz değişmedi" in answer and "sayılmış olabilir" in answer
    # The card counted the (right) PIN and reset its counter; the PIN is the old one.
    assert card.pin == OLD and card.pin_tries_left == 3
    assert login(opensc_module, card, OLD)


@pytest.mark.parametrize("point", ["before", "after"])
def test_a_lost_change_says_the_pin_may_be_new_and_the_next_prompt_knows(
    virtual_card: Callable[..., VirtualCard],
    agent_chat: Callable[[], Chat],
    opensc_module: Path,
    agent_env: Path,
    point: str,
) -> None:
    card = virtual_card("akis", pin=OLD)
    chat = agent_chat()
    tail = change_until_confirm(chat)
    card.cut_at(CHANGE, point)
    answer = chat.say(tail)
    pulled_and_back(card)
    holds = NEW if point == "after" else OLD
    assert card.pin == holds and card.pin_tries_left == 3
    assert "yeni PIN'iniz olabilir ya da eski PIN'iniz kalmış olabilir" in answer
    assert "önce yeni PIN'inizi deneyin" in answer
    assert not any(claim in answer for claim in UNCHANGED)
    assert ANYTHING_ELSE in answer

    # The next PIN question, in the same conversation, says which PIN to try first.
    chat.say("evet")
    hint = chat.say(MENU_TEST_SIGNATURE)
    assert "PIN değiştirme sırasında kartın yanıtı gelmeden bağlantı kesildi" in hint
    assert "önce yeni PIN'inizi yazın" in hint
    assert "İmza için PIN'inizi yazınız" in hint
    answer = chat.say(NEW)
    if point == "before":  # the person chose to try the new PIN first: one try, no more
        assert "PIN yanlış" in answer and card.pin_tries_left == 2
        answer = chat.say(OLD)
    assert "Deneme imzası atıldı" in answer
    assert card.pin_tries_left == 3
    # Accepted once: the note is gone, the next PIN question says nothing about it.
    chat.say("evet")
    assert "bağlantı kesildi" not in chat.say(MENU_TEST_SIGNATURE)
    assert login(opensc_module, card, holds)
    assert leaks(agent_env, chat, [OLD, NEW]) == []


def test_after_a_restart_the_next_pin_question_still_knows(
    virtual_card: Callable[..., VirtualCard], agent_chat: Callable[[], Chat], agent_env: Path
) -> None:
    card = virtual_card("akis", pin=OLD)
    first = agent_chat()
    tail = change_until_confirm(first)
    card.cut_at(CHANGE, "after")
    first.say(tail)
    pulled_and_back(card)
    assert first.agent is not None
    first.agent.stop()  # the agent process ends; the note must not go with it

    second = agent_chat()
    assert "Yarım kalan görüşmenize" in second.text
    second.say("evet")
    hint = second.say(MENU_PIN_CHANGE)
    assert "önce yeni PIN'inizi yazın" in hint and "Şu anki PIN'inizi yazınız" in hint
    note = (agent_env / "data" / "card_notes.json").read_text(encoding="utf-8")
    assert "pin_maybe_changed" in note
    assert OLD not in note and NEW not in note


def pin_check_until_prompt(chat: Chat) -> None:
    """Menu → new card → … → "do you know your PIN?" yes → the PIN prompt."""
    chat.say(MENU_NEW_CARD)
    assert "PIN'inizi biliyor musunuz" in chat.text
    assert "Kartınızın PIN'ini yazınız" in chat.say("evet")


class PinCheckCut(NamedTuple):
    point: str
    typed: str
    left: int
    """What the card's counter then says."""


@pytest.mark.parametrize(
    "cut",
    [
        PinCheckCut("before", OLD, 3),  # never reached the card
        PinCheckCut("after", WRONG, 2),  # the card counted the wrong PIN the person typed
    ],
    ids=lambda cut: cut.point,
)
def test_a_lost_pin_check_is_said_and_the_real_count_read_back(
    virtual_card: Callable[..., VirtualCard],
    agent_chat: Callable[[], Chat],
    opensc_module: Path,
    cut: PinCheckCut,
) -> None:
    card = virtual_card("piv", pin=OLD)  # the PIV profile reads the exact counter
    chat = agent_chat()
    pin_check_until_prompt(chat)
    card.cut_at(VERIFY, cut.point)
    answer = chat.say(cut.typed)
    assert "PIN'iniz değişmedi, ancak bu deneme kartta sayılmış olabilir" in answer
    assert "PIN doğru" not in answer and "PIN yanlış" not in answer
    card.wait_cut()
    mark = chat.position
    card.insert()
    chat.wait_for(f"Kalan PIN deneme hakkı: {cut.left}.", after=mark)
    assert card.pin_tries_left == cut.left and card.pin == OLD  # the card's own count
    assert not token_flags(opensc_module, card).final_try
    assert login(opensc_module, card, OLD)


class SignatureCut(NamedTuple):
    ins: int
    point: str
    occurrence: int
    key_type: str
    said: str


SIGNATURE_CUTS = [
    pytest.param(
        SignatureCut(VERIFY, "before", 1, "p384", "PIN'iniz kartta denenirken"), id="login-before"
    ),
    pytest.param(
        SignatureCut(VERIFY, "after", 1, "p384", "PIN'iniz kartta denenirken"), id="login-after"
    ),
    # Slot 9C is "PIN always": the PIN goes to the card once more right before signing.
    pytest.param(
        SignatureCut(VERIFY, "after", 2, "p384", "PIN'iniz kartta denenirken"), id="again-after"
    ),
    pytest.param(
        SignatureCut(GENERAL_AUTHENTICATE, "before", 1, "p384", "kabul etmişti"), id="sign-before"
    ),
    pytest.param(
        SignatureCut(GENERAL_AUTHENTICATE, "after", 1, "p384", "kabul etmişti"), id="sign-after"
    ),
    pytest.param(
        SignatureCut(GENERAL_AUTHENTICATE, "chained", 1, "rsa2048", "kabul etmişti"), id="chained"
    ),
]


@pytest.mark.parametrize("cut", SIGNATURE_CUTS)
def test_a_lost_test_signature_says_what_may_have_happened(
    virtual_card: Callable[..., VirtualCard],
    agent_chat: Callable[[], Chat],
    opensc_module: Path,
    cut: SignatureCut,
) -> None:
    card = virtual_card("akis", key_type=cut.key_type, pin=OLD)
    chat = agent_chat()
    assert "İmza için PIN'inizi yazınız" in chat.say(MENU_TEST_SIGNATURE)
    card.cut_at(cut.ins, cut.point, cut.occurrence)
    answer = chat.say(OLD)
    pulled_and_back(card)
    assert "deneme imzası tamamlanmadı" in answer and cut.said in answer
    assert "Deneme imzası atıldı" not in answer
    assert card.pin == OLD and card.pin_tries_left == 3
    assert login(opensc_module, card, OLD)
