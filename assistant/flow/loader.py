"""Read flow files (YAML) into `Flow` objects, explaining every mistake precisely.

Flows are edited by helpdesk staff, so an error must say where (file:line:col), what was
expected and what was found, in plain words, and suggest the likely intended key. The
YAML is composed (not constructed) with PyYAML so every node keeps its position; all
problems of a file are collected and raised together in one `FlowLoadError`. Whether
names refer to real steps, actions and flows is lint's job (lint.py), not the loader's.

The contract, whatever the bytes: a `Flow` or a `FlowLoadError` whose problems carry
file:line:col, never another exception. Files are UTF-8 (anything else is reported as
such, with a hint when it looks like Windows-1254), YAML 1.1's surprising number forms
(`0x10`, `0b11`, `010`, `1:30`) are refused rather than silently converted, and size,
nesting and number length have limits far above what a real flow needs.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, NotRequired, TypedDict, TypeVar

from assistant.flow import expr
from assistant.flow.model import (
    CHANNELS,
    DEFAULT_RETRIES,
    LOCAL_CHANNELS,
    ActionStep,
    AnswerType,
    AskStep,
    Binding,
    Branch,
    CallStep,
    Choice,
    ConfirmStep,
    EndStep,
    Flow,
    GotoStep,
    HandoffStep,
    Location,
    Message,
    Picture,
    Problem,
    SayStep,
    SecretStep,
    Step,
    StepKind,
    Transition,
    ValidatorUse,
)
from assistant.flow.validators import VALIDATORS
from assistant.secret import SecretKind

if TYPE_CHECKING:
    from yaml.nodes import Node

_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_STEP_ID = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_DOTTED = re.compile(r"^[A-Za-z_]\w*(?:\.\w+)*$")

# Limits: the largest shipped flow is ~15 KB and 7 levels deep.
MAX_FILE_BYTES = 256 * 1024
MAX_DEPTH = 32
MAX_DIGITS = 9
_PLAIN_INT = re.compile(r"-?(?:0|[1-9][0-9]*)")
# What YAML refuses in a file (PyYAML's own reader rule), found before YAML sees it so the
# problem can say where; lone surrogates are caught here too.
_UNREADABLE = re.compile(
    "[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
)
# What a text value may not hold once escapes such as "\x01" or "\ud800" are decoded.
_UNSHOWABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")

# A step's kind is the first of these keys it has; `say:` on other kinds is their text.
_KIND_ORDER = (
    StepKind.ASK,
    StepKind.SECRET,
    StepKind.CONFIRM,
    StepKind.ACTION,
    StepKind.CALL,
    StepKind.GOTO,
    StepKind.END,
    StepKind.HANDOFF,
    StepKind.SAY,
)
_COMMON_KEYS = {"id", "next", "help", "events", "picture"}
_PROMPT_KEYS = {"retries", "on_fail", "invalid"}
_STEP_KEYS: dict[StepKind, set[str]] = {
    StepKind.SAY: {"say"},
    StepKind.ASK: {"ask", "type", "choices", "save_as", "validate"} | _PROMPT_KEYS,
    StepKind.SECRET: {"secret", "kind", "save_as", "validate", "same_as", "mismatch"}
    | _PROMPT_KEYS,
    StepKind.CONFIRM: {"confirm", "phrase", "last_digits", "decline"} | _PROMPT_KEYS,
    StepKind.ACTION: {"action", "with", "save_as", "on", "say"},
    StepKind.CALL: {"call", "save_as", "on", "say"},
    StepKind.GOTO: {"goto", "say"},
    StepKind.END: {"end", "say"},
    StepKind.HANDOFF: {"handoff"},
}
_FLOW_KEYS = {"flow", "title", "description", "channels", "inputs", "steps"}


T = TypeVar("T")


class _Common(TypedDict):
    id: str
    kind: StepKind
    location: Location
    help: NotRequired[Message]
    next: NotRequired[tuple[Transition, ...]]
    events: NotRequired[tuple[Branch, ...]]
    picture: NotRequired[Picture]


class _Prompt(TypedDict, total=False):
    retries: int
    on_fail: str
    on_fail_location: Location
    invalid: Message


class FlowLoadError(Exception):
    """A flow file that cannot be used; `problems` lists every mistake found in it."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


class _InvalidError(Exception):
    """Abandon one element after recording its problem (the rest of the file still loads)."""


def describe(node: Node) -> str:
    """How a YAML value looks to a person reading the error."""
    from yaml.nodes import MappingNode, SequenceNode

    if isinstance(node, MappingNode):
        keys = ", ".join(str(k.value) for k, _ in node.value)
        return f"a block of keys ({keys})" if keys else "an empty block"
    if isinstance(node, SequenceNode):
        return "a list"
    if node.tag.endswith(":null"):
        return "nothing (the value is empty)"
    return _quote(str(node.value))


def _quote(value: str, limit: int = 60) -> str:
    """`repr` of a value from the file, shortened: a problem line stays one readable line."""
    return (
        repr(value) if len(value) <= limit else repr(value[:limit]) + f"… ({len(value)} characters)"
    )


class _Builder:
    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[Problem] = []

    # ---- plumbing -------------------------------------------------------------------
    def loc(self, node: Node) -> Location:
        mark = node.start_mark
        return Location(self.file, mark.line + 1, mark.column + 1)

    def problem(self, node: Node, code: str, message: str) -> _InvalidError:
        self.problems.append(Problem(code, message, self.loc(node)))
        return _InvalidError()

    def mapping(self, node: Node, what: str, allowed: set[str] | None = None) -> dict[str, Node]:
        """The entries of a mapping node; `allowed` None: the keys are the author's own
        names (outcomes, inputs, choice ids, options), any key is taken."""
        from yaml.nodes import MappingNode

        if not isinstance(node, MappingNode):
            raise self.problem(node, "schema", f"expected {what}, found {describe(node)}")
        result: dict[str, Node] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value)
            if key in result:
                first = self.loc(result[key])
                self.problem(
                    key_node, "schema", f"{key!r} appears twice (first at line {first.line})"
                )
                continue
            if allowed is not None and key not in allowed:
                self.problem(
                    key_node,
                    "schema",
                    f"unknown key {_quote(key)} in {what}; {_suggest(key, allowed)}",
                )
                continue
            result[key] = value_node
        return result

    def text(self, node: Node, what: str) -> str:
        from yaml.nodes import ScalarNode

        if not isinstance(node, ScalarNode) or node.tag.endswith(":null") or node.value == "":
            raise self.problem(node, "schema", f"expected {what}, found {describe(node)}")
        return str(node.value)

    def name(self, node: Node, what: str, pattern: re.Pattern[str] = _NAME) -> str:
        value = self.text(node, what)
        if not pattern.match(value):
            raise self.problem(
                node,
                "schema",
                f"expected {what} (letters, digits and _ only, no spaces), found {_quote(value)}",
            )
        return value

    def integer(self, node: Node, what: str, minimum: int) -> int:
        value = self.text(node, what)
        number = _plain_int(value) if node.tag.endswith(":int") else None
        if number is None or number < minimum:
            raise self.problem(
                node,
                "schema",
                f"expected {what} (a whole number ≥ {minimum}), found {_quote(value)}"
                + _number_hint(value),
            )
        return number

    def option(self, node: Node, what: str) -> object:
        """A validator option's value: a plain whole number, true/false, nothing or a text."""
        from yaml.nodes import ScalarNode

        if not isinstance(node, ScalarNode):
            raise self.problem(
                node, "schema", f"expected one value for {what}, found {describe(node)}"
            )
        value = str(node.value)
        if node.tag.endswith(":int"):
            number = _plain_int(value)
            if number is None:
                raise self.problem(
                    node,
                    "schema",
                    f"expected a whole number for {what}, found {_quote(value)}"
                    + _number_hint(value),
                )
            return number
        if node.tag.endswith(":bool"):
            return value.lower() in ("true", "yes", "on")
        if node.tag.endswith(":null"):
            return None
        return value

    def items(self, node: Node, what: str) -> list[Node]:
        from yaml.nodes import SequenceNode

        if not isinstance(node, SequenceNode):
            raise self.problem(
                node,
                "schema",
                f"expected {what} (a list, one '- ' line each), found {describe(node)}",
            )
        return list(node.value)

    def message(self, node: Node, message_id: str) -> Message:
        return Message(message_id, self.text(node, "a text to show"), self.loc(node))

    def condition(self, node: Node) -> expr.Expr:
        source = self.text(node, "a condition such as: status.tries_left > 1")
        try:
            return expr.parse(source)
        except expr.ExprError as error:
            quoted = 1 if getattr(node, "style", None) in ('"', "'") else 0
            mark = node.start_mark
            location = Location(self.file, mark.line + 1, mark.column + 1 + quoted + error.offset)
            self.problems.append(
                Problem("condition", f"this condition does not read: {error}", location)
            )
            raise _InvalidError() from error

    def attempt(self, *builders: Iterator[None]) -> None:
        for builder in builders:
            try:
                for _ in builder:
                    pass
            except _InvalidError:
                pass

    # ---- the flow -------------------------------------------------------------------
    def flow(self, root: Node) -> Flow:
        keys = self.mapping(
            root, "a flow (keys flow, steps and optionally title, channels, inputs)", _FLOW_KEYS
        )
        if "flow" not in keys:
            raise self.problem(root, "schema", "expected a 'flow:' key naming the flow, found none")
        if "steps" not in keys:
            raise self.problem(root, "schema", "expected a 'steps:' list, found none")
        name = self.name(keys["flow"], "a flow name such as pin_change")
        title = self.optional(keys, "title", lambda n: self.message(n, f"{name}.title"))
        channels = self.optional(keys, "channels", self.channels) or LOCAL_CHANNELS
        inputs = self.optional(keys, "inputs", self.input_names) or ()
        steps: list[Step] = []
        seen: dict[str, Location] = {}
        for node in self.items(keys["steps"], "the steps"):
            try:
                step = self.step(name, node)
            except _InvalidError:
                continue
            if step.id in seen:
                self.problems.append(
                    Problem(
                        "duplicate-step",
                        f"step id {step.id!r} is used twice (first at line {seen[step.id].line})",
                        step.location,
                    )
                )
                continue
            seen[step.id] = step.location
            steps.append(step)
        if not steps and not self.problems:
            raise self.problem(keys["steps"], "schema", "expected at least one step, found none")
        return Flow(name, self.loc(root), tuple(steps), frozenset(channels), tuple(inputs), title)

    def optional(self, keys: dict[str, Node], key: str, build: Callable[[Node], T]) -> T | None:
        if key not in keys:
            return None
        try:
            return build(keys[key])
        except _InvalidError:
            return None

    def channels(self, node: Node) -> frozenset[str]:
        names = set()
        for item in self.items(node, "the channels"):
            value = self.text(item, "a channel name")
            if value not in CHANNELS:
                raise self.problem(
                    item, "schema", f"unknown channel {value!r}; {_suggest(value, CHANNELS)}"
                )
            names.add(value)
        return frozenset(names)

    def input_names(self, node: Node) -> tuple[str, ...]:
        return tuple(self.name(i, "a context name") for i in self.items(node, "the inputs"))

    # ---- steps ----------------------------------------------------------------------
    def step_keys(self, node: Node) -> tuple[StepKind, dict[str, Node]]:
        """A step's kind and its keys, checked against what that kind takes."""
        from yaml.nodes import MappingNode

        if not isinstance(node, MappingNode):
            raise self.problem(
                node,
                "schema",
                "expected a step (a block with id: and a kind such as say: or ask:), "
                f"found {describe(node)}",
            )
        present = {str(k.value) for k, _ in node.value}
        kind = next((k for k in _KIND_ORDER if k.value in present), None)
        if kind is None:
            kinds = ", ".join(k.value for k in _KIND_ORDER)
            raise self.problem(
                node,
                "schema",
                f"expected a step kind ({kinds}), found only keys {', '.join(sorted(present))}",
            )
        article = "an" if kind.value[0] in "aeiou" else "a"
        return kind, self.mapping(
            node, f"{article} {kind.value} step", _STEP_KEYS[kind] | _COMMON_KEYS
        )

    def step(self, flow: str, node: Node) -> Step:
        kind, keys = self.step_keys(node)
        if "id" not in keys:
            raise self.problem(
                node, "schema", f"expected an 'id:' for this {kind.value} step, found none"
            )
        step_id = self.name(keys["id"], "a step id", _STEP_ID)
        mid = f"{flow}.{step_id}"
        common: _Common = {"id": step_id, "kind": kind, "location": self.loc(node)}
        self.attempt(self._common(keys, mid, common))
        body = keys[kind.value]
        match kind:
            case StepKind.SAY:
                return SayStep(message=self.message(body, mid), **common)
            case StepKind.HANDOFF:
                return HandoffStep(message=self.message(body, mid), **common)
            case StepKind.END:
                return self.end_step(keys, body, mid, common)
            case StepKind.GOTO:
                return GotoStep(
                    flow=self.name(body, "a flow name"),
                    flow_location=self.loc(body),
                    message=self.say(keys, mid),
                    **common,
                )
            case StepKind.CALL:
                return CallStep(
                    flow=self.name(body, "a flow name"),
                    flow_location=self.loc(body),
                    save_as=self.save_as(keys, step_id),
                    on=self.branches(keys.get("on")),
                    message=self.say(keys, mid),
                    **common,
                )
            case StepKind.ACTION:
                return ActionStep(
                    action=self.text(body, "an action name such as card.status"),
                    action_location=self.loc(body),
                    inputs=self.bindings(keys.get("with")),
                    save_as=self.save_as(keys, step_id),
                    on=self.branches(keys.get("on")),
                    message=self.say(keys, mid),
                    **common,
                )
        prompt = self.prompt(keys, mid)
        match kind:
            case StepKind.ASK:
                return self.ask_step(keys, body, mid, common, prompt)
            case StepKind.SECRET:
                return self.secret_step(keys, body, mid, common, prompt)
        return self.confirm_step(keys, body, mid, common, prompt)

    def _common(self, keys: dict[str, Node], mid: str, common: _Common) -> Iterator[None]:
        if "help" in keys:
            common["help"] = self.message(keys["help"], f"{mid}.help")
        yield
        if "next" in keys:
            common["next"] = self.transitions(keys["next"])
        yield
        if "events" in keys:
            common["events"] = self.branches(keys["events"])
        yield
        if "picture" in keys:
            picture = self.mapping(
                keys["picture"], "a picture (keys name and alt)", {"name", "alt"}
            )
            if set(picture) != {"name", "alt"}:
                raise self.problem(keys["picture"], "schema", "a picture needs name: and alt:")
            name = self.name(picture["name"], "a picture name")
            common["picture"] = Picture(name, self.message(picture["alt"], f"{mid}.picture"))

    def say(self, keys: dict[str, Node], mid: str) -> Message | None:
        return self.message(keys["say"], mid) if "say" in keys else None

    def save_as(self, keys: dict[str, Node], default: str) -> str:
        return self.name(keys["save_as"], "a context name") if "save_as" in keys else default

    def prompt(self, keys: dict[str, Node], mid: str) -> _Prompt:
        fields: _Prompt = {}
        if "retries" in keys:
            fields["retries"] = self.integer(keys["retries"], "the number of tries", 1)
        else:
            fields["retries"] = DEFAULT_RETRIES
        if "on_fail" in keys:
            fields["on_fail"] = self.name(keys["on_fail"], "a step id", _STEP_ID)
            fields["on_fail_location"] = self.loc(keys["on_fail"])
        if "invalid" in keys:
            fields["invalid"] = self.message(keys["invalid"], f"{mid}.invalid")
        return fields

    def end_step(self, keys: dict[str, Node], body: Node, mid: str, common: _Common) -> EndStep:
        outcome = (
            "ok" if body.tag.endswith(":null") else self.name(body, "an outcome name such as ok")
        )
        return EndStep(outcome=outcome, message=self.say(keys, mid), **common)

    def ask_step(
        self, keys: dict[str, Node], body: Node, mid: str, common: _Common, prompt: _Prompt
    ) -> AskStep:
        answer = AnswerType.TEXT
        if "type" in keys:
            value = self.text(keys["type"], "an answer type")
            if value not in AnswerType.__members__.values():
                raise self.problem(
                    keys["type"],
                    "schema",
                    f"unknown answer type {value!r}; "
                    + _suggest(value, {a.value for a in AnswerType}),
                )
            answer = AnswerType(value)
        choices: tuple[Choice, ...] = ()
        if answer is AnswerType.CHOICE:
            if "choices" not in keys:
                raise self.problem(
                    body, "schema", "expected 'choices:' for a 'type: choice' question, found none"
                )
            choices = self.choices(keys["choices"], mid)
        elif "choices" in keys:
            raise self.problem(
                keys["choices"],
                "schema",
                f"'choices:' needs 'type: choice', found type {answer.value!r}",
            )
        return AskStep(
            message=self.message(body, mid),
            answer=answer,
            choices=choices,
            save_as=self.save_as(keys, str(common["id"])),
            validators=self.validators(keys.get("validate")),
            **common,
            **prompt,
        )

    def secret_step(
        self, keys: dict[str, Node], body: Node, mid: str, common: _Common, prompt: _Prompt
    ) -> SecretStep:
        if "kind" not in keys:
            kinds = ", ".join(k.value for k in SecretKind)
            raise self.problem(
                body, "schema", f"expected 'kind:' ({kinds}) for a secret step, found none"
            )
        kind_value = self.text(keys["kind"], "a secret kind")
        if kind_value not in SecretKind.__members__.values():
            raise self.problem(
                keys["kind"],
                "schema",
                f"unknown secret kind {kind_value!r}; "
                + _suggest(kind_value, {k.value for k in SecretKind}),
            )
        same_as = self.name(keys["same_as"], "a secret name") if "same_as" in keys else None
        mismatch = self.message(keys["mismatch"], f"{mid}.mismatch") if "mismatch" in keys else None
        return SecretStep(
            message=self.message(body, mid),
            secret_kind=SecretKind(kind_value),
            save_as=self.save_as(keys, str(common["id"])),
            validators=self.validators(keys.get("validate")),
            same_as=same_as,
            mismatch=mismatch,
            **common,
            **prompt,
        )

    def confirm_step(
        self, keys: dict[str, Node], body: Node, mid: str, common: _Common, prompt: _Prompt
    ) -> ConfirmStep:
        if ("phrase" in keys) == ("last_digits" in keys):
            raise self.problem(
                body,
                "schema",
                "expected exactly one of 'phrase:' (a phrase to type, e.g. PIN DEĞİŞTİR) "
                "or 'last_digits:' for a confirm step",
            )
        phrase = digits_of = decline = None
        count = 0
        if "phrase" in keys:
            phrase = self.text(keys["phrase"], "a phrase to type")
        else:
            digits = self.mapping(
                keys["last_digits"], "last_digits (keys of and count)", {"of", "count"}
            )
            if "of" not in digits or "count" not in digits:
                raise self.problem(
                    keys["last_digits"],
                    "schema",
                    "expected both 'of:' (a context name) and 'count:' under last_digits",
                )
            digits_of = self.name(digits["of"], "a context name such as card.serial", _DOTTED)
            count = self.integer(digits["count"], "how many digits", 2)
        if "decline" in keys:
            decline = self.name(keys["decline"], "a step id", _STEP_ID)
        return ConfirmStep(
            message=self.message(body, mid),
            phrase=phrase,
            digits_of=digits_of,
            digits_count=count,
            decline=decline,
            decline_location=self.loc(keys["decline"]) if decline else None,
            **common,
            **prompt,
        )

    # ---- parts ----------------------------------------------------------------------
    def transitions(self, node: Node) -> tuple[Transition, ...]:
        from yaml.nodes import ScalarNode

        if isinstance(node, ScalarNode):
            return (Transition(self.name(node, "a step id", _STEP_ID), None, self.loc(node)),)
        result = []
        items = self.items(node, "a step id or a list of 'if:/then:' and 'else:' entries")
        for index, item in enumerate(items):
            keys = self.mapping(
                item, "a next entry (if: and then:, or else:)", {"if", "then", "else"}
            )
            if "else" in keys:
                if len(keys) > 1 or index != len(items) - 1:
                    raise self.problem(
                        item, "schema", "expected 'else:' alone, as the last entry of next"
                    )
                target = keys["else"]
                result.append(
                    Transition(self.name(target, "a step id", _STEP_ID), None, self.loc(target))
                )
                continue
            if "if" not in keys or "then" not in keys:
                raise self.problem(
                    item, "schema", f"expected both 'if:' and 'then:', found {describe(item)}"
                )
            condition = self.condition(keys["if"])
            result.append(
                Transition(
                    self.name(keys["then"], "a step id", _STEP_ID),
                    condition,
                    self.loc(keys["then"]),
                )
            )
        return tuple(result)

    def branches(self, node: Node | None) -> tuple[Branch, ...]:
        if node is None:
            return ()
        keys = self.mapping(node, "outcome: step lines")
        return tuple(
            Branch(outcome, self.name(target, "a step id", _STEP_ID), self.loc(target))
            for outcome, target in keys.items()
        )

    def bindings(self, node: Node | None) -> tuple[Binding, ...]:
        if node is None:
            return ()
        keys = self.mapping(node, "input: value lines")
        return tuple(
            Binding(name, self.condition(value), self.loc(value)) for name, value in keys.items()
        )

    def choices(self, node: Node, mid: str) -> tuple[Choice, ...]:
        keys = self.mapping(node, "choices as 'id: text' lines")
        result = []
        for choice_id, text in keys.items():
            if not _NAME.match(choice_id):
                raise self.problem(
                    text,
                    "schema",
                    f"expected a choice id (letters, digits, _), found {choice_id!r}",
                )
            result.append(Choice(choice_id, self.message(text, f"{mid}.choice.{choice_id}")))
        return tuple(result)

    def validators(self, node: Node | None) -> tuple[ValidatorUse, ...]:
        from yaml.nodes import MappingNode, ScalarNode

        if node is None:
            return ()
        items = (
            [node] if isinstance(node, ScalarNode | MappingNode) else self.items(node, "validators")
        )
        result = []
        for item in items:
            if isinstance(item, MappingNode):
                keys = self.mapping(item, "a validator with options", set(VALIDATORS))
                for name, options in keys.items():
                    values = self.mapping(options, f"options of {name}")
                    result.append(
                        ValidatorUse(
                            name,
                            {k: self.option(v, f"{name} {k}") for k, v in values.items()},
                            self.loc(options),
                        )
                    )
                continue
            name = self.text(item, "a validator name")
            if name not in VALIDATORS:
                raise self.problem(
                    item, "schema", f"unknown validator {name!r}; {_suggest(name, set(VALIDATORS))}"
                )
            result.append(ValidatorUse(name, {}, self.loc(item)))
        return tuple(result)


def _plain_int(value: str) -> int | None:
    """A whole number written the way a person means it: decimal digits, bounded length."""
    if _PLAIN_INT.fullmatch(value) and len(value.lstrip("-")) <= MAX_DIGITS:
        return int(value)
    return None


def _number_hint(value: str) -> str:
    """Why YAML 1.1 reads `value` as another number than it seems to say, if it does."""
    body = value.lstrip("+-").replace("_", "")
    if len(body) > MAX_DIGITS * 2:
        return f" (at most {MAX_DIGITS} digits)"
    try:
        if body[:2].lower() in ("0x", "0b"):
            form = "hexadecimal" if body[1] in "xX" else "binary"
            number = int(body[2:], 16 if form == "hexadecimal" else 2)
        elif ":" in body:
            form, number = "base-60", 0
            for part in body.split(":"):
                number = number * 60 + int(part)
        elif len(body) > 1 and body.startswith("0"):
            form, number = "octal", int(body, 8)
        elif "_" in value or value.startswith("+"):
            form, number = "", int(body)
        else:
            return ""
    except ValueError:
        return ""
    number = -number if value.startswith("-") else number
    return (
        f" (YAML 1.1 reads {value} as the {form} number {number}; write {number} if you mean it)"
        if form
        else f" (YAML 1.1 reads {value} as {number}; write {number})"
    )


def _suggest(found: str, allowed: Iterable[str]) -> str:
    options = sorted(allowed)
    close = difflib.get_close_matches(found, options, n=1)
    hint = f"did you mean {close[0]!r}? " if close else ""
    return f"{hint}expected one of: {', '.join(options)}"


def _position(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of character `offset` in `text`."""
    line_start = text.rfind("\n", 0, offset) + 1
    return text.count("\n", 0, offset) + 1, offset - line_start + 1


def decode(data: bytes, file: str) -> str:
    """The text of a flow file; FlowLoadError when it is too large or not UTF-8."""
    if len(data) > MAX_FILE_BYTES:
        raise FlowLoadError(
            [
                Problem(
                    "limit",
                    f"this file is larger than {MAX_FILE_BYTES // 1024} KiB, far more than a "
                    "flow needs; split it into several flows",
                    Location(file, 1, 1),
                )
            ]
        )
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise FlowLoadError(
            [
                Problem(
                    "encoding",
                    "this file is saved as UTF-16; save it as UTF-8",
                    Location(file, 1, 1),
                )
            ]
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        good = data[: error.start].decode("utf-8-sig", errors="replace")
        line, column = _position(good, len(good))
        turkish = data[error.start : error.start + 1].decode("cp1254", errors="replace")
        hint = "; it looks like Windows-1254 (Turkish)" if turkish in "çÇğĞıİöÖşŞüÜ" else ""
        problem = Problem(
            "encoding",
            f"this file is not UTF-8 text (byte 0x{data[error.start]:02x} here){hint}: "
            "save it as UTF-8",
            Location(file, line, column),
        )
        raise FlowLoadError([problem]) from None


def _unreadable(text: str, file: str) -> Problem | None:
    found = _UNREADABLE.search(text)
    if found is None:
        return None
    line, column = _position(text, found.start())
    char = ord(found.group())
    what = (
        "a broken character (a lone surrogate)"
        if 0xD800 <= char <= 0xDFFF
        else "a control character"
    )
    return Problem(
        "encoding",
        f"this file contains {what}, U+{char:04X}, which a flow file cannot hold; delete it",
        Location(file, line, column),
    )


def _check_tree(root: Node, file: str) -> list[Problem]:
    """Problems with the document's shape that the step builder must never meet: nesting
    deeper than MAX_DEPTH, aliases (they make a tree a graph, possibly a cycle), keys that
    are not plain words, and control characters that escapes put into a text."""
    from yaml.nodes import MappingNode, ScalarNode, SequenceNode

    problems: list[Problem] = []

    def add(node: Node, code: str, message: str) -> None:
        mark = node.start_mark
        problems.append(Problem(code, message, Location(file, mark.line + 1, mark.column + 1)))

    seen: set[int] = set()
    stack: list[tuple[Node, int]] = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        if id(node) in seen:
            add(
                node,
                "schema",
                "this value is used again through an alias (*name); flow files do not "
                "support anchors and aliases: write the value out each time",
            )
            continue
        seen.add(id(node))
        if depth > MAX_DEPTH:
            add(node, "limit", f"this is nested more than {MAX_DEPTH} levels deep")
            continue
        if isinstance(node, MappingNode):
            for key, value in node.value:
                if not isinstance(key, ScalarNode):
                    add(key, "schema", f"expected a key (a plain word), found {describe(key)}")
                    continue
                stack += [(key, depth + 1), (value, depth + 1)]
        elif isinstance(node, SequenceNode):
            stack += [(item, depth + 1) for item in node.value]
        elif found := _UNSHOWABLE.search(str(node.value)):
            add(
                node,
                "schema",
                f"this text holds the character U+{ord(found.group()):04X} (written as an "
                "escape), which cannot be shown; delete it",
            )
    # The walk runs last item first; report in file order.
    return sorted(problems, key=lambda p: (p.location.line, p.location.column))


def load_text(text: str, file: str = "<flow>") -> Flow:
    """Build one flow from YAML text; raises FlowLoadError listing every problem."""
    import yaml

    if len(text) > MAX_FILE_BYTES:
        decode(text.encode("utf-8", "surrogatepass"), file)  # raises the size problem
    if unreadable := _unreadable(text, file):
        raise FlowLoadError([unreadable])
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    builder = _Builder(file)
    try:
        root = yaml.compose(text, Loader=loader)
    except RecursionError:
        problem = Problem(
            "limit", f"this file is nested more than {MAX_DEPTH} levels deep", Location(file, 1, 1)
        )
        raise FlowLoadError([problem]) from None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        what = str(error.problem or "")
        if error.context and error.context_mark:
            start = error.context_mark
            at = f"line {start.line + 1}, column {start.column + 1}"
            what += f" ({error.context} that starts at {at})"
        problem = Problem("yaml", f"this is not valid YAML: {what}", Location(file, line, column))
        raise FlowLoadError([problem]) from None
    except yaml.YAMLError as error:
        problem = Problem("yaml", f"this is not valid YAML: {error}", Location(file, 1, 1))
        raise FlowLoadError([problem]) from None
    if root is None:
        raise FlowLoadError(
            [Problem("schema", "expected a flow, found an empty file", Location(file, 1, 1))]
        )
    if shape := _check_tree(root, file):
        raise FlowLoadError(shape)
    try:
        flow = builder.flow(root)
    except _InvalidError:
        flow = None
    if builder.problems or flow is None:
        raise FlowLoadError(builder.problems)
    return flow


def load_file(path: Path) -> Flow:
    with path.open("rb") as stream:
        data = stream.read(MAX_FILE_BYTES + 1)  # bounded: a FIFO or /dev/zero cannot hang us
    return load_text(decode(data, str(path)), str(path))


def flow_files(paths: Iterable[Path]) -> list[Path]:
    """The flow files among `paths`: files as given, directories' *.yaml sorted."""
    files: list[Path] = []
    for path in paths:
        files.extend(sorted(path.glob("*.yaml")) if path.is_dir() else [path])
    return files


def load_all(paths: Iterable[Path]) -> tuple[dict[str, Flow], list[Problem]]:
    """Load every flow under `paths`; broken files are reported, the rest still load."""
    flows: dict[str, Flow] = {}
    problems: list[Problem] = []
    for file in flow_files(paths):
        try:
            flow = load_file(file)
        except FlowLoadError as error:
            problems.extend(error.problems)
            continue
        except OSError as error:
            problems.append(
                Problem(
                    "io",
                    f"cannot read this file: {error.strerror or error}",
                    Location(str(file), 1, 1),
                )
            )
            continue
        if flow.name in flows:
            first = flows[flow.name].location
            problems.append(
                Problem(
                    "duplicate-flow",
                    f"flow name {flow.name!r} is already used in {first}",
                    flow.location,
                )
            )
            continue
        flows[flow.name] = flow
    return flows, problems
