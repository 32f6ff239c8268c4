"""A registry with the real actions' contracts (names, outcomes, inputs, outputs, danger,
locality) for every action the flows call, answered by test code instead of a card or a
portal: for tests that drive the real engine over the real flows."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from assistant.agent.actions import build_registry
from assistant.card.service import CardService
from assistant.flow.actions import ActionFn, ActionSpec, Registry
from assistant.flow.model import ActionStep, Flow


def contract_registry(
    flows: Mapping[str, Flow], answer: Callable[[ActionSpec], ActionFn]
) -> Registry:
    """Every action of `flows`, with its real contract, run by `answer(spec)` (which gets
    the action's inputs only, never the conversation's context)."""
    real = build_registry(CardService())
    registry = Registry()
    names = {s.action for f in flows.values() for s in f.steps if isinstance(s, ActionStep)}
    for name in sorted(names):
        spec = real.get(name)
        assert spec is not None, f"the flows call {name}, which the agent does not register"
        registry.register(
            name,
            _without_context(answer(spec)),
            outcomes=spec.outcomes,
            inputs=spec.inputs,
            outputs=spec.outputs,
            dangerous=spec.dangerous,
            local_only=spec.local_only,
            context=spec.takes_context,
        )
    return registry


def _without_context(fn: ActionFn) -> ActionFn:
    def run(*, context: object = None, **inputs: object) -> object:
        return fn(**inputs)

    return run
