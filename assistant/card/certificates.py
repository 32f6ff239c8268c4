"""Certificates on the token, each paired with its private key by CKA_ID.

Only the card-level facts are read here (who, until when, which key, can it sign
qualified): the NES meaning of the fields — TC Kimlik No checks, policy OIDs, chain and
revocation — belongs to assistant.pki, which gets the DER bytes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pkcs11


@dataclass(frozen=True)
class CardCertificate:
    label: str
    key_id: bytes
    der: bytes
    subject: str
    """RFC 4514 form, for diagnostics; use the parsed fields below for logic."""
    common_name: str | None
    subject_serial_number: str | None
    """Subject serialNumber (OID 2.5.4.5): the TC Kimlik No on Turkish NES certificates."""
    issuer_common_name: str | None
    serial_number: int
    not_before: dt.datetime
    not_after: dt.datetime
    key_algorithm: str
    """"EC" or "RSA" (anything else is listed but cannot make a test signature)."""
    key_size: int
    curve: str | None
    non_repudiation: bool
    """KeyUsage nonRepudiation (contentCommitment): the qualified-signature certificate."""
    has_private_key: bool | None
    """None when the token hides private keys until login, so it cannot be known yet."""


def describe(
    der: bytes, label: str, key_id: bytes, has_private_key: bool | None
) -> CardCertificate:
    from cryptography import x509
    from cryptography.hazmat.primitives.asymmetric import ec, rsa
    from cryptography.x509.oid import NameOID

    cert = x509.load_der_x509_certificate(der)
    public_key = cert.public_key()
    curve: str | None = None
    if isinstance(public_key, ec.EllipticCurvePublicKey):
        algorithm, size, curve = "EC", public_key.curve.key_size, public_key.curve.name
    elif isinstance(public_key, rsa.RSAPublicKey):
        algorithm, size = "RSA", public_key.key_size
    else:
        algorithm, size = type(public_key).__name__, 0
    try:
        usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
        non_repudiation = usage.content_commitment
    except x509.ExtensionNotFound:
        non_repudiation = False

    def first(name: x509.Name, oid: x509.ObjectIdentifier) -> str | None:
        values = name.get_attributes_for_oid(oid)
        return str(values[0].value) if values else None

    return CardCertificate(
        label=label,
        key_id=key_id,
        der=der,
        subject=cert.subject.rfc4514_string(),
        common_name=first(cert.subject, NameOID.COMMON_NAME),
        subject_serial_number=first(cert.subject, NameOID.SERIAL_NUMBER),
        issuer_common_name=first(cert.issuer, NameOID.COMMON_NAME),
        serial_number=cert.serial_number,
        not_before=cert.not_valid_before_utc,
        not_after=cert.not_valid_after_utc,
        key_algorithm=algorithm,
        key_size=size,
        curve=curve,
        non_repudiation=non_repudiation,
        has_private_key=has_private_key,
    )


def read_certificates(session: pkcs11.Session, *, logged_in: bool) -> tuple[CardCertificate, ...]:
    """X.509 certificates with their key pairing; call with the module lock held."""
    from pkcs11 import Attribute, CertificateType, ObjectClass

    key_ids = private_key_ids(session)
    # With no private key visible before login we cannot tell "no key" from "hidden key".
    unknown = not key_ids and not logged_in
    certificates = []
    for obj in session.get_objects(
        {
            Attribute.CLASS: ObjectClass.CERTIFICATE,
            Attribute.CERTIFICATE_TYPE: CertificateType.X_509,
        }
    ):
        key_id = bytes(obj[Attribute.ID])
        has_key = None if unknown else key_id in key_ids
        certificates.append(
            describe(bytes(obj[Attribute.VALUE]), str(obj[Attribute.LABEL]), key_id, has_key)
        )
    return tuple(certificates)


def private_key_ids(session: pkcs11.Session) -> set[bytes]:
    from pkcs11 import Attribute, ObjectClass

    return {
        bytes(key[Attribute.ID])
        for key in session.get_objects({Attribute.CLASS: ObjectClass.PRIVATE_KEY})
    }


def choose_signing_certificate(
    certificates: Iterable[CardCertificate], key_id: bytes | None = None
) -> CardCertificate | None:
    """The NES (nonRepudiation) certificate with a key, unless the caller names one."""
    usable = [c for c in certificates if c.has_private_key and c.key_algorithm in ("EC", "RSA")]
    if key_id is not None:
        return next((c for c in usable if c.key_id == key_id), None)
    qualified = [c for c in usable if c.non_repudiation]
    candidates = qualified or usable
    return candidates[0] if candidates else None
