"""The bot for everyone: guidance flows on channel "telegram", restarts, API errors, limits."""

from __future__ import annotations

from assistant.helpdesk_server.server import HelpdeskConfig
from assistant.helpdesk_server.telegram.bot import CHAT_LIMIT
from tests.integration.helpdesk.conftest import RunningHelpdesk
from tests.integration.helpdesk.fake_bot_api import FakeBotApi, update_json
from tests.unit.helpdesk.conftest import FakeClock

USER = 555


def test_guidance_explains_an_error_and_hands_card_work_to_the_local_assistant(
    helpdesk: RunningHelpdesk, bot_api: FakeBotApi
) -> None:
    helpdesk.send(update_json(1, USER, "/start"))
    menu = bot_api.texts_to(USER)[-1]
    assert "asla yazmayın" in menu and "1. Bir hata mesajı aldım" in menu
    helpdesk.send(update_json(2, USER, "1"))
    helpdesk.send(update_json(3, USER, "PIN bloke oldu / PIN kilitli (CKR_PIN_LOCKED)"))
    assert "Kilit Çözme" in bot_api.texts_to(USER)[-1]
    helpdesk.send(update_json(4, USER, "evet"))  # back to the menu
    helpdesk.send(update_json(5, USER, "3"))  # something that needs the card
    handoff = bot_api.texts_to(USER)[-1]
    assert "kartınızın takılı olduğu bilgisayarda" in handoff
    assert "nes-asistan support" in handoff


def test_operator_word_on_telegram_points_to_the_local_pairing(
    helpdesk: RunningHelpdesk, bot_api: FakeBotApi
) -> None:
    helpdesk.send(update_json(1, USER, "/start"))
    helpdesk.send(update_json(2, USER, "operatör"))
    reply = bot_api.texts_to(USER)[-1]
    assert "nes-asistan support" in reply and "bir operatör size buradan yazacak" not in reply


def test_a_chat_continues_at_the_same_question_after_a_restart(
    helpdesk_config: HelpdeskConfig, bot_api: FakeBotApi
) -> None:
    helpdesk_config.database.parent.mkdir()
    first = RunningHelpdesk(helpdesk_config, bot_api, FakeClock()).start()
    first.send(update_json(1, USER, "/start"))
    first.send(update_json(2, USER, "2"))  # the portal question
    asked = bot_api.texts_to(USER)[-1]
    first.stop()

    again = RunningHelpdesk(helpdesk_config, bot_api, FakeClock()).start()
    try:
        again.send(update_json(3, USER, "Kilit Çözme (PIN'i unuttum ya da kilitlendi)"))
    finally:
        again.stop()
    assert "Sitede hangi işlemi" in asked
    assert "'Kilit Çözme'yi seçin" in bot_api.texts_to(USER)[-1]


def test_flood_control_and_server_errors_are_ridden_out(
    helpdesk: RunningHelpdesk, bot_api: FakeBotApi
) -> None:
    bot_api.failures += [
        (
            429,
            {
                "ok": False,
                "error_code": 429,
                "description": "Too Many Requests: retry after 1",
                "parameters": {"retry_after": 1},
            },
        ),
        (502, {"ok": False, "error_code": 502, "description": "Bad Gateway"}),
    ]
    helpdesk.send(update_json(1, USER, "/start"))
    assert len(bot_api.texts_to(USER)) == 1
    assert bot_api.calls.count("sendMessage") == 3


def test_a_chat_flooding_the_bot_is_throttled(
    helpdesk: RunningHelpdesk, bot_api: FakeBotApi
) -> None:
    for n in range(CHAT_LIMIT + 10):
        helpdesk.send(update_json(n + 1, USER, "merhaba"))
    assert len(bot_api.texts_to(USER)) == CHAT_LIMIT
    helpdesk.send(update_json(100, 556, "merhaba"))  # other chats are not affected
    assert len(bot_api.texts_to(556)) == 1
