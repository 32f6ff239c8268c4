"""Walk every shipped flow to every prompt, through the agent's conversation layer.

The flows, the engine, the conversation layer, the store and the log are the real ones;
the actions keep their real contracts (names, inputs, outputs, outcomes, danger), but
what they answer is steered: each call takes one of its declared outcomes, chosen by a
seeded random generator, so one walk meets a missing reader, the next a locked card, the
next a portal that is down. (The card, a CA portal in every state and a helpdesk cannot
all be put into every state here; the rig tests drive the real ones on their paths.)
`portal.guide_step` is pure, so the real one runs.

A `Visit` is how a walk first reached a prompt: the replies typed and the choices the
actions made. `replay()` gets a fresh conversation to exactly that prompt — with the
secrets and the consent it had there, which a saved state would not keep. Walks start
from the beginning or from a prompt an earlier walk reached, so the deep prompts (the
portal menu after a login that had to go right four times) are found as well.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from assistant.agent.actions import build_registry
from assistant.agent.conversation import Conversation
from assistant.agent.portal_actions import PortalActions
from assistant.card.service import CardService
from assistant.flow.actions import ActionResult, ActionSpec, Registry
from assistant.flow.expr import lookup
from assistant.flow.loader import load_all
from assistant.flow.model import (
    AnswerType,
    AskStep,
    ConfirmStep,
    Flow,
    PromptStep,
    SecretStep,
)
from assistant.flow.session import Session
from assistant.flow.store import SessionStore
from assistant.resources import flow_files
from assistant.secret import SecretKind

PIN = "739184"
PUK = "60418273"
SMS_CODE = "472951"
SECURITY_WORD = "kanarya-güvenlik-7781"
TCKN = "10000000146"
SECRET_ANSWERS = {
    SecretKind.PIN: PIN,
    SecretKind.PUK: PUK,
    SecretKind.SMS_CODE: SMS_CODE,
    SecretKind.SECURITY_WORD: SECURITY_WORD,
}
# What else a walk types at free-text prompts, by validator.
TEXT_ANSWERS = {
    "tc_kimlik": [TCKN],
    "mobile": ["0532 123 45 67"],
    "email": ["ayse@example.com.tr"],
    "captcha": ["AB3CD"],
}
FREE_TEXT = ["1", "menü", "Gebze, Kocaeli", "53:00:01", "PIN_Bilgisi.pdf"]
# String outputs some flows compare with constants.
STRINGS = ["ok", "expiring", "expired", "not_yet_valid", "4E:41:53:00:00:01", "x"]
ROOTS = {"main": "terminal", "telegram_menu": "telegram"}


def shipped_flows() -> dict[str, Flow]:
    flows, problems = load_all(flow_files({}))
    assert problems == []
    return flows


def prompt_steps(flows: Mapping[str, Flow]) -> set[tuple[str, str]]:
    return {(f.name, s.id) for f in flows.values() for s in f.steps if isinstance(s, PromptStep)}


class Steering:
    """Chooses what each action answers; a recorded script replays the same answers."""

    def __init__(self, guides: PortalActions, seed: int = 0, script: list[int] | None = None):
        self._rng = random.Random(seed)
        self.script = list(script or [])
        self.position = 0
        self._guides = guides

    def registry(self, real: Registry) -> Registry:
        steered = Registry()
        for spec in real:
            steered.register(
                spec.name,
                self._action(spec),
                outcomes=spec.outcomes,
                inputs=spec.inputs,
                outputs=spec.outputs,
                dangerous=spec.dangerous,
                local_only=spec.local_only,
                context=spec.takes_context,
            )
        return steered

    def _action(self, spec: ActionSpec) -> Any:
        def answer(context: object = None, **inputs: Any) -> ActionResult:
            if spec.name == "portal.guide_step":
                return self._guides.guide_step(**inputs)
            return self._choose(spec)

        return answer

    def _choose(self, spec: ActionSpec) -> ActionResult:
        if self.position == len(self.script):
            self.script.append(self._rng.randrange(1 << 30))
        local = random.Random(self.script[self.position])
        self.position += 1
        outcome = local.choice(sorted(spec.outcomes))
        outputs = {name: _value(kind, local) for name, kind in spec.outputs.items()}
        return ActionResult(outcome, outputs)


def _value(kind: type, rng: random.Random) -> object:
    if kind is bool:
        return rng.random() < 0.5
    if kind is int:
        return rng.randrange(0, 4)
    if kind is float:
        return rng.random()
    if kind is str:
        return rng.choice(STRINGS)
    return kind()


@dataclass(frozen=True)
class Visit:
    root: str
    stack: tuple[tuple[str, str], ...]  # the prompt, with the calls that led to it
    replies: tuple[str, ...]
    script: tuple[int, ...]

    @property
    def flow(self) -> str:
        return self.stack[-1][0]

    @property
    def step(self) -> str:
        return self.stack[-1][1]


@dataclass
class Walker:
    """Walks with the user's own store (the data dir that NES_ASISTAN_HOME points at)."""

    flows: dict[str, Flow] = field(default_factory=shipped_flows)

    def __post_init__(self) -> None:
        self.card = CardService()  # never started: no reader, no card
        self.real = build_registry(self.card)
        self.guides = PortalActions(self.card)
        self.store = SessionStore()

    def close(self) -> None:
        self.store.close()

    def conversation(self, root: str, steering: Steering) -> Conversation:
        registry = steering.registry(self.real)

        def new_session() -> Session:
            return Session(self.flows, registry, root, channel=ROOTS[root])

        return Conversation(new_session(), self.store, self.card, lambda _: None, new_session)

    def walks(self, count: int, turns: int = 25) -> dict[tuple[str, str], Visit]:
        """The first visit of each prompt reached in `count` seeded walks. A walk starts at
        a root or at a place reached before — inside a flow with prompts still unseen, and
        used as a start least often — so the deep prompts are found too. (Plain sessions:
        finding the way needs no store; replays use the whole conversation layer.)"""
        prompts = prompt_steps(self.flows)
        places: dict[tuple[tuple[str, str], ...], Visit] = {}
        used: dict[tuple[tuple[str, str], ...], int] = {}
        seen: set[tuple[str, str]] = set()
        for seed in range(count):
            rng = random.Random(seed)
            base = None
            unseen = {flow for flow, step in prompts - seen}
            wanted = [k for k in places if unseen & {flow for flow, _ in k}] or list(places)
            if wanted and seed % 4:
                fewest = min(used.get(key, 0) for key in wanted)
                key = rng.choice(sorted(k for k in wanted if used.get(k, 0) == fewest))
                used[key] = fewest + 1
                base = places[key]
            root = base.root if base is not None else list(ROOTS)[seed // 4 % len(ROOTS)]
            for visit in self._walk(root, rng, base, turns):
                places.setdefault(visit.stack, visit)
                seen.add(visit.stack[-1])
        visits: dict[tuple[str, str], Visit] = {}
        for visit in sorted(places.values(), key=lambda v: len(v.replies)):
            visits.setdefault((visit.flow, visit.step), visit)
        return visits

    def _walk(
        self, root: str, rng: random.Random, base: Visit | None, turns: int
    ) -> Iterator[Visit]:
        script = list(base.script) if base else None
        steering = Steering(self.guides, rng.randrange(1 << 30), script)
        session = Session(self.flows, steering.registry(self.real), root, channel=ROOTS[root])
        session.start()
        replies = list(base.replies) if base else []
        for reply in replies:
            session.handle(reply)
        try:
            for _ in range(turns):
                if session.ended or not session.frames:
                    return
                if session.pending is None:
                    stack = tuple((f.flow, f.step) for f in session.frames)
                    script = tuple(steering.script[: steering.position])
                    yield Visit(root, stack, tuple(replies), script)
                reply = answer(session, rng)
                replies.append(reply)
                session.handle(reply)
        finally:
            session.close()

    def replay(self, visit: Visit) -> Conversation:
        """A new conversation, at the prompt `visit` reached, as it was then."""
        steering = Steering(self.guides, script=list(visit.script))
        conversation = self.conversation(visit.root, steering)
        conversation.start()
        for reply in visit.replies:
            conversation.reply(reply)
        assert [(f.flow, f.step) for f in conversation.session.frames] == list(visit.stack), visit
        return conversation


def answer(session: Session, rng: random.Random) -> str:
    """A reply a person might give here: mostly a right one, now and then a repair word."""
    if session.pending == "cancel":
        return rng.choice(["2", "2", "hayır", "1"])
    if session.pending == "language":
        return rng.choice(["tr", "1", "en"])
    step = session.flow.step(session.step_id)
    if rng.random() < 0.05:
        return rng.choice(["geri", "yardım", "iptal", "dil"])
    if isinstance(step, SecretStep):
        return SECRET_ANSWERS[step.secret_kind]
    if isinstance(step, ConfirmStep):
        if rng.random() < 0.2:
            return "hayır"
        if step.phrase is not None:
            return step.phrase
        tail = "".join(c for c in str(lookup(session.context, step.digits_of or "")) if c.isalnum())
        return tail[-step.digits_count :]
    if isinstance(step, AskStep):
        if step.answer is AnswerType.CHOICE:  # the first often: "done", "go on"
            return "1" if rng.random() < 0.5 else str(rng.randint(1, len(step.choices)))
        if step.answer is AnswerType.YES_NO:
            return rng.choice(["1", "2", "evet", "hayır"])
        if step.answer is AnswerType.NUMBER:
            return str(rng.randint(0, 5))
        for use in step.validators:
            if use.name in TEXT_ANSWERS:
                return rng.choice(TEXT_ANSWERS[use.name])
        return rng.choice(FREE_TEXT)
    return "tamam"
