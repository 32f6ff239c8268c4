"""Proof by running: every path through every flow, in English, German and Arabic, shows
no Turkish-only text, apart from quoted site labels and data (names, serials, paths).

Catalog checks see the texts a catalog should hold; they cannot see a text built in
Python, a placeholder filled with a Turkish value, or a step that bypasses the
translator. So the real flows run on the real engine, with a registry that has the real
actions' contracts (names, outcomes, inputs, outputs) but answers with each declared
outcome in turn. The texts an action builds for the person (the steps on the real Kamu
SM site, the certificate list, the status labels) come from the real code.

The walk is exhaustive over branches: every decision (a reply at a prompt, an action's
outcome, a card event) is a replayable choice; each run starts afresh, replays a prefix
of choices and takes the first option wherever it is new, and every option not yet tried
at a point seen before becomes a new prefix. A point is the flow position plus what the
person was shown there, so a guided walk's fourteen steps are fourteen points. Runs stop
after `MAX_DECISIONS` (a loop such as "card not found, try again" ends there) and the
walk after `MAX_RUNS`, which it must not reach.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from assistant.agent.portal_actions import PortalActions, certificate_listing, status_label
from assistant.card.service import CardService
from assistant.flow.actions import ActionResult, ActionSpec, Registry
from assistant.flow.loader import load_all
from assistant.flow.model import (
    AnswerType,
    AskStep,
    ConfirmStep,
    Flow,
    SecretStep,
)
from assistant.flow.outputs import Event, Output
from assistant.flow.session import Session
from assistant.flow.vocabulary import NO_WORDS, REPAIR_WORDS, YES_WORDS, Repair
from assistant.i18n.catalog import translator
from assistant.portal.api import CertificateStatus, CertificateSummary
from tests.contracts import contract_registry

ROOT = Path(__file__).parents[3]
MAX_DECISIONS = 200
MAX_RUNS = 40_000
LANGUAGES = ("en", "de", "ar")

# Data the fake actions hand out and the person types: shown as is in every language.
NAME = "Ada Lovelace"
SERIAL = "3F:0A:00:BA"
SAMPLE_TEXT = "Ada"
DATA = (NAME, SERIAL, SAMPLE_TEXT, "/home/ada", "https://training.example", "ACS ACR39U 00 00")
CERTIFICATES = (
    CertificateSummary(
        serial=SERIAL,
        subject_cn=NAME,
        status=CertificateStatus.ACTIVE,
        not_before=dt.datetime(2024, 3, 12, tzinfo=dt.UTC),
        not_after=dt.datetime(2027, 3, 12, tzinfo=dt.UTC),
    ),
    CertificateSummary(
        serial="3F:0A:00:C1",
        subject_cn=NAME,
        status=CertificateStatus.SUSPENDED,
        not_before=dt.datetime(2021, 1, 5, tzinfo=dt.UTC),
        not_after=dt.datetime(2024, 1, 5, tzinfo=dt.UTC),
    ),
)
# Names, terms and commands that stay as they are in every language (not translations
# left out): products, organisations, the CA's own terms, packages and commands.
NAMES = (
    "NES Asistanı",
    "AKİS",
    "TÜBİTAK",
    "BİLGEM",
    "Kamu SM",
    "T.C. Kimlik No",
    "TC Kimlik No",
    "e-Devlet",
    "nes-asistan",
    "PIN_Bilgisi.pdf",
)
# Letters only Turkish writes (German shares ö and ü, so those are not on the list).
TURKISH_LETTERS = re.compile("[ğĞıİşŞçÇ]")
QUOTED = re.compile(r"\"[^\"]*\"|“[^”]*”|«[^»]*»|„[^“]*“|(?<!\w)'[^']*'(?!\w)")
WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")
# Texts a condition compares an output with (`cert.state == "expired"`): those outputs
# take each of them in turn.
COMPARED: dict[str, set[str]] = {}
for _source in sorted((ROOT / "flows").glob("*.yaml")):
    for _name, _value in re.findall(r"\.(\w+)\s*[!=]=\s*\"([^\"]*)\"", _source.read_text("utf-8")):
        COMPARED.setdefault(_name, set()).add(_value)
ISOLATES = dict.fromkeys(map(ord, "\u2066\u2067\u2068\u2069"))


def _turkish_vocabularies() -> dict[str, frozenset[str]]:
    """Per language, the words of the Turkish sources (outside quotes and placeholders)
    that this language never writes itself: ["yazınız", "kartınızı", "sertifika", …].

    A word any of the language's own translations uses is a word of that language too
    ("not", "port" are Turkish and English alike), and a word every translation of its
    own text keeps (a command such as "unlock", a product name) is not Turkish-only."""
    from assistant.i18n.catalog import catalog_path
    from assistant.i18n.upkeep import read

    def words(text: str) -> set[str]:
        text = re.sub(r"\{[^{}]*\}", " ", QUOTED.sub(" ", text))
        return {w.casefold() for w in WORD.findall(text)}

    translations = {
        language: {str(m.context): str(m.string) for m in read(catalog_path(language)) if m.id}
        for language in LANGUAGES
    }
    own = {
        language: set().union(*(words(text) for text in texts.values()))
        for language, texts in translations.items()
    }
    turkish: set[str] = set()
    for message in read(catalog_path("tr")):
        if message.id:
            kept = set.intersection(
                *(words(translations[lang].get(str(message.context), "")) for lang in LANGUAGES)
            )
            turkish |= words(str(message.id)) - kept
    # Words Turkish shares with the others (and with the commands people type).
    shared = {"pin", "puk", "sms", "portal", "start", "site", "internet", "html", "pcscd"}
    shared |= {"libccid", "sudo", "support", "choose", "language", "den", "online"}
    turkish = {w for w in turkish if len(w) > 2 and w not in shared}
    return {language: frozenset(turkish - own[language]) for language in LANGUAGES}


VOCABULARIES = _turkish_vocabularies()


@functools.lru_cache(maxsize=100_000)
def turkish_left(text: str, allowed: tuple[str, ...], language: str = "en") -> list[str]:
    """The Turkish-only bits of a text shown in `language`, after quoted parts, data
    and names."""
    rest = text.translate(ISOLATES)
    for value in sorted((*allowed, *NAMES), key=len, reverse=True):
        if value:
            rest = rest.replace(value, " ")
    rest = QUOTED.sub(" ", rest)
    words = WORD.findall(rest)
    vocabulary = VOCABULARIES[language]
    return [w for w in words if TURKISH_LETTERS.search(w) or w.casefold() in vocabulary]


def test_the_detector_sees_turkish_and_lets_labels_names_and_data_pass() -> None:
    assert turkish_left("Kartınızı okuyucuya takınız.", ()) != []
    assert turkish_left("Please yazınız the number.", ()) == ["yazınız"]
    assert turkish_left('Click "Kilit Çözme" (Unlock). Call Kamu SM.', ()) == []
    assert turkish_left("Klicken Sie auf „Giriş“.", ()) == []
    assert turkish_left("Certificate of Şule Yılmaz", ("Şule Yılmaz",)) == []
    assert turkish_left("انقر \u2068Kilit Çözme\u2069 الآن", (), "ar") != []
    assert turkish_left("The card is not in the reader's USB port.", ()) == []


# ---- the replayable walk ----------------------------------------------------------------


@dataclass
class Run:
    """One walk from the start: choices replayed from `prefix`, then first options."""

    prefix: list[str]
    where: Callable[[], str] = str
    taken: list[str] = field(default_factory=list)
    points: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)
    guided: set[str] = field(default_factory=set)

    def choose(self, point: str, options: tuple[str, ...]) -> str:
        if len(self.taken) >= MAX_DECISIONS:
            raise _RunOverError
        index = len(self.taken)
        choice = self.prefix[index] if index < len(self.prefix) else options[0]
        self.taken.append(choice)
        self.points.append((point, options))
        return choice


class _RunOverError(Exception):
    """The run made its decisions: a loop, or a long path, ends here."""


def _outputs_for(
    spec: ActionSpec, outcome: str, inputs: dict[str, object], run: Run
) -> ActionResult:
    """The outputs an action gives with `outcome`: the real texts where the action
    builds texts for the person, data of the declared type elsewhere."""
    if spec.name == "portal.guide_step" and outcome == "step":
        real = _portal_actions().guide_step(str(inputs["operation"]), int(str(inputs["done"])))
        if real.outcome == "step":
            return real
        outcome = real.outcome
    outputs: dict[str, object] = {}
    choose, where = run.choose, f"{run.where()}:{outcome}"
    for name, kind in spec.outputs.items():
        if kind is int:
            outputs[name] = int(choose(f"{where}:{spec.name}.{name}", ("3", "1", "0", "-5")))
        elif kind is bool:
            outputs[name] = choose(f"{where}:{spec.name}.{name}", ("false", "true")) == "true"
        elif kind is str and name in COMPARED:
            options = (_sample_text(name), *sorted(COMPARED[name]))
            outputs[name] = choose(f"{where}:{spec.name}.{name}", options)
        elif kind is str:
            outputs[name] = _sample_text(name)
    if spec.name == "portal.list_certificates":
        outputs["listing"] = certificate_listing(CERTIFICATES)
    if spec.name == "portal.select_certificate":
        outputs["status_label"] = status_label(CertificateStatus.SUSPENDED)
    return ActionResult(outcome, {k: v for k, v in outputs.items() if k in spec.outputs})


@functools.cache
def _portal_actions() -> PortalActions:
    return PortalActions(CardService(), environ={})


def _sample_text(name: str) -> str:
    if name in ("not_before", "not_after", "generated_at", "revoked_at"):
        return "2027-03-12"
    if name == "serial":
        return SERIAL
    if name in ("path", "pdf", "html", "home", "captcha_path"):
        return "/home/ada"
    if name == "url":
        return "https://training.example"
    if name in ("name", "reader"):
        return "ACS ACR39U 00 00"
    return NAME


def _walking_registry(flows: dict[str, Flow], run: Callable[[], Run]) -> Registry:
    def answer(spec: ActionSpec) -> Callable[..., ActionResult]:
        def act(**inputs: object) -> ActionResult:
            shown = tuple(f"{k}={v}" for k, v in sorted(inputs.items()) if isinstance(v, str | int))
            current = run()
            point = f"{current.where()}:{spec.name}{shown}"
            outcome = current.choose(point, tuple(sorted(spec.outcomes)))
            result = _outputs_for(spec, outcome, inputs, current)
            text = result.outputs.get("text")
            if isinstance(text, dict):
                current.guided.add(str(text["$msg"]))
            return result

        return act

    return contract_registry(flows, answer)


def _replies(session: Session, language: str) -> tuple[str, ...]:
    """What a person may answer at the current step (first: the way forward)."""
    step = session._step()
    # 'help' shows the step's own help text; the other repair words only say engine texts,
    # which do not depend on the step (the catalog checks cover those).
    repairs = (REPAIR_WORDS[language][Repair.HELP][0],)
    if session.pending == "cancel":
        return (NO_WORDS[language][0], YES_WORDS[language][0])
    events = tuple(f"event:{branch.outcome}" for branch in step.events)
    if isinstance(step, ConfirmStep):
        serial = str(session.context.get("cert", {}).get("serial", SERIAL))
        typed = step.phrase or serial.replace(":", "")[-step.digits_count :].lower()
        return (typed, NO_WORDS[language][0], "?!", *repairs)
    if isinstance(step, SecretStep):
        value = {"pin": "602913", "puk": "60291384", "sms_code": "482913"}
        return (value.get(step.secret_kind.value, "gizli-kelime"), "1", *repairs)
    assert isinstance(step, AskStep)
    if step.answer is AnswerType.CHOICE:
        numbers = tuple(str(n) for n in range(1, len(step.choices) + 1))
        return (*numbers, "zzz", *repairs, *events)
    if step.answer is AnswerType.YES_NO:
        return (YES_WORDS[language][0], NO_WORDS[language][0], "zzz", *repairs, *events)
    if step.answer is AnswerType.NUMBER:
        return ("3", "zzz", *repairs, *events)
    valid = {
        "tc_kimlik": "10000000146",
        "mobile": "05321234567",
        "email": "ada@example.org",
        "file_path": "/home/ada",
    }
    value = next((valid[v.name] for v in step.validators if v.name in valid), SAMPLE_TEXT)
    rejected = ("zzz",) if step.validators else ()
    return (value, *rejected, *repairs, *events)


@dataclass
class Walk:
    language: str
    flows: dict[str, Flow]
    root: str = "main"
    channel: str = "web"
    runs: int = 0
    shown: int = 0
    problems: list[str] = field(default_factory=list)
    seen_ids: set[str] = field(default_factory=set)
    guided: set[str] = field(default_factory=set)
    _run: Run = field(default_factory=lambda: Run([]))
    _last_prompt: str = ""

    def __post_init__(self) -> None:
        self.registry = _walking_registry(self.flows, lambda: self._run)
        self.translate = translator()

    def walk(self) -> None:
        tried: set[tuple[str, str]] = set()
        queue: list[list[str]] = [[]]
        while queue:
            assert self.runs < MAX_RUNS, "the walk did not converge"
            prefix = queue.pop()
            run = self._once(prefix)
            for index in range(len(prefix), len(run.points)):
                point, options = run.points[index]
                tried.add((point, run.taken[index]))
                for option in options:
                    if (point, option) not in tried:
                        tried.add((point, option))
                        queue.append([*run.taken[:index], option])

    def _once(self, prefix: list[str]) -> Run:
        self.runs += 1
        session = Session(
            self.flows,
            self.registry,
            self.root,
            language=self.language,
            channel=self.channel,
            translator=self.translate,
        )
        self._run = run = Run(prefix, where=lambda: str(session.frames))
        try:
            self._check(session.start())
            while not session.ended:
                point = f"{session.frames}|{session.pending}|{self._last_prompt}"
                reply = run.choose(point, _replies(session, self.language))
                if reply.startswith("event:"):
                    self._check(session.handle(Event(reply.removeprefix("event:"))))
                else:
                    self._check(session.handle(reply))
        except _RunOverError:
            pass
        finally:
            session.close()
        self.guided |= run.guided
        return run

    def _check(self, outputs: list[Output]) -> None:
        for output in outputs:
            self.seen_ids.add(output.message_id)
            texts = [output.text, *(c.text for c in output.choices)]
            if output.picture is not None:
                texts.append(output.picture.alt)
            allowed = (*DATA, output.params.get("phrase", ""))
            for text in texts:
                self.shown += 1
                left = turkish_left(text, allowed, self.language)
                if left:
                    self.problems.append(f"{output.message_id}: {left} in {text!r}")
            if output.kind.value in ("question", "choice", "secret_request", "confirm_request"):
                self._last_prompt = output.text


def _flows() -> dict[str, Flow]:
    flows, problems = load_all([ROOT / "flows"])
    assert problems == []
    return flows


@functools.cache
def walked(language: str) -> tuple[Walk, Walk]:
    """The local and the Telegram walk in one language, done once per test process: each
    language is its own test, so no single test waits for all three walks."""
    flows = _flows()
    local = Walk(language, flows)
    remote = Walk(language, flows, root="telegram_menu", channel="telegram")
    for walk in (local, remote):
        walk.walk()
    return local, remote


# The walk is exhaustive (thousands of runs per language); on a loaded 2-core machine one
# language can take over the suite's 120 s hang guard, so this test has a wider one.
@pytest.mark.timeout(600)
@pytest.mark.parametrize("language", LANGUAGES)
def test_every_path_speaks_the_persons_language(language: str) -> None:
    problems = sorted({p for walk in walked(language) for p in walk.problems})
    assert problems == []


def test_the_walk_reaches_every_step_and_every_guided_step() -> None:
    """The walk is not a sample: every step text of every flow, and every guided step on
    the real site that a menu leads to, was shown."""
    from assistant.portal.guided import load_guides

    local, remote = walked("en")
    assert local.runs > 100 and remote.runs > 10
    seen = local.seen_ids | remote.seen_ids
    every = {s.message.id for f in local.flows.values() for s in f.steps if s.message}
    assert sorted(every - seen) == []
    book = load_guides()
    offered = ("unsuspend", "revoke", "update_info", "list_certificates", "pin_info", "unlock")
    reachable = {s.message_id for op in offered for s in book.plan(book.guides[op].operation)}
    assert sorted(reachable - local.guided) == []
