"""Fixtures for the portal: a seeded training portal served by uvicorn in a thread.

A real HTTP server on a free loopback port (not an in-process transport): the client
is tested through the same sockets it uses in production, and each test's clock is a
`FakeClock` so expiry and timeouts are driven without sleeping.
"""

from __future__ import annotations

import random
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import uvicorn
import yaml
from starlette.applications import Starlette

from assistant.portal.client import PortalClient
from assistant.portal.reference.app import create_app
from assistant.portal.reference.service import Limits, PortalService
from assistant.portal.reference.training import captcha_answer, latest_code
from assistant.secret import Secret, SecretKind

TCKN = "10000000146"
OLD_CARD_TCKN = "10000000078"  # a pre-2011 card: the holder keeps the PUK
MOBILE = "05321234567"
# Canaries: distinctive values that must never show up where secrets must not go.
PIN_CANARY = "739184"
PUK_CANARY = "60418273"
WORD_CANARY = "kanarya-güvenlik-7781"
TRAINING_KEY = "trainer-key-for-tests"
ACTIVE = "4E4153000001"
OLD = "4E4153000002"


def seed() -> dict[str, Any]:
    return {
        "holders": [
            {
                "tckn": TCKN,
                "name": "Ayşe Yılmaz",
                "security_word": WORD_CANARY,
                "mobile": MOBILE,
                "email": "ayse@example.com.tr",
                "address": "Gebze, Kocaeli",
                "pin": PIN_CANARY,
                "puk": PUK_CANARY,
                "certificates": [
                    {
                        "serial": "4E:41:53:00:00:01",
                        "subject_cn": "AYŞE YILMAZ",
                        "not_before": "2025-01-15T00:00:00+00:00",
                        "not_after": "2099-01-15T00:00:00+00:00",
                    },
                    {
                        "serial": OLD,
                        "subject_cn": "AYŞE YILMAZ",
                        "not_before": "2020-01-15T00:00:00+00:00",
                        "not_after": "2023-01-15T00:00:00+00:00",
                        "key_type": "rsa2048",
                    },
                ],
            },
            {
                "tckn": OLD_CARD_TCKN,
                "name": "Mehmet Demir",
                "security_word": "eski kart",
                "mobile": "05329876543",
            },
        ]
    }


class FakeClock:
    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@dataclass
class RunningPortal:
    base_url: str
    app: Starlette
    clock: FakeClock
    state_path: Path
    outbox_path: Path

    @property
    def service(self) -> PortalService:
        service: PortalService = self.app.state.service
        return service

    def client(self) -> PortalClient:
        return PortalClient(self.base_url)

    def login(self, client: PortalClient, tckn: str = TCKN, word: str = WORD_CANARY) -> None:
        """A full "Şifreli Giriş": captcha via the training key, SMS code from the phone."""
        challenge = client.begin_login(tckn)
        answer = captcha_answer(self.base_url, challenge.login_id, TRAINING_KEY)
        result = client.submit_login(answer, Secret(word, SecretKind.SECURITY_WORD))
        assert result.outcome.value == "sms_sent", result
        code = latest_code(self.outbox_path)
        assert code is not None
        assert client.submit_sms(Secret(code, SecretKind.SMS_CODE)).outcome.value == "ok"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def write_seed(path: Path, data: dict[str, Any] | None = None) -> Path:
    path.write_text(yaml.safe_dump(data or seed(), allow_unicode=True), encoding="utf-8")
    return path


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


class Servers:
    """Training portals served by uvicorn in threads, stopped together."""

    def __init__(self, folder: Path, clock: FakeClock) -> None:
        self.folder = folder
        self.clock = clock
        self.running: list[tuple[uvicorn.Server, threading.Thread]] = []

    def start(
        self, limits: Limits | None = None, training_key: str | None = TRAINING_KEY
    ) -> RunningPortal:
        state = self.folder / f"state-{len(self.running)}.json"
        outbox = self.folder / f"outbox-{len(self.running)}.jsonl"
        app = create_app(
            state,
            seed_path=write_seed(self.folder / "seed.yaml"),
            outbox_path=outbox,
            training_key=training_key,
            limits=limits,
            clock=self.clock,
            rng=random.Random(7),
        )
        port = free_port()
        config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
        server = uvicorn.Server(config)
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        deadline = time.monotonic() + 10
        while not server.started:
            assert time.monotonic() < deadline, "portal did not start"
            time.sleep(0.01)
        self.running.append((server, thread))
        return RunningPortal(f"http://127.0.0.1:{port}", app, self.clock, state, outbox)

    def stop(self) -> None:
        for server, thread in self.running:
            server.should_exit = True
            thread.join(timeout=10)


@pytest.fixture
def serve(tmp_path: Path, clock: FakeClock) -> Iterator[Callable[..., RunningPortal]]:
    """Factory: serve(limits=None, training_key=TRAINING_KEY) → a running portal."""
    servers = Servers(tmp_path, clock)
    yield servers.start
    servers.stop()
