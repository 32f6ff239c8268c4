"""SoftHSM2 tokens from the rig: visible to pkcs11-tool and python-pkcs11, key usable."""

from __future__ import annotations

import hashlib
import subprocess
from collections.abc import Callable
from pathlib import Path

import pkcs11
import pytest
from cryptography.hazmat.primitives import serialization

from tests.rig.softhsm import SoftHsmToken

pytestmark = pytest.mark.integration


def test_token_holds_the_holder_key_and_certificate(
    softhsm_token: Callable[..., SoftHsmToken], tmp_path: Path
) -> None:
    token = softhsm_token(label="NES test", key_type="p384")
    listing = token.tool("-L")
    assert "NES test" in listing.stdout, listing.stderr
    message, signature, public = tmp_path / "m", tmp_path / "s", tmp_path / "pub.pem"
    message.write_bytes(b"imza")
    digest = tmp_path / "m.sha384"  # SoftHSM 2.6 has CKM_ECDSA but not CKM_ECDSA_SHA384
    digest.write_bytes(hashlib.sha384(b"imza").digest())
    public.write_bytes(
        token.certificate.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    signed = token.tool(
        "--login", "--pin", token.pin, "--sign", "--id", token.key_id, "-m", "ECDSA",
        "--signature-format", "openssl", "-i", str(digest), "-o", str(signature),
    )  # fmt: skip
    assert signed.returncode == 0, signed.stderr
    verified = subprocess.run(
        ["openssl", "dgst", "-sha384", "-verify", str(public), "-signature", str(signature),
         str(message)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert verified.stdout.strip() == "Verified OK"


def test_python_pkcs11_in_this_process_sees_new_tokens(
    softhsm_token: Callable[..., SoftHsmToken],
) -> None:
    first = softhsm_token(label="first")
    second = softhsm_token(label="second", pin="654321", key_type="rsa2048")
    lib = pkcs11.lib(str(first.module))
    labels = {t.label for t in lib.get_tokens()}
    assert {"first", "second"} <= labels
    with lib.get_token(token_label="second").open(user_pin=second.pin) as session:
        (cert,) = session.get_objects({pkcs11.Attribute.CLASS: pkcs11.ObjectClass.CERTIFICATE})
        assert cert[pkcs11.Attribute.VALUE] == second.holder.certificate_der
    with pytest.raises(pkcs11.PinIncorrect):
        lib.get_token(token_label="first").open(user_pin="000000")
