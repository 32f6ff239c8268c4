"""Repair, yes and no words: complete in every shipped language, never ambiguous."""

from __future__ import annotations

import pytest

from assistant.flow.vocabulary import (
    LANGUAGES,
    NO_WORDS,
    REPAIR_WORDS,
    YES_WORDS,
    Repair,
    repair_of,
    yes_no,
)
from assistant.i18n.language import SUPPORTED
from assistant.i18n.matching import ascii_fold


@pytest.mark.parametrize("language", SUPPORTED)
def test_every_shipped_language_has_every_repair_and_yes_no_word(language: str) -> None:
    assert set(REPAIR_WORDS[language]) == set(Repair)
    assert all(REPAIR_WORDS[language][r] for r in Repair)
    assert YES_WORDS[language]
    assert NO_WORDS[language]
    assert language in LANGUAGES


@pytest.mark.parametrize("language", SUPPORTED)
def test_each_language_words_mean_what_they_say(language: str) -> None:
    for repair, forms in REPAIR_WORDS[language].items():
        for form in forms:
            assert repair_of(form) is repair, form
            assert repair_of(form.upper()) is repair, form
    assert all(yes_no(w) is True for w in YES_WORDS[language])
    assert all(yes_no(w) is False for w in NO_WORDS[language])


def test_no_word_means_two_things_across_languages() -> None:
    meanings: dict[str, set[str]] = {}
    for words in REPAIR_WORDS.values():
        for repair, forms in words.items():
            for form in forms:
                meanings.setdefault(ascii_fold(form), set()).add(repair.value)
    for answer, table in (("yes", YES_WORDS), ("no", NO_WORDS)):
        for forms in table.values():
            for form in forms:
                meanings.setdefault(ascii_fold(form), set()).add(answer)
    assert {w: m for w, m in meanings.items() if len(m) > 1} == {}


@pytest.mark.parametrize(
    ("typed", "repair"),
    [
        ("ZURÜCK", Repair.BACK),
        ("zurueck", Repair.BACK),
        ("Abbrechen.", Repair.CANCEL),
        ("الغاء", Repair.CANCEL),  # typed without the hamza
        ("إلغاء", Repair.CANCEL),
        ("رجوع", Repair.BACK),
        ("مُساعَدة", Repair.HELP),  # with short-vowel marks
        ("Sprache", Repair.LANGUAGE),
    ],
)
def test_repair_words_as_people_type_them(typed: str, repair: Repair) -> None:
    assert repair_of(typed) is repair


def test_yes_no_in_german_and_arabic() -> None:
    assert yes_no("JA") is True
    assert yes_no("Nein") is False
    assert yes_no("نعم") is True
    assert yes_no("لا") is False
    assert yes_no("vielleicht") is None
