"""The built-in demo: the assistant in the terminal against a virtual AKİS card.

    python -m assistant.demo.run [nes-asistan options, e.g. --lang en]

Starts a private pcscd with a vpcd reader, inserts a virtual card that presents an AKİS
ATR (OpenSC's PIV driver serves it, so no TÜBİTAK middleware is needed), answers OCSP for
its TEST certificate with `openssl ocsp` on loopback, and runs `nes-asistan` with its data
under `.demo/` so the machine's own settings stay untouched.
The card's state (PIN, retry counters) lives in `.demo/card.json`: PIN changes survive
between runs; delete `.demo/` to start with a new card. The demo card's PIN is 123456.
Everything started here is stopped by PID when the chat ends.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

from cryptography import x509
from cryptography.x509.oid import AuthorityInformationAccessOID

from assistant.demo.ocsp import OcspResponder, start_openssl_ocsp
from assistant.demo.pcscd import PcscService
from assistant.demo.piv_card import SLOT_SIGN, PivState
from assistant.demo.pki import TestPki
from assistant.demo.virtual_card import VirtualCard, create_state

OCSP = AuthorityInformationAccessOID.OCSP

DEMO_DIR = Path(".demo")
DEMO_PIN = "123456"
DEMO_PUK = "12345678"
OPENSC_MODULE = "/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so"
OPENSC_CONF = """app opensc-pkcs11 {
    pkcs11 { user_pin_unblock_style = set_pin_in_unlogged_session; }
}
"""


def _stop_on_signal(signum: int, frame: object) -> None:
    """A closed terminal (SIGHUP) or a kill (SIGTERM) still stops pcscd and the card."""
    raise SystemExit(128 + signum)


def main(argv: list[str]) -> int:
    for signum in (signal.SIGHUP, signal.SIGTERM):
        signal.signal(signum, _stop_on_signal)
    home = DEMO_DIR.resolve()
    home.mkdir(exist_ok=True)
    state = home / "card.json"
    if not state.exists():
        create_state(TestPki(home / "pki"), state, key_type="p384", pin=DEMO_PIN, puk=DEMO_PUK)
    conf = home / "opensc.conf"
    conf.write_text(OPENSC_CONF, encoding="utf-8")
    trust = home / "trust"
    trust.mkdir(exist_ok=True)
    for name in ("root.pem", "ca.pem"):
        shutil.copyfile(home / "pki" / name, trust / name)
    service = PcscService(home / "pcscd", entries=1)
    service.start()
    responder = _ocsp_responder(home / "pki", state)
    try:
        os.environ.update(service.env())  # before this process first talks PC/SC
        slot = service.acquire_slot()
        card = VirtualCard(state, "akis", slot.port, slot.name)
        card.insert()
        env = {
            **os.environ,
            "OPENSC_CONF": str(conf),
            "NES_ASISTAN_HOME": str(home / "home"),
            "NES_ASISTAN_PKCS11_MODULE": OPENSC_MODULE,
            "NES_ASISTAN_TRUST_DIR": str(trust),
        }
        print(f"Demo kartı takıldı (PIN: {DEMO_PIN}). / Demo card inserted (PIN: {DEMO_PIN}).\n")
        command = [sys.executable, "-m", "assistant", *argv]
        try:
            return subprocess.run(command, env=env, check=False).returncode
        except KeyboardInterrupt:
            return 130
        finally:
            card.remove(wait=False)
    finally:
        responder.stop()
        service.stop()


def _ocsp_responder(pki: Path, state: Path) -> OcspResponder:
    """Answer on the port the demo certificate's AIA names (fixed when the card was made)."""
    der = PivState.load(state).certificate_der(SLOT_SIGN)
    assert der is not None, "the demo card has a signing certificate"
    certificate = x509.load_der_x509_certificate(der)
    access = certificate.extensions.get_extension_for_class(x509.AuthorityInformationAccess)
    url = next(d.access_location.value for d in access.value if d.access_method == OCSP)
    port = int(urlsplit(url).port or 80)
    signer = (pki / "ocsp.pem", pki / "ocsp.key")
    return start_openssl_ocsp(pki, pki / "ca.pem", signer, port, "demo")


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
