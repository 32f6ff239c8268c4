"""OCSP (RFC 6960): ask the CA's responder whether a certificate is revoked.

The request is built with cryptography's OCSPRequestBuilder (with a nonce) and POSTed to
the AIA URL. The answer is only believed after checking, in this order: the responder's
authority (the issuer itself or a certificate the issuer gave id-kp-OCSPSigning), the
signature, the nonce echo, that it is about our certificate, and its freshness. Anything
failing is an INVALID_RESPONSE with the reason, never a silent "good".
"""

from __future__ import annotations

import datetime as dt
import os

import httpx
from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, padding, rsa
from cryptography.hazmat.primitives.asymmetric.types import CertificatePublicKeyTypes
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from cryptography.x509 import ocsp
from cryptography.x509.oid import (
    AuthorityInformationAccessOID,
    ExtendedKeyUsageOID,
    SignatureAlgorithmOID,
)

from assistant.pki import der, fetch
from assistant.pki.freshness import CLOCK_SKEW, stale_reason
from assistant.pki.status import (
    Problem,
    RevocationResult,
    RevocationStatus,
    Source,
    revoked,
)

_HASHES: dict[str, type[hashes.HashAlgorithm]] = {"sha1": hashes.SHA1, "sha256": hashes.SHA256}


def ocsp_urls(cert: x509.Certificate) -> list[str]:
    try:
        aia = cert.extensions.get_extension_for_class(x509.AuthorityInformationAccess).value
    except x509.ExtensionNotFound:
        return []
    return [
        d.access_location.value
        for d in aia
        if d.access_method == AuthorityInformationAccessOID.OCSP
        and isinstance(d.access_location, x509.UniformResourceIdentifier)
    ]


def build_request(
    cert: x509.Certificate, issuer: x509.Certificate, *, cert_id_hash: str, nonce: bytes | None
) -> bytes:
    """DER OCSPRequest; `cert_id_hash` is "sha1" (what most responders expect) or "sha256"."""
    builder = ocsp.OCSPRequestBuilder().add_certificate(cert, issuer, _HASHES[cert_id_hash]())
    if nonce is not None:
        builder = builder.add_extension(x509.OCSPNonce(nonce), critical=False)
    return builder.build().public_bytes(Encoding.DER)


def check_ocsp(
    cert: x509.Certificate,
    issuer: x509.Certificate,
    *,
    client: httpx.Client,
    now: dt.datetime,
    urls: list[str] | None = None,
    cert_id_hash: str = "sha1",
    use_nonce: bool = True,
) -> tuple[RevocationResult, bytes | None]:
    """Ask each responder in turn; return the first trustworthy answer and its raw DER.

    The raw response is returned so a cache can store it and re-verify it later.
    """
    nonce = os.urandom(16) if use_nonce else None
    request = build_request(cert, issuer, cert_id_hash=cert_id_hash, nonce=nonce)
    return fetch.ask_in_turn(
        Source.OCSP,
        ocsp_urls(cert) if urls is None else urls,
        lambda url: fetch.post(
            client, url, request, "application/ocsp-request", "application/ocsp-response"
        ),
        lambda body, url: evaluate_response(body, cert, issuer, now=now, nonce=nonce, url=url),
    )


# Whole: RFC 6960's checks in the order they must run (status, responder, signature,
# cert id, nonce, freshness), each return naming the one that failed.
def evaluate_response(
    data: bytes,
    cert: x509.Certificate,
    issuer: x509.Certificate,
    *,
    now: dt.datetime,
    nonce: bytes | None,
    url: str | None = None,
) -> RevocationResult:
    """Check a DER OCSPResponse about `cert`; `nonce` None skips the echo check (cache)."""

    def invalid(problem: Problem, detail: str | None = None) -> RevocationResult:
        return RevocationResult(
            RevocationStatus.INVALID_RESPONSE, Source.OCSP, url, problem, detail
        )

    try:
        response = ocsp.load_der_ocsp_response(data)
        if response.response_status is not ocsp.OCSPResponseStatus.SUCCESSFUL:
            return RevocationResult(
                RevocationStatus.UNAVAILABLE,
                Source.OCSP,
                url,
                Problem.RESPONDER_ERROR,
                response.response_status.name,
            )
        signer = _authorised_signer(response, issuer, now)
        if signer is None:
            return invalid(Problem.UNAUTHORISED_RESPONDER)
        if not _signature_ok(signer.public_key(), response):
            return invalid(Problem.BAD_SIGNATURE)
        if nonce is not None and _echoed_nonce(response) not in (None, nonce):
            return invalid(Problem.NONCE_MISMATCH)
        single = next((s for s in response.responses if _is_about(s, cert, issuer)), None)
        if single is None:
            return invalid(Problem.CERT_ID_MISMATCH)
        this_update, next_update = single.this_update_utc, single.next_update_utc
    except (ValueError, UnsupportedAlgorithm) as exc:
        return invalid(Problem.MALFORMED, type(exc).__name__)

    stale = stale_reason(this_update, next_update, now)
    if stale:
        return invalid(Problem.STALE, stale)

    status = single.certificate_status
    if status is ocsp.OCSPCertStatus.GOOD:
        return RevocationResult(
            RevocationStatus.GOOD,
            Source.OCSP,
            url,
            this_update=this_update,
            next_update=next_update,
        )
    if status is ocsp.OCSPCertStatus.REVOKED:
        reason = single.revocation_reason
        return revoked(
            Source.OCSP,
            url,
            revoked_at=single.revocation_time_utc,
            reason_name=reason.value if reason else None,
            this_update=this_update,
            next_update=next_update,
        )
    return RevocationResult(
        RevocationStatus.UNKNOWN, Source.OCSP, url, this_update=this_update, next_update=next_update
    )


def key_bits(key: CertificatePublicKeyTypes) -> bytes:
    """The subjectPublicKey BIT STRING contents (what OCSP key hashes are computed over)."""
    spki = key.public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
    ((_, body),) = der.read_tlvs(spki)
    _, bit_string = list(der.read_tlvs(body))[1]
    return bit_string[1:]  # drop the unused-bits octet


def _digest(algorithm: hashes.HashAlgorithm, data: bytes) -> bytes:
    h = hashes.Hash(algorithm)
    h.update(data)
    return h.finalize()


def _is_about(
    single: ocsp.OCSPSingleResponse, cert: x509.Certificate, issuer: x509.Certificate
) -> bool:
    algorithm = single.hash_algorithm
    return (
        single.serial_number == cert.serial_number
        and single.issuer_name_hash == _digest(algorithm, issuer.subject.public_bytes())
        and single.issuer_key_hash == _digest(algorithm, key_bits(issuer.public_key()))
    )


def _identifies(response: ocsp.OCSPResponse, candidate: x509.Certificate) -> bool:
    if response.responder_key_hash is not None:
        return response.responder_key_hash == _digest(
            hashes.SHA1(), key_bits(candidate.public_key())
        )
    return response.responder_name == candidate.subject


def _authorised_signer(
    response: ocsp.OCSPResponse, issuer: x509.Certificate, now: dt.datetime
) -> x509.Certificate | None:
    """The issuer, or a delegated responder certificate the issuer signed (RFC 6960 4.2.2.2)."""
    if _identifies(response, issuer):
        return issuer
    for candidate in response.certificates:
        if _identifies(response, candidate) and _is_delegate(candidate, issuer, now):
            return candidate
    return None


def _is_delegate(candidate: x509.Certificate, issuer: x509.Certificate, now: dt.datetime) -> bool:
    try:
        candidate.verify_directly_issued_by(issuer)
        eku = candidate.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    except (ValueError, TypeError, InvalidSignature, x509.ExtensionNotFound):
        return False
    in_time = (
        candidate.not_valid_before_utc - CLOCK_SKEW
        <= now
        <= candidate.not_valid_after_utc + CLOCK_SKEW
    )
    return ExtendedKeyUsageOID.OCSP_SIGNING in eku and in_time


def _signature_ok(key: object, response: ocsp.OCSPResponse) -> bool:
    data, signature = response.tbs_response_bytes, response.signature
    algorithm = response.signature_hash_algorithm
    try:
        if isinstance(key, rsa.RSAPublicKey) and algorithm is not None:
            pad: padding.AsymmetricPadding = padding.PKCS1v15()
            if response.signature_algorithm_oid == SignatureAlgorithmOID.RSASSA_PSS:
                pad = padding.PSS(padding.MGF1(algorithm), padding.PSS.AUTO)
            key.verify(signature, data, pad, algorithm)
        elif isinstance(key, ec.EllipticCurvePublicKey) and algorithm is not None:
            key.verify(signature, data, ec.ECDSA(algorithm))
        elif isinstance(key, ed25519.Ed25519PublicKey | ed448.Ed448PublicKey):
            key.verify(signature, data)
        else:
            return False
    except InvalidSignature:
        return False
    return True


def _echoed_nonce(response: ocsp.OCSPResponse) -> bytes | None:
    """The nonce the responder echoed, None when it sent none (pre-signed responses)."""
    try:
        return response.extensions.get_extension_for_class(x509.OCSPNonce).value.nonce
    except x509.ExtensionNotFound:
        return None
