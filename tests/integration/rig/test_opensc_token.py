"""The virtual card through OpenSC's opensc-pkcs11.so, checked with independent tools.

pkcs11-tool and openssl are what a helpdesk would use; python-pkcs11 is what the
assistant uses. If these pass, the assistant's card tests run against the same PIN
semantics a real PIV-style token has.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pkcs11
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.x509.oid import NameOID

from assistant.demo.virtual_card import VirtualCard

pytestmark = pytest.mark.integration


def tool(module: Path, card: VirtualCard, *args: str) -> subprocess.CompletedProcess[str]:
    """pkcs11-tool on the slot of `card`'s reader (by slot index in OpenSC's list)."""
    listing = subprocess.run(
        ["pkcs11-tool", "--module", str(module), "-L"],
        capture_output=True, text=True, check=True, timeout=60,
    )  # fmt: skip
    slot_id = None
    for line in listing.stdout.splitlines():
        if line.startswith("Slot ") and line.rstrip().endswith(card.reader):
            slot_id = line.split("(")[1].split(")")[0]
    assert slot_id is not None, listing.stdout
    return subprocess.run(
        ["pkcs11-tool", "--module", str(module), "--slot", slot_id, *args],
        capture_output=True, text=True, check=False, timeout=60,
    )  # fmt: skip


def token_of(module: Path, card: VirtualCard) -> pkcs11.Token:
    lib = pkcs11.lib(str(module))
    for slot in lib.get_slots(token_present=True):
        if slot.slot_description.strip() == card.reader:
            return slot.get_token()
    raise LookupError(f"no token in {card.reader}")


def test_pkcs11_tool_lists_the_token_with_the_holder_name(
    opensc_module: Path, virtual_card: Callable[..., VirtualCard]
) -> None:
    card = virtual_card()
    result = tool(opensc_module, card, "-L")
    cn = card.certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value
    assert f"token label        : {cn}" in result.stdout
    assert "PIN initialized" in result.stdout
    objects = tool(opensc_module, card, "-O").stdout
    assert "Certificate for Digital Signature" in objects
    assert "Certificate for PIV Authentication" in objects


@pytest.mark.parametrize(
    ("key_type", "mechanism", "digest", "extra"),
    [
        ("rsa2048", "SHA256-RSA-PKCS", "-sha256", []),
        ("p384", "ECDSA-SHA384", "-sha384", ["--signature-format", "openssl"]),
    ],
)
def test_signature_from_the_nes_key_verifies_with_openssl(  # noqa: PLR0917
    opensc_module: Path,
    virtual_card: Callable[..., VirtualCard],
    tmp_path: Path,
    key_type: str,
    mechanism: str,
    digest: str,
    extra: list[str],
) -> None:
    card = virtual_card(key_type=key_type)
    message, signature, public = tmp_path / "m", tmp_path / "sig", tmp_path / "pub.pem"
    message.write_bytes("NES Asistanı test imzası".encode())
    public.write_bytes(
        card.certificate.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    # ID 02 = slot 9C, the "PIN always" signing key: pkcs11-tool logs in twice
    signed = tool(
        opensc_module, card, "--login", "--pin", card.pin, "--sign", "--id", "02",
        "-m", mechanism, "-i", str(message), "-o", str(signature), *extra,
    )  # fmt: skip
    assert signed.returncode == 0, signed.stderr
    verified = subprocess.run(
        ["openssl", "dgst", digest, "-verify", str(public), "-signature", str(signature),
         str(message)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert verified.stdout.strip() == "Verified OK", verified.stdout + verified.stderr
    message.write_bytes(b"tampered")
    tampered = subprocess.run(
        ["openssl", "dgst", digest, "-verify", str(public), "-signature", str(signature),
         str(message)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert tampered.returncode != 0


def test_three_wrong_pins_lock_the_token(
    opensc_module: Path, virtual_card: Callable[..., VirtualCard]
) -> None:
    card = virtual_card()
    token = token_of(opensc_module, card)
    with pytest.raises(pkcs11.PinIncorrect):
        token.open(user_pin="000000")
    with pytest.raises(pkcs11.PinIncorrect):
        token.open(user_pin="000000")
    assert card.pin_tries_left == 1
    assert token_of(opensc_module, card).flags & pkcs11.TokenFlag.USER_PIN_FINAL_TRY
    with pytest.raises(pkcs11.PinLocked):
        token.open(user_pin="000000")
    assert card.pin_tries_left == 0
    assert token_of(opensc_module, card).flags & pkcs11.TokenFlag.USER_PIN_LOCKED
    with pytest.raises(pkcs11.PinLocked):
        token.open(user_pin=card.pin)


def test_puk_unblocks_in_an_unlogged_session_and_pkcs11_tool_accepts_the_new_pin(
    opensc_module: Path, virtual_card: Callable[..., VirtualCard]
) -> None:
    card = virtual_card()
    for _ in range(3):
        with pytest.raises((pkcs11.PinIncorrect, pkcs11.PinLocked)):
            token_of(opensc_module, card).open(user_pin="000000")
    assert card.pin_tries_left == 0
    with token_of(opensc_module, card).open(rw=True) as session:
        with pytest.raises(pkcs11.PinIncorrect):
            session.set_pin("87654321", "246810")  # wrong PUK costs a PUK try
        assert card.puk_tries_left == 2
        session.set_pin(card.puk, "246810")
    assert (card.pin, card.pin_tries_left, card.puk_tries_left) == ("246810", 3, 3)
    listing = tool(opensc_module, card, "--login", "--pin", "246810", "-O")
    assert listing.returncode == 0, listing.stderr
    assert "Private Key Object" in listing.stdout


def test_counters_and_pin_survive_remove_and_reinsert(
    opensc_module: Path, virtual_card: Callable[..., VirtualCard]
) -> None:
    card = virtual_card()
    changed = tool(
        opensc_module, card, "--login", "--pin", card.pin, "--change-pin", "--new-pin", "975310"
    )
    assert changed.returncode == 0, changed.stderr
    with pytest.raises(pkcs11.PinIncorrect):
        token_of(opensc_module, card).open(user_pin="123456")
    card.remove()
    again = virtual_card(state_path=card.state_path)  # a new card object from the file
    assert again.state_path == card.state_path and again.reader != card.reader
    assert (again.pin, again.pin_tries_left) == ("975310", 2)
    with token_of(opensc_module, again).open(user_pin="975310"):
        pass
    assert again.pin_tries_left == 3
