"""A support session survives a restart of the helpdesk server, and only its agent resumes it."""

from __future__ import annotations

import dataclasses
import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from assistant.helpdesk.protocol import AGENT_PATH, CLOSE_POLICY
from assistant.helpdesk_server.server import HelpdeskConfig
from tests.integration.helpdesk.conftest import (
    AGENT_TOKEN,
    OPERATOR,
    LocalChat,
    RunningHelpdesk,
    wait_until,
)
from tests.integration.helpdesk.fake_bot_api import FakeBotApi, update_json
from tests.unit.helpdesk.conftest import FakeClock

PIN = "918273"
SMS_CODE = "472951"
SECURITY_WORD = "Zümrüt Kartal"


def _agent(helpdesk: RunningHelpdesk) -> ClientConnection:
    return connect(
        helpdesk.url + AGENT_PATH, additional_headers={"Authorization": f"Bearer {AGENT_TOKEN}"}
    )


def _opened(socket: ClientConnection) -> dict[str, Any]:
    socket.send(json.dumps({"type": "open", "language": "tr"}))
    frame: dict[str, Any] = json.loads(socket.recv(5))
    return frame


def _resume(helpdesk: RunningHelpdesk, session: str, secret: str) -> int | str:
    """What the relay answers a resume with: the frame type, or the close code."""
    with _agent(helpdesk) as socket:
        socket.send(json.dumps({"type": "resume", "session": session, "secret": secret}))
        try:
            return str(json.loads(socket.recv(5))["type"])
        except ConnectionClosed as closed:
            assert closed.rcvd is not None
            return closed.rcvd.code


@pytest.fixture
def first(helpdesk_config: HelpdeskConfig, bot_api: FakeBotApi) -> Iterator[RunningHelpdesk]:
    helpdesk_config.database.parent.mkdir()
    running = RunningHelpdesk(helpdesk_config, bot_api, FakeClock()).start()
    yield running
    running.stop()  # stopping twice is harmless


def test_the_session_survives_a_restart_and_nothing_typed_meanwhile_is_lost(
    first: RunningHelpdesk,
    bot_api: FakeBotApi,
    local_chat: type[LocalChat],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    alice = local_chat()  # type: ignore[call-arg]
    first.send(update_json(1, OPERATOR, f"/join {alice.open(first.url)}"))
    alice.wait_for("helpdesk.joined")
    alice.say(SECURITY_WORD)  # at its secret prompt, before the restart

    first.stop()
    alice.wait_for("helpdesk.reconnecting")
    assert alice.link.active  # still in the session, only waiting for the relay
    alice.say(PIN)  # at the PIN prompt while the relay is down: queued as a mask
    alice.say(f"tarayıcı yeniden açıldı, SMS {SMS_CODE}")  # plain chat, queued redacted

    port = int(first.url.rsplit(":", 1)[1])
    second = RunningHelpdesk(first.config, bot_api, first.clock, port=port).start()
    try:
        alice.wait_for("helpdesk.reconnected", timeout=15)
        wait_until(lambda: any("tarayıcı yeniden açıldı" in t for t in bot_api.texts_to(OPERATOR)))
        assert any("yeniden bağlandı" in t for t in bot_api.texts_to(OPERATOR))
        assert second.server.hub.joined(OPERATOR)  # the operator stayed joined

        second.send(update_json(2, OPERATOR, "Bağlantı geri geldi, devam edelim"))
        assert "devam edelim" in alice.wait_for("helpdesk.message").text
        alice.say("KARTIMI SIFIRLA")
        alice.say("kartım hâlâ kilitli")
        wait_until(lambda: any("hâlâ kilitli" in t for t in bot_api.texts_to(OPERATOR)))
        assert alice.ids().count("helpdesk.reconnecting") == 1  # one calm notice
        assert "helpdesk.ended" not in alice.ids() and "helpdesk.lost" not in alice.ids()

        sent = "\n".join(m["text"] for m in bot_api.sent)
        folder = Path(second.config.database).parent
        stored = b"".join(p.read_bytes() for p in sorted(folder.iterdir()))
        for canary in (PIN, SMS_CODE, SECURITY_WORD):
            assert canary not in sent, canary
            assert canary.encode() not in stored, canary
            assert canary not in caplog.text, canary
        assert "SMS ••••••" in sent  # the queued line went redacted
    finally:
        alice.link.end()
        second.stop()


def test_a_resume_secret_opens_its_own_session_only_and_expires_with_it(
    helpdesk: RunningHelpdesk, local_chat: type[LocalChat]
) -> None:
    alice = local_chat()  # type: ignore[call-arg]
    alice.open(helpdesk.url)
    victim = alice.link.session_id
    assert victim is not None
    with _agent(helpdesk) as socket:  # another agent with a session of its own
        opened = _opened(socket)
        mine, secret = opened["session"], opened["resume"]
        assert _resume(helpdesk, victim, secret) == CLOSE_POLICY  # someone else's secret
        assert _resume(helpdesk, victim, "x" * 43) == CLOSE_POLICY  # a guessed one
        assert _resume(helpdesk, "no-such-session", secret) == CLOSE_POLICY
    # this agent's connection dropped; its session waits for it

    assert _resume(helpdesk, mine, secret) == "resumed"
    assert alice.link.active and "helpdesk.ended" not in alice.ids()  # Alice was never hit
    wait_until(lambda: mine not in helpdesk.server.hub._agents)
    helpdesk.clock.advance(helpdesk.server.hub.resume_grace + 1)  # away for too long
    helpdesk.call(helpdesk.server.hub.expire_idle())
    assert _resume(helpdesk, mine, secret) == CLOSE_POLICY  # expired with its session
    alice.link.end()  # a session its person ended cannot be taken up by anyone
    wait_until(lambda: victim not in helpdesk.server.hub._agents)
    assert helpdesk.server.store.resume_hash(victim) is None


def test_a_relay_that_does_not_know_the_session_ends_it_and_says_queued_lines_were_lost(
    first: RunningHelpdesk,
    bot_api: FakeBotApi,
    local_chat: type[LocalChat],
    tmp_path: Path,
) -> None:
    alice = local_chat()  # type: ignore[call-arg]
    alice.open(first.url)
    first.stop()
    alice.wait_for("helpdesk.reconnecting")
    alice.say("bu satır hiçbir yere gitmemeli")
    other = dataclasses.replace(first.config, database=tmp_path / "other" / "helpdesk.db")
    other.database.parent.mkdir()
    port = int(first.url.rsplit(":", 1)[1])
    second = RunningHelpdesk(other, bot_api, first.clock, port=port).start()
    try:
        assert "iletilmedi" in alice.wait_for("helpdesk.lost", timeout=15).text
        assert not alice.link.active
        assert not any("hiçbir yere" in m["text"] for m in bot_api.sent)
    finally:
        second.stop()
