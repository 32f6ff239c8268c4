"""Lists keep their line breaks on every channel; each secret prompt says which secret.

The certificate list comes from the real listing code through the real revoke flow, so
the test sees what a person sees: the list on its own lines, dates in their language,
and the question after it, not folded into one paragraph."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest

from assistant.agent.portal_actions import certificate_listing
from assistant.channels.terminal import TerminalChat
from assistant.flow.actions import ActionResult, Registry
from assistant.flow.loader import load_all
from assistant.flow.outputs import Output, OutputKind
from assistant.flow.session import Session
from assistant.helpdesk_server.telegram.bot import TelegramBot, split_message
from assistant.i18n.catalog import translator
from assistant.portal.api import CertificateStatus, CertificateSummary
from assistant.secret import Secret

ROOT = Path(__file__).parents[3]
LISTED = (
    CertificateSummary(
        "3F:0A:00:BA",
        "Ada",
        CertificateStatus.ACTIVE,
        dt.datetime(2024, 3, 12, tzinfo=dt.UTC),
        dt.datetime(2027, 3, 12, tzinfo=dt.UTC),
    ),
    CertificateSummary(
        "3F:0A:00:C1",
        "Ada",
        CertificateStatus.SUSPENDED,
        dt.datetime(2021, 1, 5, tzinfo=dt.UTC),
        dt.datetime(2024, 1, 5, tzinfo=dt.UTC),
    ),
)


def _revoke_question(language: str) -> Output:
    flows, problems = load_all([ROOT / "flows"])
    assert problems == []
    registry = Registry()
    registry.register(
        "portal.list_certificates",
        lambda: ActionResult("ok", {"count": 2, "listing": certificate_listing(LISTED)}),
        outcomes=("ok",),
        outputs={"count": int, "listing": list},
    )
    for name in ("portal.select_certificate", "portal.revoke"):
        registry.register(name, lambda **_: ActionResult("x"), outcomes=("x",))
    session = Session(flows, registry, "portal_revoke", language=language, translator=translator())
    question = session.start()[-1]
    session.close()
    assert question.message_id == "portal_revoke.ask_which"
    return question


@pytest.mark.parametrize(
    ("language", "lines"),
    [
        (
            "tr",
            [
                "Sertifikalarınız:",
                "1. 3F:0A:00:BA · Ada · Geçerli · 12 Mart 2024 – 12 Mart 2027",
                "2. 3F:0A:00:C1 · Ada · Askıda · 5 Ocak 2021 – 5 Ocak 2024",
            ],
        ),
        (
            "en",
            [
                "Your certificates:",
                '1. 3F:0A:00:BA · Ada · "Geçerli" (valid) · 12 March 2024 – 12 March 2027',
                '2. 3F:0A:00:C1 · Ada · "Askıda" (suspended) · 5 January 2021 – 5 January 2024',
            ],
        ),
        (
            "de",
            [
                "Ihre Zertifikate:",
                '1. 3F:0A:00:BA · Ada · "Geçerli" (gültig) · 12. März 2024 – 12. März 2027',
                '2. 3F:0A:00:C1 · Ada · "Askıda" (gesperrt) · 5. Januar 2021 – 5. Januar 2024',
            ],
        ),
    ],
)
def test_the_certificate_list_stands_on_its_own_lines(language: str, lines: list[str]) -> None:
    question = _revoke_question(language)
    shown = question.text.split("\n")
    assert shown[:3] == lines
    assert len(shown) == 4  # the question itself is the fourth line, after the list

    stdout = io.StringIO()
    TerminalChat(io.StringIO(), stdout).show([question])
    printed = stdout.getvalue().splitlines()
    assert printed[:3] == lines  # nothing folded (the terminal is 88 columns at most)

    telegram = TelegramBot.__new__(TelegramBot)  # _render needs no connection
    rendered = telegram._render([question], language).split("\n")
    assert rendered[:3] == lines


def test_an_arabic_list_isolates_serials_and_dates() -> None:
    first = _revoke_question("ar").text.split("\n")[1]
    assert first.startswith("\u20681\u2069. \u20683F:0A:00:BA\u2069 · ")
    assert "\u2068Geçerli\u2069" in first and "(صالحة)" in first


def test_telegram_splits_long_messages_between_lines() -> None:
    items = [f"{n}. {'x' * 60}" for n in range(1, 200)]
    parts = split_message("\n".join(items), limit=1000)
    assert len(parts) > 1 and all(len(p) <= 1000 for p in parts)
    assert [line for p in parts for line in p.split("\n")] == items  # no item cut in two
    assert split_message("y" * 2500, limit=1000) == ["y" * 1000, "y" * 1000, "y" * 500]


@pytest.mark.parametrize(
    ("language", "markers"),
    [
        ("tr", ["PIN › ", "PUK › ", "SMS Onay Kodu › ", "Güvenlik Sözcüğü › "]),
        ("en", ["PIN › ", "PUK › ", "SMS code › ", "Security word › "]),
        ("de", ["PIN › ", "PUK › ", "SMS-Code › ", "Sicherheitswort › "]),
    ],
)
def test_each_secret_prompt_is_marked_with_its_kind(language: str, markers: list[str]) -> None:
    chat = TerminalChat(io.StringIO(), io.StringIO())
    chat.language = language
    kinds = ["pin", "puk", "sms_code", "security_word"]
    assert [chat.marker(kind) for kind in kinds] == markers
    assert chat.marker(None) == "› "


def test_the_login_asks_for_the_security_word_then_the_sms_code_by_name() -> None:
    """The portal login's two secrets reach the terminal with their own kinds, so its
    marker says "Güvenlik Sözcüğü ›" and then "SMS Onay Kodu ›", not "PIN ›"."""
    flows, _ = load_all([ROOT / "flows"])
    registry = Registry()
    answers = {
        "portal.mode": ActionResult("training", {"url": "https://training.example"}),
        "portal.begin_login": ActionResult("captcha", {"captcha_path": "/tmp/c.png"}),
        "portal.submit_login": ActionResult("sms_sent", {"masked_mobile": "05** *** ** 67"}),
    }
    for name, result in answers.items():
        registry.register(
            name,
            lambda result=result, **_: result,
            outcomes=(result.outcome,),
            inputs={"tckn": str} if name == "portal.begin_login" else None,
            outputs={k: str for k in result.outputs},
        )
    registry.get("portal.submit_login").inputs.update(captcha=str, security_word=Secret)  # type: ignore[union-attr]
    session = Session(flows, registry, "portal_login", translator=translator())
    session.start()
    session.handle("10000000146")
    word = session.handle("ab12")[-1]
    sms = session.handle("kelime")[-1]
    session.close()
    chat = TerminalChat(io.StringIO(), io.StringIO())
    assert (word.kind, sms.kind) == (OutputKind.SECRET_REQUEST, OutputKind.SECRET_REQUEST)
    assert [chat.marker(o.secret_kind) for o in (word, sms)] == [
        "Güvenlik Sözcüğü › ",
        "SMS Onay Kodu › ",
    ]
