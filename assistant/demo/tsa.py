"""An RFC 3161 time-stamp service on loopback: `openssl ts -reply` behind a tiny HTTP
handler, for the demo and the tests (signatures at PAdES/CAdES B-T and B-LTA).

The service's certificate is issued by the TEST PKI (id-kp-timeStamping, critical, as
RFC 3161 requires), so a verifier that trusts the TEST root trusts its time-stamps.
Optional HTTP Basic credentials let a test check that a configured user and password
reach the service. Requests are answered one at a time (openssl keeps a serial file).
"""

from __future__ import annotations

import base64
import http.server
import subprocess
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path

from assistant.demo.pki import TestPki

TSA_POLICY = "1.3.6.1.4.1.99999.5070.1"
"""A TEST policy id under a private-use arc: nothing real is claimed."""
MAX_REQUEST_BYTES = 64 * 1024


def _config(folder: Path) -> str:
    return (
        "[ tsa ]\ndefault_tsa = tsa_config\n\n[ tsa_config ]\n"
        f"dir = {folder}\nserial = $dir/tsaserial\ncrypto_device = builtin\n"
        f"signer_cert = $dir/tsa.pem\ncerts = $dir/tsa-chain.pem\nsigner_key = $dir/tsa.key\n"
        f"signer_digest = sha256\ndefault_policy = {TSA_POLICY}\n"
        "digests = sha256, sha384, sha512\naccuracy = secs:1\nordering = yes\n"
        "tsa_name = no\ness_cert_id_chain = no\ness_cert_id_alg = sha256\n"
    )


@dataclass
class TimeStampService:
    """`start()` it, give `url` to the signer, `stop()` it; `requests` counts answers."""

    pki: TestPki
    folder: Path
    user: str | None = None
    password: str | None = None
    requests: int = 0
    _server: http.server.ThreadingHTTPServer | None = field(default=None, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def __post_init__(self) -> None:
        """Issue the service's certificate once per `folder`: a saved demo keeps its TSA."""
        self.folder.mkdir(parents=True, exist_ok=True)
        if (self.folder / "tsa.cnf").exists():
            return
        service = self.pki.issue_timestamping()
        (self.folder / "tsa.pem").write_bytes(service.certificate_pem)
        (self.folder / "tsa.key").write_bytes(service.private_key_pem)
        (self.folder / "tsa.key").chmod(0o600)
        (self.folder / "tsa-chain.pem").write_bytes((self.pki.dir / "chain.pem").read_bytes())
        (self.folder / "tsaserial").write_text("01\n")
        (self.folder / "tsa.cnf").write_text(_config(self.folder))

    @property
    def url(self) -> str:
        assert self._server is not None, "start() the service first"
        return f"http://127.0.0.1:{self._server.server_address[1]}/tsa"

    def start(self) -> TimeStampService:
        service = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                if not service.authorised(self.headers.get("Authorization")):
                    self.send_response(401)
                    self.send_header("WWW-Authenticate", 'Basic realm="tsa"')
                    self.end_headers()
                    return
                length = int(self.headers.get("Content-Length", "0"))
                if not 0 < length <= MAX_REQUEST_BYTES:
                    self.send_error(400)
                    return
                reply = service.answer(self.rfile.read(length))
                if reply is None:
                    self.send_error(500)
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/timestamp-reply")
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            def log_message(self, format: str, *args: object) -> None:
                """Quiet: a test's output is about signatures, not access lines."""

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def authorised(self, header: str | None) -> bool:
        if self.user is None:
            return True
        expected = base64.b64encode(f"{self.user}:{self.password or ''}".encode()).decode()
        return header == f"Basic {expected}"

    def answer(self, query: bytes) -> bytes | None:
        """openssl's own reply to a DER TimeStampReq (None if openssl refused it)."""
        with self._lock, tempfile.TemporaryDirectory(dir=self.folder) as work:
            request = Path(work) / "request.tsq"
            reply = Path(work) / "reply.tsr"
            request.write_bytes(query)
            done = subprocess.run(
                ["openssl", "ts", "-reply", "-config", str(self.folder / "tsa.cnf"),
                 "-queryfile", str(request), "-out", str(reply)],
                capture_output=True, check=False,
            )  # fmt: skip
            if done.returncode != 0 or not reply.exists():
                return None
            self.requests += 1
            return reply.read_bytes()
