"""A virtual card in a vpcd reader: state file + PIV model + link, insertable at will.

Tests and the demo want one object that says "this card, in that reader": insert
and remove it, read its counters and certificates to cross-check what the
assistant reports. The state lives in a JSON file written after every change, so
a removed card (or one served by another process) comes back exactly as it left.
"""

from __future__ import annotations

import random
import time
from pathlib import Path

from cryptography import x509

from assistant.demo.atrs import atr_for
from assistant.demo.piv_card import SLOT_AUTH, SLOT_SIGN, PivCard, PivState
from assistant.demo.pki import TestPki
from assistant.demo.vpcd_link import Cut, CutPoint, VpcdLink

DEMO_NAMES = ("Ayşe Çağlar Öztürk", "İsmail Güneş Şahin", "Gülşen Işık Doğan")


def create_state(
    pki: TestPki,
    path: Path,
    *,
    key_type: str = "p384",
    pin: str = "123456",
    puk: str = "12345678",
    pin_tries: int = 3,
    puk_tries: int = 3,
    name: str | None = None,
    tckn: str | None = None,
) -> PivState:
    """A fresh card: NES signing cert in 9C, authentication cert in 9A, same holder."""
    name = name or random.choice(DEMO_NAMES)
    signing = pki.issue_holder(key_type, tckn=tckn, name=name, usage="signing")
    auth = pki.issue_holder(key_type, tckn=signing.tckn, name=name, usage="auth")
    state = PivState(
        pin=pin,
        puk=puk,
        pin_tries_max=pin_tries,
        puk_tries_max=puk_tries,
        pin_tries_left=pin_tries,
        puk_tries_left=puk_tries,
    )
    state.set_slot(SLOT_SIGN, signing.private_key_pem, signing.certificate_der)
    state.set_slot(SLOT_AUTH, auth.private_key_pem, auth.certificate_der)
    state.save(path)
    return state


class VirtualCard:
    """The card in reader `reader` (vpcd port `port`), backed by `state_path`."""

    def __init__(self, state_path: Path, atr: str, port: int, reader: str | None = None):
        self.state_path = state_path
        self.atr_name = atr
        self.atr = atr_for(atr)
        self.port = port
        self.reader = reader
        self._card = PivCard(PivState.load(state_path), persist=self._persist)
        self._link = VpcdLink(self._card, self.atr, port)

    def _persist(self, state: PivState) -> None:
        state.save(self.state_path)

    @property
    def state(self) -> PivState:
        return self._card.state

    @property
    def inserted(self) -> bool:
        return self._link.inserted

    @property
    def pin_tries_left(self) -> int:
        return self.state.pin_tries_left

    @property
    def puk_tries_left(self) -> int:
        return self.state.puk_tries_left

    @property
    def pin(self) -> str:
        """The PIN the card holds now (changes when a test changes or unblocks it)."""
        return self.state.pin

    @property
    def puk(self) -> str:
        return self.state.puk

    @property
    def certificate(self) -> x509.Certificate:
        """The NES signing certificate (slot 9C, nonRepudiation)."""
        return self._cert(SLOT_SIGN)

    @property
    def auth_certificate(self) -> x509.Certificate:
        """The authentication certificate (slot 9A)."""
        return self._cert(SLOT_AUTH)

    def _cert(self, slot: int) -> x509.Certificate:
        der = self.state.certificate_der(slot)
        if der is None:
            raise LookupError(f"no certificate in slot {slot:02X}")
        return x509.load_der_x509_certificate(der)

    def insert(self, wait: bool = True) -> None:
        """Connect to vpcd with the state as the file has it; wait until PC/SC sees the card."""
        if self.inserted:
            return
        self._card.state = PivState.load(self.state_path)
        self._link.insert()
        if wait and self.reader is not None:
            wait_for_card(self.reader, present=True)

    def cut_at(self, ins: int, point: CutPoint | str, occurrence: int = 1) -> None:
        """Pull the card at that APDU boundary of the `occurrence`-th `ins` command
        (vpcd_link.Cut); it stays out until `insert()`, keeping what it applied."""
        self._link.arm(Cut(ins, CutPoint(point), occurrence))

    def wait_cut(self, timeout: float = 10.0) -> None:
        """Block until the armed cut pulled the card and PC/SC saw it go."""
        if not self._link.cut_done.wait(timeout):
            raise TimeoutError("the armed cut never fired")
        if self.reader is not None:
            wait_for_card(self.reader, present=False, timeout=timeout)

    @property
    def cut_fired(self) -> bool:
        return self._link.cut_done.is_set()

    def remove(self, wait: bool = True) -> None:
        """Close the socket (card pulled); wait until PC/SC reports the reader empty."""
        self._link.disarm()
        if not self.inserted:
            return
        self._link.remove()
        if wait and self.reader is not None:
            wait_for_card(self.reader, present=False)


def wait_for_card(reader: str, present: bool, timeout: float = 10.0) -> None:
    """Block on SCardGetStatusChange until `reader` has (or lacks) a card with an ATR."""
    from smartcard import scard

    hresult, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
    if hresult != scard.SCARD_S_SUCCESS:
        raise RuntimeError(f"SCardEstablishContext: {scard.SCardGetErrorMessage(hresult)}")
    try:
        deadline = time.monotonic() + timeout
        known = scard.SCARD_STATE_UNAWARE
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"{reader!r}: card never became present={present}")
            hresult, states = scard.SCardGetStatusChange(
                context, int(remaining * 1000), [(reader, known)]
            )
            if hresult == scard.SCARD_E_TIMEOUT:
                continue
            if hresult != scard.SCARD_S_SUCCESS:
                raise RuntimeError(f"SCardGetStatusChange: {scard.SCardGetErrorMessage(hresult)}")
            _, event_state, _atr = states[0]
            if bool(event_state & scard.SCARD_STATE_PRESENT) == present:
                return
            known = event_state & ~scard.SCARD_STATE_CHANGED
    finally:
        scard.SCardReleaseContext(context)
