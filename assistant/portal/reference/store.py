"""The training portal's persistent state: one JSON file, secrets encrypted or hashed.

Like the real CA, the portal keeps the holder's PIN (until "Parolalarımı Sil") and the
card's PUK, so they are stored AES-GCM encrypted under a server key kept in a separate
file (`<state>.key`, mode 0600), bound to holder and field by the associated data. The
security word is only ever compared, so it is stored as a salted scrypt hash. Writes
are atomic (temp file, fsync, rename): a crash never leaves half a state file, and a
failed write leaves the old file and no temp file.

A seed (JSON or YAML, see `seed.example.yaml`) describes holders in clear for
convenience; `create_state` turns it into a state file and the seed is not needed again.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import hashlib
import hmac
import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from assistant.pki.tckn import is_valid_tckn
from assistant.portal.api import CertificateStatus, RevocationReason

STATE_VERSION = 1
_SCRYPT = {"n": 2**14, "r": 8, "p": 1}


@dataclass
class CertificateRecord:
    serial: str
    subject_cn: str
    not_before: dt.datetime
    not_after: dt.datetime
    key_type: str = "p384"
    issuer_cn: str = "Kamu Elektronik Sertifika Hizmet Sağlayıcısı - Sürüm 6 (EĞİTİM)"
    policy_oid: str = "2.16.792.1.61.0.1.5070.1.1"
    status: CertificateStatus = CertificateStatus.ACTIVE
    """As set by the holder or the CA; expiry is computed against the clock, not stored."""
    status_changed_at: dt.datetime | None = None
    revocation_reason: RevocationReason | None = None


@dataclass
class HolderRecord:
    tckn: str
    name: str
    security_word: dict[str, str]
    mobile: str
    email: str = ""
    address: str = ""
    pin: dict[str, str] | None = None
    """Encrypted; None after "Parolalarımı Sil"."""
    pin_generated_at: dt.datetime | None = None
    puk: dict[str, str] | None = None
    """Encrypted CA-managed PUK; None for a card whose holder keeps the PUK (pre-2011)."""
    certificates: list[CertificateRecord] = field(default_factory=list)


@dataclass
class Lockout:
    failures: int = 0
    locked_until: float = 0.0
    last_failure: float = 0.0


@dataclass
class PortalState:
    holders: dict[str, HolderRecord] = field(default_factory=dict)
    lockouts: dict[str, Lockout] = field(default_factory=dict)
    """Per Kimlik No, known or not: unknown numbers behave like known ones."""
    sms_sent: dict[str, list[float]] = field(default_factory=dict)
    """When SMS codes went to each holder lately (for the re-issue limit)."""


class PortalStore:
    """Loads and saves the state file; encrypts and checks the secrets in it."""

    def __init__(self, path: Path, key_path: Path | None = None) -> None:
        self.path = path
        self.key_path = key_path or path.with_name(path.name + ".key")
        self._aead = AESGCM(self._load_or_make_key())

    def load(self) -> PortalState:
        data = json.loads(self.path.read_text(encoding="utf-8"))
        if data.get("version") != STATE_VERSION:
            raise ValueError(f"{self.path}: unsupported state version {data.get('version')!r}")
        return PortalState(
            holders={t: _holder_from_json(h) for t, h in data["holders"].items()},
            lockouts={t: Lockout(**v) for t, v in data.get("lockouts", {}).items()},
            sms_sent={t: [float(x) for x in v] for t, v in data.get("sms_sent", {}).items()},
        )

    def save(self, state: PortalState) -> None:
        data = {
            "version": STATE_VERSION,
            "holders": {t: _to_json(h) for t, h in state.holders.items()},
            "lockouts": {t: dataclasses.asdict(v) for t, v in state.lockouts.items()},
            "sms_sent": state.sms_sent,
        }
        text = json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8")
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=self.path.name, suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(text)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        directory = os.open(self.path.parent, os.O_RDONLY)
        try:
            os.fsync(directory)  # the rename itself survives a power cut
        finally:
            os.close(directory)

    def encrypt(self, tckn: str, name: str, value: str) -> dict[str, str]:
        nonce = os.urandom(12)
        ct = self._aead.encrypt(nonce, value.encode("utf-8"), f"{tckn}/{name}".encode())
        return {"nonce": _b64(nonce), "ct": _b64(ct)}

    def decrypt(self, tckn: str, name: str, blob: dict[str, str]) -> str:
        nonce, ct = base64.b64decode(blob["nonce"]), base64.b64decode(blob["ct"])
        return self._aead.decrypt(nonce, ct, f"{tckn}/{name}".encode()).decode("utf-8")

    def _load_or_make_key(self) -> bytes:
        if self.key_path.exists():
            return self.key_path.read_bytes()
        key = AESGCM.generate_key(bit_length=256)
        fd = os.open(self.key_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(key)
        return key


def hash_word(word: str, salt: bytes | None = None) -> dict[str, str]:
    """Salted scrypt of a security word: enough to compare, useless to read back."""
    salt = salt or os.urandom(16)
    digest = hashlib.scrypt(word.encode("utf-8"), salt=salt, **_SCRYPT)
    return {"salt": _b64(salt), "scrypt": _b64(digest)}


def word_matches(stored: dict[str, str], typed: str) -> bool:
    expected = base64.b64decode(stored["scrypt"])
    typed_hash = hash_word(typed, base64.b64decode(stored["salt"]))["scrypt"]
    return hmac.compare_digest(expected, base64.b64decode(typed_hash))


def load_seed(path: Path) -> dict[str, Any]:
    """A seed file in JSON or YAML (JSON is YAML); see seed.example.yaml."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or not isinstance(data.get("holders"), list):
        raise ValueError(f"{path}: a seed needs a 'holders' list")
    return data


def create_state(
    store: PortalStore, seed: dict[str, Any], now: dt.datetime | None = None
) -> PortalState:
    """Build and save the state for a seed; clear secrets go straight into encryption."""
    now = now or dt.datetime.now(dt.UTC)
    state = PortalState()
    for entry in seed["holders"]:
        tckn = str(entry["tckn"])
        if not is_valid_tckn(tckn):
            raise ValueError(f"seed holder {entry.get('name')!r}: invalid TC Kimlik No")
        pin, puk = entry.get("pin"), entry.get("puk")
        state.holders[tckn] = HolderRecord(
            tckn=tckn,
            name=str(entry["name"]),
            security_word=hash_word(str(entry["security_word"])),
            mobile=str(entry["mobile"]),
            email=str(entry.get("email", "")),
            address=str(entry.get("address", "")),
            pin=store.encrypt(tckn, "pin", str(pin)) if pin is not None else None,
            pin_generated_at=now if pin is not None else None,
            puk=store.encrypt(tckn, "puk", str(puk)) if puk is not None else None,
            certificates=[_certificate_from_seed(c, now) for c in entry.get("certificates", [])],
        )
    store.save(state)
    return state


def _certificate_from_seed(entry: dict[str, Any], now: dt.datetime) -> CertificateRecord:
    not_before = _datetime(entry.get("not_before")) or now - dt.timedelta(days=30)
    known = {f.name for f in dataclasses.fields(CertificateRecord)}
    extra = {k: v for k, v in entry.items() if k in known and k not in ("not_before", "not_after")}
    extra["serial"] = normalise_serial(str(entry["serial"]))
    if "status" in extra:
        extra["status"] = CertificateStatus(extra["status"])
    if extra.get("revocation_reason"):
        extra["revocation_reason"] = RevocationReason(extra["revocation_reason"])
    return CertificateRecord(
        not_before=not_before,
        not_after=_datetime(entry.get("not_after")) or not_before + dt.timedelta(days=3 * 365),
        **extra,
    )


def normalise_serial(serial: str) -> str:
    """Upper-case hex without separators: how the portal lists and matches serials."""
    return serial.replace(":", "").replace(" ", "").upper()


def _holder_from_json(data: dict[str, Any]) -> HolderRecord:
    certs = [
        CertificateRecord(
            **{
                **c,
                "not_before": _datetime(c["not_before"]),
                "not_after": _datetime(c["not_after"]),
                "status": CertificateStatus(c["status"]),
                "status_changed_at": _datetime(c["status_changed_at"]),
                "revocation_reason": (
                    RevocationReason(c["revocation_reason"]) if c["revocation_reason"] else None
                ),
            }
        )
        for c in data["certificates"]
    ]
    return HolderRecord(
        **{
            **data,
            "pin_generated_at": _datetime(data["pin_generated_at"]),
            "certificates": certs,
        }
    )


def _to_json(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _to_json(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, list):
        return [_to_json(v) for v in value]
    if isinstance(value, dt.datetime):
        return value.isoformat()
    return value


def _datetime(value: object) -> dt.datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        parsed = value
    elif isinstance(value, dt.date):
        parsed = dt.datetime(value.year, value.month, value.day)
    else:
        parsed = dt.datetime.fromisoformat(str(value))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")
