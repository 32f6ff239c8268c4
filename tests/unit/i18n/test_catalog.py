"""Run-time catalogs: translations by (message id, Turkish source), Turkish as fallback,
lint's missing-translation check, compiled .mo files, and a session speaking them."""

from __future__ import annotations

import gettext
import shutil
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import write_po

from assistant.build import compile_catalogs
from assistant.flow.actions import ActionResult, Registry
from assistant.flow.lint import lint
from assistant.flow.loader import load_all
from assistant.flow.outputs import OutputKind
from assistant.flow.session import Session
from assistant.flow.texts import ENGINE_TEXTS
from assistant.i18n.catalog import (
    SOURCE_LOCALES,
    catalog_lookup,
    load_mo,
    load_po,
    translate,
    translator,
)

ROOT = Path(__file__).parents[3]
HELP = ENGINE_TEXTS["engine.help"]


@pytest.mark.parametrize(
    ("language", "expected"),
    [("en", "'back'"), ("de", "'zurück'"), ("ar", "'رجوع'"), ("tr", "'geri'")],
)
def test_engine_text_is_translated(language: str, expected: str) -> None:
    assert expected in translate("engine.help", HELP, language)


def test_missing_or_stale_entries_fall_back_to_turkish() -> None:
    assert translate("engine.nonexistent", "Yeni bir metin.", "en") == "Yeni bir metin."
    # The Turkish source changed since translation: the old English must not be shown.
    changed = HELP + " Ayrıca 'yardım' yazabilirsiniz."
    assert translate("engine.help", changed, "en") == changed
    assert translator()("engine.help", HELP, "fr") == HELP


def test_translator_only_serves_the_languages_asked_for() -> None:
    only_english = translator(("tr", "en"))
    assert only_english("engine.yes", "Evet", "en") == "Yes"
    assert only_english("engine.yes", "Evet", "de") == "Evet"


def test_fuzzy_and_empty_entries_are_not_loaded(tmp_path: Path) -> None:
    catalog = Catalog(locale="en")
    catalog.add("Bir", "One", context="x.one")
    catalog.add("İki", "Two", context="x.two", flags=["fuzzy"])
    catalog.add("Üç", "", context="x.three")
    path = tmp_path / "messages.po"
    with path.open("wb") as handle:
        write_po(handle, catalog)
    assert load_po(path) == {("x.one", "Bir"): "One"}


def test_compiled_catalogs_carry_translations_but_not_fuzzy_entries(tmp_path: Path) -> None:
    locales = tmp_path / "locales"
    shutil.copytree(SOURCE_LOCALES, locales)
    po = locales / "de" / "LC_MESSAGES" / "messages.po"
    text = po.read_text(encoding="utf-8")
    po.write_text(text.replace('msgctxt "engine.no"', '#, fuzzy\nmsgctxt "engine.no"'), "utf-8")
    written = compile_catalogs(locales, tmp_path / "build")
    assert sorted(p.parent.parent.name for p in written) == ["ar", "de", "en", "tr"]
    with (tmp_path / "build" / "de" / "LC_MESSAGES" / "messages.mo").open("rb") as handle:
        german = gettext.GNUTranslations(handle)
    assert german.pgettext("engine.yes", "Evet") == "Ja"
    assert german.pgettext("engine.no", "Hayır") == "Hayır"  # fuzzy: left out
    # What an installed copy loads from the .mo is what a checkout loads from the .po.
    english = locales / "en" / "LC_MESSAGES" / "messages.po"
    assert load_mo(tmp_path / "build" / "en" / "LC_MESSAGES" / "messages.mo") == load_po(english)
    assert ("engine.no", "Hayır") not in load_mo(
        tmp_path / "build" / "de" / "LC_MESSAGES" / "messages.mo"
    )


def test_lint_with_the_real_catalog_finds_nothing_missing_in_the_shipped_flows() -> None:
    flows, problems = load_all([ROOT / "flows"])
    assert problems == []
    assert [
        p for p in lint(flows, None, catalog=catalog_lookup()) if p.code == "missing-translation"
    ] == []


def test_lint_reports_a_new_untranslated_text_with_its_flow_and_step(tmp_path: Path) -> None:
    source = (ROOT / "flows" / "pin_change.yaml").read_text(encoding="utf-8")
    new_text = "Kart çıkarıldı; PIN değişmedi. Kartı yeniden takabilirsiniz."
    assert '"Kart çıkarıldı; PIN değişmedi."' in source
    copy = tmp_path / "pin_change.yaml"
    copy.write_text(source.replace('"Kart çıkarıldı; PIN değişmedi."', f'"{new_text}"'), "utf-8")
    flows, problems = load_all([copy])
    assert problems == []
    found = [
        p
        for p in lint(flows, None, catalog=catalog_lookup("en"))
        if p.code == "missing-translation" and "'pin_change.removed'" in p.message
    ]
    assert len(found) == 1
    problem = found[0]
    line = next(
        i for i, text in enumerate(copy.read_text("utf-8").splitlines(), 1) if new_text in text
    )
    assert (problem.location.file, problem.location.line) == (str(copy), line)
    # Turkish is the source: nothing is ever missing from it.
    assert [
        p
        for p in lint(flows, None, catalog=catalog_lookup("tr"))
        if p.code == "missing-translation"
    ] == []


def _test_signature_session(language: str) -> Session:
    """The shipped test signature flow, its card checks answered "all ready" (no card here)."""
    flows, problems = load_all([ROOT / "flows"])
    assert problems == []
    registry = Registry()
    for name in ("card.find_reader", "card.find_card", "card.find_module", "card.find_token"):
        registry.register(name, lambda: ActionResult("found"), outcomes=("found",))
    registry.register("card.pin_note", lambda: ActionResult("none"), outcomes=("none",))
    return Session(flows, registry, "test_signature", language=language, translator=translator())


def test_a_session_speaks_the_chosen_language_and_switches_mid_flow() -> None:
    session = _test_signature_session("en")
    first = session.start()
    assert first[0].message_id == "test_signature.intro"
    assert first[0].text.startswith("Now let us make a test signature")
    assert first[-1].kind is OutputKind.SECRET_REQUEST
    assert first[-1].text == "Type your PIN to sign."
    assert session.handle("sprache")[-1].kind is OutputKind.LANGUAGE_REQUEST
    again = session.handle("Deutsch")
    assert session.language == "de"
    assert session.step_id == "ask_pin"
    assert again[-1].text == "Geben Sie zum Signieren Ihre PIN ein."
    arabic = session.handle("اللغة")
    assert arabic[-1].text.startswith("Sprache wählen")  # asked in the current language
    assert session.handle("العربية")[-1].text == "اكتب رمز PIN للتوقيع."
