"""A bug under a turn becomes a calm, translated message; the conversation goes on."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from assistant.agent.card_service import CardService
from assistant.agent.conversation import Conversation
from assistant.agent.texts import AGENT_TEXTS
from assistant.flow.actions import ActionResult, Registry
from assistant.flow.loader import load_text
from assistant.flow.session import Session
from assistant.flow.store import SessionStore

FLOW = """
flow: check
steps:
  - id: ask
    ask: "Denetleyelim mi?"
    type: yes_no
    save_as: go
  - id: run
    action: test.flaky
    save_as: result
  - id: done
    end: ok
    say: "Tamam."
"""


def test_a_failing_action_is_answered_calmly_and_can_be_retried(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    calls: list[int] = []

    def flaky() -> ActionResult:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("module crashed")
        return ActionResult("ok")

    registry = Registry()
    registry.register("test.flaky", flaky, outcomes=("ok",))
    flows = {"check": load_text(FLOW, "check.yaml")}

    def new_session() -> Session:
        return Session(flows, registry, "check")

    store = SessionStore(tmp_path / "s.sqlite3")
    conversation = Conversation(new_session(), store, CardService(), lambda _: None, new_session)
    conversation.start()
    with caplog.at_level(logging.ERROR):
        first = conversation.reply("evet")
    assert [o.text for o in first] == [AGENT_TEXTS["agent.unexpected"]]
    assert "module crashed" in caplog.text  # the traceback went to the log, not the person
    second = conversation.reply("evet")
    assert "Tamam." in [o.text for o in second]
    assert len(calls) == 2
