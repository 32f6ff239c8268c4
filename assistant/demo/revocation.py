"""The demo's OCSP address: openssl's responder, kept in step with the training portal.

"Sertifikamı İptal Et", "Askıya Al" and "Askıdan İndir" in the training portal change
the certificate's status in the portal's state file only. The demo's certificate, though,
is answered for by `openssl ocsp` from the TEST PKI's index.txt. So the demo serves the
address the certificate names itself: before it passes a request on to openssl, it reads
the portal's state, applies any change to the database with `openssl ca` (or, for
"Askıdan İndir", which openssl has no command for, `TestPki.unsuspend`) and restarts the
responder, which reads index.txt only when it starts. Checking at request time, not on a
timer, means an answer given after the portal said "done" is never the old one.
"""

from __future__ import annotations

import http.server
import json
import threading
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from cryptography import x509

from assistant.demo.pcscd import free_port_pair
from assistant.demo.pki import TestPki

FORWARD_TIMEOUT = 10.0
MAX_REQUEST_BYTES = 64 * 1024
PORTAL_STATUS = {"active": "good", "suspended": "suspended", "revoked": "revoked"}
"""The portal's certificate statuses as the OCSP database knows them (expiry is the clock's)."""
PORTAL_TERMS = {database: portal for portal, database in PORTAL_STATUS.items()}
CRL_REASONS = {
    "unspecified": "unspecified",
    "key_compromise": "keyCompromise",
    "affiliation_changed": "affiliationChanged",
    "superseded": "superseded",
    "cessation_of_operation": "cessationOfOperation",
}


def portal_status(state_file: Path, certificate: x509.Certificate) -> tuple[str, str] | None:
    """(database status, `openssl ca` reason) the portal's state asks for `certificate`,
    None while there is no state or the portal does not know it."""
    try:
        data = json.loads(state_file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    for holder in data["holders"].values():
        for record in holder["certificates"]:
            if int(record["serial"], 16) == certificate.serial_number:
                status = PORTAL_STATUS.get(record["status"])
                reason = CRL_REASONS[record.get("revocation_reason") or "unspecified"]
                return (status, reason) if status else None
    return None


def apply_status(pki: TestPki, certificate: x509.Certificate, wanted: str, reason: str) -> bool:
    """Bring the database to `wanted` for `certificate`; whether anything changed.

    A revocation is final, as at the CA: nothing brings a revoked certificate back.
    """
    current = pki.status_of(certificate)
    if current == wanted or current in ("revoked", "unknown"):
        return False
    if current == "suspended":
        pki.unsuspend(certificate)
    if wanted == "suspended":
        pki.suspend(certificate)
    elif wanted == "revoked":
        pki.revoke(certificate, reason)
    return True


@dataclass
class OcspFront:
    """Listens on `port` (the certificates' OCSP port); openssl answers behind it."""

    pki: TestPki
    port: int
    sync: Callable[[], bool] = lambda: False
    """Brings the database up to date; True when the responder must re-read it."""
    _server: http.server.ThreadingHTTPServer | None = field(default=None, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _inner_port: int = field(default_factory=free_port_pair, repr=False)

    def start(self) -> OcspFront:
        self._restart()
        front = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                if not 0 < length <= MAX_REQUEST_BYTES:
                    self.send_error(400)
                    return
                self._reply(front.answer(self.path, self.rfile.read(length)))

            def do_GET(self) -> None:
                self._reply(front.answer(self.path, None))

            def _reply(self, answer: bytes | None) -> None:
                if answer is None:
                    self.send_error(502)
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/ocsp-response")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, format: str, *args: object) -> None:
                """Quiet: the chat owns the terminal."""

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def answer(self, path: str, body: bytes | None) -> bytes | None:
        """openssl's answer to one request, after the database caught up with the portal."""
        with self._lock:
            if self.sync():
                self._restart()
            request = urllib.request.Request(
                f"http://127.0.0.1:{self._inner_port}{path}",
                data=body,
                headers={"Content-Type": "application/ocsp-request"} if body else {},
            )
            direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))
            try:
                with direct.open(request, timeout=FORWARD_TIMEOUT) as response:
                    data: bytes = response.read()
                    return data
            except OSError:
                return None

    def _restart(self) -> None:
        self.pki.start_responder("demo", port=self._inner_port)

    def stop(self) -> None:
        """The HTTP front, then openssl by its PID."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        self.pki.stop()
