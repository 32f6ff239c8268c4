"""CRL fallback: when no OCSP responder answers, fetch the CA's revocation list.

The list is believed only if the issuing CA signed it and it is still current
(nextUpdate not passed); then the certificate's serial is looked up in it.
"""

from __future__ import annotations

import datetime as dt

import httpx
from cryptography import x509

from assistant.pki import fetch
from assistant.pki.freshness import stale_reason
from assistant.pki.status import Problem, RevocationResult, RevocationStatus, Source, revoked


def crl_urls(cert: x509.Certificate) -> list[str]:
    try:
        points = cert.extensions.get_extension_for_class(x509.CRLDistributionPoints).value
    except x509.ExtensionNotFound:
        return []
    return [
        name.value
        for point in points
        for name in point.full_name or []
        if isinstance(name, x509.UniformResourceIdentifier)
        and name.value.lower().startswith(("http://", "https://"))  # skip ldap://
    ]


def check_crl(
    cert: x509.Certificate,
    issuer: x509.Certificate,
    *,
    client: httpx.Client,
    now: dt.datetime,
    urls: list[str] | None = None,
) -> tuple[RevocationResult, bytes | None]:
    """Try each distribution point; return the first trustworthy answer and the raw CRL."""
    return fetch.ask_in_turn(
        Source.CRL,
        crl_urls(cert) if urls is None else urls,
        lambda url: fetch.get(client, url),
        lambda body, url: evaluate_crl(body, cert, issuer, now=now, url=url),
    )


def evaluate_crl(
    data: bytes,
    cert: x509.Certificate,
    issuer: x509.Certificate,
    *,
    now: dt.datetime,
    url: str | None = None,
) -> RevocationResult:
    def invalid(problem: Problem, detail: str | None = None) -> RevocationResult:
        return RevocationResult(RevocationStatus.INVALID_RESPONSE, Source.CRL, url, problem, detail)

    try:
        if data.lstrip().startswith(b"-----BEGIN"):
            crl = x509.load_pem_x509_crl(data)
        else:
            crl = x509.load_der_x509_crl(data)
        if crl.issuer != issuer.subject or cert.issuer != issuer.subject:
            return invalid(Problem.CERT_ID_MISMATCH, "CRL issuer is not the certificate's issuer")
        if not crl.is_signature_valid(issuer.public_key()):  # type: ignore[arg-type]
            return invalid(Problem.BAD_SIGNATURE)
        this_update, next_update = crl.last_update_utc, crl.next_update_utc
        entry = crl.get_revoked_certificate_by_serial_number(cert.serial_number)
        reason_name = _reason(entry) if entry is not None else None
    except (ValueError, TypeError) as exc:
        return invalid(Problem.MALFORMED, type(exc).__name__)

    stale = stale_reason(this_update, next_update, now)
    if stale:
        return invalid(Problem.STALE, stale)
    if entry is None:
        return RevocationResult(
            RevocationStatus.GOOD,
            Source.CRL,
            url,
            this_update=this_update,
            next_update=next_update,
        )
    return revoked(
        Source.CRL,
        url,
        revoked_at=entry.revocation_date_utc,
        reason_name=reason_name,
        this_update=this_update,
        next_update=next_update,
    )


def _reason(entry: x509.RevokedCertificate) -> str | None:
    try:
        return entry.extensions.get_extension_for_class(x509.CRLReason).value.reason.value
    except x509.ExtensionNotFound:
        return None
