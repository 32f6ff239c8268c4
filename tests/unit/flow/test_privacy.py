"""What the engine keeps of a reply: only what it understood, never a secret typed where
it does not belong, a T.C. Kimlik No only masked; unreadable text is refused calmly."""

from __future__ import annotations

import json

import pytest

from assistant.flow.actions import ActionResult, Registry
from assistant.flow.loader import load_text
from assistant.flow.model import Flow
from assistant.flow.outputs import OutputKind
from assistant.flow.session import Session
from assistant.secret import MASK, Secret, SecretKind

TCKN = "10000000146"
WORD = "kırmızıelma"
PIN = "739184"

FLOW = """
flow: visit
channels: [terminal, web]
steps:
  - id: ask_tckn
    ask: "TC Kimlik Numaranızı yazınız."
    validate: tc_kimlik
    save_as: tckn
  - id: shown
    say: "Numaranız: {tckn}"
  - id: ask_word
    secret: "Güvenlik Sözcüğünüzü yazınız."
    kind: security_word
    save_as: word
  - id: login
    action: portal.login
    with: {tckn: tckn, word: word}
    save_as: login
  - id: ask_note
    ask: "Operatöre bir not bırakın."
    save_as: note
  - id: guide
    action: portal.guide
    save_as: guide
  - id: ack
    ask: "Sitede Güvenlik Sözcüğünüzü yazdınız mı?"
    type: choice
    choices:
      done: "Yaptım"
      trouble: "Sorun var"
    save_as: ack
  - id: ask_pin
    secret: "PIN'inizi yazınız."
    kind: pin
    save_as: pin
  - id: verify
    action: card.verify
    with: {pin: pin}
    save_as: verify
  - id: ask_count
    ask: "Kaç sertifikanız var?"
    type: number
    save_as: count
  - id: done
    end: ok
    say: "Tamam."
"""


class Portal:
    def __init__(self) -> None:
        self.tckns: list[str] = []
        self.pins: list[str] = []

    def registry(self) -> Registry:
        registry = Registry()
        registry.register(
            "portal.login",
            self.login,
            outcomes=("ok",),
            inputs={"tckn": str, "word": Secret},
        )
        registry.register(
            "portal.guide",
            lambda: ActionResult("step", secret_elsewhere=SecretKind.SECURITY_WORD),
            outcomes=("step",),
        )
        registry.register("card.verify", self.verify, outcomes=("ok",), inputs={"pin": Secret})
        return registry

    def login(self, tckn: str, word: Secret) -> ActionResult:
        self.tckns.append(tckn)
        return ActionResult("ok")

    def verify(self, pin: Secret) -> ActionResult:
        self.pins.append(pin.reveal())
        return ActionResult("ok")


@pytest.fixture
def portal() -> Portal:
    return Portal()


@pytest.fixture
def flows() -> dict[str, Flow]:
    return {"visit": load_text(FLOW, "visit.yaml")}


def _everything(session: Session) -> str:
    return json.dumps(session.to_state(), ensure_ascii=False) + repr(session.transcript)


def _at(session: Session, step: str, portal: Portal) -> None:
    """Drive the visit flow to `step` with good answers."""
    answers = {"ask_tckn": TCKN, "ask_word": WORD, "ask_note": "not", "ack": "1", "ask_pin": PIN}
    while session.step_id != step:
        session.handle(answers[session.step_id])


def test_a_tckn_is_kept_masked_and_reaches_the_action_in_clear(
    flows: dict[str, Flow], portal: Portal
) -> None:
    session = Session(flows, portal.registry(), "visit")
    session.start()
    outputs = session.handle("100 000 001 46")
    assert "Numaranız: 100******46" in [o.text for o in outputs]
    session.handle(WORD)
    assert portal.tckns == [TCKN]
    assert session.context["tckn"] == "100******46"
    assert TCKN not in _everything(session)
    assert "100******46" in _everything(session)


def test_a_restored_session_asks_for_the_tckn_again_instead_of_sending_the_mask(
    flows: dict[str, Flow], portal: Portal
) -> None:
    registry = portal.registry()
    session = Session(flows, registry, "visit")
    session.start()
    session.handle(TCKN)
    restored = Session.from_state(json.loads(json.dumps(session.to_state())), flows, registry)
    restored.resume()
    outputs = restored.handle(WORD)
    assert [o.message_id for o in outputs][-2:] == ["engine.secret_again", "visit.ask_tckn"]
    assert portal.tckns == []
    restored.handle(TCKN)
    restored.handle(WORD)
    assert portal.tckns == [TCKN]


@pytest.mark.parametrize("typed", [PIN, "84639²", "PIN'im 739-184", "60418273", "٧٣٩١٨٤"])
def test_a_secret_typed_at_a_text_prompt_is_neither_used_nor_kept(
    flows: dict[str, Flow], portal: Portal, typed: str
) -> None:
    session = Session(flows, portal.registry(), "visit")
    session.start()
    _at(session, "ask_note", portal)
    outputs = session.handle(typed)
    assert [o.message_id for o in outputs] == ["engine.secret_here", "visit.ask_note"]
    assert "note" not in session.context
    assert session.transcript[-1 - len(outputs)].text == MASK  # the reply, then the outputs
    assert typed not in _everything(session)


def test_a_secret_typed_earlier_in_the_conversation_is_recognised_anywhere(
    flows: dict[str, Flow], portal: Portal
) -> None:
    session = Session(flows, portal.registry(), "visit")
    session.start()
    _at(session, "ask_note", portal)
    outputs = session.handle(f"sözcüğüm {WORD.upper()} idi")
    assert outputs[0].message_id == "engine.secret_here"
    assert WORD not in _everything(session).casefold()


def test_after_the_site_asked_for_a_secret_odd_replies_are_masked_with_a_kind_word(
    flows: dict[str, Flow], portal: Portal
) -> None:
    session = Session(flows, portal.registry(), "visit")
    session.start()
    _at(session, "ack", portal)
    outputs = session.handle("zümrütkartal")  # a security word the chat never saw
    assert [o.message_id for o in outputs] == ["engine.secret_here", "visit.ack"]
    assert "zümrütkartal" not in _everything(session)
    assert session.handle("1")[-1].message_id == "visit.ask_pin"  # the number still picks


@pytest.mark.parametrize("typed", ["\ud800", "a\x00b", "x" * 5000])
def test_unreadable_text_gets_a_clear_message_and_the_next_reply_works(
    flows: dict[str, Flow], portal: Portal, typed: str
) -> None:
    session = Session(flows, portal.registry(), "visit")
    session.start()
    _at(session, "ask_note", portal)
    before = len(session.transcript)
    outputs = session.handle(typed)
    assert outputs[0].message_id in ("engine.unreadable", "engine.too_long")
    assert outputs[-1].message_id == "visit.ask_note"
    assert len(session.transcript) == before + len(outputs)  # the reply itself is not kept
    json.dumps(session.to_state()).encode("utf-8")
    assert session.handle("bir not")[-1].message_id == "visit.ack"


def test_a_pin_with_a_stray_superscript_is_refused_before_any_action(
    flows: dict[str, Flow], portal: Portal
) -> None:
    session = Session(flows, portal.registry(), "visit")
    session.start()
    _at(session, "ask_pin", portal)
    outputs = session.handle("84639²")
    assert [o.message_id for o in outputs] == ["engine.secret_digits", "visit.ask_pin"]
    assert portal.pins == []
    session.handle("٧٣٩١٨٤")  # Arabic-Indic digits are the digits the person means
    assert portal.pins == [PIN]


@pytest.mark.parametrize(
    ("typed", "expected"), [("3", 3), ("١٢", 12), (" 7. ", 7), ("²", None), ("9" * 5000, None)]
)
def test_numbers_are_what_a_person_means(
    flows: dict[str, Flow], portal: Portal, typed: str, expected: int | None
) -> None:
    session = Session(flows, portal.registry(), "visit")
    session.start()
    _at(session, "ask_count", portal)
    outputs = session.handle(typed)
    if expected is None:
        assert outputs[-1].message_id == "visit.ask_count"
    else:
        assert session.context["count"] == expected
        assert outputs[-1].kind is OutputKind.END


def test_a_choice_is_picked_by_its_arabic_indic_number_and_yes_no_by_position(
    flows: dict[str, Flow], portal: Portal
) -> None:
    session = Session(flows, portal.registry(), "visit")
    session.start()
    _at(session, "ack", portal)
    session.handle("٢")
    assert session.context["ack"] == "trouble"


def test_an_unrecognised_answer_to_a_closed_question_is_kept_as_a_mask(
    flows: dict[str, Flow], portal: Portal
) -> None:
    session = Session(flows, portal.registry(), "visit")
    session.start()
    session.handle("beş")  # not a TC Kimlik No: refused, and not kept
    assert session.transcript[1].text == MASK
