"""The engine keeps its own word: it moves along the edges lint checked, on every shipped
flow; it logs each step once, by ids only; it says "handoff" as a kind, not a text."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from assistant.flow.actions import ActionResult, ActionSpec, Registry
from assistant.flow.lint import _FlowLint
from assistant.flow.loader import load_all
from assistant.flow.model import (
    ActionStep,
    AnswerType,
    AskStep,
    CallStep,
    EndStep,
    Flow,
    SayStep,
    Step,
)
from assistant.flow.outputs import Handoff, Output
from assistant.flow.session import Session
from assistant.flow.state import Frame
from tests.contracts import contract_registry
from tests.fixtures.flows.actions import Recorder, build_registry

ROOT = Path(__file__).parents[3]
LOGGER = "assistant.flow.session"


@pytest.fixture(scope="module")
def shipped() -> dict[str, Flow]:
    flows, problems = load_all([ROOT / "flows"])
    assert problems == []
    return flows


class Answers:
    """Every action answers `outcome` (set per case), and nothing is dangerous or local
    here: this test is about where a step leads, the consent tests about who may pass."""

    def __init__(self, flows: dict[str, Flow]) -> None:
        self.outcome = "ok"
        self.specs: dict[str, ActionSpec] = {}

        def answer(spec: ActionSpec) -> Callable[..., ActionResult]:
            self.specs[spec.name] = spec
            other = sorted(spec.outcomes)[0]  # for the steps run after the one under test
            return lambda **_: ActionResult(
                self.outcome if self.outcome in spec.outcomes else other
            )

        real = contract_registry(flows, answer)
        self.registry = Registry()
        for name, spec in self.specs.items():
            self.registry.register(
                name,
                real.get(name).fn,  # type: ignore[union-attr]
                outcomes=spec.outcomes,
                outputs=spec.outputs,
            )


def _channel(flow: Flow) -> str:
    return "terminal" if "terminal" in flow.channels else sorted(flow.channels)[0]


def _cases(flows: dict[str, Flow], answers: Answers) -> Iterator[tuple[Flow, Step, str | None]]:
    """Every step that completes by itself or by a closed answer, with each outcome or
    answer it can complete with."""
    for flow in flows.values():
        for step in flow.steps:
            if isinstance(step, ActionStep):
                for outcome in sorted(answers.specs[step.action].outcomes):
                    yield flow, step, outcome
            elif isinstance(step, CallStep):
                ends = [s for s in flows[step.flow].steps if isinstance(s, EndStep)]
                for end in ends:
                    yield flow, step, end.id
            elif isinstance(step, SayStep):
                yield flow, step, None
            elif isinstance(step, AskStep) and step.answer is AnswerType.CHOICE:
                for choice in step.choices:
                    yield flow, step, choice.id
            elif isinstance(step, AskStep) and step.answer is AnswerType.YES_NO:
                yield flow, step, "evet"
                yield flow, step, "hayır"


def _events(caplog: pytest.LogCaptureFixture) -> list[dict[str, object]]:
    return [r.step_event for r in caplog.records if r.name == LOGGER and hasattr(r, "step_event")]


def test_the_session_moves_only_along_the_edges_lint_checked(
    shipped: dict[str, Flow], caplog: pytest.LogCaptureFixture
) -> None:
    answers = Answers(shipped)
    caplog.set_level(logging.INFO, logger=LOGGER)
    checked = 0
    for flow, step, case in _cases(shipped, answers):
        graph = _FlowLint(flow, shipped, answers.registry, None).edges[step.id]
        lint_targets = {e.target for e in graph if e.accepted}
        session = Session(shipped, answers.registry, flow.name, channel=_channel(flow))
        session.frames = [Frame(flow.name, step.id)]
        caplog.clear()
        if isinstance(step, CallStep):
            assert case is not None
            session.frames.append(Frame(step.flow, case))  # the callee at one of its ends
            session.resume()
        elif isinstance(step, AskStep):
            assert case is not None
            session.handle(case)
        else:
            answers.outcome = case or "ok"
            session.resume()
        mine = [e for e in _events(caplog) if (e["flow"], e["step"]) == (flow.name, step.id)]
        where = f"{flow.name}.{step.id} ({case})"
        assert len(mine) == 1, where  # one event per step
        assert mine[0]["target"] in lint_targets, (where, mine[0], lint_targets)
        if isinstance(step, ActionStep):  # an `on:` outcome lint sees is taken exactly there
            branch = [e.target for e in graph if e.accepted and e.outcome == answers.outcome]
            if branch:
                assert mine[0]["target"] == branch[0], where
        session.close()
        checked += 1
    assert checked > 600, checked  # every shipped flow, not a handful


def test_step_events_name_ids_and_outcomes_never_what_was_typed_or_shown(
    flows: dict[str, Flow], recorder: Recorder, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    session = Session(flows, build_registry(recorder), "main_menu")
    shown: list[Output] = session.start()
    typed = ["PIN değiştir", "918273", "Ayşe Kanarya", "582931", "582931", "3344", "hayır"]
    for reply in typed:
        shown += session.handle(reply)
    events = _events(caplog)
    assert {(e["flow"], e["step"]) for e in events} >= {
        ("main_menu", "menu"),
        ("pin_change", "ask_old_pin"),
        ("pin_change", "change"),
    }
    assert any(e["outcome"] == "accept" and e["kind"] == "secret" for e in events)
    logged = caplog.text + repr(events)
    for text in [*typed, *(o.text for o in shown if len(o.text) > 12)]:
        if text not in ("hayır",):
            assert text not in logged, text
    session.close()


def test_asking_for_an_operator_and_a_local_only_step_are_told_apart_by_kind(
    flows: dict[str, Flow], recorder: Recorder
) -> None:
    here = Session(flows, build_registry(recorder), "pin_change")
    here.start()
    operator = here.handle("operatör")
    assert [o.message_id for o in operator if o.hands_off(Handoff.OPERATOR)] == ["engine.handoff"]
    remote = Session(flows, build_registry(recorder), "main_menu", channel="telegram")
    remote.start()
    local = remote.handle("1")
    assert any(o.hands_off(Handoff.LOCAL) for o in local)
    assert not any(o.hands_off(Handoff.OPERATOR) for o in local)
    here.close()
    remote.close()
