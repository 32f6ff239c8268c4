"""A step's `picture:` travels as data: loaded with its alt text, put on the step's output
by the engine, carried over the agent socket, and drawn (our own SVGs) by the web chat only."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.agent.wire import output_from_json, output_to_json
from assistant.channels.web.app import STATIC, _output
from assistant.flow.actions import Registry
from assistant.flow.loader import FlowLoadError, load_all, load_text
from assistant.flow.outputs import Output, OutputKind, OutputPicture
from assistant.flow.session import Session
from assistant.i18n.catalog import translator

ROOT = Path(__file__).parents[3]
FLOW = """
flow: demo
steps:
  - id: insert
    ask: "Çipi takınız."
    picture:
      name: chip_insert
      alt: "Çizim: çip okuyucuya itiliyor."
  - id: done
    end: ok
"""


def test_the_engine_puts_the_picture_on_the_steps_output() -> None:
    flow = load_text(FLOW, "demo.yaml")
    assert [m.id for m in flow.messages()] == ["demo.insert", "demo.insert.picture"]
    session = Session({"demo": flow}, Registry(), "demo")
    (question,) = session.start()
    assert question.picture == OutputPicture("chip_insert", "Çizim: çip okuyucuya itiliyor.")
    assert output_from_json(output_to_json(question)) == question  # over the agent socket


def test_a_picture_needs_a_name_and_alt_text() -> None:
    with pytest.raises(FlowLoadError, match="schema"):
        load_text(FLOW.replace('      alt: "Çizim: çip okuyucuya itiliyor."\n', ""), "demo.yaml")


def test_every_picture_in_the_flows_has_its_svg_and_translated_alt_text() -> None:
    flows, problems = load_all([ROOT / "flows"])
    assert problems == []
    pictures = {
        (flow.name, step.id): step.picture
        for flow in flows.values()
        for step in flow.steps
        if step.picture is not None
    }
    assert set(pictures) == {("card_ready", "insert_card"), ("card_ready", "no_reader")}
    translate = translator()
    for picture in pictures.values():
        assert picture is not None
        svg = (STATIC / "pictures" / f"{picture.name}.svg").read_text(encoding="utf-8")
        assert svg.startswith("<svg") and "<script" not in svg
        shown = {translate(picture.alt.id, picture.alt.text, lang) for lang in ("en", "de", "ar")}
        assert picture.alt.text not in shown and len(shown) == 3


def test_the_web_chat_draws_it_and_an_unknown_name_draws_nothing() -> None:
    known = Output(OutputKind.QUESTION, "x", "?", picture=OutputPicture("chip_insert", "alt"))
    assert _output(known)["picture"] == {"src": "/static/pictures/chip_insert.svg", "alt": "alt"}
    unknown = Output(OutputKind.QUESTION, "x", "?", picture=OutputPicture("nope", "alt"))
    assert _output(unknown)["picture"] is None
