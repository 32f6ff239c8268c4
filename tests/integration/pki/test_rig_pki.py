"""The assistant's PKI code against the shared rig's TEST PKI (tests/rig/pki.py), i.e.
the same certificates the virtual card and SoftHSM tokens carry, with `openssl ocsp`
answering on the port their AIA names."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from assistant.demo.pki import TestPki
from assistant.pki.facts import TcknState, read_facts
from assistant.pki.revocation import check_revocation
from assistant.pki.selection import NotChosenReason, pick_signing_certificate
from assistant.pki.status import RevocationStatus, Source
from assistant.pki.trust import ChainStatus, build_chain, load_trust_store
from tests.integration.pki.pkirig import start_openssl_ocsp

pytestmark = pytest.mark.integration


@contextlib.contextmanager
def rig_responder(test_pki: TestPki) -> Iterator[None]:
    """openssl ocsp on the port the rig's AIA names; openssl 3.0 reads index.txt once at
    start, so it starts after the holders are issued.

    Revocation is not exercised on the rig: its hand-written index.txt subjects
    ("/2.5.4.5=…", raw UTF-8) differ from openssl's ("/serialNumber=…", escaped), so
    `openssl ca -revoke` refuses rig holders ("name does not match"); the PkiRig
    scenarios cover revocation.
    """
    d = test_pki.dir
    responder = start_openssl_ocsp(
        d, d / "ca.pem", (d / "ocsp.pem", d / "ocsp.key"), test_pki.ocsp_port, "pki-tests",
        "-nmin", "60",
    )  # fmt: skip
    try:
        yield
    finally:
        responder.stop()


def test_rig_holder_facts_choice_chain_and_status(test_pki: TestPki, tmp_path: Path) -> None:
    now = dt.datetime.now(dt.UTC)
    signing = test_pki.issue_holder("p384", name="Şükrü Çağlar Işık")
    auth = test_pki.issue_holder("p384", usage="auth", private_key=signing.private_key)
    facts = read_facts(signing.certificate_der)
    assert facts.tckn_state is TcknState.VALID and facts.tckn == signing.tckn
    assert facts.is_qualified and facts.key.label == "ECDSA P-384"

    choice = pick_signing_certificate([read_facts(auth.certificate), facts], now)
    assert choice.chosen == facts
    assert [r for _, r in choice.others] == [NotChosenReason.AUTHENTICATION]

    (tmp_path / "root.pem").write_bytes((test_pki.dir / "root.pem").read_bytes())
    chain = build_chain(
        signing.certificate, [test_pki.issuing_cert], load_trust_store([tmp_path]), now
    )
    assert chain.status is ChainStatus.TRUSTED
    assert chain.issuer is not None

    with httpx.Client(trust_env=False, timeout=3.0) as client:
        with rig_responder(test_pki):
            good = check_revocation(signing.certificate, chain.issuer, client=client, now=now)
        assert (good.status, good.source) == (RevocationStatus.GOOD, Source.OCSP)
