"""Build certificates shaped like Kamu SM's for unit tests (cryptography only, no openssl).

Odd certificates one at a time, for the facts and selection rules; the TEST PKI itself
(hierarchies, CRL, OCSP responders) is assistant.demo.pki, whose parts this reuses.

Keys are generated once per process and reused: RSA key generation dominates otherwise.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Sequence

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

from assistant.demo.pki import key_usage, new_key, qc_statements
from assistant.pki import facts

PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
NOW = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)
VALID_TCKN = "10000000146"


@functools.cache
def key(kind: str, index: int = 0) -> PrivateKey:
    if kind == "p256":  # not a TEST PKI key type: for facts on unusual curves
        return ec.generate_private_key(ec.SECP256R1())
    return new_key(kind)


def name(*pairs: tuple[x509.ObjectIdentifier, str]) -> x509.Name:
    return x509.Name([x509.NameAttribute(oid, value) for oid, value in pairs])


def holder_name(cn: str = "Ayşe Yılmaz", tckn: str | None = VALID_TCKN) -> x509.Name:
    pairs = [(NameOID.COUNTRY_NAME, "TR")]
    if tckn is not None:
        pairs.append((NameOID.SERIAL_NUMBER, tckn))
    pairs.append((NameOID.COMMON_NAME, cn))
    return name(*pairs)


def nes_extensions(
    ocsp: str = "http://ocsp.example.test/",
    crl: str = "http://depo.example.test/ca.crl",
    qc: bool = True,
) -> list[x509.ExtensionType]:
    exts: list[x509.ExtensionType] = [
        key_usage(content_commitment=True),
        x509.BasicConstraints(ca=False, path_length=None),
        x509.CertificatePolicies(
            [
                x509.PolicyInformation(x509.ObjectIdentifier(facts.NES_POLICY_INDIVIDUAL), None),
                x509.PolicyInformation(x509.ObjectIdentifier("2.16.792.1.2.1.1.5.7.1.9"), None),
            ]
        ),
        x509.AuthorityInformationAccess(
            [
                x509.AccessDescription(
                    x509.AuthorityInformationAccessOID.OCSP, x509.UniformResourceIdentifier(ocsp)
                ),
                x509.AccessDescription(
                    x509.AuthorityInformationAccessOID.CA_ISSUERS,
                    x509.UniformResourceIdentifier("http://depo.example.test/ca.crt"),
                ),
            ]
        ),
        x509.CRLDistributionPoints(
            [x509.DistributionPoint([x509.UniformResourceIdentifier(crl)], None, None, None)]
        ),
    ]
    if qc:
        exts.append(qc_statements())
    return exts


def make_cert(
    subject: x509.Name,
    *,
    subject_key: PrivateKey,
    issuer: tuple[x509.Certificate, PrivateKey] | None = None,
    extensions: Sequence[x509.ExtensionType] = (),
    not_before: dt.datetime = NOW - dt.timedelta(days=365),
    not_after: dt.datetime = NOW + dt.timedelta(days=730),
    serial: int | None = None,
) -> x509.Certificate:
    issuer_name, signing_key = (issuer[0].subject, issuer[1]) if issuer else (subject, subject_key)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer_name)
        .public_key(subject_key.public_key())
        .serial_number(serial or x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
    )
    for ext in extensions:
        builder = builder.add_extension(ext, critical=isinstance(ext, x509.KeyUsage))
    return builder.sign(signing_key, hashes.SHA384())


def ca_pair(kind: str = "p384") -> tuple[x509.Certificate, PrivateKey]:
    ca_key = key(kind, 1)
    cert = make_cert(
        name(
            (NameOID.COUNTRY_NAME, "TR"),
            (NameOID.ORGANIZATION_NAME, "Test Kamu Sertifikasyon Merkezi"),
            (NameOID.COMMON_NAME, "Test Kamu SM Kök Sertifika Hizmet Sağlayıcısı - Sürüm 6"),
        ),
        subject_key=ca_key,
        extensions=[
            x509.BasicConstraints(ca=True, path_length=None),
            key_usage(key_cert_sign=True, crl_sign=True),
        ],
        not_before=NOW - dt.timedelta(days=3650),
        not_after=NOW + dt.timedelta(days=3650),
    )
    return cert, ca_key
