"""`openssl ocsp` as a real OCSP responder on loopback, for tests and the demo.

openssl's responder reads index.txt only when it starts: after a revocation, restart it.
"""

from __future__ import annotations

import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO


def wait_until_listening(log: Path, proc: subprocess.Popen[bytes], timeout: float = 10.0) -> None:
    """Wait for openssl's own "waiting for OCSP client connections" line.

    Not a TCP probe: openssl 3.0's single-threaded responder stalls on a connection that
    closes without a request, and every later client then times out.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if "waiting for OCSP client connections" in log.read_text(errors="replace"):
            return
        if proc.poll() is not None:
            raise RuntimeError(f"openssl ocsp exited: {log.read_text(errors='replace')}")
        time.sleep(0.02)
    raise TimeoutError(f"openssl ocsp not ready: {log.read_text(errors='replace')}")


def start_openssl_ocsp(
    ca_dir: Path, ca_cert: Path, signer: tuple[Path, Path], port: int, label: str, *extra: str
) -> OcspResponder:
    """`openssl ocsp` answering from `ca_dir`/index.txt, stopped later by its PID."""
    log = ca_dir / f"ocsp-{label}.log"
    log_file = log.open("wb")
    # openssl 3.0's -port takes a number only and listens on every interface; the
    # port is random and the process lives only for the test session.
    proc = subprocess.Popen(
        [
            "openssl", "ocsp", "-index", str(ca_dir / "index.txt"), "-CA", str(ca_cert),
            "-rsigner", str(signer[0]), "-rkey", str(signer[1]), "-port", str(port), *extra,
        ],
        stdout=subprocess.DEVNULL,
        stderr=log_file,
    )  # fmt: skip
    responder = OcspResponder(port, proc, log_file)
    try:
        wait_until_listening(log, proc)
    except (RuntimeError, TimeoutError):
        responder.stop()
        raise
    return responder


@dataclass
class OcspResponder:
    port: int
    process: subprocess.Popen[bytes]
    log: IO[bytes]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()
