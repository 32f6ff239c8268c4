"""What the web chat reads from the page and from the browser's language settings."""

from __future__ import annotations

import json

import pytest

from assistant.channels.web.app import (
    MAX_MESSAGE_CHARS,
    accepted_languages,
    choose_language,
    reply_text,
)


def test_accept_language_in_order_of_preference() -> None:
    header = "fr-CH, fr;q=0.9, en;q=0.8, de;q=0.7, *;q=0.5"
    assert accepted_languages(header) == ["fr-CH", "fr", "en", "de", "*"]
    assert accepted_languages("tr;q=0.2,ar") == ["ar", "tr"]
    assert accepted_languages("en;q=0, de") == ["de"]  # q=0 means "not this one"
    assert accepted_languages("en;q=abc, de") == ["de"]
    assert accepted_languages("") == []


@pytest.mark.parametrize(
    ("query", "option", "accept", "expected"),
    [
        (None, None, "", "tr"),  # nothing said: Turkish
        (None, None, "fr-FR,fr;q=0.9", "tr"),  # only languages we do not ship
        (None, None, "fr-FR,de-DE;q=0.8,en;q=0.5", "de"),  # first shipped one wins
        (None, None, "ar-EG", "ar"),
        (None, "en", "de-DE", "en"),  # --lang beats the browser
        ("ar", "en", "de-DE", "ar"),  # the page URL beats both
        ("klingon", None, "en-US", "en"),  # an unknown request is ignored, not fatal
    ],
)
def test_language_choice(query: str | None, option: str | None, accept: str, expected: str) -> None:
    assert choose_language(query, option, accept) == expected


def test_reply_messages() -> None:
    assert reply_text(json.dumps({"type": "reply", "text": "evet"})) == "evet"
    assert reply_text(json.dumps({"type": "reply", "text": ""})) == ""
    for message in (
        "evet",
        "null",
        "[]",
        json.dumps({"type": "other", "text": "x"}),
        json.dumps({"type": "reply", "text": 123456}),
        json.dumps({"type": "reply"}),
        json.dumps({"type": "reply", "text": "x" * MAX_MESSAGE_CHARS}),
    ):
        assert reply_text(message) is None, message
