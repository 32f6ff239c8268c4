"""Conditions are parsed, never eval'd; validators reject what a card or portal would."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assistant.flow import expr
from assistant.flow import validators as v


@pytest.mark.parametrize(
    ("source", "scope", "expected"),
    [
        ("status.tries_left <= 1", {"status": {"tries_left": 1}}, True),
        ("status.tries_left <= 1", {"status": {"tries_left": 2}}, False),
        ("not card.expired and choice in ['unlock', 'revoke']", {"choice": "unlock"}, True),
        ("x not in [1, 2] or y == null", {"x": 1}, True),
        ("missing.name > 3", {}, False),  # unset names are null, never an exception
        ("'3' < 4", {}, False),  # unlike types never order
        ("(a or b) and c", {"a": False, "b": True, "c": True}, True),
    ],
)
def test_conditions_evaluate_over_context(
    source: str, scope: dict[str, object], expected: bool
) -> None:
    assert expr.parse(source).evaluate(scope) is expected


@pytest.mark.parametrize(
    ("source", "offset"),
    [("__import__('os').system('x')", 16), ("a.b()", 3), ("a == ", 5), ("a = 1", 2)],
)
def test_anything_but_the_tiny_language_is_refused_with_its_position(
    source: str, offset: int
) -> None:
    with pytest.raises(expr.ExprError) as caught:
        expr.parse(source)
    assert caught.value.offset == offset


@given(st.text(max_size=40))
def test_parsing_never_fails_other_than_with_expr_error(source: str) -> None:
    try:
        parsed = expr.parse(source)
    except expr.ExprError:
        return
    parsed.evaluate({})


@pytest.mark.parametrize("good", ["10000000146", "12345678950"])
def test_valid_tc_kimlik_numbers_pass(good: str) -> None:
    assert v.tc_kimlik(good, {}) is None


@pytest.mark.parametrize("bad", ["10000000147", "02345678950", "1234567895", "abcdefghijk"])
def test_invalid_tc_kimlik_numbers_are_rejected(bad: str) -> None:
    rejection = v.tc_kimlik(bad, {})
    assert rejection is not None and rejection.message_id == "validator.tc_kimlik"


@pytest.mark.parametrize(
    ("pin", "reason"),
    [
        ("000000", "validator.pin.weak"),
        ("123456", "validator.pin.weak"),
        ("111111", "validator.pin.weak"),
        ("654321", "validator.pin.weak"),
        ("345678", "validator.pin.weak"),
        ("12a456", "validator.pin.digits"),
        ("٣٤٥٦٧٨", "validator.pin.digits"),  # Arabic-Indic digits: not what the card takes
        ("24681", "validator.pin.length_range"),
    ],
)
def test_pin_policy_rejects_weak_and_malformed_pins(pin: str, reason: str) -> None:
    rejection = v.pin(pin, {})
    assert rejection is not None and rejection.message_id == reason
    assert pin not in rejection.text or pin in ("000000", "123456")  # examples, never echo


def test_pin_policy_accepts_an_ordinary_pin_and_honours_token_bounds() -> None:
    assert v.pin("246813", {}) is None
    assert v.pin("2468", {"min_length": 4, "max_length": 8}) is None
    assert v.pin("2468", {}) is not None


@pytest.mark.parametrize(
    "number", ["05321234567", "+905321234567", "532 123 45 67", "0532-123-4567"]
)
def test_turkish_mobile_numbers(number: str) -> None:
    assert v.mobile(number, {}) is None


@pytest.mark.parametrize("number", ["02161234567", "0532123456", "+15321234567"])
def test_not_turkish_mobile_numbers(number: str) -> None:
    assert v.mobile(number, {}) is not None


def test_sms_code_and_email() -> None:
    assert v.sms_code("123 456", {}) is None
    assert v.sms_code("12ab56", {}) is not None
    assert v.sms_code("1234", {"length": 6}) is not None
    assert v.email("ayse@kamusm.gov.tr", {}) is None
    assert v.email("ayse@kamusm", {}) is not None


@pytest.mark.parametrize(
    "path",
    ["~/Belgeler/dilekce.pdf", "'/tmp/a b/rapor.docx'", "rapor.docx", "C:\\Belgeler\\x.pdf",
     "file:///home/ada/dilekce.pdf", "./imzasiz"],
)  # fmt: skip
def test_file_paths_typed_or_dropped_pass(path: str) -> None:
    assert v.file_path(path, {}) is None


@pytest.mark.parametrize("bad", ["kanarya-güvenlik-7781", "739184", "739.184", "dilekce", "/tmp/"])
def test_a_bare_word_or_a_number_is_not_taken_for_a_file(bad: str) -> None:
    rejection = v.file_path(bad, {})
    assert rejection is not None and rejection.message_id == "validator.file_path"
