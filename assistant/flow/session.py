"""One conversation, advanced one turn at a time, independent of any channel.

`start()` runs the root flow up to its first question; `handle(text_or_event)` takes
the person's reply and runs on to the next question, returning typed outputs. Repair
words (geri, iptal, yardım, baştan, operatör, dil, çıkış, in every shipped language) work
at every prompt; `iptal` inside a topic goes back to the root flow's start (the menu).
The state that survives a restart (`to_state()`) is plain JSON without secrets: a secret
typed at a secret step lives only in `Secret` objects in memory, is handed to the next
action that names it and wiped right after; if the process died in between, the session
asks for it again instead of pretending to have it.

A reply is interpreted here, once, after the session knows what the current step asks
for (`assistant.flow.replies` has the rules). At a secret step it becomes a `Secret`
before anything else looks at it, beyond checking whether it is exactly a repair word.
Elsewhere, what is kept of a reply is what was understood: a choice, yes/no, a number, an
accepted text; a reply that was not understood is kept as a mask, and one that looks like
a secret of this conversation (or a T.C. Kimlik No where none is asked) is neither used
nor kept, and the person is told that it need not be typed there. A T.C. Kimlik No
answered where one is asked is kept masked; its clear value stays in memory. A free-text
answer that no flow ever reads (the "type anything when the card is in" prompts) is not
kept at all: what nobody needs cannot leak.

Dangerous actions run only with the `Consent` the confirm step guarding them produced in
this conversation (never saved, single use, expiring); reached without it — a flow that
skips its confirm step, a resumed session, a `next:` that jumps past it — the action is
not called, the person is told, and the refusal is logged.

The engine core is a generator that yields `ActionCall`s and receives their results;
`handle()` runs each call and sends its checked result back. Where a step leads is
`graph.taken` (lint reads the same edges); repairs are the `vocabulary.REPAIRS` table;
the typed state is in `assistant.flow.state`. Every step run or answered is logged once
(logger `assistant.flow.session`, fields flow/step/kind/outcome/target), never with what
the person typed.
"""

from __future__ import annotations

import copy
import dataclasses
import enum
import logging
import time
import uuid
from collections.abc import Callable, Generator, Mapping
from dataclasses import dataclass

from assistant.flow import replies
from assistant.flow.actions import ActionContext, ActionResult, ActionSpec, Consent, Registry
from assistant.flow.expr import lookup
from assistant.flow.graph import Edge, edges, guarded_by, taken
from assistant.flow.model import (
    LOCAL_CHANNELS,
    ActionStep,
    AnswerType,
    AskStep,
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
)
from assistant.flow.outputs import (
    Event,
    Handoff,
    Output,
    OutputChoice,
    OutputKind,
    OutputPicture,
    Translator,
)
from assistant.flow.replies import SeenSecrets, parse_number
from assistant.flow.state import (
    JSON,
    MOVED,
    WAIT,
    Checkpoint,
    Continue,
    Frame,
    Pending,
    Snapshot,
    StepResult,
    Wait,
)
from assistant.flow.texts import ENGINE_TEXTS
from assistant.flow.validators import PERSONAL, VALIDATORS, Personal, Rejection
from assistant.flow.vocabulary import (
    LANGUAGES,
    REPAIRS,
    Asks,
    Repair,
    language_of,
    repair_of,
    yes_no,
)
from assistant.i18n import messages
from assistant.i18n.catalog import source_text
from assistant.i18n.matching import ascii_fold, same
from assistant.pki.tckn import mask_in_text
from assistant.secret import MASK, Secret, SecretKind

_log = logging.getLogger(__name__)

# A turn that runs more steps than this without a prompt is a bug in a flow (lint's
# busy-loop check should have caught it); stop instead of spinning.
MAX_STEPS_PER_TURN = 500
# Secrets typed as digits: a reply for them must be digits (Arabic-Indic ones are mapped).
DIGIT_SECRETS = frozenset({SecretKind.PIN, SecretKind.PUK, SecretKind.SMS_CODE})


class FlowRuntimeError(RuntimeError):
    """A flow or action misbehaved at run time (never caused by what a person typed)."""


@dataclass(frozen=True, slots=True)
class ActionCall:
    spec: ActionSpec
    inputs: Mapping[str, object]
    context: ActionContext


@dataclass(frozen=True, slots=True)
class TranscriptEntry:
    role: str  # "user" | "assistant"
    kind: str  # user lines: "text", "secret" (text is the mask), "masked" (not kept)
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
        card_serial: Callable[[], str | None] = lambda: None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """`card_serial` gives the token serial of the card in the reader (None: no card);
        a consent is bound to the card that was there when the person confirmed."""
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
        self.frames: list[Frame] = []  # callers wait at their call step
        self.attempts = 0
        self.history: list[Checkpoint] = []
        self.pending: Pending | None = None  # an engine question open on top of the step
        self.progressed = False
        self.ended = False
        self.outcome: str | None = None
        self.transcript: list[TranscriptEntry] = []
        self.masked: set[str] = set()  # context names holding a masked stand-in
        self.elsewhere: set[SecretKind] = set()  # secrets the person was told to type elsewhere
        self.action_context = ActionContext(self.id, channel, language)
        self._secrets: dict[str, Secret] = {}
        self._clear: dict[str, str] = {}  # clear values of `masked` names, memory only
        self._seen = SeenSecrets()
        self._consent: Consent | None = None
        self._card_serial = card_serial
        self._clock = clock
        self._guards: dict[tuple[str, str], frozenset[str]] = {}
        self._ways: dict[tuple[str, str], tuple[Edge, ...]] = {}  # graph.edges, per step
        self._reads: frozenset[str] | None = None
        self._out: list[Output] = []

    # ---- public API ------------------------------------------------------------------
    def start(self) -> list[Output]:
        """Begin the root flow and run to its first question."""
        return self._drive(self._start())

    def handle(self, reply: str | Event) -> list[Output]:
        """One turn: the person's reply (or an event), answered with the next outputs.

        Text the engine cannot read (a lone surrogate, a NUL, far too long) is refused
        here with a translated message and the same question; nothing of it is kept.
        """
        if isinstance(reply, Event):
            return self._drive(self._turn(reply))
        problem = replies.problem(reply)
        if problem is not None:
            return self._drive(self._refuse_text(problem))
        with replies.handling(reply):
            return self._drive(self._turn(reply))

    def resume(self) -> list[Output]:
        """After a restore or a channel switch: say the current question again."""
        return self._drive(self._resume())

    @property
    def flow(self) -> Flow:
        return self.flows[self.frames[-1].flow]

    @property
    def step_id(self) -> str:
        return self.frames[-1].step

    @property
    def position(self) -> str:
        """Where the session is, for log lines: `flow.step`, or how it ended."""
        if self.frames:
            return f"{self.frames[-1].flow}.{self.frames[-1].step}"
        return f"ended:{self.outcome}" if self.ended else "not started"

    def secret_names(self) -> frozenset[str]:
        """Names of the secrets held right now (for tests; the values stay hidden)."""
        return frozenset(self._secrets)

    def looks_secret(self, text: str) -> bool:
        """Whether a reply looks like a secret of this conversation: one typed at a secret
        step here before, or a PIN/PUK/SMS-shaped digit run (for whoever relays replies)."""
        return self._seen.seen_in(text) or replies.digit_run(text, self._digit_lengths())

    def close(self) -> None:
        """Wipe every secret and clear value held and let go of the portal login."""
        self._forget_all()

    def _forget_all(self) -> None:
        self._wipe_secrets(set(self._secrets))
        self._clear.clear()
        self._seen.forget()
        self._consent = None
        self.action_context.close()

    # ---- state -----------------------------------------------------------------------
    def snapshot(self) -> Snapshot:
        """What survives a restart. Never contains a secret."""
        return Snapshot(
            id=self.id,
            root=self.root,
            language=self.language,
            channel=self.channel,
            context=copy.deepcopy(self.context),
            frames=tuple(Frame(f.flow, f.step) for f in self.frames),
            attempts=self.attempts,
            history=tuple(self.history),
            pending=self.pending,
            progressed=self.progressed,
            ended=self.ended,
            outcome=self.outcome,
            masked=frozenset(self.masked),
            elsewhere=frozenset(kind.value for kind in self.elsewhere),
        )

    def to_state(self) -> dict[str, JSON]:
        """The snapshot as JSON-ready data (see `assistant.flow.state`)."""
        return self.snapshot().to_json()

    @classmethod
    def from_state(
        cls,
        state: Mapping[str, JSON],
        flows: Mapping[str, Flow],
        registry: Registry,
        *,
        translator: Translator = source_text,
        card_serial: Callable[[], str | None] = lambda: None,
    ) -> Session:
        """The session a `to_state()` described, by this release or an earlier one."""
        saved = Snapshot.from_json(state)
        session = cls(
            flows,
            registry,
            saved.root,
            session_id=saved.id,
            language=saved.language,
            channel=saved.channel,
            translator=translator,
            context=saved.context,
            card_serial=card_serial,
        )
        session.frames = [Frame(f.flow, f.step) for f in saved.frames]
        session.attempts = saved.attempts
        session.history = list(saved.history)
        session.pending = saved.pending
        session.progressed = saved.progressed
        session.ended = saved.ended
        session.outcome = saved.outcome
        session.masked = set(saved.masked)
        session.elsewhere = {SecretKind(kind) for kind in saved.elsewhere}
        for frame in session.frames:
            if frame.flow not in flows or flows[frame.flow].step(frame.step) is None:
                raise ValueError(f"saved step {frame.flow}.{frame.step} no longer exists")
        return session

    # ---- drivers ---------------------------------------------------------------------
    def _drive(self, turn: Turn) -> list[Output]:
        self._out = []
        try:
            call = next(turn)
            while True:
                result = call.spec.invoke(call.context, call.inputs)
                call = turn.send(call.spec.check(result))
        except StopIteration:
            pass
        finally:
            turn.close()  # on an action's exception: the step's `finally` wipes its secrets
        return self._flush()

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
        scope = {**self.context, **(extra or {}), "lang": self.language, "channel": self.channel}
        text = messages.text(
            message_id, source, self.language, lambda name: lookup(scope, name), self.translator
        )
        params = {}
        for name in messages.placeholders(source):
            params[name] = messages.plain(lookup(scope, name), self.language, self.translator)
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
            self._local_only()
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
            # A channel that can take a file (the web chat's picker) offers it here.
            wants_file = isinstance(step, AskStep) and any(
                use.name == "file_path" for use in step.validators
            )
            params = {"accepts": "file"} if wants_file else None
            self._emit(OutputKind.QUESTION, message.id, message.text, params=params)
        self._show_picture(step)

    def _show_picture(self, step: Step) -> None:
        """Put the step's picture, if any, on the output just emitted for it."""
        if step.picture is not None and self._out:
            alt = self._text(step.picture.alt.id, step.picture.alt.text)[0]
            picture = OutputPicture(step.picture.name, alt)
            self._out[-1] = dataclasses.replace(self._out[-1], picture=picture)

    def _yes_no(self) -> tuple[OutputChoice, ...]:
        yes = self._text("engine.yes", ENGINE_TEXTS["engine.yes"])[0]
        no = self._text("engine.no", ENGINE_TEXTS["engine.no"])[0]
        return (OutputChoice("yes", yes), OutputChoice("no", no))

    def _ask_pending(self) -> None:
        """Put the open engine question (leave? which language?) to the person."""
        if self.pending is Pending.LANGUAGE:
            choices = tuple(OutputChoice(code, name) for code, name in LANGUAGES.items())
            self._emit(OutputKind.LANGUAGE_REQUEST, "engine.language", choices=choices)
        else:
            question = (
                "engine.exit_confirm" if self.pending is Pending.EXIT else "engine.cancel_confirm"
            )
            self._emit(OutputKind.CHOICE, question, choices=self._yes_no())

    def _local_only(self) -> None:
        self._emit(OutputKind.HANDOFF, "engine.local_only", outcome=Handoff.LOCAL)

    # ---- turns -----------------------------------------------------------------------
    def _allowed(self) -> bool:
        """Whether the current flow may run on this channel; says so when it may not."""
        if self.channel in self.flow.channels:
            return True
        self._local_only()
        return False

    def _start(self) -> Turn:
        self.frames = [Frame(self.root, self.flows[self.root].steps[0].id)]
        yield from self._run()

    def _resume(self) -> Turn:
        if self.ended:
            self._emit(OutputKind.END, "engine.ended", outcome=self.outcome)
        elif not self.frames:
            yield from self._start()
        elif self.pending is not None:
            self._ask_pending()
        else:
            yield from self._run()

    def _refuse_text(self, problem: str) -> Turn:
        """Text that cannot be read: say so and ask the same question; keep nothing."""
        if self.ended:
            self._emit(OutputKind.END, "engine.ended", outcome=self.outcome)
            return
        self._say(problem)
        waiting = self.frames and self.pending is None and not isinstance(self._step(), PromptStep)
        if not waiting:  # at an action there is no question to repeat, nor to run it again
            yield from self._resume()

    def _turn(self, reply: str | Event) -> Turn:
        if self.ended:
            self._emit(OutputKind.END, "engine.ended", outcome=self.outcome)
            return
        if not self.frames:
            yield from self._start()
            return
        step = self._step()
        if isinstance(reply, Event):
            target = next((b.target for b in step.events if b.outcome == reply.name), None)
            if target is not None and self.pending is None and self._allowed():
                self._log_step(step, f"event:{reply.name}", target)
                yield from self._continue(target)
            return
        if self.pending is not None:
            yield from self._pending_answer(reply)
            return
        repair = repair_of(reply)  # a whole reply that is a repair word, nothing more
        if isinstance(step, SecretStep):
            self._keep(MASK, "secret")
        elif repair is not None:
            self._keep(reply)
        elif not isinstance(step, PromptStep):
            self._keep(MASK, "masked")  # nobody asked: not an answer to anything
        if repair is not None and REPAIRS[repair].anywhere and not isinstance(step, PromptStep):
            yield from self._repaired(repair, step)
        elif not self._allowed():
            return
        elif not isinstance(step, PromptStep):
            yield from self._run()  # waiting at an action or call (e.g. channel): try again
        elif repair is not None:
            yield from self._repair(repair, step)
        else:
            yield from self._answer(step, reply)

    def _pending_answer(self, reply: str) -> Turn:
        pending = self.pending
        assert pending is not None
        if pending is Pending.LANGUAGE:
            codes = tuple(LANGUAGES)
            index = replies.choice_number(reply, len(codes))
            code = codes[index - 1] if index is not None else language_of(reply)
            if code is None:
                self._unrecognised(reply)
                self._ask_pending()
                return
            self._keep(reply)
            self.language = self.action_context.language = code
            self.pending = None
            self._prompt(self._step())
            return
        answer = self._yes_no_answer(reply)
        if answer is None:
            if not self._unrecognised(reply):
                self._say("engine.invalid_yes_no")
            self._ask_pending()
            return
        self._keep(reply)
        repair, self.pending = Repair(pending.value), None
        if answer:
            yield from self._repaired(repair, self._step())
        else:
            self._prompt(self._step())

    def _repair(self, repair: Repair, step: PromptStep) -> Turn:
        """A repair word at a question: asked about first where the table says so."""
        self._log_step(step, f"repair:{repair.value}", None)
        asks = REPAIRS[repair].asks
        if asks is Asks.ALWAYS or (asks is Asks.AFTER_PROGRESS and self.progressed):
            self.pending = Pending(repair.value)
            self._ask_pending()
            return
        yield from self._repaired(repair, step)

    def _repaired(self, repair: Repair, step: Step) -> Turn:
        """What a repair does, once it is settled (asked and answered, where it asks)."""
        if repair is Repair.HELP:
            if step.help is not None:
                self._emit(OutputKind.TEXT, step.help.id, step.help.text)
            self._say("engine.help")
            self._prompt(step)
        elif repair is Repair.BACK:
            self._back()
        elif repair is Repair.CANCEL:
            yield from self._leave_topic()
        elif repair is Repair.EXIT:
            self._finish_session("exit", "engine.goodbye")
        elif repair is Repair.RESTART:
            self._say("engine.restart")
            yield from self._from_the_top()
        elif repair is Repair.HANDOFF:
            self._emit(OutputKind.HANDOFF, "engine.handoff", outcome=Handoff.OPERATOR)
            self._prompt(step)

    def _in_topic(self) -> bool:
        """Whether the person is inside a topic the root flow called (a menu to go back to)."""
        return len(self.frames) > 1

    def _leave_topic(self) -> Turn:
        """`iptal`: out of the topic, back to where the root flow starts (the menu); at
        the top, with no menu to go back to, the conversation ends."""
        if not self._in_topic():
            self._finish_session("cancelled", "engine.cancelled")
            return
        self._say("engine.cancelled")
        yield from self._from_the_top()

    def _from_the_top(self) -> Turn:
        """Start the root flow afresh: nothing typed or learnt so far is kept."""
        self._forget_all()
        self.context, self.history, self.attempts, self.progressed = {}, [], 0, False
        self.masked, self.elsewhere, self.pending = set(), set(), None
        yield from self._start()

    def _back(self) -> None:
        self._consent = None  # a confirmation is for the way forward it was given on
        if not self.history:
            self._say("engine.no_back")
            self._prompt(self._step())
            return
        entry = self.history.pop()
        self.frames = [Frame(f.flow, f.step) for f in entry.frames]
        self.context = copy.deepcopy(entry.context)
        self._wipe_secrets(set(self._secrets) - set(entry.secrets))
        self.attempts = 0
        self._prompt(self._step())

    # ---- keeping what was said -------------------------------------------------------
    def _keep(self, text: str, kind: str = "text") -> None:
        """What the transcript keeps of the person's reply (TC Kimlik No shapes masked)."""
        kept = text if kind != "text" else mask_in_text(text)
        self.transcript.append(TranscriptEntry("user", kind, "", kept))

    def _digit_lengths(self) -> range:
        told = self.elsewhere & DIGIT_SECRETS
        return replies.SECRET_DIGITS_ELSEWHERE if told else replies.SECRET_DIGITS

    def _misplaced(self, reply: str, tckn_expected: bool = False) -> str | None:
        """The notice for a reply that must not be used here: a secret, or a TC Kimlik
        No where none is asked; None for a reply that may be read as an answer."""
        if self.looks_secret(reply):
            return "engine.secret_here"
        if not tckn_expected and replies.tckn_shaped(reply):
            return "engine.tckn_here"
        return None

    def _unrecognised(self, reply: str) -> bool:
        """A reply a closed question could not read: kept as a mask, never verbatim. True
        (and the person gently told) when it looks like a secret; the caller says
        otherwise what was expected."""
        self._keep(MASK, "masked")
        notice = self._misplaced(reply)
        if notice is None and self.elsewhere:
            notice = "engine.secret_here"  # told to type a secret on the site: likely it
        if notice is not None:
            self._say(notice)
        return notice is not None

    # ---- answering prompts -----------------------------------------------------------
    def _answer(self, step: PromptStep, reply: str) -> Turn:
        if isinstance(step, SecretStep) and self.channel not in LOCAL_CHANNELS:
            self._local_only()  # dropped unread
            return
        # A shallow copy is enough: the context's values are replaced, never changed in
        # place (and `_back` copies them deeply before anything could).
        checkpoint = Checkpoint(
            tuple(Frame(f.flow, f.step) for f in self.frames),
            dict(self.context),
            tuple(sorted(self._secrets)),
        )
        if isinstance(step, AskStep):
            verdict = self._accept_ask(step, reply)
        elif isinstance(step, SecretStep):
            verdict = self._accept_secret(step, reply)
        else:
            assert isinstance(step, ConfirmStep)
            verdict = self._accept_confirm(step, reply)
        target = self._follow(step) if verdict is _Verdict.ACCEPT else None
        if verdict is _Verdict.DECLINE:
            target = step.decline if isinstance(step, ConfirmStep) else None
        self._log_step(step, verdict.value, target)
        if verdict is _Verdict.RETRY:
            yield from self._retry(step)
        elif verdict is _Verdict.AGAIN:
            self._prompt(step)
        elif verdict is _Verdict.DECLINE:
            assert isinstance(step, ConfirmStep)
            self.attempts = 0
            if step.decline is not None:
                yield from self._continue(step.decline)
            else:
                self._end_flow("cancelled")
                yield from self._run()
        elif verdict is _Verdict.ACCEPT:
            self.history.append(checkpoint)
            self.progressed = True
            self.attempts = 0
            if isinstance(step, ConfirmStep):
                self._grant(step)
            yield from self._continue(target)

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

    def _yes_no_answer(self, reply: str) -> bool | None:
        """Yes or no, typed as a word or as the number of the option shown (1 yes, 2 no)."""
        number = replies.choice_number(reply, 2)
        return number == 1 if number is not None else yes_no(reply)

    def _accept_ask(self, step: AskStep, reply: str) -> _Verdict:
        if step.answer in (AnswerType.CHOICE, AnswerType.YES_NO):
            value: JSON
            if step.answer is AnswerType.CHOICE:
                value, default = _pick(step, reply, self._shown), "engine.invalid_choice"
            else:
                value, default = self._yes_no_answer(reply), "engine.invalid_yes_no"
            if value is None:
                if self._unrecognised(reply):
                    return _Verdict.AGAIN
                self._reject(None, step, default)
                return _Verdict.RETRY
            self._keep(reply)
            self.context[step.save_as] = value
            return _Verdict.ACCEPT
        personal = next((PERSONAL[u.name] for u in step.validators if u.name in PERSONAL), None)
        notice = self._misplaced(reply, tckn_expected=personal is not None)
        if notice is not None:
            self._keep(MASK, "masked")
            self._say(notice)
            return _Verdict.AGAIN
        rejection: Rejection | None = None
        if step.answer is AnswerType.NUMBER:
            value = parse_number(reply)
            rejection = VALIDATORS["number"](reply, {}) or self._validate(step, reply.strip())
        else:
            value = " ".join(reply.split()) or None
            rejection = self._validate(step, value) if value else None
        if value is None or rejection is not None:
            self._keep(MASK, "masked")  # a reply that was not taken is not kept
            self._reject(rejection, step, "engine.invalid")
            return _Verdict.RETRY
        if personal is not None:
            self._hold(step.save_as, str(value), personal)
            return _Verdict.ACCEPT
        if isinstance(value, str) and step.save_as not in self._read_names():
            self._keep(MASK, "masked")  # a text nobody reads is not kept
            self.context[step.save_as] = MASK
            return _Verdict.ACCEPT
        self._keep(reply)
        self.context[step.save_as] = mask_in_text(value) if isinstance(value, str) else value
        return _Verdict.ACCEPT

    def _read_names(self) -> frozenset[str]:
        if self._reads is None:
            self._reads = frozenset().union(*(read_names(f) for f in self.flows.values()))
        return self._reads

    def _hold(self, name: str, value: str, personal: Personal) -> None:
        """An answer that identifies a person: masked in the context and the transcript,
        clear in memory only (for the action that needs it)."""
        masked = personal.masked(value)
        self._clear[name] = personal.clear(value)
        self.masked.add(name)
        self.context[name] = masked
        self._keep(masked, "masked")

    def _accept_secret(self, step: SecretStep, reply: str) -> _Verdict:
        typed = Secret(reply.strip(), step.secret_kind)  # before anything else reads it
        secret = typed
        if step.secret_kind in DIGIT_SECRETS and len(typed):
            digits = self._as_digits(typed)
            if digits is None:
                self._say("engine.secret_digits")
                return _Verdict.RETRY
            secret = digits
        rejection = self._validate(step, secret.reveal()) if len(secret) else None
        if not len(secret) or rejection is not None:
            secret.wipe()
            self._reject(rejection, step, "engine.invalid")
            return _Verdict.RETRY
        self._seen.remember(secret)
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

    @staticmethod
    def _as_digits(secret: Secret) -> Secret | None:
        """A PIN, PUK or SMS code as the card and the portal take it: ASCII digits
        (Arabic-Indic ones mapped); None (and wiped) if anything else was typed."""
        with secret:
            digits = replies.ascii_digits(secret.reveal())
            return None if digits is None else Secret(digits, secret.kind)

    def _accept_confirm(self, step: ConfirmStep, reply: str) -> _Verdict:
        if step.phrase is not None:
            if same(reply, step.phrase):
                self._keep(reply)
                return _Verdict.ACCEPT
        else:
            # Card serials are often hex: the tail is compared on letters and digits alike.
            source = lookup(self.context, step.digits_of or "")
            tail = "".join(ch for ch in str(source or "") if ch.isalnum()).casefold()
            typed = "".join(ch for ch in reply if ch.isalnum()).casefold()
            if len(tail) >= step.digits_count and typed == tail[-step.digits_count :]:
                self._keep(reply)
                return _Verdict.ACCEPT
        if self._yes_no_answer(reply) is False:
            self._keep(reply)
            return _Verdict.DECLINE
        if self._unrecognised(reply):
            return _Verdict.AGAIN
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

    # ---- consent ---------------------------------------------------------------------
    def _dangerous(self, step: Step) -> bool:
        spec = self.registry.get(step.action) if isinstance(step, ActionStep) else None
        return spec is not None and spec.dangerous

    def _outcomes(self, step: Step) -> frozenset[str] | None:
        spec = self.registry.get(step.action) if isinstance(step, ActionStep) else None
        return spec.outcomes if spec is not None else None

    def _guarded(self, confirm: ConfirmStep) -> frozenset[str]:
        key = (self.flow.name, confirm.id)
        if key not in self._guards:
            self._guards[key] = guarded_by(self.flow, confirm, self._dangerous, self._outcomes)
        return self._guards[key]

    def _grant(self, step: ConfirmStep) -> None:
        """The person typed the confirmation: consent for the dangerous steps it guards."""
        guarded = self._guarded(step)
        self._consent = None
        if guarded:
            self._consent = Consent(
                conversation_id=self.id,
                flow=self.flow.name,
                steps=guarded,
                card_serial=self._card_serial(),
                clock=self._clock,
            )

    def _refuse_unconfirmed(self, step: ActionStep) -> StepResult:
        """A dangerous step without its consent: not run; the person is asked to confirm
        again where the flow has a confirm step for it, else the flow ends."""
        consent = self._consent
        reason = "no consent" if consent is None else "consent for another step or expired"
        _log.warning("refused %s at %s: %s", step.action, self.position, reason)
        self._consent = None
        spec = self.registry.get(step.action)
        for binding in step.inputs:  # what was typed for the refused call is not kept
            if spec is not None and spec.inputs.get(binding.name) is Secret:
                self._wipe_secrets(set(binding.expr.names()))
        confirms = [
            s for s in self.flow.steps if isinstance(s, ConfirmStep) and step.id in self._guarded(s)
        ]
        if confirms:
            self._say("engine.confirm_again")
            self._set_step(confirms[0].id)
            self._prompt(confirms[0])
            return WAIT
        self._say("engine.unconfirmed")
        self._end_flow("failed")
        return MOVED

    # ---- running steps ---------------------------------------------------------------
    def _step(self) -> Step:
        step = self.flow.step(self.step_id)
        assert step is not None
        return step

    def _set_step(self, step_id: str) -> None:
        self.frames[-1].step = step_id

    def _collector(self, name: str) -> str | None:
        """The step of the current flow that asks for what is saved as `name`."""
        for step in self.flow.steps:
            if isinstance(step, SecretStep | AskStep) and step.save_as == name:
                return step.id
        return None

    def _ask_again(self, name: str, step: ActionStep) -> StepResult:
        """A secret or clear value the action needs is gone (a restart, going back): say
        it is not kept and ask for it again."""
        self._say("engine.secret_again")
        self._set_step(self._collector(name) or step.id)
        self._prompt(self._step())
        return WAIT

    def _continue(self, target: str | None) -> Turn:
        self.attempts = 0
        if target is None:
            self._end_flow("ok")
        else:
            self._set_step(target)
        yield from self._run()

    def _scope(self) -> dict[str, JSON]:
        return {**self.context, "lang": self.language, "channel": self.channel}

    def _follow(self, step: Step, outcome: str | None = None) -> str | None:
        """Where to go after `step` completed: the graph's rule, shared with lint."""
        key = (self.flow.name, step.id)
        ways = self._ways.get(key)
        if ways is None:
            ways = self._ways[key] = tuple(edges(self.flow, step))
        return taken(ways, self._scope(), outcome)

    def _run(self) -> Turn:
        """Run steps from the current one until one waits for the person."""
        for _ in range(MAX_STEPS_PER_TURN):
            if self.ended or not self._allowed():
                return
            step = self._step()
            if isinstance(step, PromptStep):
                self._prompt(step)
                return
            result = yield from self._execute(step)
            if isinstance(result, Wait):
                return
            if isinstance(result, Continue):
                if result.target is None:
                    self._end_flow("ok")
                else:
                    self._set_step(result.target)
        raise FlowRuntimeError(
            f"{self.flow.name}.{self.step_id}: {MAX_STEPS_PER_TURN} steps without a question"
        )

    def _execute(self, step: Step) -> Generator[ActionCall, ActionResult, StepResult]:
        """Run one non-prompt step."""
        if isinstance(step, SayStep):
            assert step.message is not None
            self._emit(OutputKind.TEXT, step.message.id, step.message.text)
            self._show_picture(step)
            target = self._follow(step)
            self._log_step(step, None, target)
            return Continue(target)
        if isinstance(step, ActionStep):
            return (yield from self._action(step))
        ending = step.outcome if isinstance(step, EndStep) else None
        self._log_step(step, ending, step.flow if isinstance(step, CallStep | GotoStep) else None)
        if isinstance(step, HandoffStep):
            assert step.message is not None
            self._emit(OutputKind.HANDOFF, step.message.id, step.message.text, outcome=Handoff.FLOW)
            self._finish_session("handoff", None)
            return MOVED
        if step.message is not None:
            self._emit(OutputKind.TEXT, step.message.id, step.message.text)
        if isinstance(step, CallStep):
            self.frames.append(Frame(step.flow, self.flows[step.flow].steps[0].id))
        elif isinstance(step, GotoStep):
            self.frames[-1] = Frame(step.flow, self.flows[step.flow].steps[0].id)
        else:
            assert isinstance(step, EndStep)
            self._end_flow(step.outcome)
        return MOVED

    def _log_step(
        self, step: Step, outcome: str | None, target: str | None, **more: object
    ) -> None:
        """The one log event of a step run or answered: ids and outcomes only, never a
        text the person typed or was shown."""
        if not _log.isEnabledFor(logging.INFO):
            return
        fields: dict[str, object] = {"flow": self.flow.name, "step": step.id}
        fields |= {"kind": step.kind.value, "outcome": outcome, "target": target, **more}
        if isinstance(step, ActionStep):
            problem = more.get("problem")
            _log.info(
                "flow=%s step=%s action=%s outcome=%s%s",
                self.flow.name,
                step.id,
                step.action,
                outcome,
                f" problem={problem}" if problem else "",
                extra={"step_event": fields},
            )
            return
        _log.info(
            "flow=%s step=%s kind=%s outcome=%s",
            self.flow.name,
            step.id,
            step.kind.value,
            outcome,
            extra={"step_event": fields},
        )

    def _action(self, step: ActionStep) -> Generator[ActionCall, ActionResult, StepResult]:
        spec = self.registry.get(step.action)
        if spec is None:
            raise FlowRuntimeError(f"{self.flow.name}.{step.id}: no action {step.action!r}")
        if spec.local_only and self.channel not in LOCAL_CHANNELS:
            self._local_only()
            return WAIT
        consent = self._consent
        if spec.dangerous and (
            consent is None or not consent.allows(self.id, self.flow.name, step.id)
        ):
            return self._refuse_unconfirmed(step)
        scope = self._scope()
        inputs: dict[str, object] = {}
        used: set[str] = set()
        for binding in step.inputs:
            names = binding.expr.names()
            if spec.inputs.get(binding.name) is Secret:
                (name,) = names
                if name not in self._secrets:  # lost in a restart or by going back
                    return self._ask_again(name, step)
                inputs[binding.name] = self._secrets[name]
                used.add(name)
            elif len(names) == 1 and (name := next(iter(names))) in self.masked:
                if name not in self._clear:  # the clear value did not survive a restart
                    return self._ask_again(name, step)
                inputs[binding.name] = self._clear[name]
            else:
                inputs[binding.name] = binding.expr.evaluate(scope)
        if step.message is not None:
            self._emit(OutputKind.PROGRESS, step.message.id, step.message.text)
        if spec.dangerous:
            self._consent = None  # single use: taken by this call whatever it answers
            self.action_context.consent = consent
        try:
            result = yield ActionCall(spec, inputs, self.action_context)
        finally:
            self._wipe_secrets(used)  # handed over once, then gone
            if consent is not None and spec.dangerous:
                consent.spend()
                self.action_context.consent = None
        if result.secret_elsewhere is not None:
            self.elsewhere.add(result.secret_elsewhere)
        self.context[step.save_as] = {"outcome": result.outcome, **result.outputs}
        self.history.clear()  # an action cannot be undone: no going back past it
        self.progressed = True
        target = self._follow(step, result.outcome)
        # The action's own machine-readable `problem` goes with it (outputs never hold a
        # secret; nothing the person typed is named here).
        problem = result.outputs.get("problem")
        self._log_step(step, result.outcome, target, action=step.action, problem=problem)
        return Continue(target)

    def _end_flow(self, outcome: str) -> None:
        """Leave the current flow with `outcome`, returning into the caller if any."""
        while True:
            self.frames.pop()
            if not self.frames:
                self._finish_session(outcome, None)
                return
            call = self._step()
            assert isinstance(call, CallStep)
            self.context[call.save_as] = {"outcome": outcome}
            target = self._follow(call, outcome)
            self._log_step(call, outcome, target)
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
        self._forget_all()
        self._emit(OutputKind.END, "engine.ended", outcome=outcome)

    def _wipe_secrets(self, names: set[str]) -> None:
        for name in names:
            secret = self._secrets.pop(name, None)
            if secret is not None:
                secret.wipe()


_READ_NAMES: dict[int, tuple[Flow, frozenset[str]]] = {}


def read_names(flow: Flow) -> frozenset[str]:
    """The context names a flow reads (in texts, conditions, action inputs, confirm
    steps, inputs it needs): the answers worth keeping. Context is shared along calls,
    so a session asks this of every flow it has."""
    cached = _READ_NAMES.get(id(flow))
    if cached is not None and cached[0] is flow:
        return cached[1]
    dotted: set[str] = set(flow.inputs)
    for step in flow.steps:
        for message in step.messages():
            dotted.update(message.placeholders)
        for transition in step.next:
            if transition.condition is not None:
                dotted.update(transition.condition.names())
        if isinstance(step, ActionStep):
            for binding in step.inputs:
                dotted.update(binding.expr.names())
        if isinstance(step, ConfirmStep) and step.digits_of:
            dotted.add(step.digits_of)
    names = frozenset(name.split(".", 1)[0] for name in dotted)
    _READ_NAMES[id(flow)] = (flow, names)
    return names


class _Verdict(enum.Enum):
    ACCEPT = "accept"
    RETRY = "retry"
    AGAIN = "again"  # not an answer, and not counted as a wrong one: ask the same again
    DECLINE = "decline"
    HANDLED = "handled"  # the answer moved the session itself


def _pick(step: AskStep, reply: str, translate: Callable[[str, str], str]) -> str | None:
    """The choice a reply names: its number as shown, its id or its text (source or shown)."""
    number = replies.choice_number(reply, len(step.choices))
    if number is not None:
        return step.choices[number - 1].id
    folded = ascii_fold(reply)
    for choice in step.choices:
        shown = translate(choice.message.id, choice.message.text)
        if folded in {ascii_fold(name) for name in (choice.id, choice.message.text, shown)}:
            return choice.id
    return None
