"""The onboarding journey typed into the real terminal chat, against the virtual AKİS card."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from assistant.demo.virtual_card import VirtualCard
from tests.integration.terminal.conftest import files_containing
from tests.integration.terminal.tmux import TmuxChat

pytestmark = pytest.mark.integration

PIN = "731904"  # canaries: distinctive enough that any occurrence is a leak
NEW_PIN = "582617"
MENU = "Size nasıl yardımcı olabilirim"
KNOWS_PIN = "PIN'inizi biliyor musunuz"
ASK_PIN = "Kartınızın PIN'ini yazınız"


def test_new_card_to_verified_test_signature(
    virtual_card: Callable[..., VirtualCard],
    terminal_chat: Callable[..., TmuxChat],
    chat_home: Path,
) -> None:
    card = virtual_card("akis", pin=PIN)
    chat = terminal_chat()
    chat.answer(MENU, "1")
    chat.wait_for("Kartınız tanındı: AKiS")
    serial = chat.wait_for(r"seri no (\w+)").group(1)
    chat.wait_for(r"T\.C\. Kimlik No \d{3}\*{6}\d{2}")
    chat.answer(KNOWS_PIN, "1")
    chat.answer(ASK_PIN, PIN)
    chat.wait_for("PIN doğru", after=chat.position)
    chat.answer("Şimdi değiştirmek ister misiniz", "evet")
    chat.answer("Şu anki PIN'inizi yazınız", PIN)
    chat.answer("Yeni PIN'inizi yazınız", NEW_PIN)
    chat.answer("bir kez daha", NEW_PIN)
    chat.answer("son 4 karakterini", serial[-4:].upper())  # either case
    chat.answer("PIN'iniz değişti", "")  # nothing to type: move the position on
    chat.answer("İmza için PIN'inizi yazınız", NEW_PIN)
    chat.wait_for("Deneme imzası atıldı ve sertifikanızla doğrulandı", after=chat.position)
    chat.answer("Kartınız kullanıma hazır", "")
    chat.answer("Başka bir konuda yardımcı olabilir miyim", "hayır")
    assert chat.exit_code() == 0

    assert card.pin == NEW_PIN  # the card itself holds the new PIN
    screen = chat.screen()
    assert PIN not in screen and NEW_PIN not in screen  # typed with echo off
    assert files_containing(chat_home, PIN) == []
    assert files_containing(chat_home, NEW_PIN) == []
    assert (chat_home / "log").exists() and (chat_home / "data").exists()


def test_forgotten_pin_points_to_the_portal_and_spends_no_try(
    virtual_card: Callable[..., VirtualCard], terminal_chat: Callable[..., TmuxChat]
) -> None:
    card = virtual_card("akis", pin=PIN)
    chat = terminal_chat()
    chat.answer(MENU, "1")
    chat.answer(KNOWS_PIN, "hayır")
    chat.wait_for('"PIN / PUK Bilgisi"', after=chat.position)
    chat.answer("SMS Onay Kodu", "")
    chat.answer("şimdi adım adım birlikte yapmak ister misiniz", "hayır")
    chat.answer("Başka bir konuda yardımcı olabilir miyim", "2")
    assert chat.exit_code() == 0
    assert card.pin_tries_left == 3


def test_last_try_is_refused_until_the_person_types_consent(
    virtual_card: Callable[..., VirtualCard], terminal_chat: Callable[..., TmuxChat]
) -> None:
    card = virtual_card("akis", pin=PIN)
    chat = terminal_chat()
    chat.answer(MENU, "1")
    chat.answer(KNOWS_PIN, "1")
    chat.answer(ASK_PIN, "111222")
    chat.answer("PIN yanlış", "")
    chat.answer(ASK_PIN, "333444")
    chat.answer(ASK_PIN, "555666")
    # Two wrong PINs: the third attempt is not sent, the person is warned instead.
    chat.wait_for("yalnızca 1 deneme hakkınız kaldı", after=chat.position)
    assert card.pin_tries_left == 1
    chat.answer("Son hakkı kullanmak istiyor musunuz", "evet")
    chat.answer("SON DENEME yazınız", "evet")  # plain yes is not consent
    chat.wait_for("aynen yazmanız gerekiyor", after=chat.position)
    assert card.pin_tries_left == 1
    chat.answer("SON DENEME yazınız", "son deneme")
    chat.answer("dikkatle yazınız", PIN)  # the prompt, not the echo of the phrase
    chat.wait_for("PIN doğru", after=chat.position)
    assert card.pin_tries_left == 3


def test_card_pulled_mid_flow_pauses_and_resumes_with_the_same_card(
    virtual_card: Callable[..., VirtualCard], terminal_chat: Callable[..., TmuxChat]
) -> None:
    card = virtual_card("akis", pin=PIN)
    chat = terminal_chat()
    chat.answer(MENU, "1")
    chat.answer(KNOWS_PIN, "1")
    chat.wait_for(ASK_PIN, after=chat.position)
    card.remove()
    chat.wait_for("Kart çıkarıldı; görüşmeyi duraklattım", after=chat.position)
    chat.send("999000")  # typed while paused: must not reach the card
    chat.wait_for("Kartı bekliyorum", after=chat.position)
    assert card.pin_tries_left == 3
    card.insert()
    resumed = chat.wait_for("Kart yeniden takıldı", after=chat.position)
    chat.position = resumed.end()
    chat.answer(ASK_PIN, PIN)
    chat.wait_for("PIN doğru", after=chat.position)


def test_restart_continues_the_unfinished_conversation(
    virtual_card: Callable[..., VirtualCard], terminal_chat: Callable[..., TmuxChat]
) -> None:
    virtual_card("akis", pin=PIN)
    first = terminal_chat()
    first.answer(MENU, "1")
    first.answer(KNOWS_PIN, "1")
    first.wait_for(ASK_PIN, after=first.position)
    first.close()  # the terminal goes away mid-conversation
    second = terminal_chat()
    second.wait_for("Yarım kalan görüşmenize")
    second.wait_for(ASK_PIN)


def test_iptal_inside_a_topic_goes_back_to_the_menu_and_cikis_leaves(
    virtual_card: Callable[..., VirtualCard], terminal_chat: Callable[..., TmuxChat]
) -> None:
    card = virtual_card("akis", pin=PIN)
    chat = terminal_chat()
    chat.answer(MENU, "3")  # PIN değiştirme
    chat.answer("Şu anki PIN'inizi yazınız", PIN)
    chat.answer("Yeni PIN'inizi yazınız", "iptal")  # a repair word, even at a PIN prompt
    chat.answer("Yarım kalan işlemi bırakmak istiyor musunuz", "evet")
    chat.wait_for("İşlem iptal edildi", after=chat.position)
    chat.answer(MENU, "Çıkış")  # the menu again, and the program still runs
    assert chat.exit_code() == 0
    assert card.pin == PIN and card.pin_tries_left == 3  # nothing was sent to the card
    assert PIN not in chat.screen()
