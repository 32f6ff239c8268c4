"""Fixtures: the TEST PKI per key type (assistant.demo.pki) with holders in every
revocation state, its CRL served over HTTP and `openssl ocsp` responders running (each
stopped by its PID):

- good: signs with a delegated responder certificate (RSA) or the issuing CA (P-384);
- rogue: signs with a self-issued certificate that has id-kp-OCSPSigning but no authority;
- forged: signs with a key pretending to be the issuing CA (same name, other key);
- short: answers with nextUpdate one minute ahead (`-nmin 1`), for staleness.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest

from assistant.demo.pki import Holder, TestPki

__all__ = ["Scenario", "free_port"]


def free_port() -> int:
    """A loopback port nobody listens on (for "responder down" cases)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Scenario:
    """The PKI plus holders in each revocation state, with responders running."""

    pki: TestPki
    good: Holder
    revoked: Holder
    suspended: Holder
    unknown: Holder
    crl: bytes


@pytest.fixture(scope="session", params=["rsa2048", "p384"])
def scenario(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Scenario]:
    kind: str = request.param
    pki = TestPki(tmp_path_factory.mktemp(f"pki-{kind}"), key_type=kind)
    good = pki.issue_holder(tckn="12345678950", name="Ayşe Yılmaz")
    revoked = pki.issue_holder(name="Şükrü Çağlar Işık")
    suspended = pki.issue_holder(name="İsmail Öztürk")
    unknown = pki.issue_holder(register=False)
    pki.revoke(revoked)
    pki.suspend(suspended)
    crl = pki.make_crl(hours=24)
    pki.published["/kamusm-test.crl"] = crl
    # The RSA hierarchy answers through a delegated responder, P-384 through the CA itself.
    signer = (
        pki.delegated_signer() if kind == "rsa2048" else (pki.dir / "ca.pem", pki.dir / "ca.key")
    )
    try:
        pki.serve_files()
        # Like a real CA's, the main responder's answers carry a nextUpdate (an hour on).
        pki.start_responder("good", signer, "-nmin", "60")
        pki.start_responder(
            "rogue", pki.extra_signer("rogue", forged_issuer=False), port=free_port()
        )
        pki.start_responder(
            "forged", pki.extra_signer("forged", forged_issuer=True), port=free_port()
        )
        pki.start_responder("short", signer, "-nmin", "1", port=free_port())
        yield Scenario(pki, good, revoked, suspended, unknown, crl)
    finally:
        pki.stop()


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    # trust_env off: a proxy from the environment must not intercept loopback tests.
    with httpx.Client(timeout=httpx.Timeout(3.0), trust_env=False) as c:
        yield c
