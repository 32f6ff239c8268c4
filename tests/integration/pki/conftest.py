"""Fixtures: the PKI rig per key type with holders in every revocation state and
`openssl ocsp` responders running (each stopped by its PID):

- good: signs with a delegated responder certificate (RSA) or the issuing CA (P-384);
- rogue: signs with a self-issued certificate that has id-kp-OCSPSigning but no authority;
- forged: signs with a key pretending to be the issuing CA (same name, other key);
- short: answers with nextUpdate one minute ahead (`-nmin 1`), for staleness.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest

from tests.integration.pki.pkirig import FileServer, Holder, PkiRig, free_port

__all__ = ["FileServer", "Scenario", "free_port"]


@dataclass
class Scenario:
    """The PKI plus holders in each revocation state, with responders running."""

    pki: PkiRig
    good: Holder
    revoked: Holder
    suspended: Holder
    unknown: Holder
    crl: bytes


@pytest.fixture(scope="session")
def crl_server() -> Iterator[FileServer]:
    server = FileServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session", params=["rsa2048", "p384"])
def scenario(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, crl_server: FileServer
) -> Iterator[Scenario]:
    kind: str = request.param
    pki = PkiRig(kind, tmp_path_factory.mktemp(f"pki-{kind}"), crl_server, free_port())
    good = pki.issue_holder("12345678950", "Ayşe Yılmaz")
    revoked = pki.issue_holder()
    suspended = pki.issue_holder(name="İsmail Öztürk")
    unknown = pki.issue_holder(register=False)
    pki.revoke(revoked)
    pki.suspend(suspended)
    crl = pki.make_crl()
    crl_server.files[f"/{kind}/ca.crl"] = crl
    # The RSA hierarchy answers through a delegated responder, P-384 through the CA itself.
    signer = (
        pki.delegated_signer() if kind == "rsa2048" else (pki.dir / "ca.pem", pki.dir / "ca.key")
    )
    try:
        # Like a real CA's, the main responder's answers carry a nextUpdate (an hour on).
        pki.start_responder("good", signer, "-nmin", "60", port=pki.ocsp_port)
        pki.start_responder("rogue", pki.extra_signer("rogue", forged_issuer=False))
        pki.start_responder("forged", pki.extra_signer("forged", forged_issuer=True))
        pki.start_responder("short", signer, "-nmin", "1")
        yield Scenario(pki, good, revoked, suspended, unknown, crl)
    finally:
        for responder in pki.responders.values():
            responder.stop()


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    # trust_env off: a proxy from the environment must not intercept loopback tests.
    with httpx.Client(timeout=httpx.Timeout(3.0), trust_env=False) as c:
        yield c
