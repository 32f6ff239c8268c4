"""The rig's TEST PKI looks like a Kamu SM NES chain where the assistant looks."""

from __future__ import annotations

import random
import subprocess
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtensionOID, NameOID

from assistant.demo.pki import (
    NES_POLICY_OID,
    QC_STATEMENTS_OID,
    TestPki,
    make_tckn,
    openssl_oneline,
)


def _tckn_ok(tckn: str) -> bool:
    """DOMAIN.md's rule, written out independently of the generator."""
    d = [int(c) for c in tckn]
    odd, even = d[0] + d[2] + d[4] + d[6] + d[8], d[1] + d[3] + d[5] + d[7]
    return (
        len(tckn) == 11
        and d[0] != 0
        and d[9] == (7 * odd - even) % 10
        and d[10] == sum(d[:10]) % 10
    )


def test_generated_tckns_pass_the_checksum() -> None:
    rng = random.Random(5070)
    assert all(_tckn_ok(make_tckn(rng)) for _ in range(500))
    assert _tckn_ok("10000000146")  # a well-known valid test number
    assert not _tckn_ok("10000000147")


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> TestPki:
    return TestPki(tmp_path_factory.mktemp("pki"))


@pytest.mark.parametrize(("key_type", "key_class"), [("p384", ec.EllipticCurvePrivateKey),
                                                     ("rsa2048", rsa.RSAPrivateKey)])  # fmt: skip
def test_signing_holder_is_nes_shaped(pki: TestPki, key_type: str, key_class: type) -> None:
    holder = pki.issue_holder(key_type, name="Şükrü Işıkoğlu")
    cert = holder.certificate
    assert isinstance(holder.private_key, key_class)
    subject = cert.subject
    assert subject.get_attributes_for_oid(NameOID.SERIAL_NUMBER)[0].value == holder.tckn
    assert _tckn_ok(holder.tckn)
    assert subject.get_attributes_for_oid(NameOID.COUNTRY_NAME)[0].value == "TR"
    assert subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "Şükrü Işıkoğlu"
    usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.content_commitment and not usage.digital_signature
    policies = cert.extensions.get_extension_for_class(x509.CertificatePolicies).value
    assert [p.policy_identifier for p in policies] == [NES_POLICY_OID]
    assert cert.extensions.get_extension_for_oid(QC_STATEMENTS_OID)
    aia = cert.extensions.get_extension_for_oid(ExtensionOID.AUTHORITY_INFORMATION_ACCESS).value
    urls = [d.access_location.value for d in aia]
    assert urls == [pki.ocsp_url, pki.ca_issuers_url]
    assert all(u.startswith("http://127.0.0.1:") for u in urls)
    assert cert.issuer == pki.issuing_cert.subject
    assert "TEST" in pki.root_cert.subject.rfc4514_string()


def test_auth_holder_has_no_nes_policy(pki: TestPki) -> None:
    cert = pki.issue_holder("p384", usage="auth").certificate
    assert cert.extensions.get_extension_for_class(x509.KeyUsage).value.digital_signature
    with pytest.raises(x509.ExtensionNotFound):
        cert.extensions.get_extension_for_class(x509.CertificatePolicies)


def test_chain_verifies_with_openssl_and_revocation_reaches_the_crl(pki: TestPki) -> None:
    holder = pki.issue_holder("p384")
    verify = subprocess.run(
        ["openssl", "verify", "-CAfile", str(pki.dir / "root.pem"),
         "-untrusted", str(pki.dir / "ca.pem"), str(pki.cert_path(holder.certificate))],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert verify.returncode == 0, verify.stderr
    pki.revoke(holder.certificate)
    crl = x509.load_der_x509_crl((pki.dir / "kamusm-test.crl").read_bytes())
    assert crl.get_revoked_certificate_by_serial_number(holder.certificate.serial_number)
    index = Path(pki.index_path).read_text(encoding="utf-8")
    assert any(line.startswith("R\t") for line in index.splitlines())


def test_index_subjects_use_openssls_escaping() -> None:
    name = x509.Name([x509.NameAttribute(NameOID.SERIAL_NUMBER, "10000000146"),
                      x509.NameAttribute(NameOID.COMMON_NAME, "Işık")])  # fmt: skip
    assert openssl_oneline(name) == "/serialNumber=10000000146/CN=I\\xC5\\x9F\\xC4\\xB1k"


def _crl_entry(pki: TestPki, cert: x509.Certificate) -> x509.RevokedCertificate | None:
    crl = x509.load_der_x509_crl((pki.dir / "kamusm-test.crl").read_bytes())
    return crl.get_revoked_certificate_by_serial_number(cert.serial_number)


def test_a_saved_pki_is_loaded_not_made_again_and_holds_can_be_lifted(tmp_path: Path) -> None:
    made = TestPki(tmp_path / "pki", key_type="rsa2048")
    holder = made.issue_holder(name="Deniz Yılmaz")
    again = TestPki(tmp_path / "pki")  # the demo's next run
    assert again.key_type == "rsa2048"
    assert (again.ocsp_port, again.http_port) == (made.ocsp_port, made.http_port)
    assert again.root_cert == made.root_cert and again.issuing_cert == made.issuing_cert
    assert again.status_of(holder.certificate) == "good"  # the database was kept

    again.suspend(holder)
    entry = _crl_entry(again, holder.certificate)  # openssl's CRL
    assert entry is not None and again.status_of(holder.certificate) == "suspended"
    hold = entry.extensions.get_extension_for_class(x509.CRLReason).value.reason
    assert hold is x509.ReasonFlags.certificate_hold

    again.unsuspend(holder)
    assert _crl_entry(again, holder.certificate) is None
    assert again.status_of(holder.certificate) == "good"
    again.revoke(holder, "keyCompromise")
    assert _crl_entry(again, holder.certificate) is not None
    assert again.status_of(holder.certificate) == "revoked"
