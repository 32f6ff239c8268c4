"""Which language a session starts in, and how people name languages."""

from __future__ import annotations

import argparse

import pytest

from assistant.i18n.language import (
    SUPPORTED,
    direction,
    from_environment,
    initial_language,
    lang_option,
    language_of,
)


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({"LANG": "de_DE.UTF-8"}, "de"),
        ({"LANG": "en_US.UTF-8", "LC_ALL": "ar_EG.UTF-8"}, "ar"),  # LC_ALL wins
        ({"LANG": "tr_TR.UTF-8", "LC_MESSAGES": "en_GB.UTF-8"}, "en"),
        ({"LANG": "fr_FR.UTF-8", "LANGUAGE": "fr:de:en"}, "de"),  # first shipped in the list
        ({"LANG": "C", "LANGUAGE": "en"}, "tr"),  # gettext ignores LANGUAGE under C
        ({"LANG": "fr_FR.UTF-8"}, "tr"),  # not shipped: Turkish, the source
        ({"LANG": "POSIX"}, "tr"),
        ({}, "tr"),
        ({"LANG": "de-AT"}, "de"),
    ],
)
def test_language_from_the_os_locale(environ: dict[str, str], expected: str) -> None:
    assert from_environment(environ) == expected


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("en", "en"),
        ("EN", "en"),
        ("English", "en"),
        ("İngilizce", "en"),
        ("ingilizce", "en"),
        ("Deutsch", "de"),
        ("almanca", "de"),
        ("de_DE.UTF-8", "de"),
        ("Türkçe", "tr"),
        ("TURKCE", "tr"),
        ("العربية", "ar"),
        ("عربي", "ar"),
        ("arapça", "ar"),
    ],
)
def test_language_names_people_type(typed: str, code: str) -> None:
    assert language_of(typed) == code
    assert lang_option(typed) == code


def test_lang_option_rejects_an_unshipped_language_with_the_choices() -> None:
    with pytest.raises(argparse.ArgumentTypeError, match=r"'fr'.*tr \(Türkçe\).*ar"):
        lang_option("fr")
    assert language_of("yes") is None


def test_lang_option_works_as_an_argparse_type() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lang", type=lang_option)
    assert parser.parse_args(["--lang", "Deutsch"]).lang == "de"


def test_initial_language_prefers_the_option_over_the_os_locale() -> None:
    assert initial_language("en", {"LANG": "de_DE.UTF-8"}) == "en"
    assert initial_language(None, {"LANG": "de_DE.UTF-8"}) == "de"


def test_text_direction() -> None:
    assert {lang: direction(lang) for lang in SUPPORTED} == {
        "tr": "ltr",
        "en": "ltr",
        "de": "ltr",
        "ar": "rtl",
    }
