"""Canaries: what the person types as a secret never reaches Telegram, the server's database
or its logs; and nobody but the person can answer a secret or confirm prompt."""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from websockets.asyncio.server import ServerConnection, serve

from tests.integration.helpdesk.conftest import OPERATOR, LocalChat, RunningHelpdesk, wait_until
from tests.integration.helpdesk.fake_bot_api import FakeBotApi, update_json

PIN = "918273"
SMS_CODE = "472951"
SECURITY_WORD = "Zümrüt Kartal"
TCKN = "10000000146"


def _database_bytes(helpdesk: RunningHelpdesk) -> bytes:
    folder = Path(helpdesk.config.database).parent
    return b"".join(p.read_bytes() for p in sorted(folder.iterdir()))


def test_secrets_typed_locally_never_reach_telegram_the_database_or_the_logs(
    helpdesk: RunningHelpdesk,
    bot_api: FakeBotApi,
    local_chat: type[LocalChat],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)  # every logger, PTB's and websockets' frame logs too
    alice = local_chat()  # type: ignore[call-arg]
    helpdesk.send(update_json(1, OPERATOR, f"/join {alice.open(helpdesk.url)}"))
    alice.wait_for("helpdesk.joined")

    alice.say(SECURITY_WORD)  # at the security word prompt
    alice.say(PIN)  # at the PIN prompt
    alice.say("KARTIMI SIFIRLA")  # the confirm step, done by the person
    # … and then the same values where they do not belong, in plain chat:
    alice.say(f"sözcüğüm {SECURITY_WORD.upper()} idi, PIN {PIN[:3]} {PIN[3:]}, SMS {SMS_CODE}")
    helpdesk.send(update_json(2, OPERATOR, "TC Kimlik No'nuzu görmemem gerekiyor"))
    alice.link.send_diagnostics(f"[ok] Kart: seri 4711 sahibi {TCKN}")
    wait_until(lambda: any("seri" in t for t in bot_api.texts_to(OPERATOR)))
    wait_until(lambda: any("sözcüğüm" in t for t in bot_api.texts_to(OPERATOR)))

    sent = "\n".join(m["text"] for m in bot_api.sent)
    stored = _database_bytes(helpdesk)
    logged = caplog.text
    canaries = [PIN, f"{PIN[:3]} {PIN[3:]}", SMS_CODE, SECURITY_WORD, "ZÜMRÜT KARTAL", TCKN]
    for canary in canaries:
        assert canary not in sent, canary
        assert canary.encode() not in stored, canary
        assert canary not in logged, canary
    assert "100******46" in sent  # masked, still recognisable for the holder
    assert "sözcüğüm ••••••••••••• idi" in sent


def test_canaries_typed_at_every_prompt_reach_neither_store_nor_the_helpdesk(
    helpdesk: RunningHelpdesk,
    bot_api: FakeBotApi,
    local_chat: type[LocalChat],
    caplog: pytest.LogCaptureFixture,
    tmp_path: Path,
) -> None:
    """With an operator joined: PIN, PUK, SMS code, `84639²`, T.C. Kimlik No and the
    security word (after it was typed at its own prompt) at the confirm and note prompts."""
    caplog.set_level(logging.DEBUG)
    alice = local_chat()  # type: ignore[call-arg]
    helpdesk.send(update_json(1, OPERATOR, f"/join {alice.open(helpdesk.url)}"))
    alice.wait_for("helpdesk.joined")
    typed = [PIN, "60418273", SMS_CODE, "84639²", TCKN, SECURITY_WORD]
    alice.say(SECURITY_WORD)  # at its own prompt
    alice.say(PIN)
    session = alice.conversation.session
    for step in ("confirm", "note"):
        for canary in typed:
            alice.say(canary)
            assert session.step_id == step  # none of them was taken as the answer
        alice.say("KARTIMI SIFIRLA" if step == "confirm" else "kart okunmuyor")
    wait_until(lambda: any("kart okunmuyor" in t for t in bot_api.texts_to(OPERATOR)))
    sent = "\n".join(m["text"] for m in bot_api.sent)
    stored = _database_bytes(helpdesk)
    local = b"".join(p.read_bytes() for p in tmp_path.glob("sessions-*.sqlite3*"))
    for canary in [*typed, "84639", SECURITY_WORD.casefold()]:
        assert canary not in sent, canary
        assert canary.encode() not in stored, canary
        assert canary.encode() not in local, canary
        assert canary not in caplog.text, canary


def test_telegram_users_typing_a_pin_to_the_bot_are_not_echoed_or_stored(
    helpdesk: RunningHelpdesk, bot_api: FakeBotApi, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    helpdesk.send(update_json(1, 555, "/start"))
    helpdesk.send(update_json(2, 555, f"PIN'im {PIN} neden olmuyor"))
    assert all(PIN not in t for t in bot_api.texts_to(555))
    assert PIN.encode() not in _database_bytes(helpdesk)
    assert PIN not in caplog.text


def test_an_operators_words_are_shown_never_taken_as_the_answer(
    helpdesk: RunningHelpdesk, local_chat: type[LocalChat]
) -> None:
    alice = local_chat()  # type: ignore[call-arg]
    helpdesk.send(update_json(1, OPERATOR, f"/join {alice.open(helpdesk.url)}"))
    alice.wait_for("helpdesk.joined")
    session = alice.conversation.session
    helpdesk.send(update_json(2, OPERATOR, "Zümrüt Kartal"))  # an answer to the secret prompt?
    assert "Zümrüt Kartal" in alice.wait_for("helpdesk.message").text  # only shown
    assert session.step_id == "word" and not session.secret_names()
    alice.say(SECURITY_WORD)
    alice.say(PIN)
    assert session.step_id == "confirm"
    helpdesk.send(update_json(3, OPERATOR, "/say KARTIMI SIFIRLA"))
    wait_until(lambda: alice.ids().count("helpdesk.message") == 2)
    assert session.step_id == "confirm"  # still waiting for the person's own confirmation
    assert [e.role for e in session.transcript].count("user") == 2


class ForgedRelay:
    """A relay that has been tampered with: after `opened`, it tries to answer prompts."""

    def __init__(self, frames: list[dict[str, object]]) -> None:
        self.frames = frames
        self.port = 0
        self._ready = threading.Event()
        self._stop: asyncio.Future[None] | None = None
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_until_complete, args=(self._run(),))

    async def _handler(self, socket: ServerConnection) -> None:
        await socket.recv()
        await socket.send(
            json.dumps({"type": "opened", "session": "s", "code": "ABCDEF", "resume": "r"})
        )
        for frame in self.frames:
            await socket.send(json.dumps(frame))
        await socket.wait_closed()

    async def _run(self) -> None:
        self._stop = self._loop.create_future()
        async with serve(self._handler, "127.0.0.1", 0) as server:
            self.port = next(iter(server.sockets)).getsockname()[1]
            self._ready.set()
            await self._stop

    def __enter__(self) -> ForgedRelay:
        self._thread.start()
        self._ready.wait(5)
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._stop is not None
        self._loop.call_soon_threadsafe(self._stop.set_result, None)
        self._thread.join(5)


@pytest.fixture(
    params=[
        {"type": "input", "text": PIN},
        {"type": "confirm", "text": "KARTIMI SIFIRLA"},
        {"type": "message", "operator": "x", "text": "y", "reply": PIN},
        {"type": "suggest", "flow": "support_demo", "answer": "evet"},
    ],
    ids=["input", "confirm", "message-with-reply", "suggest-with-answer"],
)
def forged(request: pytest.FixtureRequest) -> Iterator[ForgedRelay]:
    with ForgedRelay([request.param, {"type": "message", "operator": "x", "text": "after"}]) as r:
        yield r


def test_a_forged_frame_from_the_relay_is_rejected_and_closes_the_link(
    forged: ForgedRelay, local_chat: type[LocalChat]
) -> None:
    alice = local_chat()  # type: ignore[call-arg]
    alice.open(f"ws://127.0.0.1:{forged.port}")
    alice.wait_for("helpdesk.ended")
    session = alice.conversation.session
    assert session.step_id == "word" and not session.secret_names()
    assert [e.role for e in session.transcript] == ["assistant"]  # nothing was answered
    assert "helpdesk.message" not in alice.ids()  # nor anything after the forged frame
    assert not alice.link.active
