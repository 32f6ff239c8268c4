"""Typing 'operatör' in the local chat opens a support session with the configured helpdesk."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from assistant.agent.conversation import Conversation
from assistant.card.service import CardService
from assistant.flow.actions import Registry
from assistant.flow.model import Flow
from assistant.flow.outputs import Output
from assistant.flow.session import Session
from assistant.flow.store import SessionStore
from tests.integration.helpdesk.conftest import AGENT_TOKEN, OPERATOR, RunningHelpdesk
from tests.integration.helpdesk.fake_bot_api import FakeBotApi, update_json

pytestmark = pytest.mark.integration

WORD = "kestane-Çiçeği"  # canary security word


def test_operator_word_pairs_and_the_operator_never_sees_the_secret(
    helpdesk: RunningHelpdesk,
    bot_api: FakeBotApi,
    demo_flows: dict[str, Flow],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("NES_ASISTAN_HELPDESK_URL", helpdesk.url)
    monkeypatch.setenv("NES_ASISTAN_HELPDESK_TOKEN", AGENT_TOKEN)
    pushed: list[Output] = []
    arrived = threading.Condition()

    def push(outputs: list[Output]) -> None:
        with arrived:
            pushed.extend(outputs)
            arrived.notify_all()

    def wait_for(message_id: str) -> Output:
        with arrived:
            assert arrived.wait_for(lambda: any(o.message_id == message_id for o in pushed), 5)
        return next(o for o in pushed if o.message_id == message_id)

    def fresh() -> Session:
        return Session(demo_flows, Registry(), "support_demo", channel="terminal")

    store = SessionStore(tmp_path / "s.sqlite3")
    conversation = Conversation(fresh(), store, CardService(), push, fresh)
    conversation.start()
    try:
        conversation.reply("operatör")
        code = wait_for("helpdesk.code").params["code"]
        helpdesk.send(update_json(1, OPERATOR, f"/join {code}"))
        wait_for("helpdesk.joined")
        answered = conversation.reply(WORD)  # the security word, at its secret prompt
        assert any("PIN" in o.text for o in answered)  # the conversation went on locally
        helpdesk.send(update_json(2, OPERATOR, WORD))  # an operator typing it answers nothing
        wait_for("helpdesk.message")
        assert conversation.session.step_id == "pin"
        operator_view = "\n".join(bot_api.texts_to(OPERATOR))
        assert "••••••" in operator_view
        assert WORD not in operator_view and WORD.lower() not in operator_view.lower()
    finally:
        conversation.close()
