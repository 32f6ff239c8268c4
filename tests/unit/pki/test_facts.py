import datetime as dt

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from assistant.pki.facts import (
    KeyAlgorithm,
    KeyUsageBit,
    NesPolicy,
    TcknState,
    ValidityState,
    months_before,
    read_facts,
)
from tests.unit.pki import certgen as g


@pytest.fixture(scope="module")
def ca() -> tuple[x509.Certificate, g.PrivateKey]:
    return g.ca_pair("p384")


def test_nes_signing_certificate_facts(ca: tuple[x509.Certificate, g.PrivateKey]) -> None:
    cert = g.make_cert(
        g.holder_name("Şükrü Çağlar Işık", "12345678950"),
        subject_key=g.key("p384"),
        issuer=ca,
        extensions=g.nes_extensions(),
    )
    f = read_facts(cert.public_bytes(Encoding.DER))
    assert f.holder_name == "Şükrü Çağlar Işık"
    assert f.tckn_state is TcknState.VALID
    assert f.tckn == "12345678950"
    assert f.tckn_masked == "123******50"
    assert "12345678950" not in repr(f)
    assert f.issuer_name == "Test Kamu SM Kök Sertifika Hizmet Sağlayıcısı - Sürüm 6"
    assert f.key.algorithm is KeyAlgorithm.ECDSA and f.key.label == "ECDSA P-384"
    assert f.key_usage == {KeyUsageBit.NON_REPUDIATION}
    assert f.is_signing_certificate and not f.is_ca
    assert f.nes_policy is NesPolicy.INDIVIDUAL and f.kamu_sm_policy
    assert f.qc_statements == ("0.4.0.1862.1.1", "0.4.0.1862.1.4")
    assert f.is_qualified
    assert f.ocsp_urls == ("http://ocsp.example.test/",)
    assert f.ca_issuer_urls == ("http://depo.example.test/ca.crt",)
    assert f.crl_urls == ("http://depo.example.test/ca.crl",)
    assert f.country == "TR"


def test_rsa_authentication_certificate(ca: tuple[x509.Certificate, g.PrivateKey]) -> None:
    cert = g.make_cert(
        g.holder_name(),
        subject_key=g.key("rsa2048"),
        issuer=ca,
        extensions=[
            g.key_usage(digital_signature=True, key_encipherment=True),
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]),
        ],
    )
    f = read_facts(cert)
    assert f.key.label == "RSA-2048"
    assert not f.non_repudiation and not f.is_signing_certificate
    assert not f.is_qualified and f.nes_policy is None
    assert f.extended_key_usage == (ExtendedKeyUsageOID.CLIENT_AUTH.dotted_string,)


def test_invalid_tckn_in_serial_number_is_reported_not_used(
    ca: tuple[x509.Certificate, g.PrivateKey],
) -> None:
    cert = g.make_cert(g.holder_name(tckn="12345678951"), subject_key=g.key("p384"), issuer=ca)
    f = read_facts(cert)
    assert f.tckn_state is TcknState.INVALID
    assert f.tckn is None and f.tckn_masked is None


def test_ca_certificate(ca: tuple[x509.Certificate, g.PrivateKey]) -> None:
    f = read_facts(ca[0])
    assert f.is_ca and f.self_signed
    assert f.tckn_state is TcknState.ABSENT
    assert f.key_usage == {KeyUsageBit.KEY_CERT_SIGN, KeyUsageBit.CRL_SIGN}


def test_qc_compliance_alone_makes_it_qualified(ca: tuple[x509.Certificate, g.PrivateKey]) -> None:
    exts = [e for e in g.nes_extensions() if not isinstance(e, x509.CertificatePolicies)]
    f = read_facts(
        g.make_cert(g.holder_name(), subject_key=g.key("p384"), issuer=ca, extensions=exts)
    )
    assert f.nes_policy is None and f.is_qualified


def test_garbled_qc_statements_are_ignored(ca: tuple[x509.Certificate, g.PrivateKey]) -> None:
    bad = x509.UnrecognizedExtension(x509.ObjectIdentifier("1.3.6.1.5.5.7.1.3"), b"\x30\x05\x30")
    f = read_facts(
        g.make_cert(g.holder_name(), subject_key=g.key("p384"), issuer=ca, extensions=[bad])
    )
    assert f.qc_statements == () and not f.is_qualified


def _dates_cert(
    ca: tuple[x509.Certificate, g.PrivateKey], not_before: dt.datetime, not_after: dt.datetime
) -> x509.Certificate:
    return g.make_cert(
        g.holder_name(),
        subject_key=g.key("p384"),
        issuer=ca,
        not_before=not_before,
        not_after=not_after,
        extensions=g.nes_extensions(),
    )


@pytest.mark.parametrize(
    ("days_to_expiry", "state", "days_left"),
    [
        (400, ValidityState.VALID, 400),
        (93, ValidityState.VALID, 93),
        (89, ValidityState.RENEWAL_DUE, 89),
        (0.5, ValidityState.RENEWAL_DUE, 0),
        (-1, ValidityState.EXPIRED, -1),
    ],
)
def test_validity_and_renewal_window(
    ca: tuple[x509.Certificate, g.PrivateKey],
    days_to_expiry: float,
    state: ValidityState,
    days_left: int,
) -> None:
    cert = _dates_cert(
        ca, g.NOW - dt.timedelta(days=900), g.NOW + dt.timedelta(days=days_to_expiry)
    )
    v = read_facts(cert).validity_at(g.NOW)
    assert v.state is state
    assert v.days_left == days_left


def test_renewed_certificate_not_yet_valid(ca: tuple[x509.Certificate, g.PrivateKey]) -> None:
    cert = _dates_cert(ca, g.NOW + dt.timedelta(days=20), g.NOW + dt.timedelta(days=1100))
    v = read_facts(cert).validity_at(g.NOW)
    assert v.state is ValidityState.NOT_YET_VALID
    assert v.days_until_valid == 20


def test_months_before_clamps_to_month_end() -> None:
    at = dt.datetime(2026, 5, 31, 9, 30, tzinfo=dt.UTC)
    assert months_before(at, 3) == dt.datetime(2026, 2, 28, 9, 30, tzinfo=dt.UTC)
    assert months_before(dt.datetime(2026, 2, 15, tzinfo=dt.UTC), 3) == dt.datetime(
        2025, 11, 15, tzinfo=dt.UTC
    )


def test_several_common_names_and_organisation(ca: tuple[x509.Certificate, g.PrivateKey]) -> None:
    subject = g.name(
        (NameOID.COUNTRY_NAME, "TR"),
        (NameOID.ORGANIZATION_NAME, "Örnek Kurum A.Ş."),
        (NameOID.COMMON_NAME, "İsmail Öztürk"),
        (NameOID.COMMON_NAME, "Ismail Ozturk"),
    )
    f = read_facts(g.make_cert(subject, subject_key=g.key("p384"), issuer=ca))
    assert f.holder_name == "İsmail Öztürk"
    assert f.common_names == ("İsmail Öztürk", "Ismail Ozturk")
    assert f.organization == "Örnek Kurum A.Ş."
    assert f.tckn_state is TcknState.ABSENT
