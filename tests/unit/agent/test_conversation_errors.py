"""A bug under a turn becomes a calm, translated message; the conversation goes on."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from assistant.agent import logs
from assistant.agent.conversation import Conversation
from assistant.agent.texts import AGENT_TEXTS
from assistant.card.service import CardService
from assistant.flow.actions import ActionResult, Registry
from assistant.flow.loader import load_text
from assistant.flow.outputs import OutputKind
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


ECHO_FLOW = """
flow: echo
steps:
  - id: ask
    ask: "Bir not yazınız."
    save_as: note
  - id: run
    action: test.parse
    with: {text: note}
    save_as: parsed
  - id: done
    end: ok
    say: "Tamam."
"""


def _conversation(tmp_path: Path, flow: str, registry: Registry) -> Conversation:
    name = flow.split("flow: ", 1)[1].split(maxsplit=1)[0]
    flows = {name: load_text(flow, f"{name}.yaml")}

    def new_session() -> Session:
        return Session(flows, registry, name)

    store = SessionStore(tmp_path / "s.sqlite3")
    conversation = Conversation(new_session(), store, CardService(), lambda _: None, new_session)
    conversation.start()
    return conversation


def test_an_exception_quoting_the_reply_reaches_the_log_scrubbed(tmp_path: Path) -> None:
    def parse(text: str) -> ActionResult:
        int(text)  # a careless action: ValueError: invalid literal ... 'the reply'
        return ActionResult("ok")

    registry = Registry()
    registry.register("test.parse", parse, outcomes=("ok",), inputs={"text": str})
    conversation = _conversation(tmp_path, ECHO_FLOW, registry)
    path = logs.configure(tmp_path)
    try:
        answer = conversation.reply("gizli not 84639 kanarya")
    finally:
        for handler in logging.getLogger().handlers:
            handler.flush()
        logging.getLogger().handlers.clear()
    assert [o.text for o in answer] == [AGENT_TEXTS["agent.unexpected"]]
    logged = path.read_text(encoding="utf-8")
    assert "ValueError" in logged and "invalid literal" in logged  # still useful
    for word in ("kanarya", "84639", "gizli not"):
        assert word not in logged


@pytest.mark.parametrize("reply", ["\ud800", "84639²", "9" * 5000, "\x00", "iptal", "1"])
def test_after_the_conversation_ended_odd_replies_are_answered_calmly(
    tmp_path: Path, reply: str
) -> None:
    registry = Registry()
    registry.register(
        "test.parse", lambda text: ActionResult("ok"), outcomes=("ok",), inputs={"text": str}
    )
    conversation = _conversation(tmp_path, ECHO_FLOW, registry)
    assert conversation.reply("not")[-1].kind is OutputKind.END
    outputs = conversation.reply(reply)
    assert outputs[-1].kind is OutputKind.END
    assert conversation.reply("evet")[-1].kind is OutputKind.END
