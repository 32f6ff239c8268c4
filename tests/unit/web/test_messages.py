"""What the web chat reads from the page and from the browser's language settings."""

from __future__ import annotations

import json

import pytest

from assistant.channels.web.app import (
    CLOSE_POLICY,
    CLOSE_TOO_BIG,
    CLOSE_UNSUPPORTED,
    MAX_MESSAGE_CHARS,
    accepted_languages,
    choose_language,
    read_frame,
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
        "[" * 5000 + "]" * 5000,
    ):
        assert reply_text(message) is None, message


def test_each_kind_of_junk_frame_gets_its_own_close_code() -> None:
    def text(value: str) -> dict[str, object]:
        return {"type": "websocket.receive", "text": value}

    assert read_frame(text(json.dumps({"type": "reply", "text": "evet"}))) == "evet"
    assert read_frame({"type": "websocket.receive", "bytes": b"{}"}) == CLOSE_UNSUPPORTED
    too_long = json.dumps({"type": "reply", "text": "x" * MAX_MESSAGE_CHARS})
    assert read_frame(text(too_long)) == CLOSE_TOO_BIG
    assert read_frame(text('{"type": "reply", "text": "x", "n": ' + "[" * 20 + "]" * 20 + "}")) == (
        CLOSE_TOO_BIG
    )
    assert read_frame(text("[" * 2000 + "]" * 2000)) == CLOSE_TOO_BIG
    assert read_frame(text("not json")) == CLOSE_POLICY
