"""Malformed bytes and refused answers, through httpx.MockTransport (the real responder
cannot be made to send these); the well-formed cases run against openssl in integration."""

import httpx
import pytest
from cryptography import x509

from assistant.pki.ocsp import check_ocsp
from assistant.pki.revocation import check_revocation
from assistant.pki.status import Problem, RevocationStatus
from tests.unit.pki import certgen as g


@pytest.fixture(scope="module")
def pair() -> tuple[x509.Certificate, x509.Certificate]:
    ca = g.ca_pair()
    leaf = g.make_cert(
        g.holder_name(), subject_key=g.key("p384"), issuer=ca, extensions=g.nes_extensions()
    )
    return leaf, ca[0]


def _client(body: bytes, status: int = 200) -> httpx.Client:
    def answer(request: httpx.Request) -> httpx.Response:
        assert request.headers["content-type"] == "application/ocsp-request"
        return httpx.Response(status, content=body)

    return httpx.Client(transport=httpx.MockTransport(answer))


@pytest.mark.parametrize(
    ("body", "status", "expected", "problem"),
    [
        (b"<html>captive portal</html>", 200, RevocationStatus.INVALID_RESPONSE, Problem.MALFORMED),
        (b"", 200, RevocationStatus.INVALID_RESPONSE, Problem.MALFORMED),
        (b"\x30\x03\x0a\x01\x03", 200, RevocationStatus.UNAVAILABLE, Problem.RESPONDER_ERROR),
        (b"\x30\x03\x0a\x01\x06", 200, RevocationStatus.UNAVAILABLE, Problem.RESPONDER_ERROR),
        (b"oops", 503, RevocationStatus.UNAVAILABLE, Problem.HTTP_ERROR),
        (b"x" * 70_000, 200, RevocationStatus.UNAVAILABLE, Problem.HTTP_ERROR),
    ],
)
def test_bad_answers(
    pair: tuple[x509.Certificate, x509.Certificate],
    body: bytes,
    status: int,
    expected: RevocationStatus,
    problem: Problem,
) -> None:
    leaf, issuer = pair
    with _client(body, status) as client:
        result, raw = check_ocsp(leaf, issuer, client=client, now=g.NOW)
    assert (result.status, result.problem) == (expected, problem)
    assert raw is None


def test_try_later_names_the_responder_status(
    pair: tuple[x509.Certificate, x509.Certificate],
) -> None:
    with _client(b"\x30\x03\x0a\x01\x03") as client:
        result, _ = check_ocsp(pair[0], pair[1], client=client, now=g.NOW)
    assert result.detail == "TRY_LATER"


def test_certificate_without_urls(pair: tuple[x509.Certificate, x509.Certificate]) -> None:
    ca = g.ca_pair()
    bare = g.make_cert(g.holder_name(), subject_key=g.key("p384"), issuer=ca)
    with _client(b"") as client:
        result = check_revocation(bare, ca[0], client=client, now=g.NOW)
    assert (result.status, result.problem) == (RevocationStatus.UNAVAILABLE, Problem.NO_URL)
