"""A NIST SP 800-73-4 PIV card as a pure APDU state machine (no sockets).

The rig needs a card with real PIN semantics (retry counters, 63 Cx, 69 83, PUK
unblock) that OpenSC's PIV-II driver accepts as a normal token, so the assistant's
PIN-safety logic is exercised against the same stack a user runs. `PivCard.process`
takes one command APDU and returns data + SW1 SW2; the vpcd link (vpcd_link.py)
only moves bytes. `PivState` is everything that survives a power cycle and can be
written to a JSON file, so a scenario survives "remove and re-insert".

Test rig only: the state file holds the PIN, PUK and private keys in clear, exactly
like the card's own memory would.
"""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed

from assistant.demo import tlv

PIV_AID_PREFIX = bytes.fromhex("A000000308")
PIV_AID = bytes.fromhex("A000000308000010000100")
PIN_REF = 0x80
PUK_REF = 0x81
SLOT_AUTH = 0x9A
SLOT_SIGN = 0x9C
ALG_RSA2048 = 0x07
ALG_P384 = 0x14
CERT_OBJECTS = {0x5FC105: SLOT_AUTH, 0x5FC10A: SLOT_SIGN}
CHUID_TAG = 0x5FC102
DISCOVERY_TAG = 0x7E
# FASC-N with agency code 9999 ("test/non-federal"): OpenSC then takes the GUID as serial.
FASCN = bytes.fromhex("D4E739DA739CED39CE739D836858210842108421C84210C3EB")

SW_OK = 0x9000
SW_WRONG_LENGTH = 0x6700
SW_SECURITY = 0x6982
SW_BLOCKED = 0x6983
SW_NO_PENDING = 0x6985
SW_WRONG_DATA = 0x6A80
SW_NOT_FOUND = 0x6A82
SW_WRONG_P1P2 = 0x6A86
SW_REF_NOT_FOUND = 0x6A88
SW_INS_UNKNOWN = 0x6D00
SW_CLA_UNKNOWN = 0x6E00


@dataclass
class PivState:
    """What the card remembers across power cycles; JSON-serialisable by design."""

    pin: str
    puk: str
    pin_tries_max: int = 3
    puk_tries_max: int = 3
    pin_tries_left: int = 3
    puk_tries_left: int = 3
    keys: dict[str, str] = field(default_factory=dict)
    """Slot ("9a", "9c") → private key PEM (PKCS#8, unencrypted)."""
    certs: dict[str, str] = field(default_factory=dict)
    """Slot → certificate DER, base64."""
    guid: str = field(default_factory=lambda: os.urandom(16).hex())

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> PivState:
        return cls(**json.loads(text))

    def save(self, path: Path) -> None:
        """Write atomically so a crash mid-write never leaves half a card behind."""
        tmp = path.with_suffix(path.suffix + ".tmp")
        tmp.write_text(self.to_json(), encoding="utf-8")
        tmp.replace(path)

    @classmethod
    def load(cls, path: Path) -> PivState:
        return cls.from_json(path.read_text(encoding="utf-8"))

    def set_slot(self, slot: int, private_key_pem: bytes, certificate_der: bytes) -> None:
        self.keys[f"{slot:02x}"] = private_key_pem.decode("ascii")
        self.certs[f"{slot:02x}"] = base64.b64encode(certificate_der).decode("ascii")

    def private_key(self, slot: int) -> rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey | None:
        pem = self.keys.get(f"{slot:02x}")
        if pem is None:
            return None
        key = serialization.load_pem_private_key(pem.encode("ascii"), password=None)
        if not isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
            raise TypeError(f"unsupported key type in slot {slot:02X}")
        return key

    def certificate_der(self, slot: int) -> bytes | None:
        b64 = self.certs.get(f"{slot:02x}")
        return None if b64 is None else base64.b64decode(b64)


@dataclass(frozen=True)
class Command:
    cla: int
    ins: int
    p1: int
    p2: int
    data: bytes
    ne: int | None
    """Expected response length (256/65536 for Le=00); None when the APDU has no Le."""


def parse_command(raw: bytes) -> Command:
    """ISO 7816-4 cases 1-4, short and extended; ValueError when the lengths disagree."""
    if len(raw) < 4:
        raise ValueError("APDU shorter than a header")
    cla, ins, p1, p2 = raw[:4]
    body = raw[4:]
    data = b""
    ne: int | None = None
    if len(body) == 1:
        ne = body[0] or 256
    elif len(body) >= 3 and body[0] == 0:  # extended length
        if len(body) == 3:
            ne = int.from_bytes(body[1:3], "big") or 65536
        else:
            lc = int.from_bytes(body[1:3], "big")
            data, rest = body[3 : 3 + lc], body[3 + lc :]
            if len(data) != lc or len(rest) not in (0, 2):
                raise ValueError("extended APDU length mismatch")
            if rest:
                ne = int.from_bytes(rest, "big") or 65536
    elif body:
        lc = body[0]
        data, rest = body[1 : 1 + lc], body[1 + lc :]
        if len(data) != lc or len(rest) > 1:
            raise ValueError("short APDU length mismatch")
        if rest:
            ne = rest[0] or 256
    return Command(cla, ins, p1, p2, data, ne)


def _sw(sw: int) -> bytes:
    return sw.to_bytes(2, "big")


def _unpad(reference_data: bytes) -> bytes:
    return reference_data.rstrip(b"\xff")


def _valid_pin(value: bytes) -> bool:
    return 6 <= len(value) <= 8 and value.isdigit()


def _valid_puk(value: bytes) -> bool:
    return 6 <= len(value) <= 8


def key_algorithm(key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey) -> int:
    """PIV algorithm identifier the host must name in GENERAL AUTHENTICATE's P1."""
    if isinstance(key, rsa.RSAPrivateKey) and key.key_size == 2048:
        return ALG_RSA2048
    if isinstance(key, ec.EllipticCurvePrivateKey) and isinstance(key.curve, ec.SECP384R1):
        return ALG_P384
    raise ValueError("only RSA-2048 and ECDSA P-384 are modelled")


class PivCard:
    """One PIV card: persistent `state` plus the volatile security status of a session.

    `persist` is called after every change to `state` (counter, PIN, PUK) so a card
    pulled right after a wrong PIN still remembers it, as real EEPROM does.
    """

    def __init__(self, state: PivState, persist: Callable[[PivState], None] | None = None):
        self.state = state
        self._persist = persist
        self.power_on()

    def power_on(self) -> None:
        """Power-up or warm reset: PIN status, pending responses and chains are lost."""
        self.pin_verified = False
        self._sign_allowed = False  # "PIN always" for 9C: one VERIFY, one signature
        self._pending = b""
        self._chain: tuple[int, int, int, bytes] | None = None

    def process(self, raw: bytes) -> bytes:
        """Answer one command APDU with response data followed by SW1 SW2."""
        try:
            cmd = parse_command(raw)
        except ValueError:
            return _sw(SW_WRONG_LENGTH)
        if cmd.ins == 0xC0 and cmd.cla & 0xEF == 0:
            return self._get_response(cmd)
        self._pending = b""
        if cmd.cla & ~0x10 & 0xFF != 0:
            self._chain = None
            return _sw(SW_CLA_UNKNOWN)
        if cmd.cla & 0x10:
            header = (cmd.ins, cmd.p1, cmd.p2)
            previous = self._chain[3] if self._chain and self._chain[:3] == header else b""
            self._chain = (cmd.ins, cmd.p1, cmd.p2, previous + cmd.data)
            return _sw(SW_OK)
        if self._chain is not None:
            if self._chain[:3] == (cmd.ins, cmd.p1, cmd.p2):
                cmd = Command(cmd.cla, cmd.ins, cmd.p1, cmd.p2, self._chain[3] + cmd.data, cmd.ne)
            self._chain = None
        handler = {
            0xA4: self._select,
            0xCB: self._get_data,
            0x20: self._verify,
            0x24: self._change_reference_data,
            0x2C: self._reset_retry_counter,
            0x87: self._general_authenticate,
        }.get(cmd.ins)
        if handler is None:
            return _sw(SW_INS_UNKNOWN)
        return handler(cmd)

    # -- response plumbing -------------------------------------------------------------

    def _respond(self, data: bytes, ne: int | None) -> bytes:
        """Send at most Ne bytes; park the rest for GET RESPONSE and announce it with 61 xx."""
        limit = ne or 256
        chunk, self._pending = data[:limit], data[limit:]
        if self._pending:
            return chunk + bytes([0x61, min(len(self._pending), 256) & 0xFF])
        return chunk + _sw(SW_OK)

    def _get_response(self, cmd: Command) -> bytes:
        if not self._pending:
            return _sw(SW_NO_PENDING)
        return self._respond(self._pending, cmd.ne)

    def _save(self) -> None:
        if self._persist is not None:
            self._persist(self.state)

    # -- commands ----------------------------------------------------------------------

    def _select(self, cmd: Command) -> bytes:
        if cmd.p1 != 0x04 or not cmd.data.startswith(PIV_AID_PREFIX):
            return _sw(SW_NOT_FOUND)  # foreign AID or file: stay on PIV
        algorithms = b"".join(
            tlv.tlv(0x80, bytes([alg])) for alg in (ALG_RSA2048, ALG_P384)
        ) + tlv.tlv(0x06, b"\x00")
        apt = tlv.tlv(
            0x61,
            tlv.tlv(0x4F, PIV_AID[5:])
            + tlv.tlv(0x79, tlv.tlv(0x4F, PIV_AID_PREFIX))
            + tlv.tlv(0x50, b"NES Asistani TEST PIV")
            + tlv.tlv(0xAC, algorithms),
        )
        return self._respond(apt, cmd.ne)

    def _data_object(self, tag: int) -> bytes | None:
        if tag == DISCOVERY_TAG:
            # PIN usage policy 40 00: only the PIV application PIN exists.
            return tlv.tlv(0x7E, tlv.tlv(0x4F, PIV_AID) + tlv.tlv(0x5F2F, b"\x40\x00"))
        if tag == CHUID_TAG:
            return tlv.tlv(
                0x53,
                tlv.tlv(0x30, FASCN)
                + tlv.tlv(0x34, bytes.fromhex(self.state.guid))
                + tlv.tlv(0x35, b"20301231")
                + tlv.tlv(0x3E, b"")
                + tlv.tlv(0xFE, b""),
            )
        slot = CERT_OBJECTS.get(tag)
        der = None if slot is None else self.state.certificate_der(slot)
        if der is None:
            return None
        return tlv.tlv(0x53, tlv.tlv(0x70, der) + tlv.tlv(0x71, b"\x00") + tlv.tlv(0xFE, b""))

    def _get_data(self, cmd: Command) -> bytes:
        if (cmd.p1, cmd.p2) != (0x3F, 0xFF):
            return _sw(SW_WRONG_P1P2)
        try:
            tag_bytes = tlv.find(cmd.data, 0x5C)
        except ValueError:
            return _sw(SW_WRONG_DATA)
        if not tag_bytes:
            return _sw(SW_WRONG_DATA)
        obj = self._data_object(int.from_bytes(tag_bytes, "big"))
        if obj is None:
            return _sw(SW_NOT_FOUND)
        return self._respond(obj, cmd.ne)

    def _counter_sw(self, tries_left: int) -> bytes:
        return _sw(SW_BLOCKED if tries_left == 0 else 0x63C0 | min(tries_left, 15))

    def _verify(self, cmd: Command) -> bytes:
        if cmd.p2 != PIN_REF:
            return _sw(SW_REF_NOT_FOUND)
        if cmd.p1 == 0xFF and not cmd.data:  # SP 800-73-4: reset security status
            self.pin_verified = self._sign_allowed = False
            return _sw(SW_OK)
        if cmd.p1 != 0x00:
            return _sw(SW_WRONG_P1P2)
        if not cmd.data:  # status query: no try spent
            if self.pin_verified:
                return _sw(SW_OK)
            return self._counter_sw(self.state.pin_tries_left)
        if len(cmd.data) != 8:
            return _sw(SW_WRONG_DATA)
        return self._check_pin(_unpad(cmd.data))

    def _check_pin(self, candidate: bytes) -> bytes:
        """Compare and count: the blocking attempt answers 69 83 so PKCS#11 says PinLocked."""
        state = self.state
        if state.pin_tries_left == 0:
            return _sw(SW_BLOCKED)
        if candidate == state.pin.encode("ascii"):
            state.pin_tries_left = state.pin_tries_max
            self.pin_verified = self._sign_allowed = True
            self._save()
            return _sw(SW_OK)
        state.pin_tries_left -= 1
        self.pin_verified = self._sign_allowed = False
        self._save()
        return self._counter_sw(state.pin_tries_left)

    def _check_puk(self, candidate: bytes) -> bytes | None:
        """None when the PUK matched; otherwise the status word to return."""
        state = self.state
        if state.puk_tries_left == 0:
            return _sw(SW_BLOCKED)
        if candidate == state.puk.encode("ascii"):
            state.puk_tries_left = state.puk_tries_max
            return None
        state.puk_tries_left -= 1
        self._save()
        return self._counter_sw(state.puk_tries_left)

    def _change_reference_data(self, cmd: Command) -> bytes:
        if cmd.p1 != 0x00 or cmd.p2 not in (PIN_REF, PUK_REF):
            return _sw(SW_REF_NOT_FOUND)
        if len(cmd.data) != 16:
            return _sw(SW_WRONG_DATA)
        old, new = _unpad(cmd.data[:8]), _unpad(cmd.data[8:])
        if cmd.p2 == PIN_REF:
            answer = self._check_pin(old)
            if answer != _sw(SW_OK):
                return answer
            if not _valid_pin(new):
                return _sw(SW_WRONG_DATA)
            self.state.pin = new.decode("ascii")
        else:
            failure = self._check_puk(old)
            if failure is not None:
                return failure
            if not _valid_puk(new):
                return _sw(SW_WRONG_DATA)
            self.state.puk = new.decode("ascii")
        self._save()
        return _sw(SW_OK)

    def _reset_retry_counter(self, cmd: Command) -> bytes:
        if cmd.p1 != 0x00 or cmd.p2 != PIN_REF:
            return _sw(SW_REF_NOT_FOUND)
        if len(cmd.data) != 16:
            return _sw(SW_WRONG_DATA)
        puk, new_pin = _unpad(cmd.data[:8]), _unpad(cmd.data[8:])
        failure = self._check_puk(puk)
        if failure is not None:
            return failure
        if not _valid_pin(new_pin):
            self._save()
            return _sw(SW_WRONG_DATA)
        self.state.pin = new_pin.decode("ascii")
        self.state.pin_tries_left = self.state.pin_tries_max
        self._save()
        return _sw(SW_OK)

    def _general_authenticate(self, cmd: Command) -> bytes:
        key = self.state.private_key(cmd.p2)
        if key is None:
            return _sw(SW_REF_NOT_FOUND)
        if cmd.p1 != key_algorithm(key):
            return _sw(SW_WRONG_P1P2)
        try:
            template = tlv.find(cmd.data, 0x7C)
            fields = dict(tlv.parse(template or b""))
        except ValueError:
            return _sw(SW_WRONG_DATA)
        challenge = fields.get(0x81)
        if challenge is None or fields.get(0x82) != b"":
            return _sw(SW_WRONG_DATA)
        allowed = self._sign_allowed if cmd.p2 == SLOT_SIGN else self.pin_verified
        if not allowed:
            return _sw(SW_SECURITY)
        signature = _sign(key, challenge)
        if signature is None:
            return _sw(SW_WRONG_DATA)
        if cmd.p2 == SLOT_SIGN:
            self._sign_allowed = False
        return self._respond(tlv.tlv(0x7C, tlv.tlv(0x82, signature)), cmd.ne)


def _sign(key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey, challenge: bytes) -> bytes | None:
    """Raw RSA on the block the host padded, or a DER ECDSA signature over the hash."""
    if isinstance(key, rsa.RSAPrivateKey):
        numbers = key.private_numbers()
        n = numbers.public_numbers.n
        size = (n.bit_length() + 7) // 8
        value = int.from_bytes(challenge, "big")
        if len(challenge) != size or value >= n:
            return None
        return pow(value, numbers.d, n).to_bytes(size, "big")
    # ECDSA uses the leftmost 48 bytes of the hash; shorter hashes are the same integer
    # when left-padded with zeros.
    digest = challenge[:48].rjust(48, b"\x00")
    return key.sign(digest, ec.ECDSA(Prehashed(hashes.SHA384())))
