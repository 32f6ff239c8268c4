"""Turkish-aware matching: what a person types reaches the word the assistant expects."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assistant.i18n.matching import ascii_fold, fold, matches_any, same

TURKISH_LETTERS = "abcçdefgğhıijklmnoöprsştuüvyz"
TURKISH_UPPER = {"i": "İ", "ı": "I"}


def turkish_upper(text: str) -> str:
    return "".join(TURKISH_UPPER.get(ch, ch.upper()) for ch in text)


words = st.text(alphabet=TURKISH_LETTERS, min_size=1, max_size=12)


@pytest.mark.parametrize(
    "typed", ["IPTAL", "iptal", "İptal", "ıptal", "İPTAL", " iptal. ", "i̇ptal"]
)
def test_every_way_of_typing_iptal_matches_the_phrase(typed: str) -> None:
    assert same(typed, "İPTAL")


def test_python_lower_alone_would_not_match() -> None:
    # The reason this module exists: locale-blind lower() leaves a combining dot behind.
    assert "İPTAL".lower() != "iptal"
    assert fold("İPTAL") == "iptal"
    assert fold("IŞIK") == "ışık"


def test_strict_matching_keeps_dotless_i_apart() -> None:
    assert not same("sik", "sık", ascii_typed=False)
    assert same("SIK", "sık", ascii_typed=False)


def test_spaces_quotes_and_trailing_punctuation_are_ignored() -> None:
    assert same('  "Sertifikamı   iptal et" !', "SERTİFİKAMI İPTAL ET")
    assert not same("iptal etme", "İPTAL ET")


def test_matches_any_accepts_ascii_forms_of_turkish_words() -> None:
    assert matches_any("YARDIM", ["yardım", "help"])
    assert matches_any("operator", ["operatör"])
    assert not matches_any("yardımcı", ["yardım", "help"])


@given(words)
def test_turkish_upper_case_folds_back(word: str) -> None:
    assert fold(turkish_upper(word)) == word


@given(words, st.lists(st.booleans(), min_size=12, max_size=12))
def test_any_mix_of_cases_and_ascii_letters_matches(word: str, flips: list[bool]) -> None:
    typed = "".join(
        turkish_upper(ch) if flip else ch for ch, flip in zip(word, flips, strict=False)
    )
    assert same(typed, word)
    assert same(ascii_fold(typed).upper(), turkish_upper(word))


@given(st.text())
def test_folds_are_idempotent(text: str) -> None:
    assert fold(fold(text)) == fold(text)
    assert ascii_fold(ascii_fold(text)) == ascii_fold(text)


@given(words)
def test_ascii_fold_leaves_no_turkish_letters(word: str) -> None:
    assert not set(ascii_fold(word)) & set("çğıöşüİ")


@given(words, st.sampled_from([" ", "  ", ".", "!", "?", "...", " ."]))
def test_padding_never_changes_the_match(word: str, pad: str) -> None:
    assert same(f"  {word}{pad}", word)
