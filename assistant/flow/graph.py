"""Where each step can lead: the one definition shared by lint and the session.

Semantics (documented in flows/README.md): an action or call step's `on:` outcome wins;
then `next` entries are tried in order and the first whose condition holds wins; when
none does (or there is no `next`), the flow goes on with the step written below. A
prompt additionally leads to its `on_fail` step (tries used up) and a confirm step to
its `decline` step; `events:` lead anywhere from a prompt.

`edges()` lists the ways out in the order they are tried; lint reads all of them,
and the session takes the first one `taken()` finds open, so the two cannot disagree.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from assistant.flow.expr import Expr
from assistant.flow.model import (
    TERMINAL_KINDS,
    ActionStep,
    CallStep,
    ConfirmStep,
    Flow,
    PromptStep,
    Step,
)


@dataclass(frozen=True, slots=True)
class Edge:
    source: str
    target: str | None  # None: runs off the end of the flow
    accepted: bool  # reached by a normal completion (answer accepted, action done)
    outcome: str | None = None  # taken only on this outcome (an `on:` entry, an event)
    condition: Expr | None = None  # taken only when this holds (a `next:` entry)


def _unknown(step: Step) -> frozenset[str] | None:
    return None


def edges(
    flow: Flow, step: Step, outcomes: Callable[[Step], frozenset[str] | None] = _unknown
) -> list[Edge]:
    """Every way out of `step`, normal completions in the order they are tried.
    `outcomes` gives an action's/call's possible outcomes (None when unknown), so a
    fully covered `on:` does not count the fall-through."""
    if step.kind in TERMINAL_KINDS:
        return []
    result: list[Edge] = []
    fall_through = not any(t.condition is None for t in step.next)
    if isinstance(step, ActionStep | CallStep):
        result += [Edge(step.id, b.target, True, b.outcome) for b in step.on]
        possible = outcomes(step)
        if possible is not None and step.on and possible <= {b.outcome for b in step.on}:
            fall_through = False
    result += [Edge(step.id, t.target, True, None, t.condition) for t in step.next]
    if fall_through:
        following = flow.following(step.id)
        result.append(Edge(step.id, following.id if following else None, True))
    if isinstance(step, PromptStep) and step.on_fail:
        result.append(Edge(step.id, step.on_fail, False))
    if isinstance(step, ConfirmStep) and step.decline:
        result.append(Edge(step.id, step.decline, False))
    result += [Edge(step.id, b.target, False, b.outcome) for b in step.events]
    return result


def taken(ways: Iterable[Edge], scope: Mapping[str, object], outcome: str | None) -> str | None:
    """Where the session goes after a step completed with `outcome` (None: a say step, an
    accepted answer): the target of the first of the step's `edges()` open for it in
    `scope`. None: off the end of the flow. (The session keeps each step's edges.)"""
    for edge in ways:
        if not edge.accepted or edge.outcome not in (None, outcome):
            continue
        if edge.condition is None or edge.condition.evaluate(scope):
            return edge.target
    return None


def guarded_by(
    flow: Flow,
    confirm: ConfirmStep,
    dangerous: Callable[[Step], bool],
    outcomes: Callable[[Step], frozenset[str] | None],
) -> frozenset[str]:
    """The dangerous steps a confirm step's accepted answer leads to, each before any other
    dangerous step: what the consent typed there is for (lint's `unconfirmed-danger` rule,
    read forwards). Another confirm step on the way passes only on its own acceptance."""
    found: set[str] = set()
    seen: set[str] = set()
    todo = [e.target for e in edges(flow, confirm, outcomes) if e.accepted and e.target]
    while todo:
        step_id = todo.pop()
        step = flow.step(step_id)
        if step_id in seen or step is None:
            continue
        seen.add(step_id)
        if dangerous(step):
            found.add(step_id)
            continue
        passing = [
            e
            for e in edges(flow, step, outcomes)
            if e.target and (e.accepted or not isinstance(step, ConfirmStep))
        ]
        todo += [e.target for e in passing if e.target]
    return frozenset(found)
