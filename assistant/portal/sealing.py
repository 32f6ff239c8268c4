"""Sealing the unlock credential for the agent alone (X25519 + HKDF-SHA256 + AES-GCM).

The real CA unblocks a card through its own end-to-end channel to the chip, so the PUK
is never visible on the way. The training portal models that by encrypting the unlock
payload to a one-time public key the agent sends with the request: the clear PUK never
appears in an HTTP body, a header, a proxy log or a browser, only inside the agent
process that made the key. Both sides use this module, so the format lives in one place.
"""

from __future__ import annotations

import base64
import json
import os
from dataclasses import dataclass

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

INFO = b"nes-asistani egitim-portali unlock v1"


@dataclass(frozen=True)
class Sealed:
    """What goes over the wire: all fields base64, none of them secret on its own."""

    server_key: str
    nonce: str
    ciphertext: str

    def to_json(self) -> dict[str, str]:
        return {"server_key": self.server_key, "nonce": self.nonce, "ciphertext": self.ciphertext}

    @classmethod
    def from_json(cls, data: object) -> Sealed:
        if not isinstance(data, dict):
            raise ValueError("sealed payload is not an object")
        fields = [data.get(k) for k in ("server_key", "nonce", "ciphertext")]
        if not all(isinstance(f, str) for f in fields):
            raise ValueError("sealed payload fields missing")
        return cls(str(fields[0]), str(fields[1]), str(fields[2]))


def new_agent_key() -> tuple[X25519PrivateKey, str]:
    """A one-time key pair; the base64 public half goes into the unlock request."""
    private = X25519PrivateKey.generate()
    public = private.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    return private, _b64(public)


def seal(agent_public_b64: str, payload: dict[str, str]) -> Sealed:
    """Encrypt `payload` so only the holder of the agent's private key can read it."""
    agent_public = X25519PublicKey.from_public_bytes(base64.b64decode(agent_public_b64))
    ephemeral = X25519PrivateKey.generate()
    server_public = ephemeral.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    key = _derive(ephemeral.exchange(agent_public), server_public)
    nonce = os.urandom(12)
    plain = bytearray(json.dumps(payload).encode("utf-8"))
    try:
        ciphertext = AESGCM(key).encrypt(nonce, bytes(plain), INFO)
    finally:
        plain[:] = bytes(len(plain))
    return Sealed(_b64(server_public), _b64(nonce), _b64(ciphertext))


def unseal(agent_private: X25519PrivateKey, sealed: Sealed) -> dict[str, str]:
    """The payload; InvalidTag (cryptography) when it was not sealed for this key."""
    server_public = base64.b64decode(sealed.server_key)
    shared = agent_private.exchange(X25519PublicKey.from_public_bytes(server_public))
    key = _derive(shared, server_public)
    plain = AESGCM(key).decrypt(
        base64.b64decode(sealed.nonce), base64.b64decode(sealed.ciphertext), INFO
    )
    data = json.loads(plain)
    if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
        raise ValueError("sealed payload is not a string map")
    return {str(k): str(v) for k, v in data.items()}


def _derive(shared: bytes, server_public: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=server_public, info=INFO).derive(shared)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")
