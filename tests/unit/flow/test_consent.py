"""Consent flows from the person to the action at run time, whatever lint said.

A dangerous action runs only with the consent object its confirm step produced in this
conversation, for that very step; reached any other way it is not called.
"""

from __future__ import annotations

import ast
import json
import logging
from pathlib import Path

import pytest

from assistant.card.consent import CONSENT_TTL_SECONDS, LastTryConsent, PinOperation
from assistant.flow.loader import load_text
from assistant.flow.model import Flow
from assistant.flow.outputs import OutputKind
from assistant.flow.session import Session
from tests.fixtures.flows.actions import Recorder, build_registry, default_answer

PACKAGE = Path(__file__).parents[3] / "assistant"

# A flow lint would refuse: the dangerous action has no confirm step at all.
NO_CONFIRM = """
flow: skip
steps:
  - id: ask
    ask: "Devam edelim mi?"
    type: yes_no
    save_as: go
  - id: revoke
    action: portal.revoke
    with: {serial: "'0A1B'"}
    save_as: revoked
  - id: done
    end: ok
    say: "İptal edildi."
"""

# A `next:` that jumps past the confirm step on one branch (lint would refuse it too).
JUMPS_PAST = """
flow: jump
steps:
  - id: careful
    ask: "Dikkatli mi gidelim?"
    type: yes_no
    save_as: careful
    next:
      - if: careful
        then: confirm
      - else: revoke
  - id: confirm
    confirm: "Onaylamak için SERTİFİKAMI İPTAL ET yazınız."
    phrase: SERTİFİKAMI İPTAL ET
  - id: revoke
    action: portal.revoke
    with: {serial: "'0A1B'"}
    save_as: revoked
  - id: done
    end: ok
    say: "İptal edildi."
"""

# Confirm first, then a secret, then the action: a restart can fall between them.
CONFIRM_THEN_SECRET = """
flow: last_try
channels: [terminal, web]
steps:
  - id: confirm
    confirm: "Son deneme hakkını kullanmak için SON DENEME yazınız."
    phrase: SON DENEME
  - id: ask_old
    secret: "Şu anki PIN'inizi yazınız."
    kind: pin
    save_as: old_pin
  - id: ask_new
    secret: "Yeni PIN'inizi yazınız."
    kind: pin
    save_as: new_pin
  - id: change
    action: card.change_pin
    with: {old_pin: old_pin, new_pin: new_pin}
    save_as: change
  - id: done
    end: ok
    say: "Değişti."
"""


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _flows(text: str, name: str) -> dict[str, Flow]:
    return {name: load_text(text, f"{name}.yaml")}


def _called(recorder: Recorder, action: str) -> int:
    return sum(1 for name, _ in recorder.calls if name == action)


def test_the_confirmed_action_gets_its_consent_once_bound_to_conversation_and_card(
    flows: dict[str, Flow], recorder: Recorder
) -> None:
    session = Session(flows, build_registry(recorder), "pin_change", card_serial=lambda: "S-1")
    session.start()
    for reply in ("918273", "582931", "582931", "3344"):
        session.handle(reply)
    assert _called(recorder, "card.change_pin") == 1
    (consent,) = recorder.consents
    assert consent is not None and consent.spent
    assert (consent.conversation_id, consent.card_serial) == (session.id, "S-1")
    assert consent.steps == {"change"}
    # The card layer may turn it into a last-try consent once, for that card only.
    assert (
        LastTryConsent.grant(consent, operation=PinOperation.CHANGE_PIN, token_serial="X") is None
    )
    granted = LastTryConsent.grant(consent, operation=PinOperation.CHANGE_PIN, token_serial="S-1")
    assert granted is not None
    again = LastTryConsent.grant(consent, operation=PinOperation.CHANGE_PIN, token_serial="S-1")
    assert again is None


def test_a_flow_without_its_confirm_step_is_refused_at_run_time(
    recorder: Recorder, caplog: pytest.LogCaptureFixture
) -> None:
    session = Session(_flows(NO_CONFIRM, "skip"), build_registry(recorder), "skip")
    session.start()
    with caplog.at_level(logging.WARNING):
        outputs = session.handle("evet")
    assert _called(recorder, "portal.revoke") == 0
    assert "engine.unconfirmed" in [o.message_id for o in outputs]
    assert "İptal edildi." not in [o.text for o in outputs]
    assert session.ended and session.outcome == "failed"
    assert "refused portal.revoke at skip.revoke: no consent" in caplog.text


def test_a_next_that_jumps_past_the_confirm_step_is_refused_and_the_confirm_asked(
    recorder: Recorder,
) -> None:
    session = Session(_flows(JUMPS_PAST, "jump"), build_registry(recorder), "jump")
    session.start()
    outputs = session.handle("hayır")  # the branch that skips the confirm step
    assert _called(recorder, "portal.revoke") == 0
    ids = [o.message_id for o in outputs]
    assert ids[-2:] == ["engine.confirm_again", "jump.confirm"]
    session.handle("sertifikamı iptal et")
    assert _called(recorder, "portal.revoke") == 1
    assert recorder.consents[-1] is not None


def test_a_resumed_session_has_no_consent_and_asks_for_it_again(recorder: Recorder) -> None:
    flows = _flows(CONFIRM_THEN_SECRET, "last_try")
    registry = build_registry(recorder)
    session = Session(flows, registry, "last_try")
    session.start()
    session.handle("SON DENEME")
    assert session.step_id == "ask_old"
    saved = json.loads(json.dumps(session.to_state()))
    assert "consent" not in json.dumps(saved).casefold()
    restored = Session.from_state(saved, flows, registry)
    restored.resume()
    restored.handle("918273")
    outputs = restored.handle("582931")
    assert _called(recorder, "card.change_pin") == 0
    assert [o.message_id for o in outputs][-2:] == ["engine.confirm_again", "last_try.confirm"]
    assert restored.secret_names() == set()  # what was typed for the refused call is gone
    for reply in ("SON DENEME", "918273", "582931"):
        restored.handle(reply)
    assert _called(recorder, "card.change_pin") == 1


def test_a_consent_expires(recorder: Recorder) -> None:
    clock = Clock()
    flows = _flows(CONFIRM_THEN_SECRET, "last_try")
    session = Session(flows, build_registry(recorder), "last_try", clock=clock)
    session.start()
    session.handle("SON DENEME")
    session.handle("918273")
    clock.now += CONSENT_TTL_SECONDS + 1
    outputs = session.handle("582931")
    assert _called(recorder, "card.change_pin") == 0
    assert outputs[-1].kind is OutputKind.CONFIRM_REQUEST


def test_going_back_drops_the_consent(recorder: Recorder) -> None:
    flows = _flows(CONFIRM_THEN_SECRET, "last_try")
    session = Session(flows, build_registry(recorder), "last_try")
    session.start()
    session.handle("SON DENEME")
    session.handle("geri")  # back to the confirm step
    assert session.step_id == "confirm"
    session.handle("hayır")
    assert _called(recorder, "card.change_pin") == 0


def test_a_consent_is_for_its_own_conversation_only(flows: dict[str, Flow]) -> None:
    recorder = Recorder(default_answer)
    registry = build_registry(recorder)
    first = Session(flows, registry, "pin_change")
    first.start()
    for reply in ("918273", "582931", "582931", "3344"):
        first.handle(reply)
    (consent,) = recorder.consents
    assert consent is not None
    assert not consent.allows("another-conversation", "pin_change", "change")


def _constructors(name: str) -> list[str]:
    """Modules of the package that call `name(...)` or `<x>.name(...)`."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                func = node.func
                called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                if called == name:
                    found.append(str(path.relative_to(PACKAGE)))
    return found


def test_only_the_engine_makes_consent_and_no_action_makes_its_own() -> None:
    assert _constructors("Consent") == ["flow/session.py"]
    # The card's last-try consent is made from the context's consent, nowhere else.
    for path in {PACKAGE / p for p in _constructors("grant")}:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "grant":
                assert ast.unparse(node.args[0]) == "context.consent", path
