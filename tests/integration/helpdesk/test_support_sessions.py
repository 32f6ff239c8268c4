"""Support sessions end to end: two local assistants, one operator on Telegram, on loopback."""

from __future__ import annotations

import json

import pytest
from websockets.sync.client import connect

from assistant.helpdesk.agent_link import HelpdeskUnavailableError
from assistant.helpdesk.protocol import AGENT_PATH
from tests.integration.helpdesk.conftest import (
    AGENT_TOKEN,
    OPERATOR,
    OPERATOR_NAME,
    LocalChat,
    RunningHelpdesk,
    wait_until,
)
from tests.integration.helpdesk.fake_bot_api import FakeBotApi, update_json

STRANGER = 999


def _join(helpdesk: RunningHelpdesk, code: str, user: int = OPERATOR) -> None:
    helpdesk.send(update_json(next(helpdesk._update_ids), user, f"/join {code}"))


def _operator_says(helpdesk: RunningHelpdesk, text: str) -> None:
    helpdesk.send(update_json(next(helpdesk._update_ids), OPERATOR, text))


def test_messages_reach_the_joined_user_only(
    helpdesk: RunningHelpdesk, bot_api: FakeBotApi, local_chat: type[LocalChat]
) -> None:
    alice, bob = local_chat(), local_chat()  # type: ignore[call-arg]
    code_a, code_b = alice.open(helpdesk.url), bob.open(helpdesk.url)
    assert code_a != code_b

    _join(helpdesk, code_a)
    joined = alice.wait_for("helpdesk.joined")
    assert OPERATOR_NAME in joined.text
    assert any("Görüşmeye katıldınız" in t for t in bot_api.texts_to(OPERATOR))

    alice.say("Kilit Çözme sayfası açılmıyor")  # at the secret prompt: goes as a mask
    bob.say("bob'un mesajı")
    _operator_says(helpdesk, "Merhaba, tarayıcınızı yeniden başlatır mısınız?")
    message = alice.wait_for("helpdesk.message")
    assert "tarayıcınızı yeniden başlatır mısınız" in message.text and OPERATOR_NAME in message.text

    helpdesk.send(update_json(next(helpdesk._update_ids), OPERATOR, "/suggest support_demo"))
    assert "Destek denemesi" in alice.wait_for("helpdesk.suggest").text
    helpdesk.send(update_json(next(helpdesk._update_ids), OPERATOR, "/leave"))
    alice.wait_for("helpdesk.left")

    assert bob.ids() == ["helpdesk.code"]  # Bob saw his own code and nothing of Alice's
    operator_view = "\n".join(bot_api.texts_to(OPERATOR))
    assert "bob'un mesajı" not in operator_view
    assert "Güvenlik Sözcüğünüzü yazınız." in operator_view  # shared on opening, as context
    assert "PIN'inizi yazınız." in operator_view  # and the conversation as it goes on
    assert "Kilit Çözme sayfası" not in operator_view  # typed at the secret prompt: masked


def test_the_user_sees_who_joined_and_can_end_the_session(
    helpdesk: RunningHelpdesk, bot_api: FakeBotApi, local_chat: type[LocalChat]
) -> None:
    alice = local_chat()  # type: ignore[call-arg]
    _join(helpdesk, alice.open(helpdesk.url))
    alice.wait_for("helpdesk.joined")
    shown = alice.say("destek bitir")
    assert [o.message_id for o in shown] == ["helpdesk.ended"]
    wait_until(lambda: any("bitirdi" in t for t in bot_api.texts_to(OPERATOR)))
    assert not helpdesk.server.hub.joined(OPERATOR)
    assert alice.conversation.session.step_id == "word"  # the conversation went on untouched


def test_an_idle_session_ends_on_timeout(
    helpdesk: RunningHelpdesk, bot_api: FakeBotApi, local_chat: type[LocalChat]
) -> None:
    alice = local_chat()  # type: ignore[call-arg]
    _join(helpdesk, alice.open(helpdesk.url))
    alice.wait_for("helpdesk.joined")
    helpdesk.clock.advance(helpdesk.config.idle_timeout + 1)
    assert len(helpdesk.call(helpdesk.server.hub.expire_idle())) == 1
    alice.wait_for("helpdesk.ended")
    wait_until(lambda: any("hareketsiz" in t for t in bot_api.texts_to(OPERATOR)))
    assert not alice.link.active


def test_unknown_telegram_users_are_refused_politely(
    helpdesk: RunningHelpdesk, bot_api: FakeBotApi, local_chat: type[LocalChat]
) -> None:
    alice = local_chat()  # type: ignore[call-arg]
    code = alice.open(helpdesk.url)
    for command in (f"/join {code}", "/say merhaba", "/suggest unlock", "/leave"):
        helpdesk.send(update_json(next(helpdesk._update_ids), STRANGER, command))
    replies = bot_api.texts_to(STRANGER)
    assert len(replies) == 4 and all("yalnızca yardım masası görevlileri" in r for r in replies)
    _join(helpdesk, code)  # the stranger's try did not use up the code
    alice.wait_for("helpdesk.joined")


def test_wrong_codes_are_limited_before_the_right_one_can_be_found(
    helpdesk: RunningHelpdesk, bot_api: FakeBotApi, local_chat: type[LocalChat]
) -> None:
    alice = local_chat()  # type: ignore[call-arg]
    code = alice.open(helpdesk.url)
    wrong = "AAAAAA" if code != "AAAAAA" else "BBBBBB"
    for _ in range(5):
        _join(helpdesk, wrong)
    _join(helpdesk, code)
    replies = bot_api.texts_to(OPERATOR)
    assert sum("geçersiz" in r for r in replies) == 5
    assert "çok sayıda hatalı kod" in replies[-1]
    assert "helpdesk.joined" not in alice.ids()


def test_a_code_is_single_use_and_expires(
    helpdesk: RunningHelpdesk, bot_api: FakeBotApi, local_chat: type[LocalChat]
) -> None:
    alice = local_chat()  # type: ignore[call-arg]
    code = alice.open(helpdesk.url)
    helpdesk.clock.advance(10 * 60 + 1)
    _join(helpdesk, code)
    assert "geçersiz" in bot_api.texts_to(OPERATOR)[-1]
    assert alice.wait_for("helpdesk.code").params["code"] == code  # shown on opening
    alice.link.new_code()
    wait_until(lambda: alice.ids().count("helpdesk.code") == 2)
    fresh = alice.pushed[-1].params["code"]
    _join(helpdesk, fresh)
    alice.wait_for("helpdesk.joined")


def test_an_agent_without_the_organisation_token_is_refused(
    helpdesk: RunningHelpdesk, local_chat: type[LocalChat]
) -> None:
    alice = local_chat()  # type: ignore[call-arg]
    with pytest.raises(HelpdeskUnavailableError):
        alice.open(helpdesk.url, token="not-the-token-of-this-helpdesk")


def test_an_agent_frame_outside_the_protocol_closes_the_connection(
    helpdesk: RunningHelpdesk,
) -> None:
    with connect(
        helpdesk.url + AGENT_PATH, additional_headers={"Authorization": f"Bearer {AGENT_TOKEN}"}
    ) as socket:
        socket.send(json.dumps({"type": "open", "language": "tr"}))
        assert json.loads(socket.recv(5))["type"] == "opened"
        socket.send(json.dumps({"type": "transcript", "lines": [], "extra": "x"}))
        with pytest.raises(Exception, match="1008"):
            socket.recv(5)
