"""The training portal beside the demo card (`nes-asistan demo --portal`).

The portal is seeded so that its one holder owns the card in the reader: the same
T.C. Kimlik No and name as the card's TEST certificate, that certificate's serial, and
the card's PIN and PUK as the values the CA keeps (AKİS cards' PUK is CA-managed), so
"PIN / PUK Bilgisi", "Kilit Çözme" and "Sertifikamı İptal Et" work against this card.
It runs as `python -m assistant.portal.reference`, exactly as staff would start it.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography import x509

DEMO_WORD = "lale bahçesi"  # the training holder's Güvenlik Sözcüğü (test data)
DEMO_MOBILE = "05321234567"
START_TIMEOUT = 20.0


@dataclass
class DemoPortal:
    url: str
    tckn: str
    outbox: Path
    training_key: Path
    process: subprocess.Popen[bytes]

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def holder_seed(
    certificate: x509.Certificate, pin: str, puk: str, status: str = "active"
) -> dict[str, Any]:
    """A portal seed whose holder owns `certificate` (the card's signing certificate), in
    `status` (a portal certificate status: what an earlier demo run left it in)."""
    from assistant.pki.facts import read_facts

    facts = read_facts(certificate)
    assert facts.tckn is not None, "demo certificates carry a T.C. Kimlik No"
    name = facts.holder_name or "TEST"
    return {
        "holders": [
            {
                "tckn": facts.tckn,
                "name": name,
                "security_word": DEMO_WORD,
                "mobile": DEMO_MOBILE,
                "email": "demo@example.com.tr",
                "address": "Ankara",
                "pin": pin,
                "puk": puk,
                "certificates": [
                    {
                        "serial": format(certificate.serial_number, "X"),
                        "subject_cn": name.upper(),
                        "not_before": facts.not_before.isoformat(),
                        "not_after": facts.not_after.isoformat(),
                        "status": status,
                    }
                ],
            }
        ]
    }


def start_portal(folder: Path, seed: dict[str, Any]) -> DemoPortal:
    """Serve the portal on a free loopback port, its state and SMS outbox in `folder`."""
    import secrets

    import yaml

    folder.mkdir(parents=True, exist_ok=True)
    seed_path = folder / "seed.yaml"
    seed_path.write_text(yaml.safe_dump(seed, allow_unicode=True), encoding="utf-8")
    key = folder / "training.key"
    if not key.exists():
        key.write_text(secrets.token_urlsafe(24), encoding="utf-8")
    key.chmod(0o600)
    port = _free_port()
    outbox = folder / "outbox.jsonl"
    log = folder / "portal.log"
    command = [
        sys.executable, "-m", "assistant.portal.reference",
        "--state", str(folder / "state.json"), "--port", str(port), "--seed", str(seed_path),
        "--outbox", str(outbox), "--training-key-file", str(key), "--log-level", "warning",
    ]  # fmt: skip
    with log.open("ab") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
    portal = DemoPortal(
        f"http://127.0.0.1:{port}", seed["holders"][0]["tckn"], outbox, key, process
    )
    try:
        wait_until_serving(portal.url, process, log)
    except RuntimeError:
        portal.stop()
        raise
    return portal


def wait_until_serving(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    """Until the portal answers its API description, or the process died (log in the error)."""
    import httpx

    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"portal exited:\n{log.read_text(errors='replace')}")
        try:
            httpx.get(f"{url}/openapi.json", timeout=0.5, trust_env=False)
            return
        except httpx.TransportError:
            time.sleep(0.05)
    raise RuntimeError("portal did not start in time")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port
