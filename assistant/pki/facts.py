"""Typed, language-neutral facts about one X.509 certificate, read with cryptography.

The conversation layer turns these into Turkish (or any) sentences; nothing here words
anything. Parsing never fails on an odd but valid certificate (no subject serialNumber,
several CNs, no extensions, a serialNumber that is not a TC Kimlik No): the fact is then
absent or marked invalid, because a user's card is what it is and we still have to say
something useful about it.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable
from dataclasses import dataclass, field

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, rsa
from cryptography.x509.oid import AuthorityInformationAccessOID, NameOID

from assistant.pki import der
from assistant.pki.tckn import mask_tckn, tckn_from_subject_serial

# BTK's NES policy arc (Law 5070); `.1.1` individual, `.1.2` corporate (DOMAIN.md).
NES_POLICY_ARC = "2.16.792.1.61.0.1.5070."
NES_POLICY_INDIVIDUAL = "2.16.792.1.61.0.1.5070.1.1"
NES_POLICY_CORPORATE = "2.16.792.1.61.0.1.5070.1.2"
# Kamu SM's own policy arc: tells who issued it, not that it is qualified.
KAMU_SM_POLICY_ARC = "2.16.792.1.2.1.1.5.7."
QC_STATEMENTS_OID = "1.3.6.1.5.5.7.1.3"
QC_COMPLIANCE = "0.4.0.1862.1.1"
QC_SSCD = "0.4.0.1862.1.4"
RENEWAL_WINDOW_MONTHS = 3
"""Kamu SM opens renewal in the certificate's last three months (DOMAIN.md)."""


class KeyAlgorithm(enum.StrEnum):
    RSA = "rsa"
    ECDSA = "ecdsa"
    EDDSA = "eddsa"
    DSA = "dsa"
    OTHER = "other"


class KeyUsageBit(enum.StrEnum):
    DIGITAL_SIGNATURE = "digital_signature"
    NON_REPUDIATION = "non_repudiation"
    """contentCommitment: the mark of a qualified-signature (NES) certificate."""
    KEY_ENCIPHERMENT = "key_encipherment"
    DATA_ENCIPHERMENT = "data_encipherment"
    KEY_AGREEMENT = "key_agreement"
    KEY_CERT_SIGN = "key_cert_sign"
    CRL_SIGN = "crl_sign"


class NesPolicy(enum.StrEnum):
    INDIVIDUAL = "individual"
    CORPORATE = "corporate"
    OTHER = "other"
    """Under the BTK NES arc but neither known leaf: still a qualified policy."""


class TcknState(enum.StrEnum):
    ABSENT = "absent"
    """No subject serialNumber at all (not a Turkish personal certificate, or a CA)."""
    VALID = "valid"
    INVALID = "invalid"
    """A serialNumber is there but it is not a TC Kimlik No (wrong shape or checksum)."""


class ValidityState(enum.StrEnum):
    NOT_YET_VALID = "not_yet_valid"
    """E.g. a renewed certificate: it becomes active when the old one expires."""
    VALID = "valid"
    RENEWAL_DUE = "renewal_due"
    """Valid, but inside the last three months: renewal is open."""
    EXPIRED = "expired"


@dataclass(frozen=True)
class KeyInfo:
    algorithm: KeyAlgorithm
    size: int
    """Modulus bits for RSA, curve bits for ECDSA."""
    curve: str | None = None
    """cryptography's curve name ("secp384r1") for ECDSA."""

    @property
    def label(self) -> str:
        """ "RSA-2048", "ECDSA P-384": a technical name that needs no translation."""
        if self.algorithm is KeyAlgorithm.RSA:
            return f"RSA-{self.size}"
        if self.algorithm is KeyAlgorithm.ECDSA:
            nist = {"secp256r1": "P-256", "secp384r1": "P-384", "secp521r1": "P-521"}
            return f"ECDSA {nist.get(self.curve or '', self.curve or str(self.size))}"
        return f"{self.algorithm.value.upper()}-{self.size}" if self.size else self.curve or ""


@dataclass(frozen=True)
class ValidityAt:
    """The certificate's validity seen at one moment (the caller's `now`)."""

    state: ValidityState
    days_left: int
    """Whole days until notAfter (negative once expired)."""
    days_until_valid: int
    """Whole days until notBefore (0 once valid)."""
    renewal_opens: dt.datetime


@dataclass(frozen=True)
class CertificateFacts:
    der: bytes = field(repr=False)
    fingerprint_sha256: str
    serial_number: int
    subject: str = field(repr=False)
    """RFC 4514 form (holds the TC Kimlik No, hence kept out of repr); logic uses the fields."""
    holder_name: str | None
    """The subject's (first) common name."""
    common_names: tuple[str, ...]
    country: str | None
    organization: str | None
    tckn_state: TcknState
    tckn: str | None = field(repr=False)
    """The full number: show `tckn_masked` to people, use this only to compare."""
    tckn_masked: str | None
    issuer: str
    issuer_name: str | None
    not_before: dt.datetime
    not_after: dt.datetime
    key: KeyInfo
    key_usage: frozenset[KeyUsageBit]
    extended_key_usage: tuple[str, ...]
    is_ca: bool
    self_signed: bool
    policy_oids: tuple[str, ...]
    nes_policy: NesPolicy | None
    kamu_sm_policy: bool
    qc_statements: tuple[str, ...]
    """QC statement ids (ETSI EN 319 412-5), e.g. QcCompliance 0.4.0.1862.1.1."""
    ocsp_urls: tuple[str, ...]
    ca_issuer_urls: tuple[str, ...]
    crl_urls: tuple[str, ...]

    @property
    def non_repudiation(self) -> bool:
        return KeyUsageBit.NON_REPUDIATION in self.key_usage

    @property
    def is_qualified(self) -> bool:
        """A NES policy OID or the ETSI QcCompliance statement is present."""
        return self.nes_policy is not None or QC_COMPLIANCE in self.qc_statements

    @property
    def is_signing_certificate(self) -> bool:
        """An end-entity certificate meant for (qualified) signatures."""
        return not self.is_ca and self.non_repudiation

    def validity_at(self, now: dt.datetime) -> ValidityAt:
        opens = months_before(self.not_after, RENEWAL_WINDOW_MONTHS)
        days_left = (self.not_after - now) // dt.timedelta(days=1)
        until_valid = max(0, -((now - self.not_before) // dt.timedelta(days=1)))
        if now < self.not_before:
            state = ValidityState.NOT_YET_VALID
        elif now > self.not_after:
            state = ValidityState.EXPIRED
        elif now >= opens:
            state = ValidityState.RENEWAL_DUE
        else:
            state = ValidityState.VALID
        return ValidityAt(state, days_left, until_valid, opens)


def months_before(moment: dt.datetime, months: int) -> dt.datetime:
    """Same wall-clock time `months` calendar months earlier (day clamped to month end)."""
    index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    next_month = dt.date(year + month // 12, month % 12 + 1, 1)
    last_day = (next_month - dt.timedelta(days=1)).day
    return moment.replace(year=year, month=month, day=min(moment.day, last_day))


def read_facts(cert: x509.Certificate | bytes) -> CertificateFacts:
    """Facts from a certificate object or its DER bytes (as read from the token)."""
    if isinstance(cert, bytes):
        cert = x509.load_der_x509_certificate(cert)
    from cryptography.hazmat.primitives.serialization import Encoding

    subject = cert.subject
    serial_values = _attributes(subject, NameOID.SERIAL_NUMBER)
    tckn_state, tckn = TcknState.ABSENT, None
    if serial_values:
        tckn = next((t for t in map(tckn_from_subject_serial, serial_values) if t), None)
        tckn_state = TcknState.VALID if tckn else TcknState.INVALID
    common_names = tuple(_attributes(subject, NameOID.COMMON_NAME))
    policies = _policy_oids(cert)
    ocsp, ca_issuers = _aia(cert)
    is_ca = _is_ca(cert)
    return CertificateFacts(
        der=cert.public_bytes(Encoding.DER),
        fingerprint_sha256=cert.fingerprint(hashes.SHA256()).hex(),
        serial_number=cert.serial_number,
        subject=subject.rfc4514_string(),
        holder_name=common_names[0] if common_names else None,
        common_names=common_names,
        country=_first(subject, NameOID.COUNTRY_NAME),
        organization=_first(subject, NameOID.ORGANIZATION_NAME),
        tckn_state=tckn_state,
        tckn=tckn,
        tckn_masked=mask_tckn(tckn) if tckn else None,
        issuer=cert.issuer.rfc4514_string(),
        issuer_name=_first(cert.issuer, NameOID.COMMON_NAME),
        not_before=cert.not_valid_before_utc,
        not_after=cert.not_valid_after_utc,
        key=_key_of(cert),
        key_usage=_key_usage(cert),
        extended_key_usage=_eku(cert),
        is_ca=is_ca,
        self_signed=cert.issuer == cert.subject and _signed_by_own_key(cert),
        policy_oids=policies,
        nes_policy=_nes_policy(policies),
        kamu_sm_policy=any(p.startswith(KAMU_SM_POLICY_ARC) for p in policies),
        qc_statements=_qc_statements(cert),
        ocsp_urls=ocsp,
        ca_issuer_urls=ca_issuers,
        crl_urls=_crl_urls(cert),
    )


def _key_of(cert: x509.Certificate) -> KeyInfo:
    from cryptography.exceptions import UnsupportedAlgorithm

    try:
        return key_info(cert.public_key())
    except (UnsupportedAlgorithm, ValueError):
        return KeyInfo(KeyAlgorithm.OTHER, 0)


def key_info(key: object) -> KeyInfo:
    if isinstance(key, rsa.RSAPublicKey):
        return KeyInfo(KeyAlgorithm.RSA, key.key_size)
    if isinstance(key, ec.EllipticCurvePublicKey):
        return KeyInfo(KeyAlgorithm.ECDSA, key.curve.key_size, key.curve.name)
    if isinstance(key, ed25519.Ed25519PublicKey):
        return KeyInfo(KeyAlgorithm.EDDSA, 256, "ed25519")
    if isinstance(key, ed448.Ed448PublicKey):
        return KeyInfo(KeyAlgorithm.EDDSA, 456, "ed448")
    if isinstance(key, dsa.DSAPublicKey):
        return KeyInfo(KeyAlgorithm.DSA, key.key_size)
    return KeyInfo(KeyAlgorithm.OTHER, 0)


def _attributes(name: x509.Name, oid: x509.ObjectIdentifier) -> list[str]:
    return [
        v.decode("utf-8", "replace") if isinstance(v, bytes) else v
        for v in (a.value for a in name.get_attributes_for_oid(oid))
    ]


def _first(name: x509.Name, oid: x509.ObjectIdentifier) -> str | None:
    values = _attributes(name, oid)
    return values[0] if values else None


def _extension(cert: x509.Certificate, kind: type[x509.ExtensionType]) -> object | None:
    try:
        return cert.extensions.get_extension_for_class(kind).value
    except x509.ExtensionNotFound:
        return None


def _key_usage(cert: x509.Certificate) -> frozenset[KeyUsageBit]:
    usage = _extension(cert, x509.KeyUsage)
    if not isinstance(usage, x509.KeyUsage):
        return frozenset()
    bits = {
        KeyUsageBit.DIGITAL_SIGNATURE: usage.digital_signature,
        KeyUsageBit.NON_REPUDIATION: usage.content_commitment,
        KeyUsageBit.KEY_ENCIPHERMENT: usage.key_encipherment,
        KeyUsageBit.DATA_ENCIPHERMENT: usage.data_encipherment,
        KeyUsageBit.KEY_AGREEMENT: usage.key_agreement,
        KeyUsageBit.KEY_CERT_SIGN: usage.key_cert_sign,
        KeyUsageBit.CRL_SIGN: usage.crl_sign,
    }
    return frozenset(bit for bit, on in bits.items() if on)


def _eku(cert: x509.Certificate) -> tuple[str, ...]:
    eku = _extension(cert, x509.ExtendedKeyUsage)
    if not isinstance(eku, x509.ExtendedKeyUsage):
        return ()
    return tuple(oid.dotted_string for oid in eku)


def _is_ca(cert: x509.Certificate) -> bool:
    constraints = _extension(cert, x509.BasicConstraints)
    if isinstance(constraints, x509.BasicConstraints):
        return constraints.ca
    # A v1/v3 certificate without basicConstraints is a CA only if it signs certificates.
    return KeyUsageBit.KEY_CERT_SIGN in _key_usage(cert)


def _signed_by_own_key(cert: x509.Certificate) -> bool:
    from cryptography.exceptions import InvalidSignature

    try:
        cert.verify_directly_issued_by(cert)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True


def _policy_oids(cert: x509.Certificate) -> tuple[str, ...]:
    policies = _extension(cert, x509.CertificatePolicies)
    if not isinstance(policies, x509.CertificatePolicies):
        return ()
    return tuple(p.policy_identifier.dotted_string for p in policies)


def _nes_policy(policies: Iterable[str]) -> NesPolicy | None:
    found = [p for p in policies if p.startswith(NES_POLICY_ARC)]
    if NES_POLICY_INDIVIDUAL in found:
        return NesPolicy.INDIVIDUAL
    if NES_POLICY_CORPORATE in found:
        return NesPolicy.CORPORATE
    return NesPolicy.OTHER if found else None


def _qc_statements(cert: x509.Certificate) -> tuple[str, ...]:
    """Statement ids from the qcStatements extension (cryptography leaves it raw)."""
    for ext in cert.extensions:
        if ext.oid.dotted_string != QC_STATEMENTS_OID:
            continue
        raw = ext.value.public_bytes()
        try:
            ids: list[str] = []
            for tag, outer in der.read_tlvs(raw):
                if tag != der.SEQUENCE:
                    raise der.DerError("not a SEQUENCE")
                for stag, statement in der.read_tlvs(outer):
                    if stag != der.SEQUENCE:
                        raise der.DerError("statement not a SEQUENCE")
                    otag, oid = next(der.read_tlvs(statement))
                    if otag != der.OID:
                        raise der.DerError("statement id not an OID")
                    ids.append(der.decode_oid(oid))
        except (der.DerError, StopIteration):
            return ()
        return tuple(ids)
    return ()


def _urls(names: Iterable[x509.GeneralName]) -> list[str]:
    return [n.value for n in names if isinstance(n, x509.UniformResourceIdentifier)]


def _aia(cert: x509.Certificate) -> tuple[tuple[str, ...], tuple[str, ...]]:
    aia = _extension(cert, x509.AuthorityInformationAccess)
    if not isinstance(aia, x509.AuthorityInformationAccess):
        return (), ()
    ocsp: list[str] = []
    issuers: list[str] = []
    for desc in aia:
        urls = _urls([desc.access_location])
        if desc.access_method == AuthorityInformationAccessOID.OCSP:
            ocsp += urls
        elif desc.access_method == AuthorityInformationAccessOID.CA_ISSUERS:
            issuers += urls
    return tuple(ocsp), tuple(issuers)


def _crl_urls(cert: x509.Certificate) -> tuple[str, ...]:
    points = _extension(cert, x509.CRLDistributionPoints)
    if not isinstance(points, x509.CRLDistributionPoints):
        return ()
    urls: list[str] = []
    for point in points:
        urls += _urls(point.full_name or [])
    return tuple(urls)
