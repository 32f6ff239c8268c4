"""The actions flows may call, registered from outside the flow package.

The card, PKI and portal layers know nothing about conversations; whoever wires the
assistant together registers their operations here under a dotted name with a small
contract: typed inputs (a `Secret` input can only be fed from a secret step), typed
outputs, the outcomes it can end with, whether it is dangerous (lint then demands a
confirm step before it on every path) and whether it may only run for a local channel.
An action is a plain or async callable taking its inputs as keyword arguments and
returning an `ActionResult`; the registry checks every result against the contract.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field

from assistant.secret import Secret

ActionFn = Callable[..., "ActionResult | Awaitable[ActionResult]"]
# Types an input or output may be declared with; outputs can never be secrets.
INPUT_TYPES: tuple[type, ...] = (str, int, float, bool, list, dict, Secret)
OUTPUT_TYPES: tuple[type, ...] = (str, int, float, bool, list, dict)


@dataclass(frozen=True, slots=True)
class ActionResult:
    """What an action reports: one of its declared outcomes and some declared outputs."""

    outcome: str
    outputs: Mapping[str, object] = field(default_factory=dict)


class ActionContractError(RuntimeError):
    """An action broke its declared contract: a programming error, not a user error."""


@dataclass(frozen=True)
class ActionSpec:
    name: str
    fn: ActionFn
    inputs: Mapping[str, type]
    outputs: Mapping[str, type]
    outcomes: frozenset[str]
    dangerous: bool = False
    local_only: bool = False

    def check(self, result: object) -> ActionResult:
        """The result if it keeps the contract, else ActionContractError naming the breach."""
        if not isinstance(result, ActionResult):
            raise ActionContractError(f"{self.name} returned {type(result).__name__}")
        if result.outcome not in self.outcomes:
            raise ActionContractError(f"{self.name} returned undeclared outcome {result.outcome!r}")
        for key, value in result.outputs.items():
            expected = self.outputs.get(key)
            if expected is None:
                raise ActionContractError(f"{self.name} returned undeclared output {key!r}")
            if value is not None and not isinstance(value, expected):
                raise ActionContractError(
                    f"{self.name} output {key!r} is {type(value).__name__}, "
                    f"declared {expected.__name__}"
                )
        return result


class Registry:
    def __init__(self) -> None:
        self._specs: dict[str, ActionSpec] = {}

    def register(
        self,
        name: str,
        fn: ActionFn,
        *,
        outcomes: tuple[str, ...] | frozenset[str],
        inputs: Mapping[str, type] | None = None,
        outputs: Mapping[str, type] | None = None,
        dangerous: bool = False,
        local_only: bool = False,
    ) -> ActionSpec:
        if name in self._specs:
            raise ValueError(f"action {name!r} is already registered")
        if not outcomes:
            raise ValueError(f"action {name!r} must declare its outcomes")
        inputs = dict(inputs or {})
        outputs = dict(outputs or {})
        for key, kind in inputs.items():
            if kind not in INPUT_TYPES:
                raise TypeError(f"{name}: input {key!r} has unsupported type {kind!r}")
        for key, kind in outputs.items():
            if kind not in OUTPUT_TYPES:
                raise TypeError(f"{name}: output {key!r} has unsupported type {kind!r}")
        if "outcome" in outputs:
            raise ValueError(f"{name}: 'outcome' is reserved for the outcome name")
        spec = ActionSpec(name, fn, inputs, outputs, frozenset(outcomes), dangerous, local_only)
        self._specs[name] = spec
        return spec

    def action(
        self,
        name: str,
        *,
        outcomes: tuple[str, ...],
        inputs: Mapping[str, type] | None = None,
        outputs: Mapping[str, type] | None = None,
        dangerous: bool = False,
        local_only: bool = False,
    ) -> Callable[[ActionFn], ActionFn]:
        """Decorator form of `register`."""

        def decorate(fn: ActionFn) -> ActionFn:
            self.register(
                name,
                fn,
                outcomes=outcomes,
                inputs=inputs,
                outputs=outputs,
                dangerous=dangerous,
                local_only=local_only,
            )
            return fn

        return decorate

    def get(self, name: str) -> ActionSpec | None:
        return self._specs.get(name)

    def __contains__(self, name: object) -> bool:
        return name in self._specs
