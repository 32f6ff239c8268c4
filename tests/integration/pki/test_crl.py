"""CRL fallback against `openssl ca -gencrl` lists served on loopback."""

from __future__ import annotations

import datetime as dt

import httpx
import pytest

from assistant.pki.crl import check_crl, evaluate_crl
from assistant.pki.status import Problem, RevocationReason, RevocationStatus, Source
from tests.integration.pki.conftest import Scenario, free_port

pytestmark = pytest.mark.integration


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def test_good_revoked_suspended_from_the_cdp(scenario: Scenario, client: httpx.Client) -> None:
    issuer = scenario.pki.issuing_cert
    good, raw = check_crl(scenario.good.certificate, issuer, client=client, now=now())
    assert good.status is RevocationStatus.GOOD, good
    assert good.source is Source.CRL and good.url == scenario.pki.crl_url
    assert raw == scenario.pki.published["/kamusm-test.crl"]

    revoked, _ = check_crl(scenario.revoked.certificate, issuer, client=client, now=now())
    assert revoked.status is RevocationStatus.REVOKED
    assert revoked.reason is RevocationReason.KEY_COMPROMISE
    assert revoked.revoked_at is not None

    suspended, _ = check_crl(scenario.suspended.certificate, issuer, client=client, now=now())
    assert suspended.status is RevocationStatus.SUSPENDED
    assert suspended.reason is RevocationReason.CERTIFICATE_HOLD


def test_crl_past_its_next_update_is_stale(scenario: Scenario) -> None:
    later = now() + dt.timedelta(days=2)  # the CRL was made with -crlhours 24
    result = evaluate_crl(
        scenario.crl, scenario.good.certificate, scenario.pki.issuing_cert, now=later
    )
    assert result.status is RevocationStatus.INVALID_RESPONSE
    assert result.problem is Problem.STALE


def test_crl_signed_by_a_fake_issuer_is_refused(scenario: Scenario) -> None:
    pki = scenario.pki
    pki.extra_signer("forged-crl", forged_issuer=True)
    pki.write_config("forged.cnf", "forged-crl.pem", "forged-crl.key")
    forged = pki.make_crl(config="forged.cnf")
    result = evaluate_crl(forged, scenario.revoked.certificate, pki.issuing_cert, now=now())
    assert result.status is RevocationStatus.INVALID_RESPONSE
    assert result.problem is Problem.BAD_SIGNATURE


def test_crl_of_another_ca_is_refused(scenario: Scenario) -> None:
    # The root's certificate as "issuer": the CRL is the issuing CA's, not the root's.
    result = evaluate_crl(
        scenario.crl, scenario.good.certificate, scenario.pki.root_cert, now=now()
    )
    assert result.problem is Problem.CERT_ID_MISMATCH


def test_cdp_down_missing_or_garbage(scenario: Scenario, client: httpx.Client) -> None:
    cert, issuer = scenario.good.certificate, scenario.pki.issuing_cert
    down, _ = check_crl(
        cert, issuer, client=client, now=now(), urls=[f"http://127.0.0.1:{free_port()}/x.crl"]
    )
    assert (down.status, down.problem) == (RevocationStatus.UNAVAILABLE, Problem.OFFLINE)

    missing, _ = check_crl(
        cert, issuer, client=client, now=now(), urls=[scenario.pki.file_url("/nope")]
    )
    assert (missing.status, missing.problem) == (RevocationStatus.UNAVAILABLE, Problem.HTTP_ERROR)
    assert missing.detail == "HTTP 404"

    scenario.pki.published["/garbage.crl"] = b"<html>captive portal</html>"
    garbage, _ = check_crl(
        cert, issuer, client=client, now=now(), urls=[scenario.pki.file_url("/garbage.crl")]
    )
    assert garbage.problem is Problem.MALFORMED
