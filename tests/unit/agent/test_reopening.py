"""Reopening the same conversation again and again (a terminal started every morning on
the same question) keeps the saved conversation the size it was: the question asked once
more is not a new transcript entry, so the agent loading it does not grow with it."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.agent.core import Agent
from assistant.flow.outputs import Output
from assistant.flow.store import SessionStore


def _nowhere(outputs: list[Output]) -> None:
    pass


@pytest.fixture
def agent(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Agent:
    monkeypatch.setenv("NES_ASISTAN_HOME", str(tmp_path / "home"))
    return Agent(store=SessionStore(tmp_path / "sessions.sqlite3"))


def _saved_lines(agent: Agent) -> int:
    (session_id,) = agent.store.open_sessions()
    return len(agent.store.transcript(session_id))


def test_reopening_on_the_same_question_adds_nothing(agent: Agent) -> None:
    first, shown = agent.conversation("terminal", _nowhere, "tr")
    question = [o.text for o in shown]
    first.close()
    lines = _saved_lines(agent)
    for _ in range(5):
        again, shown = agent.conversation("terminal", _nowhere, "tr")
        assert [o.text for o in shown][-len(question) :] == question  # asked again
        again.close()
    assert _saved_lines(agent) == lines


def test_what_the_person_did_meanwhile_is_still_kept(agent: Agent) -> None:
    first, _ = agent.conversation("terminal", _nowhere, "tr")
    first.close()
    lines = _saved_lines(agent)
    again, _ = agent.conversation("terminal", _nowhere, "tr")
    again.reply("dil en")  # a turn: the reply and the answer are new lines
    again.close()
    assert _saved_lines(agent) > lines
    lines = _saved_lines(agent)
    english, _ = agent.conversation("terminal", _nowhere, "tr")
    english.close()
    assert _saved_lines(agent) == lines
