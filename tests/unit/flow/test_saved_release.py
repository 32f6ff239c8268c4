"""Conversations saved by an earlier release (tests/unit/flow/data/saved_v2.sqlite3, made
by make_saved_v2.py with that release's code) resume after the upgrade at the step they
were paused at, with what they had learnt, and go on from there."""

from __future__ import annotations

import json
import shutil
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from assistant.flow.actions import ActionResult, ActionSpec, Registry
from assistant.flow.loader import load_all
from assistant.flow.model import Flow
from assistant.flow.state import STATE_VERSION
from assistant.flow.store import MIGRATIONS, SessionStore
from tests.contracts import contract_registry
from tests.unit.flow.data.make_saved_v2 import ANSWERS, DATABASE, SERIAL

ROOT = Path(__file__).parents[3]


@pytest.fixture(scope="module")
def shipped() -> dict[str, Flow]:
    flows, problems = load_all([ROOT / "flows"])
    assert problems == []
    return flows


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SessionStore]:
    copy = tmp_path / "conversations.sqlite3"
    shutil.copyfile(DATABASE, copy)
    with sqlite3.connect(copy) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == 2  # as the old release left it
    opened = SessionStore(copy)
    yield opened
    opened.close()


def _registry(flows: dict[str, Flow]) -> Registry:
    def answer(spec: ActionSpec) -> Callable[..., ActionResult]:
        result = ANSWERS.get(spec.name, ActionResult(sorted(spec.outcomes)[0]))
        return lambda **_: result

    return contract_registry(flows, answer)


def test_the_upgraded_database_is_at_the_latest_version(store: SessionStore) -> None:
    with sqlite3.connect(store.path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS) == 3
        states = [json.loads(row[0]) for row in db.execute("SELECT state FROM sessions")]
    assert {state["version"] for state in states} == {STATE_VERSION}
    assert all("stack" not in state for state in states)  # rewritten, not only read
    assert sorted(store.open_sessions()) == ["at-confirm", "cancel-asked", "in-sub-flow"]


def test_a_conversation_paused_at_a_confirmation_resumes_there_and_asks_the_pins_again(
    store: SessionStore, shipped: dict[str, Flow]
) -> None:
    session = store.load("at-confirm", shipped, _registry(shipped))
    assert session is not None
    assert session.position == "pin_change.confirm_change"
    assert session.context["token"]["serial"] == SERIAL
    outputs = session.resume()
    assert outputs[-1].message_id == "pin_change.confirm_change"
    assert SERIAL in outputs[-1].text
    after = session.handle("00ba")  # the typed confirmation still works; the PINs are gone
    assert "engine.secret_again" in [o.message_id for o in after]
    assert session.position == "pin_change.ask_old_pin"


def test_a_conversation_paused_inside_a_sub_flow_returns_through_its_callers(
    store: SessionStore, shipped: dict[str, Flow]
) -> None:
    session = store.load("in-sub-flow", shipped, _registry(shipped))
    assert session is not None
    assert session.position == "card_ready.insert_card"
    assert session.resume()[-1].message_id == "card_ready.insert_card"
    session.handle("tamam")  # the card is in now: card_ready ends ok, pin_change goes on
    assert session.position == "pin_change.ask_old_pin"
    assert session.context["ready"] == {"outcome": "ok"}


def test_an_open_leave_question_is_asked_again_and_still_answered(
    store: SessionStore, shipped: dict[str, Flow]
) -> None:
    session = store.load("cancel-asked", shipped, _registry(shipped))
    assert session is not None
    assert session.resume()[-1].message_id == "engine.cancel_confirm"
    session.handle("hayır")
    assert session.position == "pin_change.ask_new_pin"
