"""A Kamu SM-shaped test PKI driven by real openssl: CA database, OCSP responders, CRLs.

Two hierarchies, like Kamu SM's: RSA (Sürüm 5 style) and ECDSA P-384 (Sürüm 6 style),
each a root, an issuing CA and holders issued with NES extensions whose AIA/CDP point to
loopback. The CA database is an `openssl ca` layout; certificates are entered with
`openssl ca -valid`, revoked with `openssl ca -revoke` (and `-crl_hold` for suspension),
and CRLs are made with `openssl ca -gencrl`, so the responder and the CRL are openssl's
own answers. Used by tests/integration/pki and benchmarks/bench_pki.py; the CA part is
meant to move to tests/rig/pki.py (`test_pki`).
"""

from __future__ import annotations

import datetime as dt
import http.server
import socket
import subprocess
import threading
from dataclasses import dataclass, field
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from assistant.demo.ocsp import OcspResponder, start_openssl_ocsp
from tests.unit.pki import certgen as g

PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
UTC_NOW = dt.datetime.now(dt.UTC)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def new_key(kind: str) -> PrivateKey:
    if kind == "rsa2048":
        return rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return ec.generate_private_key(ec.SECP384R1())


def write_pem(path: Path, obj: x509.Certificate | PrivateKey) -> Path:
    if isinstance(obj, x509.Certificate):
        path.write_bytes(obj.public_bytes(serialization.Encoding.PEM))
    else:
        path.write_bytes(
            obj.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
    return path


def ca_name(cn: str) -> x509.Name:
    return g.name(
        (NameOID.COUNTRY_NAME, "TR"),
        (NameOID.ORGANIZATION_NAME, "Test Kamu Sertifikasyon Merkezi"),
        (NameOID.COMMON_NAME, cn),
    )


def ca_extensions() -> list[x509.ExtensionType]:
    return [
        x509.BasicConstraints(ca=True, path_length=None),
        g.key_usage(key_cert_sign=True, crl_sign=True),
    ]


@dataclass
class Holder:
    certificate: x509.Certificate
    private_key: PrivateKey
    tckn: str | None
    pem: Path


class _Files(http.server.BaseHTTPRequestHandler):
    files: dict[str, bytes]

    def do_GET(self) -> None:
        body = self.files.get(self.path)
        if body is None:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/pkix-crl")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the test output is about revocation, not HTTP access lines."""


@dataclass
class FileServer:
    """A tiny loopback HTTP server (a thread) serving CRLs from a dict path → bytes."""

    files: dict[str, bytes] = field(default_factory=dict)
    server: http.server.ThreadingHTTPServer | None = None

    def start(self) -> None:
        handler = type("Handler", (_Files,), {"files": self.files})
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def url(self, path: str) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}{path}"

    def stop(self) -> None:
        assert self.server is not None
        self.server.shutdown()
        self.server.server_close()


@dataclass
class PkiRig:
    """One hierarchy (root → issuing CA → holders) with its openssl CA directory."""

    kind: str
    dir: Path
    crl_server: FileServer
    ocsp_port: int
    root_cert: x509.Certificate = field(init=False)
    issuing_cert: x509.Certificate = field(init=False)
    issuing_key: PrivateKey = field(init=False)
    responders: dict[str, OcspResponder] = field(default_factory=dict)

    def __post_init__(self) -> None:
        generation = "Sürüm 5" if self.kind == "rsa2048" else "Sürüm 6"
        root_key = new_key(self.kind)
        self.root_cert = g.make_cert(
            ca_name(f"Kamu SM Kök Sertifika Hizmet Sağlayıcısı - {generation}"),
            subject_key=root_key,
            extensions=ca_extensions(),
            not_before=UTC_NOW - dt.timedelta(days=2000),
            not_after=UTC_NOW + dt.timedelta(days=2000),
        )
        self.issuing_key = new_key(self.kind)
        self.issuing_cert = g.make_cert(
            ca_name(f"Kamu Elektronik Sertifika Hizmet Sağlayıcısı - {generation}"),
            subject_key=self.issuing_key,
            issuer=(self.root_cert, root_key),
            extensions=ca_extensions(),
            not_before=UTC_NOW - dt.timedelta(days=1000),
            not_after=UTC_NOW + dt.timedelta(days=1500),
        )
        self.root_key = root_key
        (self.dir / "newcerts").mkdir(parents=True)
        (self.dir / "index.txt").write_text("")
        (self.dir / "crlnumber").write_text("01\n")
        write_pem(self.dir / "ca.pem", self.issuing_cert)
        write_pem(self.dir / "ca.key", self.issuing_key)
        self.write_config("ca.cnf", "ca.pem", "ca.key")

    @property
    def crl_url(self) -> str:
        return self.crl_server.url(f"/{self.kind}/ca.crl")

    def write_config(self, name: str, cert: str, key: str) -> Path:
        path = self.dir / name
        path.write_text(
            "[ ca ]\ndefault_ca = CA_default\n[ CA_default ]\n"
            f"dir = {self.dir}\ndatabase = $dir/index.txt\nnew_certs_dir = $dir/newcerts\n"
            f"certificate = $dir/{cert}\nprivate_key = $dir/{key}\n"
            "crlnumber = $dir/crlnumber\ndefault_md = sha256\ndefault_crl_days = 1\n"
            "unique_subject = no\npolicy = policy_any\n[ policy_any ]\ncommonName = supplied\n"
        )
        return path

    def openssl_ca(self, *args: str, config: str = "ca.cnf") -> None:
        subprocess.run(
            ["openssl", "ca", "-batch", "-config", str(self.dir / config), *args],
            check=True,
            capture_output=True,
        )

    def issue_holder(
        self,
        tckn: str | None = g.VALID_TCKN,
        name: str = "Şükrü Çağlar Işık",
        *,
        not_before: dt.datetime | None = None,
        not_after: dt.datetime | None = None,
        register: bool = True,
        ocsp_url: str | None = None,
        crl_url: str | None = None,
    ) -> Holder:
        """A NES signing certificate; `register` enters it in index.txt (else: unknown)."""
        key = new_key(self.kind) if self.kind == "p384" else g.key("rsa2048")
        cert = g.make_cert(
            g.holder_name(name, tckn),
            subject_key=key,
            issuer=(self.issuing_cert, self.issuing_key),
            extensions=g.nes_extensions(
                ocsp=ocsp_url or f"http://127.0.0.1:{self.ocsp_port}/", crl=crl_url or self.crl_url
            ),
            not_before=not_before or UTC_NOW - dt.timedelta(days=30),
            not_after=not_after or UTC_NOW + dt.timedelta(days=1000),
        )
        pem = write_pem(self.dir / f"holder-{cert.serial_number:x}.pem", cert)
        if register:
            self.openssl_ca("-valid", str(pem))
        return Holder(cert, key, tckn, pem)

    def revoke(self, holder: Holder, reason: str = "keyCompromise") -> None:
        self.openssl_ca("-revoke", str(holder.pem), "-crl_reason", reason)

    def suspend(self, holder: Holder) -> None:
        self.openssl_ca("-revoke", str(holder.pem), "-crl_hold", "holdInstructionReject")

    def make_crl(self, *, hours: int = 24, config: str = "ca.cnf") -> bytes:
        out = self.dir / "out.crl"
        self.openssl_ca("-gencrl", "-crlhours", str(hours), "-out", str(out), config=config)
        der = x509.load_pem_x509_crl(out.read_bytes()).public_bytes(serialization.Encoding.DER)
        return der

    def extra_signer(self, label: str, *, forged_issuer: bool) -> tuple[Path, Path]:
        """A responder key the client must refuse: self-issued OCSP signer, or a fake CA."""
        key = new_key(self.kind)
        if forged_issuer:
            subject = self.issuing_cert.subject
            exts = ca_extensions()
        else:
            subject = ca_name(f"Rogue OCSP {self.kind}")
            exts = [x509.ExtendedKeyUsage([ExtendedKeyUsageOID.OCSP_SIGNING])]
        cert = g.make_cert(subject, subject_key=key, extensions=exts)
        return write_pem(self.dir / f"{label}.pem", cert), write_pem(self.dir / f"{label}.key", key)

    def delegated_signer(self) -> tuple[Path, Path]:
        key = new_key(self.kind)
        cert = g.make_cert(
            ca_name(f"Test Kamu SM OCSP {self.kind}"),
            subject_key=key,
            issuer=(self.issuing_cert, self.issuing_key),
            extensions=[
                g.key_usage(digital_signature=True),
                x509.ExtendedKeyUsage([ExtendedKeyUsageOID.OCSP_SIGNING]),
            ],
            not_before=UTC_NOW - dt.timedelta(days=10),
            not_after=UTC_NOW + dt.timedelta(days=100),
        )
        return write_pem(self.dir / "ocsp.pem", cert), write_pem(self.dir / "ocsp.key", key)

    def start_responder(
        self, label: str, signer: tuple[Path, Path], *extra: str, port: int | None = None
    ) -> OcspResponder:
        responder = start_openssl_ocsp(
            self.dir, self.dir / "ca.pem", signer, port or free_port(), label, *extra
        )
        self.responders[label] = responder
        return responder
