"""A TEST PKI shaped like Kamu SM's NES chain, for the virtual card and OCSP/CRL tests.

The assistant recognises NES certificates by their chain, subject serialNumber (TC
Kimlik No), policy OID, QC statements and key usage, and checks revocation through
the AIA/CRL URLs in the certificate. This PKI has all of those, with names that say
TEST and URLs on 127.0.0.1, so nothing can be mistaken for a real Kamu SM
certificate. It also writes an `openssl ca` directory (index.txt, certs/,
openssl.cnf, OCSP responder key) so `openssl ocsp -index` can answer for it.
"""

from __future__ import annotations

import datetime as dt
import random
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import AuthorityInformationAccessOID, ExtendedKeyUsageOID, NameOID

from assistant.demo.pcscd import free_port_pair
from assistant.pki.tckn import check_digits

PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey

NES_POLICY_OID = x509.ObjectIdentifier("2.16.792.1.61.0.1.5070.1.1")
QC_STATEMENTS_OID = x509.ObjectIdentifier("1.3.6.1.5.5.7.1.3")
QC_COMPLIANCE = "0.4.0.1862.1.1"
QC_SSCD = "0.4.0.1862.1.4"
ORGANISATION = "TEST Kamu Sertifikasyon Merkezi"
ROOT_CN = "TEST Kamu SM Kök Sertifika Hizmet Sağlayıcısı - Sürüm 6"
ISSUING_CN = "TEST Kamu Elektronik Sertifika Hizmet Sağlayıcısı - S6"
OCSP_CN = "TEST Kamu SM OCSP Sertifikası"


def make_tckn(rng: random.Random | None = None) -> str:
    """A random TC Kimlik No that passes the checksum (first digit never 0)."""
    rng = rng or random.Random()
    first_nine = str(rng.randint(1, 9)) + "".join(str(rng.randint(0, 9)) for _ in range(8))
    return first_nine + check_digits(first_nine)


def new_key(key_type: str) -> PrivateKey:
    if key_type == "p384":
        return ec.generate_private_key(ec.SECP384R1())
    if key_type == "rsa2048":
        return rsa.generate_private_key(public_exponent=65537, key_size=2048)
    raise ValueError(f"key_type must be 'p384' or 'rsa2048', not {key_type!r}")


def _der_oid(dotted: str) -> bytes:
    parts = [int(p) for p in dotted.split(".")]
    body = bytes([parts[0] * 40 + parts[1]])
    for arc in parts[2:]:
        chunk = [arc & 0x7F]
        rest = arc >> 7
        while rest:
            chunk.insert(0, 0x80 | (rest & 0x7F))
            rest >>= 7
        body += bytes(chunk)
    return b"\x06" + bytes([len(body)]) + body


def _der_sequence(*items: bytes) -> bytes:
    body = b"".join(items)
    if len(body) > 127:
        raise ValueError("short-form DER only")
    return b"\x30" + bytes([len(body)]) + body


def qc_statements() -> x509.UnrecognizedExtension:
    """ETSI QcCompliance + QcSSCD: "qualified, key in a secure device", as on NES certs."""
    value = _der_sequence(_der_sequence(_der_oid(QC_COMPLIANCE)), _der_sequence(_der_oid(QC_SSCD)))
    return x509.UnrecognizedExtension(QC_STATEMENTS_OID, value)


def _sign_hash(key: PrivateKey) -> hashes.SHA256 | hashes.SHA384:
    return hashes.SHA384() if isinstance(key, ec.EllipticCurvePrivateKey) else hashes.SHA256()


def _pem_key(key: PrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _pem_cert(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


@dataclass(frozen=True)
class Holder:
    """One issued end-entity certificate and its key."""

    certificate: x509.Certificate
    private_key: PrivateKey
    tckn: str
    name: str

    @property
    def private_key_pem(self) -> bytes:
        return _pem_key(self.private_key)

    @property
    def certificate_der(self) -> bytes:
        return self.certificate.public_bytes(serialization.Encoding.DER)


@dataclass
class TestPki:
    """Root → issuing CA → holders, persisted as an `openssl ca` directory under `dir`."""

    __test__ = False  # not a pytest test class despite the name

    dir: Path
    ocsp_port: int = field(default_factory=free_port_pair)
    http_port: int = field(default_factory=free_port_pair)

    def __post_init__(self) -> None:
        now = dt.datetime.now(dt.UTC).replace(microsecond=0)
        self.root_key = new_key("p384")
        self.root_cert = self._ca_cert(
            ROOT_CN, self.root_key, issuer=None, issuer_key=None, now=now, path_len=1
        )
        self.issuing_key = new_key("p384")
        self.issuing_cert = self._ca_cert(
            ISSUING_CN,
            self.issuing_key,
            issuer=self.root_cert,
            issuer_key=self.root_key,
            now=now,
            path_len=0,
        )
        self.ocsp_key = new_key("p384")
        self.ocsp_cert = self._ocsp_cert(now)
        self._write_ca_dir()
        self.write_crl()

    # -- URLs the certificates carry -----------------------------------------------------

    @property
    def ocsp_url(self) -> str:
        return f"http://127.0.0.1:{self.ocsp_port}/ocsp"

    @property
    def ca_issuers_url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}/kamusm-test-issuing.crt"

    @property
    def crl_url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}/kamusm-test.crl"

    # -- issuing ------------------------------------------------------------------------

    def _name(self, cn: str) -> x509.Name:
        return x509.Name(
            [
                x509.NameAttribute(NameOID.COUNTRY_NAME, "TR"),
                x509.NameAttribute(NameOID.ORGANIZATION_NAME, ORGANISATION),
                x509.NameAttribute(NameOID.COMMON_NAME, cn),
            ]
        )

    def _ca_cert(
        self,
        cn: str,
        key: PrivateKey,
        *,
        issuer: x509.Certificate | None,
        issuer_key: PrivateKey | None,
        now: dt.datetime,
        path_len: int,
    ) -> x509.Certificate:
        subject = self._name(cn)
        signer = issuer_key or key
        builder = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(issuer.subject if issuer else subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=365))
            .not_valid_after(now + dt.timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=True, path_length=path_len), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=False,
                    content_commitment=False,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=True,
                    crl_sign=True,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
        )
        if issuer is not None:
            builder = builder.add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(signer.public_key()), False
            )
        return builder.sign(signer, _sign_hash(signer))

    def _ocsp_cert(self, now: dt.datetime) -> x509.Certificate:
        return (
            self._leaf_builder(self._name(OCSP_CN), self.ocsp_key, now, now + dt.timedelta(365))
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.OCSP_SIGNING]), False)
            .add_extension(x509.OCSPNoCheck(), False)
            .sign(self.issuing_key, hashes.SHA384())
        )

    def _leaf_builder(
        self, subject: x509.Name, key: PrivateKey, not_before: dt.datetime, not_after: dt.datetime
    ) -> x509.CertificateBuilder:
        return (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(self.issuing_cert.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(not_before)
            .not_valid_after(not_after)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(self.issuing_key.public_key()),
                False,
            )
        )

    def issue_holder(
        self,
        key_type: str = "p384",
        tckn: str | None = None,
        name: str = "Ayşe Çağlar Öztürk",
        not_before: dt.datetime | None = None,
        not_after: dt.datetime | None = None,
        *,
        usage: str = "signing",
        private_key: PrivateKey | None = None,
    ) -> Holder:
        """An NES-shaped holder certificate.

        usage="signing" gives the qualified signing certificate (nonRepudiation only,
        NES policy, QC statements) that belongs in PIV slot 9C; usage="auth" gives the
        companion authentication certificate (digitalSignature) for slot 9A.
        """
        tckn = tckn or make_tckn()
        key = private_key or new_key(key_type)
        now = dt.datetime.now(dt.UTC).replace(microsecond=0)
        not_before = not_before or now - dt.timedelta(days=1)
        not_after = not_after or not_before + dt.timedelta(days=3 * 365)
        subject = x509.Name(
            [
                x509.NameAttribute(NameOID.COUNTRY_NAME, "TR"),
                x509.NameAttribute(NameOID.SERIAL_NUMBER, tckn),
                x509.NameAttribute(NameOID.COMMON_NAME, name),
            ]
        )
        signing = usage == "signing"
        builder = (
            self._leaf_builder(subject, key, not_before, not_after)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=not signing,
                    content_commitment=signing,
                    key_encipherment=not signing and isinstance(key, rsa.RSAPrivateKey),
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=False,
                    crl_sign=False,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .add_extension(
                x509.AuthorityInformationAccess(
                    [
                        x509.AccessDescription(
                            AuthorityInformationAccessOID.OCSP,
                            x509.UniformResourceIdentifier(self.ocsp_url),
                        ),
                        x509.AccessDescription(
                            AuthorityInformationAccessOID.CA_ISSUERS,
                            x509.UniformResourceIdentifier(self.ca_issuers_url),
                        ),
                    ]
                ),
                False,
            )
            .add_extension(
                x509.CRLDistributionPoints(
                    [
                        x509.DistributionPoint(
                            [x509.UniformResourceIdentifier(self.crl_url)], None, None, None
                        )
                    ]
                ),
                False,
            )
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
        )
        if signing:
            builder = builder.add_extension(
                x509.CertificatePolicies([x509.PolicyInformation(NES_POLICY_OID, None)]), False
            ).add_extension(qc_statements(), False)
        cert = builder.sign(self.issuing_key, hashes.SHA384())
        self._record(cert)
        return Holder(cert, key, tckn, name)

    # -- openssl ca directory --------------------------------------------------------------

    @property
    def index_path(self) -> Path:
        return self.dir / "index.txt"

    def _write_ca_dir(self) -> None:
        (self.dir / "certs").mkdir(parents=True, exist_ok=True)
        files = {
            "root.pem": _pem_cert(self.root_cert),
            "ca.pem": _pem_cert(self.issuing_cert),
            "ca.key": _pem_key(self.issuing_key),
            "chain.pem": _pem_cert(self.issuing_cert) + _pem_cert(self.root_cert),
            "ocsp.pem": _pem_cert(self.ocsp_cert),
            "ocsp.key": _pem_key(self.ocsp_key),
            "index.txt": b"",
            "index.txt.attr": b"unique_subject = no\n",
            "serial": b"1000\n",
            "crlnumber": b"1000\n",
            "openssl.cnf": self._openssl_cnf().encode(),
        }
        for name, content in files.items():
            (self.dir / name).write_bytes(content)
        for key_file in ("ca.key", "ocsp.key"):
            (self.dir / key_file).chmod(0o600)
        self._record(self.ocsp_cert)

    def _openssl_cnf(self) -> str:
        return (
            "[ ca ]\ndefault_ca = test_ca\n\n[ test_ca ]\n"
            f"dir = {self.dir}\n"
            "database = $dir/index.txt\nnew_certs_dir = $dir/certs\n"
            "certificate = $dir/ca.pem\nprivate_key = $dir/ca.key\n"
            "serial = $dir/serial\ncrlnumber = $dir/crlnumber\n"
            "default_md = sha384\ndefault_days = 1095\ndefault_crl_days = 30\n"
            "policy = policy_any\nunique_subject = no\n\n"
            "[ policy_any ]\ncountryName = optional\ncommonName = optional\n"
        )

    def _record(self, cert: x509.Certificate) -> None:
        """Add to index.txt and certs/ the way `openssl ca` would, so OCSP can answer."""
        serial = serial_hex(cert)
        expiry = cert.not_valid_after_utc.strftime("%y%m%d%H%M%SZ")
        subject = openssl_oneline(cert.subject)
        with self.index_path.open("a", encoding="utf-8") as index:
            index.write(f"V\t{expiry}\t\t{serial}\tunknown\t{subject}\n")
        (self.dir / "certs" / f"{serial}.pem").write_bytes(_pem_cert(cert))

    def revoke(self, cert: x509.Certificate, reason: str = "keyCompromise") -> None:
        """Mark `cert` revoked with `openssl ca` and rewrite the CRL the certificates name.

        A running `openssl ocsp` reads index.txt only at start: restart it afterwards.
        """
        subprocess.run(
            ["openssl", "ca", "-config", str(self.dir / "openssl.cnf"), "-revoke",
             str(self.cert_path(cert)), "-crl_reason", reason],
            check=True, capture_output=True,
        )  # fmt: skip
        self.write_crl()

    def write_crl(self) -> Path:
        """DER CRL at <dir>/kamusm-test.crl (the file name in the CRL DP URL)."""
        pem = self.dir / "crl.pem"
        subprocess.run(
            ["openssl", "ca", "-config", str(self.dir / "openssl.cnf"), "-gencrl",
             "-out", str(pem)],
            check=True, capture_output=True,
        )  # fmt: skip
        crl = x509.load_pem_x509_crl(pem.read_bytes())
        path = self.dir / "kamusm-test.crl"
        path.write_bytes(crl.public_bytes(serialization.Encoding.DER))
        return path

    def cert_path(self, cert: x509.Certificate) -> Path:
        return self.dir / "certs" / f"{serial_hex(cert)}.pem"


_SHORT_NAMES = {NameOID.SERIAL_NUMBER: "serialNumber"}


def openssl_oneline(name: x509.Name) -> str:
    """The subject as `openssl ca` writes it in index.txt (X509_NAME_oneline): short
    names, non-ASCII bytes as \\xHH. `openssl ca -revoke` compares this text."""
    parts = []
    for attr in name:
        key = _SHORT_NAMES.get(attr.oid, attr.rfc4514_attribute_name)
        raw = str(attr.value).encode("utf-8")
        value = "".join(chr(b) if 0x20 <= b < 0x7F else f"\\x{b:02X}" for b in raw)
        parts.append(f"/{key}={value}")
    return "".join(parts)


def serial_hex(cert: x509.Certificate) -> str:
    """Serial as `openssl ca` writes it in index.txt and certs/: upper hex, even length."""
    serial = f"{cert.serial_number:X}"
    return serial if len(serial) % 2 == 0 else "0" + serial
