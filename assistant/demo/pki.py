"""A TEST PKI shaped like Kamu SM's NES chains, for the virtual card, the demo and tests.

The assistant recognises NES certificates by their chain, subject serialNumber (TC
Kimlik No), policy OID, QC statements and key usage, and checks revocation through
the AIA/CRL URLs in the certificate. This PKI has all of those, with names that say
TEST and URLs on 127.0.0.1, so nothing can be mistaken for a real Kamu SM
certificate. One instance is one hierarchy (root → issuing CA → holders) in the key
type Kamu SM used for it: P-384 like "Sürüm 6", or RSA-2048 like "Sürüm 5".

It is driven by real openssl: an `openssl ca` directory (index.txt, certs/,
openssl.cnf) records every holder, `openssl ca -revoke` revokes or suspends one,
`openssl ca -gencrl` makes the CRL and `openssl ocsp -index` answers for it
(`start_responder`), so the answers our code checks are openssl's own. `serve_files`
publishes the CRL and the issuing CA certificate on the port the certificates name.
For the revocation and signature tests it also makes what a well-behaved CA does not:
expired, unknown, delegated-responder, self-issued and forged-issuer certificates.
"""

from __future__ import annotations

import datetime as dt
import http.server
import json
import random
import subprocess
import threading
from dataclasses import dataclass, field
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import AuthorityInformationAccessOID, ExtendedKeyUsageOID, NameOID

from assistant.demo.ocsp import OcspResponder, start_openssl_ocsp
from assistant.demo.pcscd import free_port_pair
from assistant.pki.tckn import check_digits

PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey

NES_POLICY_OID = x509.ObjectIdentifier("2.16.792.1.61.0.1.5070.1.1")
QC_STATEMENTS_OID = x509.ObjectIdentifier("1.3.6.1.5.5.7.1.3")
QC_COMPLIANCE = "0.4.0.1862.1.1"
QC_SSCD = "0.4.0.1862.1.4"
ORGANISATION = "TEST Kamu Sertifikasyon Merkezi"
GENERATIONS = {"p384": "6", "rsa2048": "5"}
OCSP_CN = "TEST Kamu SM OCSP Sertifikası"
TSA_CN = "TEST Kamu SM Zaman Damgası"
CRL_FILE = "kamusm-test.crl"
ISSUING_FILE = "kamusm-test-issuing.crt"
SAVED_FILE = "pki.json"
"""Key type and ports of the hierarchy in a directory (the rest is in its files)."""


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


def key_usage(**on: bool) -> x509.KeyUsage:
    bits = dict.fromkeys(
        (
            "digital_signature",
            "content_commitment",
            "key_encipherment",
            "data_encipherment",
            "key_agreement",
            "key_cert_sign",
            "crl_sign",
            "encipher_only",
            "decipher_only",
        ),
        False,
    )
    bits.update(on)
    return x509.KeyUsage(**bits)


def _sign_hash(key: PrivateKey) -> hashes.SHA256 | hashes.SHA384:
    return hashes.SHA384() if isinstance(key, ec.EllipticCurvePrivateKey) else hashes.SHA256()


def pem_key(key: PrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def pem_cert(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


@dataclass(frozen=True)
class Holder:
    """One issued end-entity certificate and its key."""

    certificate: x509.Certificate
    private_key: PrivateKey
    tckn: str | None
    name: str
    pem: Path
    """The certificate as PEM in the CA directory (what `openssl ca -revoke` takes)."""

    @property
    def private_key_pem(self) -> bytes:
        return pem_key(self.private_key)

    @property
    def certificate_pem(self) -> bytes:
        return pem_cert(self.certificate)

    @property
    def certificate_der(self) -> bytes:
        return self.certificate.public_bytes(serialization.Encoding.DER)


class _Files(http.server.BaseHTTPRequestHandler):
    files: dict[str, bytes]

    def do_GET(self) -> None:
        body = self.files.get(self.path)
        if body is None:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the output is about revocation, not HTTP access lines."""


@dataclass
class TestPki:
    """Root → issuing CA → holders, persisted as an `openssl ca` directory under `dir`.

    One directory holds one hierarchy: made on first use, loaded (keys, certificates,
    ports, database) when `dir` already has one, so the demo's saved state keeps its PKI
    and a second generator never writes over the database.
    """

    __test__ = False  # not a pytest test class despite the name

    dir: Path
    key_type: str = "p384"
    ocsp_port: int = field(default_factory=free_port_pair)
    http_port: int = field(default_factory=free_port_pair)
    responders: dict[str, OcspResponder] = field(default_factory=dict)
    published: dict[str, bytes] = field(default_factory=dict)
    """Path → body served by `serve_files` (the CRL, the issuing CA, anything a test adds)."""

    def __post_init__(self) -> None:
        self._server: http.server.ThreadingHTTPServer | None = None
        saved = self.dir / SAVED_FILE
        if saved.exists():
            self._load(json.loads(saved.read_text(encoding="utf-8")))
            return
        self._create()
        facts = {"key_type": self.key_type, "ocsp_port": self.ocsp_port}
        saved.write_text(json.dumps({**facts, "http_port": self.http_port}), encoding="utf-8")

    def _create(self) -> None:
        now = dt.datetime.now(dt.UTC).replace(microsecond=0)
        generation = GENERATIONS[self.key_type]
        root_key = new_key(self.key_type)
        self.root_cert = self._ca_cert(
            f"TEST Kamu SM Kök Sertifika Hizmet Sağlayıcısı - Sürüm {generation}",
            root_key,
            issuer=None,
            issuer_key=None,
            now=now,
            path_len=1,
        )
        self.issuing_key = new_key(self.key_type)
        self.issuing_cert = self._ca_cert(
            f"TEST Kamu Elektronik Sertifika Hizmet Sağlayıcısı - S{generation}",
            self.issuing_key,
            issuer=self.root_cert,
            issuer_key=root_key,
            now=now,
            path_len=0,
        )
        self.ocsp_key = new_key(self.key_type)
        self.ocsp_cert = self._service_cert(
            OCSP_CN, self.ocsp_key, ExtendedKeyUsageOID.OCSP_SIGNING
        )
        self._write_ca_dir()
        self.write_crl()

    def _load(self, facts: dict[str, object]) -> None:
        """The hierarchy a previous run saved in `dir`: the same roots, ports and database,
        so the certificates it issued (the demo card's) stay valid and answerable."""
        self.key_type = str(facts["key_type"])
        self.ocsp_port, self.http_port = int(str(facts["ocsp_port"])), int(str(facts["http_port"]))

        def certificate(name: str) -> x509.Certificate:
            return x509.load_pem_x509_certificate((self.dir / name).read_bytes())

        def key(name: str) -> PrivateKey:
            loaded = serialization.load_pem_private_key((self.dir / name).read_bytes(), None)
            assert isinstance(loaded, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey)
            return loaded

        self.root_cert, self.issuing_cert = certificate("root.pem"), certificate("ca.pem")
        self.issuing_key, self.ocsp_cert = key("ca.key"), certificate("ocsp.pem")
        self.ocsp_key = key("ocsp.key")
        self.published[f"/{ISSUING_FILE}"] = self.issuing_cert.public_bytes(
            serialization.Encoding.DER
        )
        self.published[f"/{CRL_FILE}"] = (self.dir / CRL_FILE).read_bytes()

    # -- URLs the certificates carry -----------------------------------------------------

    @property
    def ocsp_url(self) -> str:
        return f"http://127.0.0.1:{self.ocsp_port}/ocsp"

    def file_url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.http_port}{path}"

    @property
    def ca_issuers_url(self) -> str:
        return self.file_url(f"/{ISSUING_FILE}")

    @property
    def crl_url(self) -> str:
        return self.file_url(f"/{CRL_FILE}")

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
            .add_extension(key_usage(key_cert_sign=True, crl_sign=True), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
        )
        if issuer is not None:
            builder = builder.add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(signer.public_key()), False
            )
        return builder.sign(signer, _sign_hash(signer))

    def _service_cert(
        self, cn: str, key: PrivateKey, purpose: x509.ObjectIdentifier
    ) -> x509.Certificate:
        """A responder or time-stamping certificate the issuing CA delegates to."""
        now = dt.datetime.now(dt.UTC).replace(microsecond=0)
        builder = self._leaf_builder(
            self._name(cn), key, now - dt.timedelta(days=1), now + dt.timedelta(days=365)
        ).add_extension(key_usage(digital_signature=True), critical=True)
        timestamping = purpose == ExtendedKeyUsageOID.TIME_STAMPING
        # RFC 3161 §2.3: a time-stamping certificate's EKU is critical and alone.
        builder = builder.add_extension(x509.ExtendedKeyUsage([purpose]), critical=timestamping)
        if purpose == ExtendedKeyUsageOID.OCSP_SIGNING:
            builder = builder.add_extension(x509.OCSPNoCheck(), False)
        return builder.sign(self.issuing_key, _sign_hash(self.issuing_key))

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

    # Whole: one holder certificate's profile (Kamu SM-shaped names and extensions) reads
    # as a single recipe; split up, the order and the set of extensions would hide.
    def issue_holder(
        self,
        key_type: str | None = None,
        tckn: str | None = None,
        name: str = "Ayşe Çağlar Öztürk",
        not_before: dt.datetime | None = None,
        not_after: dt.datetime | None = None,
        *,
        usage: str = "signing",
        private_key: PrivateKey | None = None,
        with_tckn: bool = True,
        register: bool = True,
        ocsp_url: str | None = None,
        crl_url: str | None = None,
    ) -> Holder:
        """An NES-shaped holder certificate (key type: the hierarchy's unless given).

        usage="signing" gives the qualified signing certificate (nonRepudiation only,
        NES policy, QC statements) that belongs in PIV slot 9C; usage="auth" gives the
        companion authentication certificate (digitalSignature) for slot 9A.
        `with_tckn=False` leaves the serialNumber out; `register=False` keeps the
        certificate out of the CA database, so the responder calls it unknown.
        """
        tckn = (tckn or make_tckn()) if with_tckn else None
        key = private_key or new_key(key_type or self.key_type)
        now = dt.datetime.now(dt.UTC).replace(microsecond=0)
        not_before = not_before or now - dt.timedelta(days=1)
        not_after = not_after or not_before + dt.timedelta(days=3 * 365)
        attributes = [x509.NameAttribute(NameOID.COUNTRY_NAME, "TR")]
        if tckn is not None:
            attributes.append(x509.NameAttribute(NameOID.SERIAL_NUMBER, tckn))
        attributes.append(x509.NameAttribute(NameOID.COMMON_NAME, name))
        signing = usage == "signing"
        builder = (
            self._leaf_builder(x509.Name(attributes), key, not_before, not_after)
            .add_extension(
                key_usage(
                    digital_signature=not signing,
                    content_commitment=signing,
                    key_encipherment=not signing and isinstance(key, rsa.RSAPrivateKey),
                ),
                critical=True,
            )
            .add_extension(
                x509.AuthorityInformationAccess(
                    [
                        x509.AccessDescription(
                            AuthorityInformationAccessOID.OCSP,
                            x509.UniformResourceIdentifier(ocsp_url or self.ocsp_url),
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
                            [x509.UniformResourceIdentifier(crl_url or self.crl_url)],
                            None,
                            None,
                            None,
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
        cert = builder.sign(self.issuing_key, _sign_hash(self.issuing_key))
        path = self._record(cert) if register else self._keep(cert)
        return Holder(cert, key, tckn, name, path)

    def issue_timestamping(self) -> Holder:
        """A time-stamping authority's certificate (id-kp-timeStamping, critical)."""
        key = new_key(self.key_type)
        cert = self._service_cert(TSA_CN, key, ExtendedKeyUsageOID.TIME_STAMPING)
        return Holder(cert, key, None, TSA_CN, self._record(cert))

    def delegated_signer(self, label: str = "delegated") -> tuple[Path, Path]:
        """An OCSP responder certificate the issuing CA delegated to: (cert, key) files."""
        key = new_key(self.key_type)
        cert = self._service_cert(f"{OCSP_CN} {label}", key, ExtendedKeyUsageOID.OCSP_SIGNING)
        return self._write_pair(label, cert, key)

    def extra_signer(self, label: str, *, forged_issuer: bool) -> tuple[Path, Path]:
        """A signer a client must refuse: a self-issued OCSP signer without authority, or
        a key pretending to be the issuing CA (same name, other key)."""
        key = new_key(self.key_type)
        now = dt.datetime.now(dt.UTC).replace(microsecond=0)
        subject = self.issuing_cert.subject if forged_issuer else self._name(f"Rogue OCSP {label}")
        builder = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=365))
        )
        if forged_issuer:
            builder = builder.add_extension(
                x509.BasicConstraints(ca=True, path_length=None), critical=True
            ).add_extension(key_usage(key_cert_sign=True, crl_sign=True), critical=True)
        else:
            builder = builder.add_extension(
                x509.ExtendedKeyUsage([ExtendedKeyUsageOID.OCSP_SIGNING]), False
            )
        return self._write_pair(label, builder.sign(key, _sign_hash(key)), key)

    def _write_pair(self, label: str, cert: x509.Certificate, key: PrivateKey) -> tuple[Path, Path]:
        cert_path, key_path = self.dir / f"{label}.pem", self.dir / f"{label}.key"
        cert_path.write_bytes(pem_cert(cert))
        key_path.write_bytes(pem_key(key))
        key_path.chmod(0o600)
        return cert_path, key_path

    # -- openssl ca directory --------------------------------------------------------------

    @property
    def index_path(self) -> Path:
        return self.dir / "index.txt"

    def _write_ca_dir(self) -> None:
        (self.dir / "certs").mkdir(parents=True, exist_ok=True)
        files = {
            "root.pem": pem_cert(self.root_cert),
            "ca.pem": pem_cert(self.issuing_cert),
            "ca.key": pem_key(self.issuing_key),
            "chain.pem": pem_cert(self.issuing_cert) + pem_cert(self.root_cert),
            "ocsp.pem": pem_cert(self.ocsp_cert),
            "ocsp.key": pem_key(self.ocsp_key),
            "index.txt": b"",
            "index.txt.attr": b"unique_subject = no\n",
            "serial": b"1000\n",
            "crlnumber": b"1000\n",
        }
        for name, content in files.items():
            (self.dir / name).write_bytes(content)
        for key_file in ("ca.key", "ocsp.key"):
            (self.dir / key_file).chmod(0o600)
        self.write_config("openssl.cnf", "ca.pem", "ca.key")
        self.published[f"/{ISSUING_FILE}"] = self.issuing_cert.public_bytes(
            serialization.Encoding.DER
        )
        self._record(self.ocsp_cert)

    def write_config(self, name: str, cert: str, key: str) -> Path:
        """An `openssl ca` configuration over this CA's database, signing with `cert`/`key`
        (files in `dir`): a forged configuration makes a CRL nobody should believe."""
        path = self.dir / name
        path.write_text(
            "[ ca ]\ndefault_ca = test_ca\n\n[ test_ca ]\n"
            f"dir = {self.dir}\n"
            "database = $dir/index.txt\nnew_certs_dir = $dir/certs\n"
            f"certificate = $dir/{cert}\nprivate_key = $dir/{key}\n"
            "serial = $dir/serial\ncrlnumber = $dir/crlnumber\n"
            "default_md = sha384\ndefault_days = 1095\ndefault_crl_days = 30\n"
            "policy = policy_any\nunique_subject = no\n\n"
            "[ policy_any ]\ncountryName = optional\ncommonName = optional\n",
            encoding="utf-8",
        )
        return path

    def _keep(self, cert: x509.Certificate) -> Path:
        path = self.cert_path(cert)
        path.write_bytes(pem_cert(cert))
        return path

    def _record(self, cert: x509.Certificate) -> Path:
        """Add to index.txt and certs/ the way `openssl ca` would, so OCSP can answer."""
        expiry = cert.not_valid_after_utc.strftime("%y%m%d%H%M%SZ")
        subject = openssl_oneline(cert.subject)
        with self.index_path.open("a", encoding="utf-8") as index:
            index.write(f"V\t{expiry}\t\t{serial_hex(cert)}\tunknown\t{subject}\n")
        return self._keep(cert)

    def _openssl_ca(self, *args: str, config: str = "openssl.cnf") -> None:
        subprocess.run(
            ["openssl", "ca", "-batch", "-config", str(self.dir / config), *args],
            check=True,
            capture_output=True,
        )

    def revoke(self, cert: x509.Certificate | Holder, reason: str = "keyCompromise") -> None:
        """Mark `cert` revoked with `openssl ca` and rewrite the CRL the certificates name.

        A running `openssl ocsp` reads index.txt only at start: restart it afterwards.
        """
        self._openssl_ca("-revoke", str(self._pem_of(cert)), "-crl_reason", reason)
        self.write_crl()

    def suspend(self, cert: x509.Certificate | Holder) -> None:
        """certificateHold: what "askıya alma" is in CRL and OCSP terms."""
        self._openssl_ca("-revoke", str(self._pem_of(cert)), "-crl_hold", "holdInstructionReject")
        self.write_crl()

    def unsuspend(self, cert: x509.Certificate | Holder) -> None:
        """Lift a certificateHold ("askıdan indirme"), which `openssl ca` has no command
        for: the database line becomes valid again, replaced by rename like openssl does."""
        serial = serial_hex(cert.certificate if isinstance(cert, Holder) else cert)
        lines = self.index_path.read_text(encoding="utf-8").splitlines(keepends=True)
        for number, line in enumerate(lines):
            status, expiry, revoked, *rest = line.split("\t")
            if rest and rest[0] == serial and status == "R" and _held(revoked):
                lines[number] = "\t".join(["V", expiry, "", *rest])
        fresh = self.index_path.with_name("index.txt.new")
        fresh.write_text("".join(lines), encoding="utf-8")
        fresh.replace(self.index_path)
        self.write_crl()

    def status_of(self, cert: x509.Certificate) -> str:
        """What the database says: "good", "suspended" (certificateHold), "revoked" or
        "unknown" (not in it) — what `openssl ocsp -index` will answer."""
        serial = serial_hex(cert)
        for line in self.index_path.read_text(encoding="utf-8").splitlines():
            status, _, revoked, *rest = line.split("\t")
            if rest and rest[0] == serial:
                if status != "R":
                    return "good"
                return "suspended" if _held(revoked) else "revoked"
        return "unknown"

    def _pem_of(self, cert: x509.Certificate | Holder) -> Path:
        return cert.pem if isinstance(cert, Holder) else self.cert_path(cert)

    def make_crl(self, *, hours: int | None = None, config: str = "openssl.cnf") -> bytes:
        """A DER CRL from the database as it is now (valid `hours`, else 30 days)."""
        pem = self.dir / "crl.pem"
        period = ["-crlhours", str(hours)] if hours is not None else []
        self._openssl_ca("-gencrl", *period, "-out", str(pem), config=config)
        return x509.load_pem_x509_crl(pem.read_bytes()).public_bytes(serialization.Encoding.DER)

    def write_crl(self) -> Path:
        """The CRL at <dir>/kamusm-test.crl and at the URL the certificates name."""
        der = self.make_crl()
        path = self.dir / CRL_FILE
        path.write_bytes(der)
        self.published[f"/{CRL_FILE}"] = der
        return path

    def cert_path(self, cert: x509.Certificate) -> Path:
        return self.dir / "certs" / f"{serial_hex(cert)}.pem"

    # -- services ------------------------------------------------------------------------

    def serve_files(self) -> None:
        """Serve `published` (CRL, issuing CA) on `http_port` until `stop`."""
        if self._server is not None:
            return
        handler = type("Handler", (_Files,), {"files": self.published})
        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", self.http_port), handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def start_responder(
        self,
        label: str,
        signer: tuple[Path, Path] | None = None,
        *extra: str,
        port: int | None = None,
    ) -> OcspResponder:
        """`openssl ocsp` for this CA (signing as `signer`, by default the delegated
        responder the certificates' CA made) on `port`, by default the one they name."""
        if label in self.responders:
            self.responders.pop(label).stop()
        responder = start_openssl_ocsp(
            self.dir,
            self.dir / "ca.pem",
            signer or (self.dir / "ocsp.pem", self.dir / "ocsp.key"),
            port or self.ocsp_port,
            label,
            *extra,
        )
        self.responders[label] = responder
        return responder

    def stop(self) -> None:
        """Stop every responder (by its PID) and the file server."""
        for responder in self.responders.values():
            responder.stop()
        self.responders.clear()
        self.stop_serving()

    def stop_serving(self) -> None:
        """Stop serving the CRL and the issuing CA: a test that needs them starts
        `serve_files` itself, and the next one must find the CA offline again."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None


def _held(revocation: str) -> bool:
    """index.txt's revocation field of a certificateHold: "<time>,holdInstruction,<code>"."""
    return revocation.split(",")[1:2] == ["holdInstruction"]


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
