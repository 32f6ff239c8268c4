"""Run a YAML conversation transcript against the fixture flows.

Format (one conversation per file, see pin_change_happy.yaml):

    name: what the conversation shows
    flow: pin_change            # root flow (from tests/fixtures/flows)
    channel: terminal           # optional, default terminal
    defaults:                   # optional: answers for actions a turn does not list
      card.status: {outcome: ok, outputs: {serial: "2201 3344", ...}}
    turns:
      - expect: [pin_change.intro]            # the start() turn (no user/event)
      - user: "918273"                        # or event: card_inserted
        actions:                              # calls expected in this turn, in order,
          - call: card.change_pin             # answered with this outcome/outputs;
                                              # other calls get `defaults`
            outcome: wrong_pin
            outputs: {tries_left: 2}
        expect: [pin_change.wrong_pin, "Kalan deneme hakkı: 2"]
        step: ask_old_pin                     # optional: where the session waits now
    outcome: ok                               # optional: how the session ended

`expect` items must appear in order among the turn's outputs; an item matches an output
whose message id equals it or whose text contains it. Every reply typed at a secret
prompt is checked never to reach the transcript or the saved state.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from assistant.flow.actions import ActionResult
from assistant.flow.loader import load_all
from assistant.flow.outputs import Event, Output, OutputKind
from assistant.flow.session import Session
from assistant.flow.vocabulary import repair_of
from tests.fixtures.flows.actions import Recorder, build_registry

FLOWS = Path(__file__).parents[1] / "fixtures" / "flows"


@dataclass
class Script:
    defaults: Mapping[str, Any]
    queue: list[dict[str, Any]] = field(default_factory=list)

    def answer(self, name: str, inputs: Mapping[str, object]) -> ActionResult:
        if self.queue and self.queue[0]["call"] == name:
            expected = self.queue.pop(0)
        elif name in self.defaults:
            expected = self.defaults[name]
        else:
            waiting = self.queue[0]["call"] if self.queue else "no call"
            raise AssertionError(f"unexpected action call {name} (expected {waiting})")
        return ActionResult(expected.get("outcome", "ok"), expected.get("outputs", {}))


def _matches(item: str, output: Output) -> bool:
    return output.message_id == item or item in output.text


def check_expect(expect: list[str], outputs: list[Output], where: str) -> None:
    position = 0
    for item in expect:
        while position < len(outputs) and not _matches(item, outputs[position]):
            position += 1
        shown = [(o.message_id, o.text) for o in outputs]
        assert position < len(outputs), f"{where}: {item!r} not found in order in {shown}"
        position += 1


def run(path: Path) -> Session:
    spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    flows, problems = load_all([FLOWS])
    assert not problems, problems
    script = Script(spec.get("defaults", {}))
    session = Session(
        flows,
        build_registry(Recorder(script.answer)),
        spec["flow"],
        channel=spec.get("channel", "terminal"),
    )
    typed_secrets: list[str] = []
    outputs: list[Output] = []
    for index, turn in enumerate(spec["turns"]):
        where = f"{path.name} turn {index + 1}"
        script.queue = list(turn.get("actions", []))
        if index == 0 and "user" not in turn and "event" not in turn:
            outputs = session.start()
        elif "event" in turn:
            outputs = session.handle(Event(turn["event"]))
        else:
            if (
                outputs
                and outputs[-1].kind is OutputKind.SECRET_REQUEST
                and not repair_of(str(turn["user"]))
            ):
                typed_secrets.append(str(turn["user"]))
            outputs = session.handle(str(turn["user"]))
        assert not script.queue, f"{where}: expected calls not made: {script.queue}"
        check_expect(turn.get("expect", []), outputs, where)
        if "step" in turn:
            assert session.frames and session.step_id == turn["step"], where
    if "outcome" in spec:
        assert session.ended and session.outcome == spec["outcome"], session.outcome
    saved = json.dumps(session.to_state()) + repr(session.transcript)
    for secret in typed_secrets:
        assert secret not in saved, f"{path.name}: a secret reached the transcript or state"
    session.close()
    return session
