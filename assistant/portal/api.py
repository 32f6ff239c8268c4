"""The one interface the conversation uses to talk to a CA portal, with typed results.

Results carry enums and facts, never sentences: the flow layer words them for people.
Per-operation expectations (a wrong captcha, an already revoked certificate) are outcomes
the flow branches on. Conditions any call can meet (portal unreachable, session timed
out) are exceptions, because every action would otherwise have to repeat the same
branches; an action wrapper catches `PortalError` once and maps it to a flow outcome.

Secrets (security word, SMS Onay Kodu, PIN, the unlock credential) cross this interface
only inside `Secret`; the PIN PDF is wrapped so that printing a result cannot leak it.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass, field
from typing import Protocol

from assistant.secret import Secret

NEW_PIN_LENGTH = 6
"""Kamu SM's "Yeni PIN Üret" makes (or accepts) a 6-digit PIN."""


class LoginOutcome(enum.StrEnum):
    SMS_SENT = "sms_sent"
    BAD_CAPTCHA = "bad_captcha"
    BAD_SECURITY_WORD = "bad_security_word"
    """Also the answer for a Kimlik No the portal does not know: holders are not enumerable."""
    LOCKED_OUT = "locked_out"
    """Too many wrong security words for this Kimlik No; `retry_after_s` says how long."""


class SmsOutcome(enum.StrEnum):
    OK = "ok"
    WRONG_CODE = "wrong_code"
    EXPIRED = "expired"
    """The code's lifetime passed: start again with `begin_login`."""
    TOO_MANY = "too_many"
    """The last allowed wrong code: this login is void, start again with `begin_login`."""


class CertificateStatus(enum.StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"
    REVOKED = "revoked"
    EXPIRED = "expired"


class CertificateChange(enum.StrEnum):
    DONE = "done"
    ALREADY = "already"
    """The certificate is already in the asked state: nothing changed."""
    NOT_ALLOWED = "not_allowed"
    """E.g. suspending or reactivating a revoked or expired certificate."""
    UNKNOWN_SERIAL = "unknown_serial"


class RevocationReason(enum.StrEnum):
    """RFC 5280 reasons a holder may give; a lost card is `key_compromise`."""

    UNSPECIFIED = "unspecified"
    KEY_COMPROMISE = "key_compromise"
    AFFILIATION_CHANGED = "affiliation_changed"
    SUPERSEDED = "superseded"
    CESSATION_OF_OPERATION = "cessation_of_operation"


class InfoUpdateOutcome(enum.StrEnum):
    UPDATED = "updated"
    INVALID_MOBILE = "invalid_mobile"
    INVALID_EMAIL = "invalid_email"
    INVALID_ADDRESS = "invalid_address"
    NOTHING_TO_CHANGE = "nothing_to_change"


class PinState(enum.StrEnum):
    AVAILABLE = "available"
    """Kamu SM still keeps the PIN (encrypted) and can show it."""
    DELETED = "deleted"
    """The holder used "Parolalarımı Sil": the PIN can never be shown again."""


class PinDeletion(enum.StrEnum):
    DELETED = "deleted"
    ALREADY_DELETED = "already_deleted"


class UnlockOutcome(enum.StrEnum):
    OK = "ok"
    INVALID_PIN = "invalid_pin"
    """The PIN the holder proposed is not 6 digits."""
    NOT_AVAILABLE = "not_available"
    """The CA holds no PUK for this card (cards before 01.01.2011 keep a user-held PUK)."""


class SessionStage(enum.StrEnum):
    LOGIN = "login"
    """The login attempt (captcha, security word, SMS code) is gone: begin again."""
    SESSION = "session"
    """The logged-in session timed out or was closed: log in again."""


class PortalProblem(enum.StrEnum):
    OFFLINE = "offline"
    TIMEOUT = "timeout"
    SERVER_ERROR = "server_error"
    PROTOCOL = "protocol"
    """The portal answered something this client does not understand."""


class PortalError(Exception):
    """Base of the conditions any portal call can meet."""


class PortalUnavailableError(PortalError):
    def __init__(self, problem: PortalProblem, detail: str = "") -> None:
        super().__init__(f"{problem.value}: {detail}" if detail else problem.value)
        self.problem = problem
        self.detail = detail


class SessionExpiredError(PortalError):
    def __init__(self, stage: SessionStage) -> None:
        super().__init__(stage.value)
        self.stage = stage


@dataclass(frozen=True)
class Captcha:
    """The "Resimdeki Yazı" image the user reads and types back."""

    image: bytes = field(repr=False)
    media_type: str


@dataclass(frozen=True)
class LoginChallenge:
    login_id: str
    captcha: Captcha


@dataclass(frozen=True)
class LoginResult:
    outcome: LoginOutcome
    captcha: Captcha | None = None
    """A fresh captcha after any failure: each one is valid for a single try."""
    tries_left: int | None = None
    """Security-word tries left before the lock-out, when the portal says."""
    retry_after_s: int | None = None
    masked_mobile: str | None = None
    """Where the SMS went, masked (`05** *** ** 67`), so the user knows which phone to check."""


@dataclass(frozen=True)
class SmsResult:
    outcome: SmsOutcome
    tries_left: int | None = None


@dataclass(frozen=True)
class CertificateSummary:
    serial: str
    """Hex, upper case, as the portal lists it."""
    subject_cn: str
    status: CertificateStatus
    not_before: dt.datetime
    not_after: dt.datetime


@dataclass(frozen=True)
class CertificateDetail:
    serial: str
    subject_cn: str
    subject_serial: str
    issuer_cn: str
    status: CertificateStatus
    not_before: dt.datetime
    not_after: dt.datetime
    key_type: str
    policy_oid: str
    status_changed_at: dt.datetime | None = None
    revocation_reason: RevocationReason | None = None


@dataclass(frozen=True)
class HolderInfo:
    """The personal data "Bilgi Güncelle" lists (the Kimlik No already masked)."""

    name: str
    masked_tckn: str
    mobile: str
    email: str
    address: str


@dataclass(frozen=True)
class InfoUpdateResult:
    outcome: InfoUpdateOutcome
    info: HolderInfo | None = None


@dataclass(frozen=True)
class PinInfo:
    state: PinState
    pin: Secret | None = None
    generated_at: dt.datetime | None = None


@dataclass(frozen=True)
class PinPdf:
    """The "Parolalarımı Kaydet" document; it holds the PIN in clear, so no repr of it."""

    content: bytes = field(repr=False)
    filename: str


@dataclass(frozen=True)
class UnlockGrant:
    """What "Kilit Çözme" → "Yeni PIN Üret" hands the agent.

    `credential` is what the card's RESET RETRY COUNTER needs besides the new PIN (the
    CA-managed PUK on the training portal). The agent uses it once, inside its own
    process, and wipes it: it is never shown, logged or stored.
    """

    outcome: UnlockOutcome
    new_pin: Secret | None = None
    credential: Secret | None = None


class Portal(Protocol):
    """A logged-in conversation with the CA portal, one holder at a time."""

    def begin_login(self, tckn: str) -> LoginChallenge:
        """Start "Şifreli Giriş" for a checksum-valid Kimlik No; ValueError otherwise."""
        ...

    def submit_login(self, captcha_text: str, security_word: Secret) -> LoginResult: ...

    def submit_sms(self, code: Secret) -> SmsResult: ...

    def list_certificates(self) -> tuple[CertificateSummary, ...]: ...

    def certificate_detail(self, serial: str) -> CertificateDetail | None:
        """None when this holder has no certificate with that serial."""
        ...

    def suspend(self, serial: str) -> CertificateChange: ...

    def unsuspend(self, serial: str) -> CertificateChange:
        """ "Askıdan İndir": put a certificate the holder suspended back into use."""
        ...

    def revoke(
        self, serial: str, reason: RevocationReason = RevocationReason.UNSPECIFIED
    ) -> CertificateChange:
        """ "Sertifikamı İptal Et": irreversible; a new certificate costs a fee."""
        ...

    def holder_info(self) -> HolderInfo: ...

    def update_info(
        self, *, mobile: str | None = None, email: str | None = None, address: str | None = None
    ) -> InfoUpdateResult:
        """ "Bilgi Güncelle"; None leaves a field as it is."""
        ...

    def pin_info(self) -> PinInfo: ...

    def save_pin_pdf(self) -> PinPdf | None:
        """ "Parolalarımı Kaydet"; None once the PIN was deleted."""
        ...

    def delete_pin(self) -> PinDeletion:
        """ "Parolalarımı Sil": irreversible."""
        ...

    def unlock(self, new_pin: Secret | None = None) -> UnlockGrant:
        """ "Kilit Çözme" → "Yeni PIN Üret"; the portal makes the PIN unless one is given."""
        ...

    def logout(self) -> None:
        """ "Çıkış"; harmless when not logged in."""
        ...

    def close(self) -> None:
        """Let go of the connection (the conversation ended or logged in anew); no call
        is made after it."""
        ...
