"""Dates, day counts and numbers as each shipped language writes them."""

from __future__ import annotations

import datetime as dt

import pytest

from assistant.i18n.formatting import format_date, format_days, format_number, format_value

FSI, PDI = "\u2068", "\u2069"


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("tr", "12 Mart 2027"),
        ("en", "12 March 2027"),
        ("de", "12. März 2027"),
        ("ar", "12 مارس 2027"),
    ],
)
def test_dates_in_the_long_form(language: str, expected: str) -> None:
    assert format_date(dt.date(2027, 3, 12), language) == expected
    assert format_date("2027-03-12", language) == expected


@pytest.mark.parametrize(
    ("language", "counts"),
    [
        # Turkish has one form after a number.
        ("tr", {1: "1 gün", 3: "3 gün", 11: "11 gün"}),
        ("en", {1: "1 day", 3: "3 days", 0: "0 days"}),
        ("de", {1: "1 Tag", 3: "3 Tage"}),
        # Arabic: the dual, 3–10 and 11–99 each have their own form.
        ("ar", {1: "يوم", 2: "يومان", 3: "3 أيام", 11: "11 يومًا", 100: "100 يوم"}),
    ],
)
def test_day_counts_use_the_right_plural_form(language: str, counts: dict[int, str]) -> None:
    assert {n: format_days(n, language) for n in counts} == counts


def test_numbers_use_the_language_separators() -> None:
    assert format_number(1234567.5, "tr") == "1.234.567,5"
    assert format_number(1234567.5, "de") == "1.234.567,5"
    assert format_number(1234567.5, "en") == "1,234,567.5"
    assert format_number(1234, "ar") == "1,234"  # Western digits, as on the card


def test_placeholder_values_are_localised_and_isolated_in_arabic() -> None:
    assert format_value("2027-03-12", "de") == "12. März 2027"
    assert format_value(3, "tr") == "3"
    assert format_value(True, "en") == "True"
    assert format_value(None, "en") == ""
    assert format_value("2201 3344", "en") == "2201 3344"
    assert format_value("2201 3344", "ar") == f"{FSI}2201 3344{PDI}"
    assert format_value("", "ar") == ""
