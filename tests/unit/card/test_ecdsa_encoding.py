"""Raw r||s from PKCS#11 becomes the DER signature every verifier expects."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

from assistant.card.token import ecdsa_raw_to_der


@pytest.mark.parametrize(("curve", "size"), [(ec.SECP384R1(), 48), (ec.SECP256R1(), 32)])
def test_raw_signature_converts_to_a_verifiable_der_one(curve: ec.EllipticCurve, size: int) -> None:
    key = ec.generate_private_key(curve)
    message = b"NES test challenge"
    r, s = decode_dss_signature(key.sign(message, ec.ECDSA(hashes.SHA384())))
    raw = r.to_bytes(size, "big") + s.to_bytes(size, "big")  # what C_Sign returns
    key.public_key().verify(ecdsa_raw_to_der(raw), message, ec.ECDSA(hashes.SHA384()))


def test_odd_length_is_refused() -> None:
    with pytest.raises(ValueError, match="halves"):
        ecdsa_raw_to_der(b"\x01\x02\x03")
