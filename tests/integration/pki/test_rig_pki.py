"""The assistant's PKI code against the shared rig's TEST PKI (assistant.demo.pki), i.e.
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

pytestmark = pytest.mark.integration


@contextlib.contextmanager
def rig_responder(test_pki: TestPki) -> Iterator[None]:
    """openssl ocsp on the port the rig's AIA names; openssl 3.0 reads index.txt once at
    start, so it starts after the holders are issued."""
    responder = test_pki.start_responder("pki-tests", None, "-nmin", "60")
    try:
        yield
    finally:
        test_pki.responders.pop("pki-tests")
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
