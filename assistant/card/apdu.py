"""The exact PIN retry counter, read with VERIFY-without-data over PC/SC.

PKCS#11 only offers coarse flags ("final try"); ISO 7816-4 VERIFY with no data asks the
card for the counter without presenting a PIN: 63 Cx = x tries left, 69 83 = blocked,
90 00 = already verified. It is sent on its own shared connection to the reader the
token lives in, inside a PC/SC transaction so the module's own APDUs cannot interleave
between our SELECT and VERIFY. Only called where the card profile says the empty VERIFY
is harmless.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


class CardGoneError(Exception):
    """The reader or card went away while we were talking to it."""


@dataclass(frozen=True)
class CounterReading:
    tries_left: int | None
    """None when the card answered 90 00 (verified: the counter is not revealed)."""
    verified: bool
    status_word: int


def interpret_status(sw: int) -> CounterReading | None:
    """None for answers that carry no counter (e.g. 6A 88: reference not found)."""
    if sw & 0xFFF0 == 0x63C0:
        return CounterReading(sw & 0x0F, verified=False, status_word=sw)
    if sw == 0x6983:
        return CounterReading(0, verified=False, status_word=sw)
    if sw == 0x9000:
        return CounterReading(None, verified=True, status_word=sw)
    return None


def read_retry_counter(
    reader: str, reference: int, select_aid: bytes | None
) -> CounterReading | None:
    """The card's counter for `reference` (e.g. 0x80, the PIV PIN); None if unavailable."""
    from smartcard import scard

    rc, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
    if rc != scard.SCARD_S_SUCCESS:
        return None
    try:
        protocols = scard.SCARD_PROTOCOL_T0 | scard.SCARD_PROTOCOL_T1
        rc, card, protocol = scard.SCardConnect(
            context, reader, scard.SCARD_SHARE_SHARED, protocols
        )
        link = _Link(scard, card, protocol)
        link.check(rc)
        if rc != scard.SCARD_S_SUCCESS:
            return None
        try:
            return link.probe(reference, select_aid)
        finally:
            scard.SCardDisconnect(card, scard.SCARD_LEAVE_CARD)
    finally:
        scard.SCardReleaseContext(context)


class _Link:
    """One shared PC/SC connection; any "card/reader gone" code becomes CardGoneError."""

    def __init__(self, scard: Any, card: Any, protocol: int) -> None:
        self.scard = scard
        self.card = card
        self.protocol = protocol
        self.gone = {
            scard.SCARD_W_REMOVED_CARD,
            scard.SCARD_E_NO_SMARTCARD,
            scard.SCARD_E_READER_UNAVAILABLE,
            scard.SCARD_E_UNKNOWN_READER,
        }

    def check(self, rc: int) -> None:
        if rc in self.gone:
            raise CardGoneError(f"PC/SC {rc:#x}")

    def probe(self, reference: int, select_aid: bytes | None) -> CounterReading | None:
        rc = self.scard.SCardBeginTransaction(self.card)
        self.check(rc)
        if rc != self.scard.SCARD_S_SUCCESS:
            return None
        try:
            if select_aid is not None:
                select = [0x00, 0xA4, 0x04, 0x00, len(select_aid), *select_aid, 0x00]
                sw = self.transmit(select)
                if sw is None or not (sw == 0x9000 or sw >> 8 == 0x61):
                    return None
            sw = self.transmit([0x00, 0x20, 0x00, reference])
            return None if sw is None else interpret_status(sw)
        finally:
            self.scard.SCardEndTransaction(self.card, self.scard.SCARD_LEAVE_CARD)

    def transmit(self, apdu: list[int]) -> int | None:
        rc, response = self.scard.SCardTransmit(self.card, self.protocol, apdu)
        self.check(rc)
        if rc != self.scard.SCARD_S_SUCCESS or len(response) < 2:
            return None
        return int((response[-2] << 8) | response[-1])
