"""One call for "is this certificate revoked?": cache, then OCSP, then the CRL.

Always returns a RevocationResult. "No network" is an answer (UNAVAILABLE/OFFLINE) the
conversation can explain; it never raises for the network or the CA's data.
"""

from __future__ import annotations

import datetime as dt

import httpx
from cryptography import x509

from assistant.pki.cache import RevocationCache
from assistant.pki.crl import check_crl
from assistant.pki.fetch import make_client
from assistant.pki.ocsp import check_ocsp
from assistant.pki.status import Problem, RevocationResult, RevocationStatus


def check_revocation(
    cert: x509.Certificate,
    issuer: x509.Certificate,
    *,
    client: httpx.Client | None = None,
    cache: RevocationCache | None = None,
    now: dt.datetime | None = None,
) -> RevocationResult:
    """OCSP first (current, small); the CRL when OCSP gives no trustworthy answer."""
    now = now or dt.datetime.now(dt.UTC)
    if cache is not None:
        cached = cache.get(cert, issuer, now)
        if cached is not None:
            return cached
    own_client = client is None
    http = client or make_client()
    try:
        result, raw = fetch_revocation(cert, issuer, client=http, now=now)
    finally:
        if own_client:
            http.close()
    if cache is not None and raw is not None:
        cache.put(cert, issuer, result, raw, now)
    return result


def fetch_revocation(
    cert: x509.Certificate, issuer: x509.Certificate, *, client: httpx.Client, now: dt.datetime
) -> tuple[RevocationResult, bytes | None]:
    """Ask the network (OCSP, then the CRL): the answer and the CA's signed bytes behind it.

    The bytes are what a signature embeds as evidence (PAdES-B-LT) or a verifier feeds
    to its validation; None when no trustworthy answer came.
    """
    result, raw = check_ocsp(cert, issuer, client=client, now=now)
    if not result.is_definitive:
        crl_result, crl_raw = check_crl(cert, issuer, client=client, now=now)
        if crl_result.is_definitive:
            result, raw = crl_result, crl_raw
        else:
            result = _more_telling(result, crl_result)
    return result, raw


def _more_telling(ocsp: RevocationResult, crl: RevocationResult) -> RevocationResult:
    """Neither answered: an untrustworthy answer outranks silence, OCSP outranks the CRL."""
    for candidate in (ocsp, crl):
        if candidate.status is RevocationStatus.INVALID_RESPONSE:
            return candidate
    if ocsp.problem is Problem.NO_URL:
        return crl
    return ocsp
