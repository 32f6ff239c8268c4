"""The runtime: secrets stay in Secret objects, actions get what they declare, state is clean."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant.flow.actions import ActionContractError, ActionResult
from assistant.flow.model import Flow
from assistant.flow.outputs import Event, OutputKind
from assistant.flow.session import Session
from assistant.secret import MASK, Secret, SecretKind
from tests.fixtures.flows.actions import Recorder, build_registry, default_answer

CANARY_OLD = "918273"
CANARY_NEW = "582931"


def _to_confirm(session: Session) -> None:
    session.start()
    for reply in (CANARY_OLD, CANARY_NEW, CANARY_NEW):
        session.handle(reply)
    assert session.step_id == "confirm_change"


def test_secrets_reach_the_action_as_secret_objects_and_nowhere_else(
    flows: dict[str, Flow], recorder: Recorder, caplog: pytest.LogCaptureFixture
) -> None:
    session = Session(flows, build_registry(recorder), "pin_change")
    _to_confirm(session)
    assert session.secret_names() == {"old_pin", "new_pin"}  # the repeat is never kept
    outputs = session.handle("3344")
    masked = repr(Secret("000000", SecretKind.PIN))
    assert ("card.change_pin", {"old_pin": masked, "new_pin": masked}) in recorder.calls
    assert recorder.seen_secrets[:2] == [CANARY_OLD, CANARY_NEW]
    assert session.secret_names() == set()  # handed over once, then wiped
    leaks = json.dumps(session.to_state()) + repr(session.transcript) + repr(outputs)
    leaks += repr(session.__dict__) + caplog.text
    for canary in (CANARY_OLD, CANARY_NEW):
        assert canary not in leaks
    assert [e.text for e in session.transcript if e.kind == "secret"] == [MASK] * 3


def test_a_restored_session_asks_again_for_secrets_it_could_not_keep(
    flows: dict[str, Flow], recorder: Recorder
) -> None:
    registry = build_registry(recorder)
    session = Session(flows, registry, "pin_change")
    _to_confirm(session)
    state = json.loads(json.dumps(session.to_state()))
    restored = Session.from_state(state, flows, registry)
    assert restored.resume()[-1].message_id == "pin_change.confirm_change"
    outputs = restored.handle("3344")
    assert [o.message_id for o in outputs] == ["engine.secret_again", "pin_change.ask_old_pin"]
    assert all(name != "card.change_pin" for name, _ in recorder.calls)


def test_translator_and_language_switch_keep_the_step(
    flows: dict[str, Flow], recorder: Recorder
) -> None:
    english = {"pin_change.ask_old_pin": "Type your current PIN."}

    def translate(message_id: str, source: str, language: str) -> str:
        return english.get(message_id, source) if language == "en" else source

    session = Session(flows, build_registry(recorder), "pin_change", translator=translate)
    assert session.start()[-1].text == "Şu anki PIN'inizi yazınız."
    request = session.handle("language")[-1]
    assert request.kind is OutputKind.LANGUAGE_REQUEST
    assert {c.id for c in request.choices} >= {"tr", "en", "de", "ar"}
    prompt = session.handle("en")[-1]
    assert (prompt.text, session.step_id, session.language) == (
        "Type your current PIN.",
        "ask_old_pin",
        "en",
    )


def test_an_action_breaking_its_contract_is_a_programming_error(flows: dict[str, Flow]) -> None:
    recorder = Recorder(lambda name, inputs: ActionResult("exploded"))
    session = Session(flows, build_registry(recorder), "pin_change")
    with pytest.raises(ActionContractError, match="undeclared outcome 'exploded'"):
        session.start()


def test_events_only_move_a_prompt_that_listens_for_them(
    flows: dict[str, Flow], recorder: Recorder
) -> None:
    session = Session(flows, build_registry(recorder), "pin_change")
    session.start()
    assert session.handle(Event("card_inserted")) == []
    assert session.step_id == "ask_old_pin"


REPLIES = st.one_of(
    st.sampled_from(
        [
            "geri",
            "iptal",
            "yardım",
            "baştan",
            "operatör",
            "dil",
            "back",
            "cancel",
            "help",
            "evet",
            "hayır",
            "en",
            "tr",
            "1",
            "2",
            "3",
            "3344",
            "246813",
            "918273",
            "123456",
            "PIN değiştir",
            "",
            "   ",
            "İPTAL",
            "?",
        ]
    ),
    st.text(max_size=20),
    st.builds(Event, st.sampled_from(["card_inserted", "card_removed", "x"])),
)
OUTCOMES = st.sampled_from(["ok", "wrong_pin", "locked", "removed"])


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    root=st.sampled_from(["pin_change", "main_menu"]),
    channel=st.sampled_from(["terminal", "telegram"]),
    replies=st.lists(REPLIES, max_size=25),
    outcomes=st.lists(OUTCOMES, min_size=1, max_size=5),
)
def test_random_replies_never_crash_nor_corrupt_a_session(
    flows: dict[str, Flow], root: str, channel: str, replies: list[str | Event], outcomes: list[str]
) -> None:
    turn = iter(range(10_000))

    def answer(name: str, inputs: object) -> ActionResult:
        if name in ("card.change_pin", "card.test_signature"):
            outcome = outcomes[next(turn) % len(outcomes)]
            return ActionResult(outcome, {"tries_left": 2} if outcome == "wrong_pin" else {})
        return default_answer(name, {})

    registry = build_registry(Recorder(answer))  # type: ignore[arg-type]
    session = Session(flows, registry, root, channel=channel)
    session.start()
    for reply in replies:
        outputs = session.handle(reply)
        assert all(o.message_id and isinstance(o.text, str) for o in outputs)
        state = json.loads(json.dumps(session.to_state()))
        if session.ended:
            assert outputs[-1].kind is OutputKind.END
            continue
        step = flows[session.frames[-1].flow].step(session.step_id)
        assert step is not None
        restored = Session.from_state(state, flows, registry)
        assert restored.to_state() == state
    session.close()
