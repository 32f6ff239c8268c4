"""The relay over TLS, end to end: a test CA made with openssl, uvicorn terminating TLS.

The agent trusts exactly the CA the organisation gives it (`NES_ASISTAN_HELPDESK_CA`):
with it, a support session opens over wss:// and the operator joins; a relay whose
certificate comes from another CA, or names another host, is refused before the agent
sends anything, so the organisation's agent token never reaches it.
"""

from __future__ import annotations

import dataclasses
import logging
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from assistant.helpdesk.agent_link import (
    CA_ENV,
    TOKEN_ENV,
    URL_ENV,
    HelpdeskSettings,
    HelpdeskUnavailableError,
)
from assistant.helpdesk_server.server import HelpdeskConfig
from tests.integration.helpdesk.conftest import (
    AGENT_TOKEN,
    OPERATOR,
    LocalChat,
    RunningHelpdesk,
)
from tests.integration.helpdesk.fake_bot_api import FakeBotApi, update_json
from tests.unit.helpdesk.conftest import FakeClock

pytestmark = pytest.mark.integration


def openssl(*args: str | Path) -> None:
    subprocess.run(["openssl", *map(str, args)], check=True, capture_output=True, timeout=60)


def make_ca(folder: Path, name: str) -> Path:
    folder.mkdir(parents=True)
    openssl(
        "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
        "-keyout", folder / "ca.key", "-out", folder / "ca.pem", "-days", "2",
        "-subj", f"/CN={name}", "-addext", "basicConstraints=critical,CA:TRUE",
        "-addext", "keyUsage=critical,keyCertSign",
    )  # fmt: skip
    return folder


def make_server_cert(ca: Path, san: str) -> tuple[Path, Path]:
    """A TLS server certificate for `san` (e.g. IP:127.0.0.1) issued by the CA in `ca`."""
    key, csr, cert = ca / f"{san}.key", ca / f"{san}.csr", ca / f"{san}.pem"
    openssl(
        "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
        "-keyout", key, "-out", csr, "-subj", "/CN=NES helpdesk relay (test)",
    )  # fmt: skip
    extensions = ca / f"{san}.ext"
    extensions.write_text(
        f"subjectAltName={san}\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n"
    )
    openssl(
        "x509", "-req", "-in", csr, "-CA", ca / "ca.pem", "-CAkey", ca / "ca.key",
        "-CAcreateserial", "-out", cert, "-days", "1", "-extfile", extensions,
    )  # fmt: skip
    return cert, key


@pytest.fixture
def tls_helpdesk(
    helpdesk_config: HelpdeskConfig, bot_api: FakeBotApi, tmp_path: Path
) -> Iterator[Callable[[Path, Path], RunningHelpdesk]]:
    started: list[RunningHelpdesk] = []

    def start(cert: Path, key: Path) -> RunningHelpdesk:
        config = dataclasses.replace(helpdesk_config, ssl_certfile=cert, ssl_keyfile=key)
        config.database.parent.mkdir(exist_ok=True)
        running = RunningHelpdesk(config, bot_api, FakeClock()).start()
        running.url = running.url.replace("ws://", "wss://")
        started.append(running)
        return running

    yield start
    for running in started:
        running.stop()


def trusting(ca: Path, local_chat: Callable[..., LocalChat]) -> LocalChat:
    """A chat whose support link trusts `ca`, as `NES_ASISTAN_HELPDESK_CA` configures it."""
    settings = HelpdeskSettings.load(
        {URL_ENV: "wss://127.0.0.1", TOKEN_ENV: AGENT_TOKEN, CA_ENV: str(ca / "ca.pem")}
    )
    assert settings is not None
    return local_chat(settings.ssl_context())


def test_a_session_opens_over_tls_with_the_organisations_ca(
    tls_helpdesk: Callable[[Path, Path], RunningHelpdesk],
    local_chat: Callable[..., LocalChat],
    tmp_path: Path,
) -> None:
    ca = make_ca(tmp_path / "org-ca", "Organisation Test CA")
    helpdesk = tls_helpdesk(*make_server_cert(ca, "IP:127.0.0.1"))
    alice = trusting(ca, local_chat)
    code = alice.open(helpdesk.url)
    helpdesk.send(update_json(next(helpdesk._update_ids), OPERATOR, f"/join {code}"))
    alice.wait_for("helpdesk.joined")
    assert helpdesk.server.store.waiting_sessions() == 0


@pytest.mark.parametrize("wrong", ["another CA", "another host name"])
def test_the_agent_refuses_a_relay_with_a_wrong_certificate(
    wrong: str,
    tls_helpdesk: Callable[[Path, Path], RunningHelpdesk],
    local_chat: Callable[..., LocalChat],
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    trusted = make_ca(tmp_path / "org-ca", "Organisation Test CA")
    if wrong == "another CA":
        other = make_ca(tmp_path / "other-ca", "Someone Else's CA")
        helpdesk = tls_helpdesk(*make_server_cert(other, "IP:127.0.0.1"))
    else:
        helpdesk = tls_helpdesk(*make_server_cert(trusted, "DNS:helpdesk.example.edu.tr"))
    alice = trusting(trusted, local_chat)
    with pytest.raises(HelpdeskUnavailableError, match="SSLCertVerificationError"):
        alice.open(helpdesk.url)
    assert not alice.link.active
    # The handshake failed before any HTTP: no request, so no token, reached the relay.
    assert not any("/v1/agent" in r.getMessage() for r in caplog.records)
    assert helpdesk.server.store.waiting_sessions() == 0
