"""OCSP against real `openssl ocsp` responders on loopback."""

from __future__ import annotations

import datetime as dt
import socket

import httpx
import pytest

from assistant.pki.ocsp import check_ocsp, evaluate_response
from assistant.pki.status import Problem, RevocationReason, RevocationStatus, Source
from tests.integration.pki.conftest import Scenario, free_port

pytestmark = pytest.mark.integration


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@pytest.mark.parametrize("cert_id_hash", ["sha1", "sha256"])
def test_good(scenario: Scenario, client: httpx.Client, cert_id_hash: str) -> None:
    result, raw = check_ocsp(
        scenario.good.certificate,
        scenario.pki.issuing_cert,
        client=client,
        now=now(),
        cert_id_hash=cert_id_hash,
    )
    assert result.status is RevocationStatus.GOOD, result
    assert result.source is Source.OCSP
    assert result.url == scenario.pki.ocsp_url  # the URL the certificate names
    assert raw is not None


def test_revoked_with_time_and_reason(scenario: Scenario, client: httpx.Client) -> None:
    result, _ = check_ocsp(
        scenario.revoked.certificate, scenario.pki.issuing_cert, client=client, now=now()
    )
    assert result.status is RevocationStatus.REVOKED, result
    assert result.reason is RevocationReason.KEY_COMPROMISE
    assert result.revoked_at is not None
    assert abs(result.revoked_at - now()) < dt.timedelta(hours=1)


def test_certificate_hold_is_suspended(scenario: Scenario, client: httpx.Client) -> None:
    result, _ = check_ocsp(
        scenario.suspended.certificate, scenario.pki.issuing_cert, client=client, now=now()
    )
    assert result.status is RevocationStatus.SUSPENDED, result
    assert result.reason is RevocationReason.CERTIFICATE_HOLD


def test_unknown(scenario: Scenario, client: httpx.Client) -> None:
    result, _ = check_ocsp(
        scenario.unknown.certificate, scenario.pki.issuing_cert, client=client, now=now()
    )
    assert result.status is RevocationStatus.UNKNOWN, result


def test_responder_down_is_offline(scenario: Scenario, client: httpx.Client) -> None:
    closed = f"http://127.0.0.1:{free_port()}/"
    result, raw = check_ocsp(
        scenario.good.certificate,
        scenario.pki.issuing_cert,
        client=client,
        now=now(),
        urls=[closed],
    )
    assert result.status is RevocationStatus.UNAVAILABLE
    assert result.problem is Problem.OFFLINE
    assert raw is None


def test_responder_that_never_answers_times_out(scenario: Scenario) -> None:
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        url = f"http://127.0.0.1:{silent.getsockname()[1]}/"
        with httpx.Client(timeout=httpx.Timeout(0.5), trust_env=False) as quick:
            result, _ = check_ocsp(
                scenario.good.certificate,
                scenario.pki.issuing_cert,
                client=quick,
                now=now(),
                urls=[url],
            )
    assert result.status is RevocationStatus.UNAVAILABLE
    assert result.problem is Problem.TIMEOUT


def test_falls_through_a_dead_responder_to_a_live_one(
    scenario: Scenario, client: httpx.Client
) -> None:
    urls = [f"http://127.0.0.1:{free_port()}/", scenario.pki.responders["good"].url]
    result, _ = check_ocsp(
        scenario.revoked.certificate, scenario.pki.issuing_cert, client=client, now=now(), urls=urls
    )
    assert result.status is RevocationStatus.REVOKED


def test_responder_without_authority_is_refused(scenario: Scenario, client: httpx.Client) -> None:
    result, _ = check_ocsp(
        scenario.revoked.certificate,
        scenario.pki.issuing_cert,
        client=client,
        now=now(),
        urls=[scenario.pki.responders["rogue"].url],
    )
    assert result.status is RevocationStatus.INVALID_RESPONSE
    assert result.problem is Problem.UNAUTHORISED_RESPONDER


def test_response_signed_by_a_fake_issuer_has_bad_signature(
    scenario: Scenario, client: httpx.Client
) -> None:
    result, _ = check_ocsp(
        scenario.good.certificate,
        scenario.pki.issuing_cert,
        client=client,
        now=now(),
        urls=[scenario.pki.responders["forged"].url],
    )
    assert result.status is RevocationStatus.INVALID_RESPONSE
    assert result.problem is Problem.BAD_SIGNATURE


def test_short_lived_response_is_fresh_now_and_stale_later(
    scenario: Scenario, client: httpx.Client
) -> None:
    url = scenario.pki.responders["short"].url
    fresh, raw = check_ocsp(
        scenario.good.certificate, scenario.pki.issuing_cert, client=client, now=now(), urls=[url]
    )
    assert fresh.status is RevocationStatus.GOOD
    assert fresh.next_update is not None
    assert fresh.next_update - now() <= dt.timedelta(minutes=1, seconds=5)
    assert raw is not None
    # The same signed answer, judged ten minutes on (a replayed response): stale.
    later = now() + dt.timedelta(minutes=10)
    replayed = evaluate_response(
        raw, scenario.good.certificate, scenario.pki.issuing_cert, now=later, nonce=None
    )
    assert replayed.status is RevocationStatus.INVALID_RESPONSE
    assert replayed.problem is Problem.STALE
    # And asking the live responder with a clock ten minutes fast gives the same verdict.
    skewed, _ = check_ocsp(
        scenario.good.certificate, scenario.pki.issuing_cert, client=client, now=later, urls=[url]
    )
    assert skewed.problem is Problem.STALE


def test_replayed_response_for_another_request_fails_nonce(
    scenario: Scenario, client: httpx.Client
) -> None:
    _, raw = check_ocsp(
        scenario.good.certificate, scenario.pki.issuing_cert, client=client, now=now()
    )
    assert raw is not None
    result = evaluate_response(
        raw, scenario.good.certificate, scenario.pki.issuing_cert, now=now(), nonce=b"x" * 16
    )
    assert result.problem is Problem.NONCE_MISMATCH


def test_response_about_another_certificate_is_refused(
    scenario: Scenario, client: httpx.Client
) -> None:
    _, raw = check_ocsp(
        scenario.good.certificate, scenario.pki.issuing_cert, client=client, now=now()
    )
    assert raw is not None
    result = evaluate_response(
        raw, scenario.revoked.certificate, scenario.pki.issuing_cert, now=now(), nonce=None
    )
    assert result.problem is Problem.CERT_ID_MISMATCH
