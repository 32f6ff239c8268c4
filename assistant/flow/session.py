"""One conversation, advanced one turn at a time, independent of any channel.

`start()` runs the root flow up to its first question; `handle(text_or_event)` takes
the person's reply and runs on to the next question, returning typed outputs. Repair
words (geri, iptal, yardım, baştan, operatör, dil, and their English forms) work at every
prompt. The state that survives a restart (`to_state()`) is plain JSON without secrets:
a secret typed at a secret step lives only in `Secret` objects in memory, is handed to
the next action that names it and wiped right after; if the process died in between, the
session asks for it again instead of pretending to have it.

The engine core is a generator that yields `ActionCall`s and receives their results, so
the same code serves `handle()` (sync; async actions run on a private event loop) and
`ahandle()` (awaits async actions inside the caller's loop).
"""

from __future__ import annotations

import asyncio
import copy
import enum
import inspect
import logging
import uuid
from collections.abc import Awaitable, Callable, Generator, Mapping
from dataclasses import dataclass
from typing import Any

from assistant.flow.actions import ActionResult, ActionSpec, Registry
from assistant.flow.expr import lookup
from assistant.flow.model import (
    LOCAL_CHANNELS,
    ActionStep,
    AnswerType,
    AskStep,
    Branch,
    CallStep,
    ConfirmStep,
    EndStep,
    Flow,
    GotoStep,
    HandoffStep,
    PromptStep,
    SayStep,
    SecretStep,
    Step,
    placeholders,
    render,
)
from assistant.flow.outputs import (
    Event,
    Output,
    OutputChoice,
    OutputKind,
    Translator,
    source_text,
)
from assistant.flow.texts import ENGINE_TEXTS
from assistant.flow.validators import VALIDATORS, Rejection, parse_number
from assistant.flow.vocabulary import LANGUAGES, Repair, language_of, repair_of, yes_no
from assistant.i18n.formatting import format_value
from assistant.i18n.matching import ascii_fold, same
from assistant.secret import MASK, Secret

_log = logging.getLogger(__name__)

# A turn that runs more steps than this without a prompt is a bug in a flow (lint's
# busy-loop check should have caught it); stop instead of spinning.
MAX_STEPS_PER_TURN = 500
STATE_VERSION = 1

JSON = Any  # values of the context: str, int, float, bool, None, lists and dicts of them


class FlowRuntimeError(RuntimeError):
    """A flow or action misbehaved at run time (never caused by what a person typed)."""


@dataclass(frozen=True, slots=True)
class ActionCall:
    spec: ActionSpec
    inputs: Mapping[str, object]


@dataclass(frozen=True, slots=True)
class TranscriptEntry:
    role: str  # "user" | "assistant"
    kind: str
    message_id: str
    text: str


Turn = Generator[ActionCall, ActionResult, None]


class Session:
    def __init__(
        self,
        flows: Mapping[str, Flow],
        registry: Registry,
        root: str,
        *,
        session_id: str | None = None,
        language: str = "tr",
        channel: str = "terminal",
        translator: Translator = source_text,
        context: Mapping[str, JSON] | None = None,
    ) -> None:
        if root not in flows:
            raise KeyError(f"no flow {root!r}")
        self.flows = flows
        self.registry = registry
        self.root = root
        self.id = session_id or uuid.uuid4().hex
        self.language = language
        self.channel = channel
        self.translator = translator
        self.context: dict[str, JSON] = dict(context or {})
        self.stack: list[list[str]] = []  # [flow, step] frames; callers wait at their call step
        self.attempts = 0
        self.history: list[dict[str, JSON]] = []
        self.pending: str | None = None  # "cancel" | "language" while that question is open
        self.progressed = False
        self.ended = False
        self.outcome: str | None = None
        self.transcript: list[TranscriptEntry] = []
        self._secrets: dict[str, Secret] = {}
        self._out: list[Output] = []
        self._loop: asyncio.AbstractEventLoop | None = None

    # ---- public API ------------------------------------------------------------------
    def start(self) -> list[Output]:
        """Begin the root flow and run to its first question."""
        return self._drive(self._start())

    def handle(self, reply: str | Event) -> list[Output]:
        """One turn: the person's reply (or an event), answered with the next outputs."""
        return self._drive(self._turn(reply))

    async def astart(self) -> list[Output]:
        return await self._adrive(self._start())

    async def ahandle(self, reply: str | Event) -> list[Output]:
        return await self._adrive(self._turn(reply))

    def resume(self) -> list[Output]:
        """After a restore or a channel switch: say the current question again."""
        return self._drive(self._resume())

    @property
    def flow(self) -> Flow:
        return self.flows[self.stack[-1][0]]

    @property
    def step_id(self) -> str:
        return self.stack[-1][1]

    def secret_names(self) -> frozenset[str]:
        """Names of the secrets held right now (for tests; the values stay hidden)."""
        return frozenset(self._secrets)

    def close(self) -> None:
        """Wipe every secret held and release the private event loop."""
        self._wipe_secrets(set(self._secrets))
        if self._loop is not None:
            self._loop.close()
            self._loop = None

    # ---- state -----------------------------------------------------------------------
    def to_state(self) -> dict[str, JSON]:
        """Everything needed to resume, as JSON-ready data. Never contains a secret."""
        return {
            "version": STATE_VERSION,
            "id": self.id,
            "root": self.root,
            "language": self.language,
            "channel": self.channel,
            "context": copy.deepcopy(self.context),
            "stack": copy.deepcopy(self.stack),
            "attempts": self.attempts,
            "history": copy.deepcopy(self.history),
            "pending": self.pending,
            "progressed": self.progressed,
            "ended": self.ended,
            "outcome": self.outcome,
        }

    @classmethod
    def from_state(
        cls,
        state: Mapping[str, JSON],
        flows: Mapping[str, Flow],
        registry: Registry,
        *,
        translator: Translator = source_text,
    ) -> Session:
        if state.get("version") != STATE_VERSION:
            raise ValueError(f"unsupported session state version {state.get('version')!r}")
        session = cls(
            flows,
            registry,
            state["root"],
            session_id=state["id"],
            language=state["language"],
            channel=state["channel"],
            translator=translator,
            context=state["context"],
        )
        session.stack = [list(frame) for frame in state["stack"]]
        session.attempts = state["attempts"]
        session.history = list(state["history"])
        session.pending = state["pending"]
        session.progressed = state["progressed"]
        session.ended = state["ended"]
        session.outcome = state["outcome"]
        for flow_name, step_id in session.stack:
            if flow_name not in flows or flows[flow_name].step(step_id) is None:
                raise ValueError(f"saved step {flow_name}.{step_id} no longer exists")
        return session

    # ---- drivers ---------------------------------------------------------------------
    def _drive(self, turn: Turn) -> list[Output]:
        self._out = []
        try:
            call = next(turn)
            while True:
                result = call.spec.fn(**call.inputs)
                if inspect.isawaitable(result):
                    result = self._event_loop().run_until_complete(_awaited(result))
                call = turn.send(call.spec.check(result))
        except StopIteration:
            pass
        finally:
            turn.close()  # on an action's exception: the step's `finally` wipes its secrets
        return self._flush()

    async def _adrive(self, turn: Turn) -> list[Output]:
        self._out = []
        try:
            call = next(turn)
            while True:
                result = call.spec.fn(**call.inputs)
                if inspect.isawaitable(result):
                    result = await result
                call = turn.send(call.spec.check(result))
        except StopIteration:
            pass
        finally:
            turn.close()
        return self._flush()

    def _event_loop(self) -> asyncio.AbstractEventLoop:
        if self._loop is None:
            self._loop = asyncio.new_event_loop()
        return self._loop

    def _flush(self) -> list[Output]:
        out, self._out = self._out, []
        for output in out:
            self.transcript.append(
                TranscriptEntry("assistant", output.kind.value, output.message_id, output.text)
            )
        return out

    # ---- emitting --------------------------------------------------------------------
    def _shown(self, message_id: str, source: str) -> str:
        """A text as this person sees it (their language), without placeholders filled."""
        return self.translator(message_id, source, self.language)

    def _text(
        self, message_id: str, source: str, extra: Mapping[str, object] | None = None
    ) -> tuple[str, dict[str, str]]:
        template = self.translator(message_id, source, self.language)
        scope = {**self.context, **(extra or {}), "lang": self.language, "channel": self.channel}
        text = render(template, scope, lambda value: format_value(value, self.language))
        params = {}
        for name in placeholders(source):
            value = lookup(scope, name)
            params[name] = "" if value is None else str(value)
        return text, params

    def _emit(
        self,
        kind: OutputKind,
        message_id: str,
        source: str | None = None,
        *,
        choices: tuple[OutputChoice, ...] = (),
        secret_kind: str | None = None,
        outcome: str | None = None,
        params: Mapping[str, str] | None = None,
        extra: Mapping[str, object] | None = None,
    ) -> None:
        source = ENGINE_TEXTS[message_id] if source is None else source
        text, found = self._text(message_id, source, extra)
        self._out.append(
            Output(
                kind, message_id, text, {**found, **(params or {})}, choices, secret_kind, outcome
            )
        )

    def _say(self, message_id: str) -> None:
        self._emit(OutputKind.TEXT, message_id)

    def _prompt(self, step: Step) -> None:
        """Put the current question to the person (again)."""
        assert isinstance(step, PromptStep) and step.message is not None
        if isinstance(step, SecretStep) and self.channel not in LOCAL_CHANNELS:
            self._emit(OutputKind.HANDOFF, "engine.local_only")
            return
        message = step.message
        if isinstance(step, SecretStep):
            self._emit(
                OutputKind.SECRET_REQUEST,
                message.id,
                message.text,
                secret_kind=step.secret_kind.value,
            )
        elif isinstance(step, ConfirmStep):
            expected = {"phrase": step.phrase} if step.phrase else {"count": str(step.digits_count)}
            self._emit(OutputKind.CONFIRM_REQUEST, message.id, message.text, params=expected)
        elif isinstance(step, AskStep) and step.answer is AnswerType.CHOICE:
            choices = tuple(
                OutputChoice(c.id, self._text(c.message.id, c.message.text)[0])
                for c in step.choices
            )
            self._emit(OutputKind.CHOICE, message.id, message.text, choices=choices)
        elif isinstance(step, AskStep) and step.answer is AnswerType.YES_NO:
            self._emit(OutputKind.CHOICE, message.id, message.text, choices=self._yes_no())
        else:
            self._emit(OutputKind.QUESTION, message.id, message.text)

    def _yes_no(self) -> tuple[OutputChoice, ...]:
        yes = self._text("engine.yes", ENGINE_TEXTS["engine.yes"])[0]
        no = self._text("engine.no", ENGINE_TEXTS["engine.no"])[0]
        return (OutputChoice("yes", yes), OutputChoice("no", no))

    def _ask_cancel(self) -> None:
        self._emit(OutputKind.CHOICE, "engine.cancel_confirm", choices=self._yes_no())

    def _ask_language(self) -> None:
        choices = tuple(OutputChoice(code, name) for code, name in LANGUAGES.items())
        self._emit(OutputKind.LANGUAGE_REQUEST, "engine.language", choices=choices)

    # ---- turns -----------------------------------------------------------------------
    def _allowed(self) -> bool:
        """Whether the current flow may run on this channel; says so when it may not."""
        if self.channel in self.flow.channels:
            return True
        self._emit(OutputKind.HANDOFF, "engine.local_only")
        return False

    def _start(self) -> Turn:
        self.stack = [[self.root, self.flows[self.root].steps[0].id]]
        yield from self._run()

    def _resume(self) -> Turn:
        if self.ended:
            self._emit(OutputKind.END, "engine.ended", outcome=self.outcome)
        elif not self.stack:
            yield from self._start()
        elif self.pending == "cancel":
            self._ask_cancel()
        elif self.pending == "language":
            self._ask_language()
        else:
            yield from self._run()

    def _turn(self, reply: str | Event) -> Turn:
        if self.ended:
            self._emit(OutputKind.END, "engine.ended", outcome=self.outcome)
            return
        if not self.stack:
            yield from self._start()
            return
        step = self._step()
        if isinstance(reply, Event):
            target = next((b.target for b in step.events if b.outcome == reply.name), None)
            if target is not None and self.pending is None and self._allowed():
                yield from self._continue(target)
            return
        hidden = isinstance(step, SecretStep) and self.pending is None
        self.transcript.append(
            TranscriptEntry("user", "secret" if hidden else "text", "", MASK if hidden else reply)
        )
        if self.pending is not None:
            self._pending_answer(reply)
            return
        repair = repair_of(reply)
        if repair is Repair.CANCEL and not isinstance(step, PromptStep):
            self._finish_session("cancelled", "engine.cancelled")
        elif not self._allowed():
            return
        elif not isinstance(step, PromptStep):
            yield from self._run()  # waiting at an action or call (e.g. channel): try again
        elif repair is not None:
            yield from self._repair(repair, step)
        else:
            yield from self._answer(step, reply)

    def _pending_answer(self, reply: str) -> None:
        if self.pending == "language":
            code = language_of(reply)
            if code is None:
                self._ask_language()
                return
            self.language = code
            self.pending = None
            self._prompt(self._step())
            return
        answer = yes_no(reply)
        if answer is None:
            self._say("engine.invalid_yes_no")
            self._ask_cancel()
            return
        self.pending = None
        if answer:
            self._finish_session("cancelled", "engine.cancelled")
        else:
            self._prompt(self._step())

    def _repair(self, repair: Repair, step: PromptStep) -> Turn:
        if repair is Repair.HELP:
            if step.help is not None:
                self._emit(OutputKind.TEXT, step.help.id, step.help.text)
            self._say("engine.help")
            self._prompt(step)
        elif repair is Repair.BACK:
            self._back()
        elif repair is Repair.CANCEL:
            if self.progressed:
                self.pending = "cancel"
                self._ask_cancel()
            else:
                self._finish_session("cancelled", "engine.cancelled")
        elif repair is Repair.RESTART:
            self._wipe_secrets(set(self._secrets))
            self.context, self.history, self.attempts, self.progressed = {}, [], 0, False
            self._say("engine.restart")
            yield from self._start()
        elif repair is Repair.HANDOFF:
            self._emit(OutputKind.HANDOFF, "engine.handoff")
            self._prompt(step)
        else:
            self.pending = "language"
            self._ask_language()

    def _back(self) -> None:
        if not self.history:
            self._say("engine.no_back")
            self._prompt(self._step())
            return
        entry = self.history.pop()
        self.stack = [list(frame) for frame in entry["stack"]]
        self.context = entry["context"]
        self._wipe_secrets(set(self._secrets) - set(entry["secrets"]))
        self.attempts = 0
        self._prompt(self._step())

    # ---- answering prompts -----------------------------------------------------------
    def _answer(self, step: PromptStep, reply: str) -> Turn:
        if isinstance(step, SecretStep) and self.channel not in LOCAL_CHANNELS:
            self._emit(OutputKind.HANDOFF, "engine.local_only")  # dropped unread
            return
        snapshot = {
            "stack": copy.deepcopy(self.stack),
            "context": copy.deepcopy(self.context),
            "secrets": sorted(self._secrets),
        }
        if isinstance(step, AskStep):
            verdict = self._accept_ask(step, reply)
        elif isinstance(step, SecretStep):
            verdict = self._accept_secret(step, reply)
        else:
            assert isinstance(step, ConfirmStep)
            verdict = self._accept_confirm(step, reply)
        if verdict is _Verdict.RETRY:
            yield from self._retry(step)
        elif verdict is _Verdict.DECLINE:
            assert isinstance(step, ConfirmStep)
            self.attempts = 0
            if step.decline is not None:
                yield from self._continue(step.decline)
            else:
                self._end_flow("cancelled")
                yield from self._run()
        elif verdict is _Verdict.ACCEPT:
            self.history.append(snapshot)
            self.progressed = True
            self.attempts = 0
            yield from self._continue(self._next_of(step))

    def _reject(self, rejection: Rejection | None, step: PromptStep, default: str) -> None:
        if rejection is not None:
            self._emit(
                OutputKind.TEXT, rejection.message_id, rejection.text, extra=rejection.params
            )
        elif step.invalid is not None:
            self._emit(OutputKind.TEXT, step.invalid.id, step.invalid.text)
        else:
            self._say(default)

    @staticmethod
    def _validate(step: AskStep | SecretStep, value: str) -> Rejection | None:
        for use in step.validators:
            rejection = VALIDATORS[use.name](value, use.options)
            if rejection is not None:
                return rejection
        return None

    def _accept_ask(self, step: AskStep, reply: str) -> _Verdict:
        value: JSON
        rejection: Rejection | None = None
        default = "engine.invalid"
        if step.answer is AnswerType.CHOICE:
            value, default = _pick(step, reply, self._shown), "engine.invalid_choice"
        elif step.answer is AnswerType.YES_NO:
            value, default = yes_no(reply), "engine.invalid_yes_no"
        elif step.answer is AnswerType.NUMBER:
            value = parse_number(reply)
            rejection = VALIDATORS["number"](reply, {}) or self._validate(step, reply.strip())
        else:
            value = " ".join(reply.split()) or None
            rejection = self._validate(step, value) if value else None
        if value is None or rejection is not None:
            self._reject(rejection, step, default)
            return _Verdict.RETRY
        self.context[step.save_as] = value
        return _Verdict.ACCEPT

    def _accept_secret(self, step: SecretStep, reply: str) -> _Verdict:
        value = reply.strip()
        rejection = self._validate(step, value) if value else None
        if not value or rejection is not None:
            self._reject(rejection, step, "engine.invalid")
            return _Verdict.RETRY
        secret = Secret(value, step.secret_kind)
        if step.same_as is None:
            self._wipe_secrets({step.save_as})
            self._secrets[step.save_as] = secret
            return _Verdict.ACCEPT
        first = self._secrets.get(step.same_as)
        with secret:  # the repeat is only compared, never kept
            if first is not None and first.matches(secret):
                return _Verdict.ACCEPT
        # Mismatch (or the first entry is gone): ask for both again, from the first one.
        self._wipe_secrets({step.same_as})
        if step.mismatch is not None:
            self._emit(OutputKind.TEXT, step.mismatch.id, step.mismatch.text)
        else:
            self._say("engine.mismatch")
        self.attempts = 0
        self._set_step(self._collector(step.same_as) or step.id)
        self._prompt(self._step())
        return _Verdict.HANDLED

    def _accept_confirm(self, step: ConfirmStep, reply: str) -> _Verdict:
        if step.phrase is not None:
            if same(reply, step.phrase):
                return _Verdict.ACCEPT
        else:
            # Card serials are often hex: the tail is compared on letters and digits alike.
            source = lookup(self.context, step.digits_of or "")
            tail = "".join(ch for ch in str(source or "") if ch.isalnum()).casefold()
            typed = "".join(ch for ch in reply if ch.isalnum()).casefold()
            if len(tail) >= step.digits_count and typed == tail[-step.digits_count :]:
                return _Verdict.ACCEPT
        if yes_no(reply) is False:
            return _Verdict.DECLINE
        self._reject(None, step, "engine.confirm_mismatch")
        return _Verdict.RETRY

    def _retry(self, step: PromptStep) -> Turn:
        self.attempts += 1
        if self.attempts < step.retries:
            self._prompt(step)
            return
        self.attempts = 0
        self._say("engine.too_many_tries")
        if step.on_fail is not None:
            yield from self._continue(step.on_fail)
        else:
            self._end_flow("failed")
            yield from self._run()

    # ---- running steps ---------------------------------------------------------------
    def _step(self) -> Step:
        step = self.flow.step(self.step_id)
        assert step is not None
        return step

    def _set_step(self, step_id: str) -> None:
        self.stack[-1][1] = step_id

    def _collector(self, secret_name: str) -> str | None:
        """The step of the current flow that asks for the secret saved as `secret_name`."""
        for step in self.flow.steps:
            if isinstance(step, SecretStep) and step.save_as == secret_name:
                return step.id
        return None

    def _continue(self, target: str | None) -> Turn:
        self.attempts = 0
        if target is None:
            self._end_flow("ok")
        else:
            self._set_step(target)
        yield from self._run()

    def _next_of(
        self, step: Step, outcome: str | None = None, branches: tuple[Branch, ...] = ()
    ) -> str | None:
        """Where to go after `step` completed (graph.py documents the same rules)."""
        for branch in branches:
            if branch.outcome == outcome:
                return branch.target
        scope = {**self.context, "lang": self.language, "channel": self.channel}
        for transition in step.next:
            if transition.condition is None or transition.condition.evaluate(scope):
                return transition.target
        following = self.flow.following(step.id)
        return following.id if following else None

    def _run(self) -> Turn:
        """Run steps from the current one until one waits for the person."""
        for _ in range(MAX_STEPS_PER_TURN):
            if self.ended or not self._allowed():
                return
            step = self._step()
            if isinstance(step, PromptStep):
                self._prompt(step)
                return
            target = yield from self._execute(step)
            if target is _WAIT:
                return
            if target is not _MOVED:
                assert target is None or isinstance(target, str)
                if target is None:
                    self._end_flow("ok")
                else:
                    self._set_step(target)
        raise FlowRuntimeError(
            f"{self.flow.name}.{self.step_id}: {MAX_STEPS_PER_TURN} steps without a question"
        )

    def _execute(self, step: Step) -> Generator[ActionCall, ActionResult, object]:
        """Run one non-prompt step; the next step id, None (end of flow), _MOVED or _WAIT."""
        if isinstance(step, SayStep):
            assert step.message is not None
            self._emit(OutputKind.TEXT, step.message.id, step.message.text)
            return self._next_of(step)
        if isinstance(step, ActionStep):
            return (yield from self._action(step))
        if step.message is not None:
            kind = OutputKind.HANDOFF if isinstance(step, HandoffStep) else OutputKind.TEXT
            self._emit(kind, step.message.id, step.message.text)
        if isinstance(step, CallStep):
            self.stack.append([step.flow, self.flows[step.flow].steps[0].id])
        elif isinstance(step, GotoStep):
            self.stack[-1] = [step.flow, self.flows[step.flow].steps[0].id]
        elif isinstance(step, EndStep):
            self._end_flow(step.outcome)
        else:
            assert isinstance(step, HandoffStep)
            self._finish_session("handoff", None)
        return _MOVED

    def _action(self, step: ActionStep) -> Generator[ActionCall, ActionResult, object]:
        spec = self.registry.get(step.action)
        if spec is None:
            raise FlowRuntimeError(f"{self.flow.name}.{step.id}: no action {step.action!r}")
        if spec.local_only and self.channel not in LOCAL_CHANNELS:
            self._emit(OutputKind.HANDOFF, "engine.local_only")
            return _WAIT
        scope = {**self.context, "lang": self.language, "channel": self.channel}
        inputs: dict[str, object] = {}
        used: set[str] = set()
        for binding in step.inputs:
            if spec.inputs.get(binding.name) is Secret:
                (name,) = binding.expr.names()
                if name not in self._secrets:  # lost in a restart or by going back
                    self._say("engine.secret_again")
                    self._set_step(self._collector(name) or step.id)
                    self._prompt(self._step())
                    return _WAIT
                inputs[binding.name] = self._secrets[name]
                used.add(name)
            else:
                inputs[binding.name] = binding.expr.evaluate(scope)
        if step.message is not None:
            self._emit(OutputKind.PROGRESS, step.message.id, step.message.text)
        try:
            result = yield ActionCall(spec, inputs)
        finally:
            self._wipe_secrets(used)  # handed over once, then gone
        self.context[step.save_as] = {"outcome": result.outcome, **result.outputs}
        # One line per action for the helpdesk: ids and the action's own machine-readable
        # `problem` (outputs never hold a secret; nothing the person typed is named here).
        problem = result.outputs.get("problem")
        _log.info(
            "flow=%s step=%s action=%s outcome=%s%s",
            self.flow.name,
            step.id,
            step.action,
            result.outcome,
            f" problem={problem}" if problem else "",
        )
        self.history.clear()  # an action cannot be undone: no going back past it
        self.progressed = True
        return self._next_of(step, result.outcome, step.on)

    def _end_flow(self, outcome: str) -> None:
        """Leave the current flow with `outcome`, returning into the caller if any."""
        while True:
            self.stack.pop()
            if not self.stack:
                self._finish_session(outcome, None)
                return
            call = self._step()
            assert isinstance(call, CallStep)
            self.context[call.save_as] = {"outcome": outcome}
            target = self._next_of(call, outcome, call.on)
            if target is not None:
                self._set_step(target)
                return
            outcome = "ok"  # the caller itself ran off its end

    def _finish_session(self, outcome: str, message_id: str | None) -> None:
        if message_id is not None:
            self._say(message_id)
        self.ended = True
        self.outcome = outcome
        self.pending = None
        self._wipe_secrets(set(self._secrets))
        self._emit(OutputKind.END, "engine.ended", outcome=outcome)

    def _wipe_secrets(self, names: set[str]) -> None:
        for name in names:
            secret = self._secrets.pop(name, None)
            if secret is not None:
                secret.wipe()


class _Verdict(enum.Enum):
    ACCEPT = "accept"
    RETRY = "retry"
    DECLINE = "decline"
    HANDLED = "handled"  # the answer moved the session itself


_WAIT = object()  # the step cannot run now (e.g. wrong channel); stay on it
_MOVED = object()  # the step changed the position itself (call, goto, end)


def _pick(step: AskStep, reply: str, translate: Callable[[str, str], str]) -> str | None:
    """The choice a reply names: its id, its text (source or shown) or its number."""
    folded = ascii_fold(reply)
    for index, choice in enumerate(step.choices, start=1):
        shown = translate(choice.message.id, choice.message.text)
        names = (choice.id, choice.message.text, shown, str(index))
        if folded in {ascii_fold(name) for name in names}:
            return choice.id
    return None


async def _awaited(awaitable: Awaitable[ActionResult]) -> ActionResult:
    return await awaitable
