"""The actions flows may call, registered from outside the flow package.

The card, PKI and portal layers know nothing about conversations; whoever wires the
assistant together declares their operations with `@action` where they are written: a
dotted name and a small contract, typed inputs (a `Secret` input can only be fed from a
secret step), typed outputs, the outcomes it can end with, whether it is dangerous
(lint then demands a confirm step before it on every path, and the engine refuses to
run it without the consent that step produced) and whether it may only run for a local
channel. An action is a plain or async callable taking its inputs as keyword arguments
and returning an `ActionResult`; `Registry.collect` finds the decorated callables on
the objects and modules it is given, and checks every result against the contract.

An action registered with `context=True` (every dangerous one must be) also gets the
conversation's `ActionContext` as the keyword `context`: who is talking (conversation,
channel, language), this conversation's portal login, and the consent the last confirm
step produced. Nothing an action needs about a conversation lives on the action's
owner, so two conversations of one agent never share a portal login or a consent.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from types import ModuleType
from typing import TYPE_CHECKING, NoReturn, TypeVar

from assistant.card.consent import CONSENT_TTL_SECONDS
from assistant.secret import Secret, SecretKind

if TYPE_CHECKING:
    from assistant.portal.api import Portal

ActionFn = Callable[..., "ActionResult | Awaitable[ActionResult]"]
# Types an input or output may be declared with; outputs can never be secrets.
INPUT_TYPES: tuple[type, ...] = (str, int, float, bool, list, dict, Secret)
OUTPUT_TYPES: tuple[type, ...] = (str, int, float, bool, list, dict)


class Consent:
    """What the person typed at a confirm step, as an object a dangerous action can hold.

    Made by the engine only, right after a confirm step was answered (a test checks that no
    other module constructs one): bound to the conversation, to the dangerous action steps
    that confirm step guards, and to the card in the reader at that moment (its token
    serial, when there was one). It is handed to one action call and then spent; it
    expires after `CONSENT_TTL_SECONDS`; it is never saved, so a resumed conversation has
    none and asks again.
    """

    __slots__ = (
        "_card_claimed",
        "_clock",
        "_expires",
        "_spent",
        "card_serial",
        "conversation_id",
        "flow",
        "steps",
    )

    def __init__(
        self,
        *,
        conversation_id: str,
        flow: str,
        steps: frozenset[str],
        card_serial: str | None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.conversation_id = conversation_id
        self.flow = flow
        self.steps = steps
        self.card_serial = card_serial
        self._clock = clock
        self._expires = clock() + CONSENT_TTL_SECONDS
        self._spent = False
        self._card_claimed = False

    @property
    def spent(self) -> bool:
        return self._spent

    @property
    def expired(self) -> bool:
        return self._clock() > self._expires

    def allows(self, conversation_id: str, flow: str, step: str) -> bool:
        """Whether this consent is for that action step of that conversation, still."""
        return (
            not self._spent
            and not self.expired
            and conversation_id == self.conversation_id
            and flow == self.flow
            and step in self.steps
        )

    def claim(self, token_serial: str) -> bool:
        """For the card layer: True once, for the card the person confirmed with."""
        if self._card_claimed or self.expired or not token_serial:
            return False
        if token_serial != self.card_serial:
            return False
        self._card_claimed = True
        return True

    def spend(self) -> None:
        self._spent = True

    def __reduce__(self) -> NoReturn:
        raise TypeError("consent is not persisted: it is asked for again after a restart")

    def __repr__(self) -> str:
        state = "spent" if self._spent else "unspent"
        return f"Consent({self.flow}: {', '.join(sorted(self.steps))}, {state})"


@dataclass(slots=True)
class PortalSession:
    """This conversation's login at the CA portal; a new login replaces it."""

    client: Portal
    login_id: str | None = None
    """The current login attempt: no secret (useless without captcha, word and SMS code);
    a trainer's console reads the captcha answer with it."""

    def close(self) -> None:
        self.client.close()


@dataclass(slots=True)
class ActionContext:
    """One conversation as its actions see it; owned by that conversation's session."""

    conversation_id: str
    channel: str
    language: str
    consent: Consent | None = None
    """Set by the engine for the one call of the dangerous action it is for, else None."""
    portal: PortalSession | None = None

    def close(self) -> None:
        """The conversation is over (or starts afresh): log out of nothing, just let go."""
        if self.portal is not None:
            self.portal.close()
            self.portal = None
        self.consent = None


@dataclass(frozen=True, slots=True)
class ActionResult:
    """What an action reports: one of its declared outcomes and some declared outputs."""

    outcome: str
    outputs: Mapping[str, object] = field(default_factory=dict)
    secret_elsewhere: SecretKind | None = None
    """A secret the person was just told to type somewhere else (on the CA's site, say):
    the engine then treats replies shaped like it as typed by mistake, and masks them."""

    def __post_init__(self) -> None:
        # A `StrEnum` member (the way actions name outcomes) is kept as its plain name.
        object.__setattr__(self, "outcome", str(self.outcome))


class ActionContractError(RuntimeError):
    """An action broke its declared contract: a programming error, not a user error."""


@dataclass(frozen=True)
class Contract:
    """What an action promises: the names flows call it by, branch on and bind."""

    name: str
    outcomes: frozenset[str]
    inputs: Mapping[str, type] = field(default_factory=dict)
    outputs: Mapping[str, type] = field(default_factory=dict)
    dangerous: bool = False
    local_only: bool = False
    takes_context: bool = False

    @classmethod
    def declare(
        cls,
        name: str,
        outcomes: Iterable[str],
        inputs: Mapping[str, type] | None,
        outputs: Mapping[str, type] | None,
        *,
        dangerous: bool,
        local_only: bool,
        context: bool,
    ) -> Contract:
        """The contract as written: outcomes may be `StrEnum`s (their values are the names)."""
        return cls(
            name,
            frozenset(str(outcome) for outcome in outcomes),
            dict(inputs or {}),
            dict(outputs or {}),
            dangerous,
            local_only,
            context,
        )

    def __post_init__(self) -> None:
        name = self.name
        if not self.outcomes:
            raise ValueError(f"action {name!r} must declare its outcomes")
        for key, kind in self.inputs.items():
            if kind not in INPUT_TYPES:
                raise TypeError(f"{name}: input {key!r} has unsupported type {kind!r}")
        for key, kind in self.outputs.items():
            if kind not in OUTPUT_TYPES:
                raise TypeError(f"{name}: output {key!r} has unsupported type {kind!r}")
        if "outcome" in self.outputs:
            raise ValueError(f"{name}: 'outcome' is reserved for the outcome name")
        if "context" in self.inputs:
            raise ValueError(f"{name}: 'context' is reserved for the conversation's context")
        if self.dangerous and not self.takes_context:
            raise ValueError(f"{name}: a dangerous action takes the context (its consent)")


CONTRACT_ATTRIBUTE = "__action_contract__"
F = TypeVar("F", bound=Callable[..., object])


def action(
    name: str,
    *,
    outcomes: Iterable[str],
    inputs: Mapping[str, type] | None = None,
    outputs: Mapping[str, type] | None = None,
    dangerous: bool = False,
    local_only: bool = False,
    context: bool = False,
) -> Callable[[F], F]:
    """Declare the contract of the function or method below, where it is written.

    `outcomes` is any iterable of names; pass the domain's `StrEnum` (or several, joined
    with `*`) so the names a flow branches on are the ones the code can produce. The
    contract is checked here, at import, and again on every result the action returns;
    `Registry.collect` finds the decorated callables, so no table restates them.
    """
    contract = Contract.declare(
        name, outcomes, inputs, outputs, dangerous=dangerous, local_only=local_only, context=context
    )

    def decorate(fn: F) -> F:
        setattr(fn, CONTRACT_ATTRIBUTE, contract)
        return fn

    return decorate


def contract_of(fn: object) -> Contract | None:
    """The contract `@action` gave a function or (bound) method, if any."""
    found = getattr(fn, CONTRACT_ATTRIBUTE, None)
    return found if isinstance(found, Contract) else None


def declared_actions(owner: object) -> Iterator[tuple[Contract, ActionFn]]:
    """The decorated callables of `owner`, in the order they are written: the methods of
    an object (its class and bases) or the functions defined in a module."""
    if isinstance(owner, ModuleType):
        for value in vars(owner).values():
            contract = contract_of(value)
            if contract is not None and getattr(value, "__module__", None) == owner.__name__:
                yield contract, value
        return
    seen: set[str] = set()
    for klass in type(owner).__mro__:
        for attribute, value in vars(klass).items():
            contract = contract_of(value)
            if contract is not None and attribute not in seen:
                seen.add(attribute)
                yield contract, getattr(owner, attribute)


@dataclass(frozen=True)
class ActionSpec:
    name: str
    fn: ActionFn
    inputs: Mapping[str, type]
    outputs: Mapping[str, type]
    outcomes: frozenset[str]
    dangerous: bool = False
    local_only: bool = False
    takes_context: bool = False

    def invoke(
        self, context: ActionContext, inputs: Mapping[str, object]
    ) -> ActionResult | Awaitable[ActionResult]:
        if self.takes_context:
            return self.fn(context=context, **inputs)
        return self.fn(**inputs)

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

    @classmethod
    def collect(cls, *owners: object) -> Registry:
        """A registry of every `@action` on these objects and modules."""
        registry = cls()
        for owner in owners:
            for contract, fn in declared_actions(owner):
                registry.add(contract, fn)
        return registry

    def add(self, contract: Contract, fn: ActionFn) -> ActionSpec:
        if contract.name in self._specs:
            raise ValueError(f"action {contract.name!r} is already registered")
        spec = ActionSpec(
            contract.name,
            fn,
            contract.inputs,
            contract.outputs,
            contract.outcomes,
            contract.dangerous,
            contract.local_only,
            contract.takes_context,
        )
        self._specs[contract.name] = spec
        return spec

    def register(
        self,
        name: str,
        fn: ActionFn,
        *,
        outcomes: Iterable[str],
        inputs: Mapping[str, type] | None = None,
        outputs: Mapping[str, type] | None = None,
        dangerous: bool = False,
        local_only: bool = False,
        context: bool = False,
    ) -> ActionSpec:
        """One action by hand (test registries answer with test code)."""
        contract = Contract.declare(
            name,
            outcomes,
            inputs,
            outputs,
            dangerous=dangerous,
            local_only=local_only,
            context=context,
        )
        return self.add(contract, fn)

    def get(self, name: str) -> ActionSpec | None:
        return self._specs.get(name)

    def __iter__(self) -> Iterator[ActionSpec]:
        """Every registered contract, in registration order."""
        return iter(list(self._specs.values()))

    def __contains__(self, name: object) -> bool:
        return name in self._specs
