"""The virtual PIV card at APDU level: counters, status words, chaining, persistence.

These are the behaviours OpenSC and the assistant's PIN guard rely on; if the card
model drifts from them, the integration tests would test a fiction.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa, utils
from cryptography.x509.oid import NameOID

from assistant.demo import tlv
from assistant.demo.piv_card import (
    ALG_P384,
    ALG_RSA2048,
    SLOT_AUTH,
    SLOT_SIGN,
    PivCard,
    PivState,
    parse_command,
)

PIN = "123456"
PUK = "12345678"


def _pad(value: str) -> bytes:
    return value.encode().ljust(8, b"\xff")


def _apdu(
    cla: int, ins: int, p1: int, p2: int, data: bytes = b"", *, le: int | None = None
) -> bytes:
    out = bytes([cla, ins, p1, p2])
    if data:
        out += bytes([len(data)]) + data
    if le is not None:
        out += bytes([le & 0xFF])
    return out


def _verify(card: PivCard, pin: str | None) -> int:
    data = b"" if pin is None else _pad(pin)
    return _sw(card.process(_apdu(0, 0x20, 0, 0x80, data)))


def _sw(response: bytes) -> int:
    return int.from_bytes(response[-2:], "big")


@cache
def _key(kind: str) -> rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey:
    if kind == "rsa2048":
        return rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return ec.generate_private_key(ec.SECP384R1())


def _cert_der(key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey) -> bytes:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "TEST piv unit")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    return cert.public_bytes(serialization.Encoding.DER)


def _state(kind: str = "p384") -> PivState:
    state = PivState(pin=PIN, puk=PUK)
    key = _key(kind)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    for slot in (SLOT_AUTH, SLOT_SIGN):
        state.set_slot(slot, pem, _cert_der(key))
    return state


def _read_all(card: PivCard, first: bytes) -> tuple[bytes, int]:
    """Follow 61 xx with GET RESPONSE like a host would."""
    data, sw = first[:-2], _sw(first)
    while sw >> 8 == 0x61:
        more = card.process(_apdu(0, 0xC0, 0, 0, le=sw & 0xFF))
        data, sw = data + more[:-2], _sw(more)
    return data, sw


def _get_data(card: PivCard, tag: int, le: int = 0) -> tuple[bytes, int]:
    tag_bytes = tag.to_bytes((tag.bit_length() + 7) // 8, "big")
    return _read_all(
        card, card.process(_apdu(0, 0xCB, 0x3F, 0xFF, tlv.tlv(0x5C, tag_bytes), le=le))
    )


def test_select_accepts_the_truncated_piv_aid_and_rejects_foreign_ones() -> None:
    card = PivCard(_state())
    response = card.process(_apdu(0, 0xA4, 4, 0, bytes.fromhex("A00000030800001000"), le=0))
    assert _sw(response) == 0x9000
    assert tlv.find(response[:-2], 0x61) is not None
    assert (
        _sw(card.process(_apdu(0, 0xA4, 4, 0, bytes.fromhex("A000000063504B43532D3135")))) == 0x6A82
    )
    assert _sw(card.process(_apdu(0, 0xCA, 0xDF, 0x30, le=0))) == 0x6D00
    # still on PIV after the foreign probes
    assert _get_data(card, 0x7E)[1] == 0x9000


def test_objects_have_the_shapes_opensc_expects() -> None:
    state = _state()
    card = PivCard(state)
    discovery, sw = _get_data(card, 0x7E)
    assert sw == 0x9000 and discovery.startswith(b"\x7e")
    chuid, _ = _get_data(card, 0x5FC102)
    body = tlv.find(chuid, 0x53) or b""
    assert (tlv.find(body, 0x30) or b"")[:3] == bytes.fromhex("D4E739")  # agency 9999
    assert any(tlv.find(body, 0x34) or b"")  # non-zero GUID
    for tag in (0x5FC107, 0x5FC10C, 0x5FC101):
        assert _get_data(card, tag)[1] == 0x6A82
    cert_obj, _ = _get_data(card, 0x5FC10A)
    inner = tlv.find(cert_obj, 0x53) or b""
    assert tlv.find(inner, 0x70) == state.certificate_der(SLOT_SIGN)
    assert tlv.find(inner, 0x71) == b"\x00"


def test_short_le_gives_the_first_bytes_and_61xx_announces_the_rest() -> None:
    card = PivCard(_state("rsa2048"))
    tag = bytes.fromhex("5FC105")
    first = card.process(_apdu(0, 0xCB, 0x3F, 0xFF, tlv.tlv(0x5C, tag), le=8))
    assert len(first) == 10 and first[-2] == 0x61
    whole, sw = _get_data(card, 0x5FC105)
    assert sw == 0x9000 and whole[:8] == first[:8] and len(whole) > 256


def test_wrong_pins_count_down_then_block_with_6983() -> None:
    card = PivCard(_state())
    assert _verify(card, None) == 0x63C3
    assert _verify(card, "000000") == 0x63C2
    assert _verify(card, "000000") == 0x63C1
    assert _verify(card, None) == 0x63C1  # the query spends nothing
    assert _verify(card, "000000") == 0x6983  # the blocking attempt says "blocked"
    assert _verify(card, PIN) == 0x6983  # even the right PIN is refused now
    assert _verify(card, None) == 0x6983
    assert card.state.pin_tries_left == 0


def test_right_pin_resets_the_counter_and_is_forgotten_on_power_off() -> None:
    card = PivCard(_state())
    assert _verify(card, "000000") == 0x63C2
    assert _verify(card, PIN) == 0x9000
    assert card.state.pin_tries_left == 3
    assert _verify(card, None) == 0x9000
    card.power_on()
    assert _verify(card, None) == 0x63C3
    assert _verify(card, PIN) == 0x9000
    assert _sw(card.process(_apdu(0, 0x20, 0xFF, 0x80))) == 0x9000  # logout
    assert _verify(card, None) == 0x63C3


def test_change_pin_needs_the_old_pin_and_counts_failures() -> None:
    card = PivCard(_state())
    change = _apdu(0, 0x24, 0, 0x80, _pad("999999") + _pad("654321"))
    assert _sw(card.process(change)) == 0x63C2
    change = _apdu(0, 0x24, 0, 0x80, _pad(PIN) + _pad("654321"))
    assert _sw(card.process(change)) == 0x9000
    assert _verify(card, PIN) == 0x63C2
    assert _verify(card, "654321") == 0x9000
    too_short = _apdu(0, 0x24, 0, 0x80, _pad("654321") + _pad("12"))
    assert _sw(card.process(too_short)) == 0x6A80
    assert card.state.pin == "654321"


def test_puk_unblocks_a_blocked_pin_and_wrong_puks_burn_puk_tries() -> None:
    card = PivCard(_state())
    for _ in range(3):
        _verify(card, "000000")
    assert _verify(card, None) == 0x6983
    wrong = _apdu(0, 0x2C, 0, 0x80, _pad("87654321") + _pad("111111"))
    assert _sw(card.process(wrong)) == 0x63C2
    assert card.state.puk_tries_left == 2
    right = _apdu(0, 0x2C, 0, 0x80, _pad(PUK) + _pad("111111"))
    assert _sw(card.process(right)) == 0x9000
    assert (card.state.pin_tries_left, card.state.puk_tries_left) == (3, 3)
    assert _verify(card, "111111") == 0x9000


def test_three_wrong_puks_block_the_puk_for_good() -> None:
    card = PivCard(_state())
    wrong = _apdu(0, 0x2C, 0, 0x80, _pad("87654321") + _pad("111111"))
    assert [_sw(card.process(wrong)) for _ in range(3)] == [0x63C2, 0x63C1, 0x6983]
    right = _apdu(0, 0x2C, 0, 0x80, _pad(PUK) + _pad("111111"))
    assert _sw(card.process(right)) == 0x6983


def _general_authenticate(card: PivCard, alg: int, slot: int, challenge: bytes) -> bytes:
    """Send 00 87 with CLA 0x10 chaining in 255-byte pieces, as OpenSC does."""
    body = tlv.tlv(0x7C, tlv.tlv(0x82, b"") + tlv.tlv(0x81, challenge))
    pieces = [body[i : i + 255] for i in range(0, len(body), 255)]
    for piece in pieces[:-1]:
        assert _sw(card.process(_apdu(0x10, 0x87, alg, slot, piece))) == 0x9000
    data, sw = _read_all(card, card.process(_apdu(0, 0x87, alg, slot, pieces[-1], le=0)))
    assert sw == 0x9000, hex(sw)
    return tlv.find(tlv.find(data, 0x7C) or b"", 0x82) or b""


def test_rsa_signature_over_a_chained_padded_block_verifies() -> None:
    state = _state("rsa2048")
    card = PivCard(state)
    message = b"NES test"
    digest = hashes.Hash(hashes.SHA256())
    digest.update(message)
    info = bytes.fromhex("3031300d060960864801650304020105000420") + digest.finalize()
    block = b"\x00\x01" + b"\xff" * (256 - 3 - len(info)) + b"\x00" + info
    assert _verify(card, PIN) == 0x9000
    signature = _general_authenticate(card, ALG_RSA2048, SLOT_AUTH, block)
    key = state.private_key(SLOT_AUTH)
    assert isinstance(key, rsa.RSAPrivateKey)
    key.public_key().verify(signature, message, padding.PKCS1v15(), hashes.SHA256())


def test_p384_signature_is_der_and_sign_key_needs_the_pin_every_time() -> None:
    state = _state("p384")
    card = PivCard(state)
    digest = hashes.Hash(hashes.SHA384())
    digest.update(b"NES test")
    hashed = digest.finalize()
    body = tlv.tlv(0x7C, tlv.tlv(0x82, b"") + tlv.tlv(0x81, hashed))
    assert _sw(card.process(_apdu(0, 0x87, ALG_P384, SLOT_SIGN, body, le=0))) == 0x6982
    assert _verify(card, PIN) == 0x9000
    signature = _general_authenticate(card, ALG_P384, SLOT_SIGN, hashed)
    assert signature[0] == 0x30
    key = state.private_key(SLOT_SIGN)
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    key.public_key().verify(signature, hashed, ec.ECDSA(utils.Prehashed(hashes.SHA384())))
    # PIN always: a second signature needs a new VERIFY, the 9A key does not.
    assert _sw(card.process(_apdu(0, 0x87, ALG_P384, SLOT_SIGN, body, le=0))) == 0x6982
    assert _general_authenticate(card, ALG_P384, SLOT_AUTH, hashed)[0] == 0x30
    # wrong algorithm id for the key
    assert _sw(card.process(_apdu(0, 0x87, ALG_RSA2048, SLOT_AUTH, body, le=0))) == 0x6A86


def test_state_round_trips_through_a_file_and_counts_persist(tmp_path: Path) -> None:
    path = tmp_path / "card.json"
    state = _state()
    state.save(path)
    card = PivCard(PivState.load(path), persist=lambda s: s.save(path))
    assert _verify(card, "000000") == 0x63C2
    reinserted = PivCard(PivState.load(path))
    assert _verify(reinserted, None) == 0x63C2
    assert reinserted.state.certificate_der(SLOT_SIGN) == state.certificate_der(SLOT_SIGN)
    assert reinserted.state.keys == state.keys and reinserted.state.guid == state.guid


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("00A40400", (b"", None)),
        ("00CA DF30 00", (b"", 256)),
        ("0020008008313233343536FFFF", (bytes.fromhex("313233343536FFFF"), None)),
        ("00CB3FFF035C017E08", (bytes.fromhex("5C017E"), 8)),
        ("00870714 000003 7C0100 0000", (bytes.fromhex("7C0100"), 65536)),
    ],
)
def test_parse_command_handles_all_cases(raw: str, expected: tuple[bytes, int | None]) -> None:
    cmd = parse_command(bytes.fromhex(raw.replace(" ", "")))
    assert (cmd.data, cmd.ne) == expected


def test_malformed_apdus_get_wrong_length() -> None:
    card = PivCard(_state())
    assert _sw(card.process(bytes.fromhex("0020008008313233"))) == 0x6700
    assert _sw(card.process(bytes.fromhex("00CB3FFF00"))) == 0x6A80  # GET DATA without a tag
