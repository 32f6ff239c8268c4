"""What a loaded flow is: immutable steps with their source locations.

The loader builds these from YAML and lint and the session only ever read them. Every
element keeps the `Location` (file:line:col) it came from, so any complaint about a flow
can point at the exact line a helpdesk author has to change.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from assistant.flow.expr import Expr, lookup
from assistant.i18n.messages import fill, placeholders
from assistant.secret import SecretKind

# Channels a conversation can run on. A secret may only ever be typed on a local one.
LOCAL_CHANNELS = frozenset({"terminal", "web"})
REMOTE_CHANNELS = frozenset({"telegram"})
CHANNELS = LOCAL_CHANNELS | REMOTE_CHANNELS

DEFAULT_RETRIES = 3


@dataclass(frozen=True, slots=True)
class Location:
    file: str
    line: int  # 1-based
    column: int  # 1-based

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a flow: a stable code for tests, plain words for people."""

    code: str
    message: str
    location: Location

    def __str__(self) -> str:
        return f"{self.location}: {self.message} [{self.code}]"


@dataclass(frozen=True, slots=True)
class Message:
    """A text shown to the person: Turkish source with `{dotted.name}` placeholders."""

    id: str
    text: str
    location: Location

    @property
    def placeholders(self) -> tuple[str, ...]:
        return placeholders(self.text)


def render(template: str, scope: Mapping[str, object], show: Callable[[object], str] = str) -> str:
    """Fill `{name}` placeholders from `scope` (each value through `show`, e.g. a
    language's date and number format); `{{`/`}}` give literal braces."""
    return fill(template, lambda name: lookup(scope, name), show)


class StepKind(enum.StrEnum):
    SAY = "say"
    ASK = "ask"
    SECRET = "secret"
    CONFIRM = "confirm"
    ACTION = "action"
    CALL = "call"
    GOTO = "goto"
    END = "end"
    HANDOFF = "handoff"


# Steps that wait for the person: the only places a loop may pass without spinning.
PROMPT_KINDS = frozenset({StepKind.ASK, StepKind.SECRET, StepKind.CONFIRM})
TERMINAL_KINDS = frozenset({StepKind.END, StepKind.HANDOFF, StepKind.GOTO})


class AnswerType(enum.StrEnum):
    TEXT = "text"
    CHOICE = "choice"
    YES_NO = "yes_no"
    NUMBER = "number"


@dataclass(frozen=True, slots=True)
class Transition:
    """`next` entry: go to `target` when `condition` holds (always when it is None)."""

    target: str
    condition: Expr | None
    location: Location


@dataclass(frozen=True, slots=True)
class Branch:
    """`on:` entry of an action or call step: an outcome and the step it leads to."""

    outcome: str
    target: str
    location: Location


@dataclass(frozen=True, slots=True)
class ValidatorUse:
    name: str
    options: Mapping[str, object]
    location: Location


@dataclass(frozen=True, slots=True)
class Choice:
    id: str
    message: Message


@dataclass(frozen=True, slots=True)
class Picture:
    """An illustration a step shows where a channel can (the web chat), with its alt text."""

    name: str
    alt: Message


@dataclass(frozen=True, slots=True)
class Binding:
    """`with:` entry of an action step: input name and the expression giving its value."""

    name: str
    expr: Expr
    location: Location


@dataclass(frozen=True, kw_only=True)
class Step:
    id: str
    kind: StepKind
    location: Location
    message: Message | None = None
    help: Message | None = None
    next: tuple[Transition, ...] = ()
    events: tuple[Branch, ...] = ()
    picture: Picture | None = None

    def messages(self) -> tuple[Message, ...]:
        """Every text of the step (for catalogs and lint)."""
        alt = self.picture.alt if self.picture else None
        return tuple(m for m in (self.message, self.help, alt) if m is not None)

    def targets(self) -> tuple[tuple[str, Location], ...]:
        """Step ids this step can jump to explicitly (not counting the following step)."""
        return tuple((t.target, t.location) for t in self.next) + tuple(
            (b.target, b.location) for b in self.events
        )


@dataclass(frozen=True, kw_only=True)
class PromptStep(Step):
    """A step that waits for the person, with a retry limit and a place to go after it."""

    retries: int = DEFAULT_RETRIES
    on_fail: str | None = None
    on_fail_location: Location | None = None
    invalid: Message | None = None

    def messages(self) -> tuple[Message, ...]:
        extra = (self.invalid,) if self.invalid else ()
        return Step.messages(self) + extra

    def targets(self) -> tuple[tuple[str, Location], ...]:
        fail = ((self.on_fail, self.on_fail_location or self.location),) if self.on_fail else ()
        return Step.targets(self) + fail


@dataclass(frozen=True, kw_only=True)
class SayStep(Step):
    pass


@dataclass(frozen=True, kw_only=True)
class AskStep(PromptStep):
    answer: AnswerType = AnswerType.TEXT
    choices: tuple[Choice, ...] = ()
    save_as: str
    validators: tuple[ValidatorUse, ...] = ()

    def messages(self) -> tuple[Message, ...]:
        return PromptStep.messages(self) + tuple(c.message for c in self.choices)


@dataclass(frozen=True, kw_only=True)
class SecretStep(PromptStep):
    secret_kind: SecretKind
    save_as: str
    validators: tuple[ValidatorUse, ...] = ()
    same_as: str | None = None
    mismatch: Message | None = None

    def messages(self) -> tuple[Message, ...]:
        extra = (self.mismatch,) if self.mismatch else ()
        return PromptStep.messages(self) + extra


@dataclass(frozen=True, kw_only=True)
class ConfirmStep(PromptStep):
    """A dangerous step's gate: the person types `phrase`, or the last digits of a value."""

    phrase: str | None = None
    digits_of: str | None = None
    digits_count: int = 0
    decline: str | None = None
    decline_location: Location | None = None

    def targets(self) -> tuple[tuple[str, Location], ...]:
        if self.decline is None:
            return PromptStep.targets(self)
        return (*PromptStep.targets(self), (self.decline, self.decline_location or self.location))


@dataclass(frozen=True, kw_only=True)
class ActionStep(Step):
    action: str
    action_location: Location
    inputs: tuple[Binding, ...] = ()
    save_as: str
    on: tuple[Branch, ...] = ()

    def targets(self) -> tuple[tuple[str, Location], ...]:
        return Step.targets(self) + tuple((b.target, b.location) for b in self.on)


@dataclass(frozen=True, kw_only=True)
class CallStep(Step):
    flow: str
    flow_location: Location
    save_as: str
    on: tuple[Branch, ...] = ()

    def targets(self) -> tuple[tuple[str, Location], ...]:
        return Step.targets(self) + tuple((b.target, b.location) for b in self.on)


@dataclass(frozen=True, kw_only=True)
class GotoStep(Step):
    flow: str
    flow_location: Location


@dataclass(frozen=True, kw_only=True)
class EndStep(Step):
    outcome: str


@dataclass(frozen=True, kw_only=True)
class HandoffStep(Step):
    pass


@dataclass(frozen=True)
class Flow:
    name: str
    location: Location
    steps: tuple[Step, ...]
    channels: frozenset[str] = LOCAL_CHANNELS
    inputs: tuple[str, ...] = ()
    title: Message | None = None
    _index: dict[str, int] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._index.update({step.id: i for i, step in enumerate(self.steps)})

    @property
    def local_only(self) -> bool:
        return self.channels <= LOCAL_CHANNELS

    def step(self, step_id: str) -> Step | None:
        index = self._index.get(step_id)
        return None if index is None else self.steps[index]

    def following(self, step_id: str) -> Step | None:
        """The step written after `step_id`: where `next` goes by default."""
        index = self._index[step_id] + 1
        return self.steps[index] if index < len(self.steps) else None

    def secret_names(self) -> frozenset[str]:
        return frozenset(s.save_as for s in self.steps if isinstance(s, SecretStep))

    def messages(self) -> tuple[Message, ...]:
        title = (self.title,) if self.title else ()
        return title + tuple(m for step in self.steps for m in step.messages())
