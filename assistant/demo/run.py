"""The demo kit at work: a private pcscd, the virtual AKİS card, OCSP, and the chat.

Starts a private pcscd with a vpcd reader (in its own mount namespace, so the machine's
smart-card service is left alone), inserts a virtual card that presents an AKİS ATR
(OpenSC's PIV driver serves it, so no TÜBİTAK middleware is needed), answers OCSP for
its TEST certificate with `openssl ocsp` on loopback (in step with the training portal's
revocations, revocation.py), time-stamps signatures with an RFC 3161 service (tsa.py),
optionally serves the training portal, and runs `nes-asistan` (terminal or web chat) with
its data under the demo's state folder, so the person's own settings stay untouched. The
card's state (PIN, retry counters) lives in `<state>/card.json` and its TEST PKI in
`<state>/pki` (loaded, never made again): PIN changes and revocations survive between
runs; delete the folder for a new card. Everything started here is stopped by PID when
the chat ends.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from assistant.card.profiles import PROFILES_ENV, UnblockStyle
from assistant.resources import packaged
from assistant.sign.tsa import TSA_URL_ENV

DEMO_PIN = "123456"
DEMO_PUK = "12345678"
OPENSC_CONF = """app opensc-pkcs11 {
    pkcs11 { user_pin_unblock_style = set_pin_in_unlogged_session; }
}
"""
PORTAL_URL_ENV = "NES_ASISTAN_PORTAL_URL"  # same as agent.portal_actions (demo is below agent)

Say = Callable[..., None]


def _stop_on_signal(signum: int, frame: object) -> None:
    """A closed terminal (SIGHUP) or a kill (SIGTERM) still stops pcscd and the card."""
    raise SystemExit(128 + signum)


def run_demo(state: Path, chat: list[str], *, portal: bool, say: Say) -> int:
    """Run `nes-asistan *chat` against the demo card; its exit code."""
    from assistant.demo.pcscd import PcscService
    from assistant.demo.pki import SAVED_FILE, TestPki
    from assistant.demo.requirements import opensc_module
    from assistant.demo.tsa import TimeStampService
    from assistant.demo.virtual_card import VirtualCard, create_state

    for signum in (signal.SIGHUP, signal.SIGTERM):
        signal.signal(signum, _stop_on_signal)
    state.mkdir(parents=True, exist_ok=True, mode=0o700)
    card_state = state / "card.json"
    made_before = (state / "pki" / SAVED_FILE).exists()  # else a folder from before pki.json
    pki = TestPki(state / "pki")  # the saved hierarchy when there is one, else a new one
    if not (made_before and card_state.exists()):
        create_state(pki, card_state, pin=DEMO_PIN, puk=DEMO_PUK)
    certificate = _signing_certificate(card_state)
    env = {
        **os.environ,
        "OPENSC_CONF": str(_write(state / "opensc.conf", OPENSC_CONF)),
        "NES_ASISTAN_HOME": str(state / "home"),
        "NES_ASISTAN_PKCS11_MODULE": str(opensc_module()),
        "NES_ASISTAN_TRUST_DIR": str(_trust_dir(state)),
    }
    with contextlib.ExitStack() as running:
        service = PcscService(state / "pcscd", entries=1)
        service.start()
        running.callback(service.stop)
        portal_state = state / "portal" / "state.json"
        front = _ocsp_front(pki, certificate, portal_state if portal else None)
        running.callback(front.stop)
        tsa = TimeStampService(pki, state / "tsa").start()
        running.callback(tsa.stop)
        env[TSA_URL_ENV] = tsa.url
        os.environ.update(service.env())  # before this process first talks PC/SC
        env.update(service.env())
        slot = service.acquire_slot()
        card = VirtualCard(card_state, "akis", slot.port, slot.name)
        card.insert()
        running.callback(card.remove, wait=False)
        say("demo.card", pin=card.pin)
        say("demo.state", folder=state)
        if portal:
            from assistant.demo.revocation import PORTAL_TERMS

            status = PORTAL_TERMS.get(pki.status_of(certificate), "active")
            env.update(_start_portal(state, card, status, running, say))
        try:
            command = [sys.executable, "-m", "assistant", *chat]
            code = subprocess.run(command, env=env, check=False).returncode
        except KeyboardInterrupt:
            code = 130
    return code


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def _trust_dir(state: Path) -> Path:
    """The TEST roots, where the assistant looks for trusted issuers."""
    trust = state / "trust"
    trust.mkdir(exist_ok=True)
    for name in ("root.pem", "ca.pem"):
        shutil.copyfile(state / "pki" / name, trust / name)
    return trust


def _signing_certificate(card_state: Path) -> Any:
    from cryptography import x509

    from assistant.demo.piv_card import SLOT_SIGN, PivState

    der = PivState.load(card_state).certificate_der(SLOT_SIGN)
    assert der is not None, "the demo card has a signing certificate"
    return x509.load_der_x509_certificate(der)


def _ocsp_front(pki: Any, certificate: Any, portal_state: Path | None) -> Any:
    """openssl's responder on the port the certificates name (fixed with the PKI); with
    the portal, kept in step with what the holder did there (revocation.py)."""
    from assistant.demo.revocation import OcspFront, apply_status, portal_status

    def sync() -> bool:
        wanted = portal_status(portal_state, certificate) if portal_state else None
        return wanted is not None and apply_status(pki, certificate, *wanted)

    return OcspFront(pki, pki.ocsp_port, sync).start()


def _start_portal(
    state: Path, card: Any, status: str, running: contextlib.ExitStack, say: Say
) -> Mapping[str, str]:
    """The training portal, fresh each run, owning `card` (its certificate in `status`,
    as the OCSP database has it); the environment the chat needs."""
    from assistant.demo.portal import DEMO_WORD, holder_seed, start_portal

    folder = state / "portal"
    with contextlib.suppress(FileNotFoundError):
        (folder / "state.json").unlink()  # the seed is read for a new state only
    served = start_portal(folder, holder_seed(card.certificate, card.pin, card.puk, status))
    running.callback(served.stop)
    say("demo.portal", url=served.url, tckn=served.tckn, word=DEMO_WORD, outbox=served.outbox)
    return {PORTAL_URL_ENV: served.url, PROFILES_ENV: str(_demo_profiles(state))}


def _demo_profiles(state: Path) -> Path:
    """The shipped card profiles, except that AKİS unlocks the way the demo's module does.

    The demo card is served by OpenSC's PIV driver, which resets the PIN with C_SetPIN
    in an unlogged session (RESET RETRY COUNTER); akisp11 may use the SO-login route.
    Everything else about AKİS (above all: its PUK is managed by the CA) stays as shipped.
    """
    import yaml

    document = yaml.safe_load(packaged("card", "profiles.yaml").read_text(encoding="utf-8"))
    for profile in document["profiles"]:
        if profile["id"] == "akis":
            profile["unblock_style"] = UnblockStyle.SET_PIN_UNLOGGED.value
    path = state / "profiles.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    return path
