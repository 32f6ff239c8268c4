"""The Babel extractors: flow and Python texts reach the catalog template with their ids."""

from __future__ import annotations

import io
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from assistant.catalog_extract import ExtractError, extract_flows, extract_guides, extract_texts

ROOT = Path(__file__).parents[3]

FLOW = """\
flow: demo
title: Deneme akışı
steps:
  - id: confirm
    confirm: "Onaylamak için SİL yazınız ({card.serial})."
    phrase: SİL
    help: Bu işlem geri alınamaz.
  - id: pick
    ask: "Hangisi?"
    type: choice
    choices:
      one: Birincisi
    invalid: Seçeneklerden birini yazınız.
  - id: done
    end: ok
"""


def _flow_entries(text: str) -> list[tuple[int, str, tuple[str, str], list[str]]]:
    fileobj = io.BytesIO(text.encode("utf-8"))
    return list(extract_flows(fileobj, ["pgettext"], [], {}))


def test_flow_texts_come_out_with_their_message_ids_and_lines() -> None:
    entries = _flow_entries(FLOW)
    assert [(line, key, pair) for line, key, pair, _ in entries] == [
        (2, "pgettext", ("demo.title", "Deneme akışı")),
        (5, "pgettext", ("demo.confirm", "Onaylamak için SİL yazınız ({card.serial}).")),
        (7, "pgettext", ("demo.confirm.help", "Bu işlem geri alınamaz.")),
        (9, "pgettext", ("demo.pick", "Hangisi?")),
        (13, "pgettext", ("demo.pick.invalid", "Seçeneklerden birini yazınız.")),
        (12, "pgettext", ("demo.pick.choice.one", "Birincisi")),
    ]


def test_comments_tell_translators_where_and_what_to_keep() -> None:
    comments = {pair[0]: notes for _, _, pair, notes in _flow_entries(FLOW)}
    assert comments["demo.confirm"][0] == "flow demo, step confirm (confirm)"
    assert "Keep unchanged: {card.serial}" in comments["demo.confirm"]
    assert any("SİL exactly" in note for note in comments["demo.confirm"])
    assert comments["demo.pick.choice.one"] == ["flow demo, step pick (choice.one)"]


def test_a_broken_flow_stops_extraction_instead_of_dropping_texts() -> None:
    with pytest.raises(ExtractError) as stopped:
        _flow_entries("flow: demo\nsteps:\n  - id: x\n    sya: Merhaba\n")
    assert "the flow does not load" in str(stopped.value)
    assert "sya" in str(stopped.value)


def _named(data: bytes, name: str) -> io.BytesIO:
    fileobj = io.BytesIO(data)
    fileobj.name = name  # type: ignore[misc]
    return fileobj


@pytest.mark.parametrize(
    ("extract", "name"),
    [
        (extract_texts, "assistant/x/texts.py"),
        (extract_flows, "flows/x.yaml"),
        (extract_guides, "assistant/portal/guided.yaml"),
    ],
)
def test_a_file_that_is_not_utf8_stops_extraction_with_its_name_not_a_traceback(
    extract: Callable[..., Iterator[object]], name: str
) -> None:
    # "ç" saved as Windows-1254, on line 2.
    data = 'X_TEXTS = {"x.a": "bir"}\n# se\xe7im\n'.encode("cp1254")
    with pytest.raises(ExtractError) as stopped:
        list(extract(_named(data, name), ["pgettext"], [], {}))
    # A SystemExit with a text: pybabel prints the one line and exits 1, no traceback.
    assert isinstance(stopped.value, SystemExit)
    said = str(stopped.value.code)
    assert said.startswith(f"{name}:")
    assert "line 2:" in said or f"{name}:2:" in said  # the line of the bad byte
    assert "not UTF-8 text" in said


def test_pybabel_stops_on_a_non_utf8_text_file_with_one_line_naming_it(tmp_path: Path) -> None:
    (tmp_path / "texts.py").write_bytes('A_TEXTS = {"a.b": "se\xe7im"}\n'.encode("cp1254"))
    (tmp_path / "babel.cfg").write_text(
        "[extractors]\nnes_texts = assistant.catalog_extract:extract_texts\n[nes_texts: **.py]\n"
    )
    command = [sys.executable, "-m", "babel.messages.frontend", "--quiet", "extract"]
    done = subprocess.run(
        [*command, "-F", "babel.cfg", "-o", "messages.pot", "."],
        cwd=tmp_path,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert "texts.py: line 1: not UTF-8 text" in done.stderr


def test_python_texts_dicts_and_literal_rejections_are_found() -> None:
    source = b"""
ENGINE_TEXTS: dict[str, str] = {"engine.a": "Bir", "engine.b": ("Iki " "parca")}
OTHER = {"x.y": "not a texts dict"}
def check(n):
    Rejection("validator.ok", "Sabit metin.")
    Rejection("validator.dynamic", f"PIN {n} haneli olmalidir.")
"""
    found = [pair for _, _, pair, _ in extract_texts(io.BytesIO(source), [], [], {})]
    assert found == [
        ("engine.a", "Bir"),
        ("engine.b", "Iki parca"),
        ("validator.ok", "Sabit metin."),
    ]


def test_pybabel_extract_with_the_mapping_file_needs_no_installed_entry_point(
    tmp_path: Path,
) -> None:
    output = tmp_path / "messages.pot"
    command = [sys.executable, "-m", "babel.messages.frontend", "--quiet", "extract"]
    subprocess.run(
        [*command, "-F", "babel.cfg", "-o", str(output), "."],
        cwd=ROOT,
        check=True,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )
    with output.open("rb") as handle:
        template = read_po(handle)
    contexts = {m.context for m in template if m.id}
    assert {"engine.help", "agent.resumed", "validator.pin.weak"} <= contexts
    assert {"onboarding.welcome", "pin_change.title", "test_signature.intro"} <= contexts
    welcome = template.get(
        next(m.id for m in template if m.context == "onboarding.welcome"), "onboarding.welcome"
    )
    assert welcome is not None
    assert welcome.locations[0][0] == "flows/onboarding.yaml"
    assert "flow onboarding, step welcome (say)" in welcome.auto_comments
