"""The redaction filter: nothing PIN-, code-, TC Kimlik- or secret-shaped gets through."""

from __future__ import annotations

import datetime as dt
import string

from hypothesis import given
from hypothesis import strategies as st

from assistant.helpdesk.redact import Redactor, redact
from assistant.pki.tckn import check_digits
from assistant.secret import Secret, SecretKind

NO_DIGITS = st.text(
    alphabet=st.characters(blacklist_categories=("Nd", "No", "Nl", "Cs")), max_size=40
)
SEPARATORS = st.sampled_from(["", " ", "-", ".", "/", "_"])


@st.composite
def typed_pin(draw: st.DrawFn) -> str:
    """A 4–8 digit PIN or SMS code, typed in one piece or in groups."""
    digits = draw(st.text(alphabet=string.digits, min_size=4, max_size=8))
    cut = draw(st.integers(min_value=0, max_value=len(digits)))
    if 0 < cut < len(digits):
        return digits[:cut] + draw(SEPARATORS) + digits[cut:]
    return digits


@given(NO_DIGITS, typed_pin(), NO_DIGITS)
def test_a_pin_or_sms_code_anywhere_in_text_loses_every_digit(
    before: str, pin: str, after: str
) -> None:
    shown = redact(f"{before}{pin}{after}")
    assert not any(c.isdigit() for c in shown)
    dots_before = (before + after).count("•")
    assert shown.count("•") - dots_before == sum(c.isdigit() for c in pin)


@given(st.integers(min_value=100_000_000, max_value=999_999_999), NO_DIGITS)
def test_a_tc_kimlik_no_shows_only_its_masked_form(first_nine: int, around: str) -> None:
    number = f"{first_nine}{check_digits(str(first_nine))}"
    shown = redact(f"{around} TC: {number} {around}")
    assert number not in shown
    assert f"{number[:3]}******{number[-2:]}" in shown


@given(
    st.datetimes(min_value=dt.datetime(1990, 1, 1), max_value=dt.datetime(2099, 12, 31)),
    NO_DIGITS,
)
def test_dates_and_times_keep_their_digits(when: dt.datetime, around: str) -> None:
    for text in (
        when.strftime("%d.%m.%Y %H:%M"),
        when.strftime("%Y-%m-%d"),
        when.isoformat(timespec="seconds"),
        when.strftime("%H:%M"),
    ):
        message = f"{around} {text} {around}"
        assert redact(message) == message


@given(
    st.text(alphabet=string.ascii_letters + "çğıöşüÇĞİÖŞÜ", min_size=3, max_size=20),
    NO_DIGITS,
    NO_DIGITS,
)
def test_a_marked_security_word_is_masked_wherever_it_appears(
    word: str, before: str, after: str
) -> None:
    redactor = Redactor()
    with Secret(word, SecretKind.SECURITY_WORD) as secret:
        redactor.mark(secret)
    shown = redactor(f"{before}{word}{after}")
    assert word not in shown


def test_marked_words_match_regardless_of_case_and_turkish_letters() -> None:
    redactor = Redactor()
    with Secret("Kırmızı Elma", SecretKind.SECURITY_WORD) as secret:
        redactor.mark(secret)
    assert redactor("sözcüğüm KIRMIZI ELMA, yani kirmizi elma") == (
        "sözcüğüm ••••••••••••, yani ••••••••••••"
    )


def test_the_redactor_keeps_no_marked_value() -> None:
    redactor = Redactor()
    with Secret("zümrüt-kuş", SecretKind.SECURITY_WORD) as secret:
        redactor.mark(secret)
    held = repr(vars(redactor)) if hasattr(redactor, "__dict__") else ""
    assert "zümrüt" not in held and "zumrut" not in held


def test_ordinary_guidance_text_is_untouched() -> None:
    text = "Adım 1/5: 'Kilit Çözme' bağlantısına tıklayın, 3 deneme hakkınız kaldı."
    assert redact(text) == text


def test_a_pin_glued_to_a_date_is_still_masked() -> None:
    assert redact("12.03.2025 918273") == "12.03.2025 ••••••"
    assert "918273" not in redact("12.03.2025.918273")
