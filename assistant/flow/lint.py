"""Find what is wrong with a set of flows before anyone talks to them.

Each check names a defect class with a stable code, the exact file:line:col and plain
words for the helpdesk author. The checks that protect people matter most: a dangerous
action needs a confirm step on *every* path before it, and a secret may only be asked in
a flow that runs on local channels only. Translation completeness is pluggable: pass a
`catalog` callable that says whether a message is translated.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Mapping
from typing import TypeVar

from assistant.flow.actions import Registry
from assistant.flow.expr import Expr
from assistant.flow.graph import Edge, edges
from assistant.flow.model import (
    PROMPT_KINDS,
    ActionStep,
    AskStep,
    CallStep,
    ConfirmStep,
    EndStep,
    Flow,
    GotoStep,
    Location,
    Message,
    Problem,
    SecretStep,
    Step,
)
from assistant.flow.vocabulary import is_yes_word, repair_of
from assistant.secret import Secret

CatalogLookup = Callable[[Message], bool]
# Names every flow can use without defining them: set by the session itself.
BUILTIN_NAMES = frozenset({"lang", "channel"})
T = TypeVar("T")


def lint(
    flows: Mapping[str, Flow],
    registry: Registry | None,
    catalog: CatalogLookup | None = None,
) -> list[Problem]:
    """Every problem in `flows`, sorted by location. Without a registry, actions are
    not checked (the caller should say so); without a catalog, translations are not."""
    problems: list[Problem] = []
    for flow in flows.values():
        problems += _FlowLint(flow, flows, registry, catalog).run()
    return sorted(problems, key=lambda p: (p.location.file, p.location.line, p.location.column))


class _FlowLint:
    def __init__(
        self,
        flow: Flow,
        flows: Mapping[str, Flow],
        registry: Registry | None,
        catalog: CatalogLookup | None,
    ) -> None:
        self.flow = flow
        self.flows = flows
        self.registry = registry
        self.catalog = catalog
        self.problems: list[Problem] = []
        self.edges = {s.id: edges(flow, s, self.outcomes) for s in flow.steps}
        self.secrets = flow.secret_names()

    def add(self, code: str, location: Location, message: str) -> None:
        self.problems.append(Problem(code, message, location))

    def outcomes(self, step: Step) -> frozenset[str] | None:
        if isinstance(step, ActionStep) and self.registry is not None:
            spec = self.registry.get(step.action)
            return spec.outcomes if spec else None
        if isinstance(step, CallStep) and step.flow in self.flows:
            return _end_outcomes(self.flows[step.flow])
        return None

    def run(self) -> list[Problem]:
        self.references()
        self.reachability()
        self.busy_loops()
        self.confirmations()
        self.definitions()
        self.secrecy()
        self.texts()
        return self.problems

    # ---- names that must exist -------------------------------------------------------
    def references(self) -> None:
        for step in self.flow.steps:
            for target, location in step.targets():
                if self.flow.step(target) is None:
                    ids = [s.id for s in self.flow.steps]
                    close = difflib.get_close_matches(target, ids, n=1)
                    hint = f" (did you mean {close[0]!r}?)" if close else ""
                    self.add(
                        "unknown-step", location, f"there is no step {target!r} in this flow{hint}"
                    )
            if isinstance(step, CallStep | GotoStep) and step.flow not in self.flows:
                self.add("unknown-flow", step.flow_location, f"there is no flow {step.flow!r}")
            if isinstance(step, SecretStep) and step.same_as and step.same_as not in self.secrets:
                self.add(
                    "unknown-secret",
                    step.location,
                    f"same_as names {step.same_as!r}, but no secret step saves that name",
                )
            if isinstance(step, ActionStep):
                self.action_contract(step)
            if isinstance(step, CallStep) and step.flow in self.flows:
                declared = _end_outcomes(self.flows[step.flow])
                for branch in step.on:
                    if branch.outcome not in declared:
                        self.add(
                            "unknown-outcome",
                            branch.location,
                            f"flow {step.flow!r} never ends with {branch.outcome!r}; "
                            f"its outcomes: {', '.join(sorted(declared))}",
                        )

    def action_contract(self, step: ActionStep) -> None:
        if self.registry is None:
            return
        spec = self.registry.get(step.action)
        if spec is None:
            self.add(
                "unknown-action", step.action_location, f"no action {step.action!r} is registered"
            )
            return
        for branch in step.on:
            if branch.outcome not in spec.outcomes:
                self.add(
                    "unknown-outcome",
                    branch.location,
                    f"action {spec.name!r} never ends with {branch.outcome!r}; "
                    f"its outcomes: {', '.join(sorted(spec.outcomes))}",
                )
        given = {b.name: b for b in step.inputs}
        for name in spec.inputs.keys() - given.keys():
            self.add(
                "action-inputs",
                step.location,
                f"action {spec.name!r} needs input {name!r} under with:",
            )
        for binding in step.inputs:
            kind = spec.inputs.get(binding.name)
            if kind is None:
                self.add(
                    "action-inputs",
                    binding.location,
                    f"action {spec.name!r} has no input {binding.name!r}; "
                    f"its inputs: {', '.join(sorted(spec.inputs)) or 'none'}",
                )
                continue
            names = binding.expr.names()
            is_secret = len(names) == 1 and next(iter(names)) in self.secrets
            if kind is Secret and not is_secret:
                self.add(
                    "action-inputs",
                    binding.location,
                    f"input {binding.name!r} is a secret: give the name a secret step saves",
                )
            if kind is not Secret and names & self.secrets:
                self.add(
                    "secret-leak",
                    binding.location,
                    f"input {binding.name!r} is not a secret, but it is given a secret",
                )

    # ---- graph shape -----------------------------------------------------------------
    def reachability(self) -> None:
        seen = {self.flow.steps[0].id}
        todo = [self.flow.steps[0].id]
        while todo:
            for edge in self.edges[todo.pop()]:
                if edge.target and edge.target not in seen and self.flow.step(edge.target):
                    seen.add(edge.target)
                    todo.append(edge.target)
        for step in self.flow.steps:
            if step.id not in seen:
                self.add("unreachable", step.location, f"no path leads to step {step.id!r}")
            elif any(edge.target is None for edge in self.edges[step.id]):
                self.add(
                    "dead-end",
                    step.location,
                    f"after step {step.id!r} the flow runs off its end: "
                    "add next: to another step, or an end: step",
                )

    def waits_for_person(self, step: Step) -> bool:
        if step.kind in PROMPT_KINDS:
            return True
        if isinstance(step, CallStep) and step.flow in self.flows:
            return any(s.kind in PROMPT_KINDS for s in self.flows[step.flow].steps)
        return False

    def busy_loops(self) -> None:
        """Cycles made only of steps that never wait for the person would spin forever."""
        busy = {s.id for s in self.flow.steps if not self.waits_for_person(s)}
        graph = {sid: [e.target for e in self.edges[sid] if e.target in busy] for sid in busy}
        for component in _strongly_connected(graph):
            looping = len(component) > 1 or component[0] in graph[component[0]]
            if looping:
                first = min((self.flow.step(s) for s in component), key=_order)
                assert first is not None
                names = " → ".join(s for s in self.order(component))
                self.add(
                    "busy-loop",
                    first.location,
                    f"steps {names} go round in a loop without asking the person anything",
                )

    def order(self, ids: Iterable[str]) -> list[str]:
        return [s.id for s in self.flow.steps if s.id in set(ids)]

    # ---- dataflow --------------------------------------------------------------------
    def _forward(
        self, entry: frozenset[T], transfer: Callable[[Step, Edge, frozenset[T]], frozenset[T]]
    ) -> dict[str, frozenset[T]]:
        """Must-analysis: what holds on *every* path into each step (set intersection)."""
        steps = self.flow.steps
        universe: frozenset[T] | None = None
        state: dict[str, frozenset[T] | None] = {s.id: universe for s in steps}
        state[steps[0].id] = entry
        changed = True
        while changed:
            changed = False
            for step in steps:
                current = state[step.id]
                if current is None:
                    continue
                for edge in self.edges[step.id]:
                    if edge.target is None or edge.target not in state:
                        continue
                    out = transfer(step, edge, current)
                    old = state[edge.target]
                    new = out if old is None else old & out
                    if new != old:
                        state[edge.target] = new
                        changed = True
        return {k: v for k, v in state.items() if v is not None}

    def confirmations(self) -> None:
        """A dangerous action needs a confirm step on every path since the last one."""
        if self.registry is None:
            return
        registry = self.registry

        def dangerous(step: Step) -> bool:
            spec = registry.get(step.action) if isinstance(step, ActionStep) else None
            return spec is not None and spec.dangerous

        def transfer(step: Step, edge: Edge, state: frozenset[bool]) -> frozenset[bool]:
            if isinstance(step, ConfirmStep):
                return frozenset({True}) if edge.accepted else frozenset()
            return frozenset() if dangerous(step) else state

        confirmed = self._forward(frozenset(), transfer)
        for step in self.flow.steps:
            if dangerous(step) and step.id in confirmed and not confirmed[step.id]:
                assert isinstance(step, ActionStep)
                self.add(
                    "unconfirmed-danger",
                    step.action_location,
                    f"{step.action!r} is dangerous: some path reaches it without a confirm "
                    "step (the person typing a phrase) since the start or the last such action",
                )

    def definitions(self) -> None:
        """Every name a text or condition uses must be set on every path before it."""

        def transfer(step: Step, edge: Edge, state: frozenset[str]) -> frozenset[str]:
            return state | _defines(step) if edge.accepted else state

        entry = frozenset(self.flow.inputs) | BUILTIN_NAMES
        defined = self._forward(entry, transfer)
        for step in self.flow.steps:
            if step.id not in defined:
                continue
            before = defined[step.id]
            after = before | _defines(step)
            for message in step.messages():
                self.names_used(message.placeholders, before, message.location, "text")
            for transition in step.next:
                if transition.condition is not None:
                    self.names_used(
                        _names(transition.condition), after, transition.location, "condition"
                    )
            if isinstance(step, ActionStep):
                for binding in step.inputs:
                    used = binding.expr.names() - self.secrets
                    self.names_used(tuple(used), before, binding.location, "input")
            if isinstance(step, ConfirmStep) and step.digits_of:
                self.names_used((step.digits_of,), before, step.location, "confirm")
            if isinstance(step, CallStep) and step.flow in self.flows:
                missing = set(self.flows[step.flow].inputs) - before
                for name in sorted(missing):
                    self.add(
                        "undefined-name",
                        step.flow_location,
                        f"flow {step.flow!r} needs {name!r}, which is not set on every path here",
                    )

    def names_used(
        self, names: Iterable[str], defined: frozenset[str], at: Location, where: str
    ) -> None:
        for name in names:
            root = name.split(".")[0]
            if root in self.secrets:
                self.add(
                    "secret-leak", at, f"{name!r} is a secret and can never be shown or tested"
                )
            elif root not in defined:
                used = f"{{{name}}}" if where == "text" else repr(name)
                self.add(
                    "undefined-name",
                    at,
                    f"{where} uses {used}, but {root!r} is not set on every path before "
                    "this step (save it with save_as:, or list it under inputs:)",
                )

    # ---- safety of secrets and phrases -----------------------------------------------
    def secrecy(self) -> None:
        local = self.flow.local_only
        remote = ", ".join(sorted(self.flow.channels))
        for step in self.flow.steps:
            if isinstance(step, SecretStep) and not local:
                self.add(
                    "secret-remote",
                    step.location,
                    f"a secret is asked here, but the flow may run on {remote}: "
                    "secrets are typed only on this computer (channels: [terminal, web])",
                )
            if isinstance(step, ActionStep) and not local and self.registry is not None:
                spec = self.registry.get(step.action)
                if spec is not None and spec.local_only:
                    self.add(
                        "secret-remote",
                        step.action_location,
                        f"{step.action!r} runs only for a person at this computer, "
                        f"but the flow may run on {remote}",
                    )
            if isinstance(step, ConfirmStep) and step.phrase is not None:
                if is_yes_word(step.phrase):
                    self.add(
                        "weak-confirm",
                        step.location,
                        f"phrase {step.phrase!r} is a plain yes: ask for a phrase "
                        "that says what happens, e.g. PIN DEĞİŞTİR",
                    )
                elif repair_of(step.phrase) is not None:
                    self.add(
                        "weak-confirm",
                        step.location,
                        f"phrase {step.phrase!r} is also a repair word "
                        f"({repair_of(step.phrase)}): someone typing it to get out would "
                        "confirm instead; use e.g. SERTİFİKAMI İPTAL ET",
                    )

    def texts(self) -> None:
        if self.catalog is None:
            return
        for message in self.flow.messages():
            if not self.catalog(message):
                self.add(
                    "missing-translation",
                    message.location,
                    f"text {message.id!r} is missing from a locale catalog",
                )


def _defines(step: Step) -> frozenset[str]:
    if isinstance(step, AskStep | ActionStep | CallStep):
        return frozenset({step.save_as})
    return frozenset()


def _names(expr: Expr) -> tuple[str, ...]:
    return tuple(sorted(expr.names()))


def _end_outcomes(flow: Flow) -> frozenset[str]:
    """How a called flow can come back: its end outcomes, or "failed" after tries run out."""
    ends = {s.outcome for s in flow.steps if isinstance(s, EndStep)}
    if any(s.kind in PROMPT_KINDS for s in flow.steps):
        ends.add("failed")
    return frozenset(ends)


def _order(step: Step | None) -> tuple[int, int]:
    return (step.location.line, step.location.column) if step else (0, 0)


def _strongly_connected(graph: Mapping[str, list[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iterative (flows are small, but recursion limits are not)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    result: list[list[str]] = []
    counter = 0
    for root in graph:
        if root in index:
            continue
        work = [(root, 0)]
        while work:
            node, child = work.pop()
            if child == 0:
                index[node] = low[node] = counter
                counter += 1
                stack.append(node)
                on_stack.add(node)
            successors = graph[node]
            if child < len(successors):
                work.append((node, child + 1))
                succ = successors[child]
                if succ not in index:
                    work.append((succ, 0))
                elif succ in on_stack:
                    low[node] = min(low[node], index[succ])
                continue
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                result.append(component)
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
    return result
