"""The protocol minimum of APDUs per card operation, found by doing it.

Each function sends the shortest APDU sequence that does one operation to a copy of the
virtual card's model (same state, nothing persisted, the real card untouched), checks that
the card accepted every command, and returns what it counted. The sequences are the
reasoning; the assumptions they rest on:

- Short APDUs only (Lc, Le ≤ 256), as a T=0 reader like the ACR38 carries them: an answer
  longer than 256 bytes costs one GET RESPONSE per further 256 bytes (61 xx).
- A SELECT of the PIV application opens every operation: under shared PC/SC access
  another program may have selected another application since our last command.
- "Warm" means the card stayed inserted since we last read it, so what cannot change
  meanwhile is known: its identity (CHUID), its certificates and the key types. What can
  change (the retry counter, the security status) is never assumed.
- "Cold" is the first operation after insertion: it also has to learn what the operation
  depends on — the CHUID for the card's identity (the token serial a status reports),
  the certificate containers for a list or a signature.
- The bare protocol, not the product's rules: the assistant reads the retry state before
  every PIN it sends (one VERIFY without data more for verify, change and signature).
"""

from __future__ import annotations

import hashlib

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from assistant.demo import tlv
from assistant.demo.apdu_count import ApduCounter, ApduTally
from assistant.demo.piv_card import (
    ALG_P384,
    ALG_RSA2048,
    CHUID_TAG,
    PIN_REF,
    PIV_AID,
    SLOT_SIGN,
    PivCard,
    PivState,
)

# The four PIV key certificate containers (9A, 9C, 9D, 9E): which ones hold a
# certificate is not written anywhere else on the card, so a list asks for all four.
CERTIFICATE_CONTAINERS = (0x5FC105, 0x5FC10A, 0x5FC10B, 0x5FC101)
SIGNING_CONTAINER = 0x5FC10A
SW_OK = 0x9000
SW_NOT_FOUND = 0x6A82
_SHA256_DIGEST_INFO = bytes.fromhex("3031300d060960864801650304020105000420")


class _MinimalHost:
    """A host that sends only what it must, to a copy of the card."""

    def __init__(self, state: PivState) -> None:
        self.counter = ApduCounter(PivCard(PivState.from_json(state.to_json())))

    def send(
        self, header: tuple[int, int, int, int], data: bytes, *, le: bool
    ) -> tuple[bytes, int]:
        """One command (CLA INS P1 P2, data, Le=00 or none), then GET RESPONSE until done."""
        apdu = bytes(header)
        if data:
            apdu += bytes([len(data)]) + data
        if le:
            apdu += b"\x00"
        answer = self.counter.process(apdu)
        body, sw = answer[:-2], int.from_bytes(answer[-2:], "big")
        while sw >> 8 == 0x61:  # more to come: GET RESPONSE for the next (at most) 256
            answer = self.counter.process(bytes([0x00, 0xC0, 0x00, 0x00, sw & 0xFF]))
            body, sw = body + answer[:-2], int.from_bytes(answer[-2:], "big")
        return body, sw

    def expect(self, sw: int, *allowed: int) -> None:
        if sw not in allowed and not (0x63C0 in allowed and sw & 0xFFF0 == 0x63C0):
            expected = ", ".join(f"{a:04X}" for a in allowed)
            raise RuntimeError(f"minimal sequence refused: {sw:04X}, expected {expected}")

    def select(self) -> None:
        self.expect(self.send((0x00, 0xA4, 0x04, 0x00), PIV_AID, le=True)[1], SW_OK)

    def get_data(self, tag: int, *allowed: int) -> None:
        tag_bytes = tag.to_bytes((tag.bit_length() + 7) // 8, "big")
        request = bytes([0x5C, len(tag_bytes)]) + tag_bytes
        self.expect(self.send((0x00, 0xCB, 0x3F, 0xFF), request, le=True)[1], SW_OK, *allowed)

    def verify(self, pin: str | None) -> None:
        data = b"" if pin is None else pin.encode("ascii").ljust(8, b"\xff")
        sw = self.send((0x00, 0x20, 0x00, PIN_REF), data, le=False)[1]
        # Without data the card answers with its counter (63 Cx) or 90 00 when verified.
        allowed = (SW_OK,) if pin is not None else (SW_OK, 0x63C0)
        self.expect(sw, *allowed)

    def tally(self) -> ApduTally:
        return self.counter.read()


def status(state: PivState, *, cold: bool) -> ApduTally:
    """Token status with the exact retry count: SELECT, (cold: CHUID), VERIFY without data."""
    host = _MinimalHost(state)
    host.select()
    if cold:
        host.get_data(CHUID_TAG)
    host.verify(None)
    return host.tally()


def certificates(state: PivState, *, cold: bool) -> ApduTally:
    """Warm: nothing (certificates cannot change while the card stays in). Cold: SELECT,
    then each of the four containers, with GET RESPONSE for the rest of a certificate."""
    host = _MinimalHost(state)
    if cold:
        host.select()
        for tag in CERTIFICATE_CONTAINERS:
            host.get_data(tag, SW_NOT_FOUND)
    return host.tally()


def verify_pin(state: PivState, *, cold: bool) -> ApduTally:
    """SELECT + VERIFY, cold or warm: presenting a PIN needs nothing else from the card."""
    del cold
    host = _MinimalHost(state)
    host.select()
    host.verify(state.pin)
    return host.tally()


def change_pin(state: PivState, *, cold: bool) -> ApduTally:
    """SELECT + CHANGE REFERENCE DATA: the card checks the old PIN itself, no VERIFY first."""
    del cold
    host = _MinimalHost(state)
    host.select()
    new = "975310" if state.pin != "975310" else "864200"
    data = state.pin.encode("ascii").ljust(8, b"\xff") + new.encode("ascii").ljust(8, b"\xff")
    host.expect(host.send((0x00, 0x24, 0x00, PIN_REF), data, le=False)[1], SW_OK)
    return host.tally()


def test_signature(state: PivState, *, cold: bool) -> ApduTally:
    """SELECT, (cold: the 9C certificate: key type, and to check the signature), VERIFY
    (9C is "PIN always": one VERIFY right before the one signature), GENERAL AUTHENTICATE
    (chained in 255-byte parts when the challenge is longer, as an RSA-2048 block is)."""
    host = _MinimalHost(state)
    host.select()
    if cold:
        host.get_data(SIGNING_CONTAINER)
    der = state.certificate_der(SLOT_SIGN)
    if der is None:
        raise LookupError("no signing certificate in 9C")
    key = x509.load_der_x509_certificate(der).public_key()
    digest = hashlib.sha384(b"challenge").digest()
    if isinstance(key, ec.EllipticCurvePublicKey):
        algorithm, challenge = ALG_P384, digest
    elif isinstance(key, rsa.RSAPublicKey):
        block = _SHA256_DIGEST_INFO + hashlib.sha256(b"challenge").digest()
        size = key.key_size // 8
        algorithm = ALG_RSA2048
        challenge = b"\x00\x01" + b"\xff" * (size - len(block) - 3) + b"\x00" + block
    else:
        raise TypeError("only ECDSA and RSA keys are modelled")
    host.verify(state.pin)
    template = tlv.tlv(0x7C, tlv.tlv(0x82, b"") + tlv.tlv(0x81, challenge))
    parts = [template[i : i + 255] for i in range(0, len(template), 255)]
    for part in parts[:-1]:
        host.expect(host.send((0x10, 0x87, algorithm, SLOT_SIGN), part, le=False)[1], SW_OK)
    host.expect(host.send((0x00, 0x87, algorithm, SLOT_SIGN), parts[-1], le=True)[1], SW_OK)
    return host.tally()
