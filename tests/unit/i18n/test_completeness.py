"""Every text a person can see is translated in every shipped language, and safely so.

The expected texts are extracted from the tree as it is now (flows/*.yaml, engine, agent
and validator texts) with the project's own mapping, so a text added without running
./scripts/catalogs fails here with its message id, before anyone meets it in Turkish in
the middle of an English conversation.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg

from assistant.flow.loader import load_all
from assistant.flow.model import ConfirmStep
from assistant.flow.vocabulary import NO_WORDS, REPAIR_WORDS, YES_WORDS, repair_of, yes_no
from assistant.i18n.catalog import SOURCE_LOCALES, catalog_path
from assistant.i18n.language import SOURCE_LANGUAGE, SUPPORTED
from assistant.i18n.matching import ascii_fold
from assistant.i18n.messages import placeholders
from assistant.i18n.upkeep import read, todo

ROOT = Path(__file__).parents[3]
Key = tuple[str, str]  # (message id, Turkish source)


def _extracted() -> set[Key]:
    with (ROOT / "babel.cfg").open(encoding="utf-8") as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    keys = set()
    for _file, _line, message, _comments, context in extract_from_dir(
        str(ROOT), method_map, options_map
    ):
        if context is not None:
            keys.add((context, message))
    return keys


EXTRACTED = _extracted()
CATALOGS: dict[str, Catalog] = {lang: read(catalog_path(lang)) for lang in SUPPORTED}


def _keys(catalog: Catalog) -> set[Key]:
    return {(str(m.context), str(m.id)) for m in catalog if m.id}


def test_every_flow_text_is_extracted() -> None:
    flows, problems = load_all([ROOT / "flows"])
    assert problems == []
    missing = [
        m.id for flow in flows.values() for m in flow.messages() if (m.id, m.text) not in EXTRACTED
    ]
    assert missing == []
    assert ("engine.help", _engine_help()) in EXTRACTED


def test_every_text_source_is_extracted() -> None:
    """A new `*_TEXTS` dict anywhere in the package, or a guided step, cannot slip past
    the catalogs: babel.cfg must map its file to an extractor."""
    import ast

    from assistant.portal.guided import load_guides

    missing = []
    for source in sorted((ROOT / "assistant").rglob("*.py")):
        for node in ast.parse(source.read_text(encoding="utf-8")).body:
            target = getattr(node, "target", None) or next(iter(getattr(node, "targets", [])), None)
            name = getattr(target, "id", "")
            if name.endswith("_TEXTS") and isinstance(getattr(node, "value", None), ast.Dict):
                pairs = zip(node.value.keys, node.value.values, strict=True)  # type: ignore[attr-defined]
                for key, value in pairs:
                    pair = (getattr(key, "value", None), getattr(value, "value", None))
                    if all(isinstance(part, str) for part in pair) and pair not in EXTRACTED:
                        missing.append(f"{source.name}:{pair[0]}")
    book = load_guides()
    guided = [(n.id, n.text_tr) for n in (*book.notes, *book.warnings)]
    for guide in book.guides.values():
        guided += [(guide.title_id, guide.title_tr)]
        guided += [(step.message_id, step.text_tr) for step in guide.steps]
    missing += [message_id for message_id, text in guided if (message_id, text) not in EXTRACTED]
    assert missing == []
    assert len(guided) > 60


def _engine_help() -> str:
    from assistant.flow.texts import ENGINE_TEXTS

    return ENGINE_TEXTS["engine.help"]


@pytest.mark.parametrize("language", SUPPORTED)
def test_catalog_has_every_current_text(language: str) -> None:
    missing = sorted(EXTRACTED - _keys(CATALOGS[language]))
    assert missing == [], f"run ./scripts/catalogs and translate: {[k[0] for k in missing]}"


@pytest.mark.parametrize("language", SUPPORTED)
def test_every_entry_is_translated_with_the_same_placeholders(language: str) -> None:
    # upkeep.todo: untranslated, fuzzy, placeholder sets differing, tr differing from source.
    assert [str(item) for item in todo(language, CATALOGS[language])] == []


@pytest.mark.parametrize("language", SUPPORTED)
def test_no_fuzzy_or_obsolete_entries(language: str) -> None:
    catalog = CATALOGS[language]
    assert [m.context for m in catalog if m.id and m.fuzzy] == []
    assert list(catalog.obsolete) == []
    stale = sorted(_keys(catalog) - EXTRACTED)
    assert stale == [], f"entries no source has any more: run ./scripts/catalogs: {stale}"


def test_placeholder_check_compares_names_not_positions() -> None:
    # Word order may change in a translation; the names may not.
    source = "{a} ve {b}"
    assert set(placeholders("{b} und {a}")) == set(placeholders(source))
    assert set(placeholders("{a} und {c}")) != set(placeholders(source))


def test_source_catalog_is_the_source_text() -> None:
    for message in CATALOGS[SOURCE_LANGUAGE]:
        if message.id:
            assert message.string == message.id, message.context


@pytest.mark.parametrize("language", SUPPORTED)
def test_confirm_phrases_stay_typeable(language: str) -> None:
    """The person types the Turkish phrase whatever the language: it must be shown as is."""
    flows, _ = load_all([ROOT / "flows"])
    texts = {str(m.context): str(m.string) for m in CATALOGS[language] if m.id}
    for flow in flows.values():
        for step in flow.steps:
            if isinstance(step, ConfirmStep) and step.phrase and step.message:
                assert step.phrase in texts[step.message.id], step.message.id


_QUOTED = re.compile(r"(?<!\w)'([^']+)'(?!\w)")


def _meaning(word: str) -> str | None:
    repair = repair_of(word)
    if repair is not None:
        return repair.value
    answer = yes_no(word)
    return None if answer is None else ("yes" if answer else "no")


def _own_words(language: str) -> set[str]:
    words = [w for forms in REPAIR_WORDS[language].values() for w in forms]
    words += [*YES_WORDS[language], *NO_WORDS[language]]
    return {ascii_fold(w) for w in words}


@pytest.mark.parametrize("language", [lang for lang in SUPPORTED if lang != SOURCE_LANGUAGE])
def test_words_a_text_tells_people_to_type_work_in_that_language(language: str) -> None:
    """'iptal' in Turkish must become a word the engine understands as cancel, in the
    translation's own language (not a literal translation the engine ignores)."""
    problems = []
    for message in CATALOGS[language]:
        if not message.id:
            continue
        wanted = sorted(filter(None, map(_meaning, _QUOTED.findall(str(message.id)))))
        quoted = _QUOTED.findall(str(message.string))
        given = sorted(filter(None, map(_meaning, quoted)))
        foreign = [w for w in quoted if _meaning(w) and ascii_fold(w) not in _own_words(language)]
        if wanted != given or foreign:
            problems.append((message.context, wanted, given, foreign))
    assert problems == []


def test_locales_directory_holds_exactly_the_shipped_languages() -> None:
    shipped = {p.parent.parent.name for p in SOURCE_LOCALES.glob("*/LC_MESSAGES/messages.po")}
    assert shipped == set(SUPPORTED)
