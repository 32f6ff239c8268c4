"""The training portal's behaviour, without HTTP: logins, sessions and the menu operations.

Kept apart from the web layer so the state machine (captcha → security word → SMS code
→ session; expiry, attempt limits, lock-out, idle timeout) is tested directly with an
injected clock and random source. The HTTP app only translates JSON to these calls.

Training model of the CA's secrets: the PIN and the PUK live encrypted in the state
file (see `store.py`). The PIN is shown to its logged-in holder until "Parolalarımı
Sil". The PUK is never shown: "Kilit Çözme" decrypts it only to seal it, together with
the new PIN, to the one-time key of the agent that asked (see `sealing.py`), which
models the real CA's end-to-end unblock channel to the chip.

It models a CA's limits too (`Limits`): the captcha is checked before anything about a
login is recorded; wrong security words lock a Kimlik No out, in a table of at most
`max_lockouts` entries that forgets failures a lock-out period old; an SMS code dies
after `sms_tries` wrong tries or `sms_ttl_s`, and at most `sms_per_window` codes are
sent to one Kimlik No per `sms_window_s`; at most `max_logins` logins are pending at
once (each holds a captcha image in memory).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
import random
import re
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from assistant.contact import is_email, normal_mobile
from assistant.pki.tckn import is_valid_tckn, mask_tckn
from assistant.portal import sealing
from assistant.portal.api import (
    NEW_PIN_LENGTH,
    CertificateChange,
    CertificateStatus,
    InfoUpdateOutcome,
    LoginOutcome,
    PinDeletion,
    PinState,
    RevocationReason,
    SessionStage,
    SmsOutcome,
    UnlockOutcome,
)
from assistant.portal.reference import BANNER, captcha
from assistant.portal.reference.outbox import Outbox
from assistant.portal.reference.pdf import text_pdf
from assistant.portal.reference.store import (
    CertificateRecord,
    HolderRecord,
    Lockout,
    PortalStore,
    hash_word,
    normalise_serial,
    word_matches,
)
from assistant.secret import Secret, SecretKind

log = logging.getLogger(__name__)

Clock = Callable[[], float]
_ADDRESS_MAX = 300
# Compared against when the Kimlik No is unknown, so both cases cost the same time.
_DUMMY_WORD = hash_word("-")
PIN_WARNINGS = (
    "PIN bilgisinin güvenli olarak muhafaza edilmesi kart sahibinin sorumluluğundadır.",
    "Bu belgeyi güvenli bir yerde saklayınız; basılı bir kopyasını da saklamanız önerilir.",
    "Ardından PIN bilginizi 'Parolalarımı Sil' ile Kamu SM sisteminden silmeniz tavsiye edilir.",
    "PIN 3 kez hatalı girilirse 'Kilit Çözme' ile yeni PIN üretilir. PUK ile işlem yapmayınız.",
)


@dataclass(frozen=True)
class Limits:
    """Timings and counts; the defaults follow common practice for such portals."""

    login_ttl_s: float = 300.0
    """How long a captcha / login attempt stays usable."""
    sms_ttl_s: float = 180.0
    sms_tries: int = 3
    session_idle_s: float = 300.0
    word_tries: int = 5
    lockout_s: float = 1800.0
    max_lockouts: int = 10_000
    """Kimlik Nos with recent wrong words kept at once: the state file stays small."""
    sms_per_window: int = 5
    sms_window_s: float = 3600.0
    max_logins: int = 1_000


class GoneError(Exception):
    """The login attempt or session is unknown, expired or closed."""

    def __init__(self, stage: SessionStage) -> None:
        super().__init__(stage.value)
        self.stage = stage


@dataclass
class _Login:
    tckn: str
    captcha_text: str
    captcha_png: bytes
    touched: float
    sms_digest: bytes | None = None
    sms_sent_at: float = 0.0
    sms_tries_left: int = 0


@dataclass
class _Session:
    tckn: str
    touched: float


@dataclass(frozen=True)
class LoginAnswer:
    outcome: LoginOutcome
    captcha_png: bytes | None = None
    tries_left: int | None = None
    retry_after_s: int | None = None
    masked_mobile: str | None = None


@dataclass(frozen=True)
class SmsAnswer:
    outcome: SmsOutcome
    tries_left: int | None = None
    session: str | None = None


@dataclass(frozen=True)
class CertificateView:
    record: CertificateRecord
    status: CertificateStatus
    """`record.status` with expiry applied."""


@dataclass(frozen=True)
class PinView:
    state: PinState
    pin: Secret | None = None
    generated_at: dt.datetime | None = None


@dataclass(frozen=True)
class UnlockAnswer:
    outcome: UnlockOutcome
    sealed: sealing.Sealed | None = None


@dataclass
class PortalService:
    store: PortalStore
    outbox: Outbox
    limits: Limits = field(default_factory=Limits)
    clock: Clock = time.time
    rng: random.Random = field(default_factory=secrets.SystemRandom)

    def __post_init__(self) -> None:
        self._state = self.store.load()
        self._logins: dict[str, _Login] = {}
        self._sessions: dict[str, _Session] = {}
        self._lock = threading.RLock()

    # --- login -----------------------------------------------------------------------

    def begin_login(self, tckn: str) -> tuple[str, bytes]:
        """A login id and its captcha PNG; ValueError for a number that fails the checksum."""
        if not is_valid_tckn(tckn):
            raise ValueError("invalid TC Kimlik No")
        with self._lock:
            self._forget_stale()
            while len(self._logins) >= self.limits.max_logins:  # a flood: the oldest go
                del self._logins[min(self._logins, key=lambda k: self._logins[k].touched)]
            login_id = secrets.token_urlsafe(16)
            text = captcha.new_text(self.rng)
            png = captcha.render_png(text, self.rng)
            self._logins[login_id] = _Login(tckn, text, png, self.clock())
        log.info("login started for %s", mask_tckn(tckn))
        return login_id, png

    def captcha_answer(self, login_id: str) -> str:
        """Training only (the app guards it with a key): the text in the current captcha."""
        with self._lock:
            return self._login(login_id).captcha_text

    def submit_login(self, login_id: str, captcha_text: str, word: Secret) -> LoginAnswer:
        with self._lock:
            login = self._login(login_id)
            if login.sms_digest is not None:
                raise GoneError(SessionStage.LOGIN)  # credentials were accepted already
            now = self.clock()
            if not captcha.matches(login.captcha_text, captcha_text):  # before anything else
                log.info("wrong captcha for %s", mask_tckn(login.tckn))
                return LoginAnswer(LoginOutcome.BAD_CAPTCHA, captcha_png=self._recaptcha(login))
            lockout = self._state.lockouts.get(login.tckn)
            locked_until = max(
                lockout.locked_until if lockout else 0.0, self._sms_allowed_at(login.tckn, now)
            )
            if locked_until > now:
                log.info("login refused for %s: locked out", mask_tckn(login.tckn))
                return LoginAnswer(
                    LoginOutcome.LOCKED_OUT, retry_after_s=int(locked_until - now) + 1
                )
            holder = self._state.holders.get(login.tckn)
            right = word_matches(holder.security_word if holder else _DUMMY_WORD, word.reveal())
            if holder is None or not right:
                return self._wrong_word(login, now)
            self._state.lockouts.pop(login.tckn, None)
            self._state.sms_sent.setdefault(login.tckn, []).append(now)
            self._save()
            code = f"{self.rng.randrange(10**6):06d}"
            login.sms_digest = _digest(login_id, code)
            login.sms_sent_at = login.touched = now
            login.sms_tries_left = self.limits.sms_tries
        self.outbox.send(
            holder.mobile,
            code,
            "EĞİTİM PORTALI (gerçek Kamu SM değildir): SMS Onay Kodunuz "
            f"{code}. Kod {int(self.limits.sms_ttl_s // 60)} dakika geçerlidir.",
            dt.datetime.fromtimestamp(now, dt.UTC),
        )
        log.info("SMS code sent for %s", mask_tckn(login.tckn))
        return LoginAnswer(LoginOutcome.SMS_SENT, masked_mobile=_mask_mobile(holder.mobile))

    def submit_sms(self, login_id: str, code: Secret) -> SmsAnswer:
        with self._lock:
            login = self._login(login_id)
            if login.sms_digest is None:
                raise GoneError(SessionStage.LOGIN)  # no code was sent for this login
            now = self.clock()
            if now - login.sms_sent_at > self.limits.sms_ttl_s:
                del self._logins[login_id]
                log.info("SMS code expired for %s", mask_tckn(login.tckn))
                return SmsAnswer(SmsOutcome.EXPIRED)
            if hmac.compare_digest(login.sms_digest, _digest(login_id, code.reveal())):
                del self._logins[login_id]
                token = secrets.token_urlsafe(32)
                self._sessions[token] = _Session(login.tckn, now)
                log.info("session opened for %s", mask_tckn(login.tckn))
                return SmsAnswer(SmsOutcome.OK, session=token)
            login.sms_tries_left -= 1
            log.info("wrong SMS code for %s", mask_tckn(login.tckn))
            if login.sms_tries_left <= 0:
                del self._logins[login_id]
                return SmsAnswer(SmsOutcome.TOO_MANY, tries_left=0)
            return SmsAnswer(SmsOutcome.WRONG_CODE, tries_left=login.sms_tries_left)

    def logout(self, token: str) -> None:
        with self._lock:
            session = self._sessions.pop(token, None)
        if session:
            log.info("logout for %s", mask_tckn(session.tckn))

    # --- menu ------------------------------------------------------------------------

    def certificates(self, token: str) -> list[CertificateView]:
        with self._lock:
            holder = self._holder(token)
            return [self._view(c) for c in holder.certificates]

    def certificate(self, token: str, serial: str) -> CertificateView | None:
        with self._lock:
            record = self._find(self._holder(token), serial)
            return self._view(record) if record else None

    def suspend(self, token: str, serial: str) -> CertificateChange:
        return self._change(token, serial, CertificateStatus.SUSPENDED, None)

    def unsuspend(self, token: str, serial: str) -> CertificateChange:
        return self._change(token, serial, CertificateStatus.ACTIVE, None)

    def revoke(self, token: str, serial: str, reason: RevocationReason) -> CertificateChange:
        return self._change(token, serial, CertificateStatus.REVOKED, reason)

    def holder(self, token: str) -> HolderRecord:
        with self._lock:
            return self._holder(token)

    def update_info(
        self, token: str, mobile: str | None, email: str | None, address: str | None
    ) -> InfoUpdateOutcome:
        with self._lock:
            holder = self._holder(token)
            if mobile is not None:
                mobile = normal_mobile(mobile)
                if mobile is None:
                    return InfoUpdateOutcome.INVALID_MOBILE
            if email is not None and not is_email(email := email.strip()):
                return InfoUpdateOutcome.INVALID_EMAIL
            if address is not None:
                address = " ".join(address.split())
                if not address or len(address) > _ADDRESS_MAX:
                    return InfoUpdateOutcome.INVALID_ADDRESS
            changes = {
                name: value
                for name, value in (("mobile", mobile), ("email", email), ("address", address))
                if value is not None and value != getattr(holder, name)
            }
            if not changes:
                return InfoUpdateOutcome.NOTHING_TO_CHANGE
            for name, value in changes.items():
                setattr(holder, name, value)
            self._save()
        log.info("info updated for %s: %s", mask_tckn(holder.tckn), ", ".join(sorted(changes)))
        return InfoUpdateOutcome.UPDATED

    def pin(self, token: str) -> PinView:
        with self._lock:
            holder = self._holder(token)
            if holder.pin is None:
                return PinView(PinState.DELETED)
            clear = Secret(self.store.decrypt(holder.tckn, "pin", holder.pin), SecretKind.PIN)
            return PinView(PinState.AVAILABLE, clear, holder.pin_generated_at)

    def pin_pdf(self, token: str) -> bytes | None:
        view = self.pin(token)
        if view.pin is None:
            return None
        holder = self.holder(token)
        generated = view.generated_at.strftime("%d.%m.%Y %H:%M") if view.generated_at else "-"
        with view.pin:
            lines = [
                BANNER,
                "",
                "Kamu SM — PIN / PUK Bilgisi (Parolalarımı Kaydet)",
                "",
                f"Ad Soyad: {holder.name}",
                f"TC Kimlik No: {mask_tckn(holder.tckn)}",
                f"PIN: {view.pin.reveal()}",
                f"PIN oluşturma tarihi: {generated}",
                "",
                *PIN_WARNINGS,
            ]
            return text_pdf(lines, "PIN Bilgisi")

    def delete_pin(self, token: str) -> PinDeletion:
        with self._lock:
            holder = self._holder(token)
            if holder.pin is None:
                return PinDeletion.ALREADY_DELETED
            holder.pin = None
            holder.pin_generated_at = None
            self._save()
        log.info("PIN deleted for %s", mask_tckn(holder.tckn))
        return PinDeletion.DELETED

    def unlock(self, token: str, agent_key: str, new_pin: Secret | None) -> UnlockAnswer:
        """Kilit Çözme: store the new PIN and seal PUK + PIN to the agent's one-time key."""
        with self._lock:
            holder = self._holder(token)
            if holder.puk is None:
                return UnlockAnswer(UnlockOutcome.NOT_AVAILABLE)
            if new_pin is None:
                new_pin = Secret(f"{self.rng.randrange(10**NEW_PIN_LENGTH):06d}", SecretKind.PIN)
            pin_text = new_pin.reveal()
            if len(pin_text) != NEW_PIN_LENGTH or not pin_text.isascii() or not pin_text.isdigit():
                return UnlockAnswer(UnlockOutcome.INVALID_PIN)
            puk = self.store.decrypt(holder.tckn, "puk", holder.puk)
            sealed = sealing.seal(agent_key, {"puk": puk, "new_pin": pin_text})
            holder.pin = self.store.encrypt(holder.tckn, "pin", pin_text)
            holder.pin_generated_at = self._now()
            self._save()
        log.info("unlock credential issued for %s", mask_tckn(holder.tckn))
        return UnlockAnswer(UnlockOutcome.OK, sealed)

    # --- internals -------------------------------------------------------------------

    def _sms_allowed_at(self, tckn: str, now: float) -> float:
        """When the next SMS code may go to `tckn` (now or earlier: it may)."""
        window = self.limits.sms_window_s
        recent = [t for t in self._state.sms_sent.get(tckn, ()) if now - t < window]
        if len(recent) < self.limits.sms_per_window:
            return 0.0
        return recent[-self.limits.sms_per_window] + window

    def _wrong_word(self, login: _Login, now: float) -> LoginAnswer:
        lockout = self._state.lockouts.get(login.tckn)
        if lockout is None or now - lockout.last_failure > self.limits.lockout_s:
            lockout = self._state.lockouts[login.tckn] = Lockout()  # failures long ago: forgiven
        lockout.last_failure = now
        lockout.failures += 1
        tries_left = max(0, self.limits.word_tries - lockout.failures)
        if tries_left == 0:
            lockout.failures = 0
            lockout.locked_until = now + self.limits.lockout_s
        self._save()
        log.info("wrong security word for %s (%d left)", mask_tckn(login.tckn), tries_left)
        if tries_left == 0:
            return LoginAnswer(LoginOutcome.LOCKED_OUT, retry_after_s=int(self.limits.lockout_s))
        return LoginAnswer(
            LoginOutcome.BAD_SECURITY_WORD,
            captcha_png=self._recaptcha(login),
            tries_left=tries_left,
        )

    def _recaptcha(self, login: _Login) -> bytes:
        """Every captcha serves one try; a failure shows a new one."""
        login.captcha_text = captcha.new_text(self.rng)
        login.captcha_png = captcha.render_png(login.captcha_text, self.rng)
        login.touched = self.clock()
        return login.captcha_png

    def _login(self, login_id: str) -> _Login:
        login = self._logins.get(login_id)
        if login is None:
            raise GoneError(SessionStage.LOGIN)
        if self.clock() - login.touched > self.limits.login_ttl_s and login.sms_digest is None:
            del self._logins[login_id]
            raise GoneError(SessionStage.LOGIN)
        return login

    def _holder(self, token: str) -> HolderRecord:
        session = self._sessions.get(token)
        now = self.clock()
        if session is None:
            raise GoneError(SessionStage.SESSION)
        if now - session.touched > self.limits.session_idle_s:
            del self._sessions[token]
            log.info("session timed out for %s", mask_tckn(session.tckn))
            raise GoneError(SessionStage.SESSION)
        session.touched = now
        return self._state.holders[session.tckn]

    def _forget_stale(self) -> None:
        now = self.clock()
        horizon = max(self.limits.login_ttl_s, self.limits.sms_ttl_s)
        for login_id in [k for k, v in self._logins.items() if now - v.touched > horizon]:
            del self._logins[login_id]
        idle = self.limits.session_idle_s
        for token in [k for k, v in self._sessions.items() if now - v.touched > idle]:
            del self._sessions[token]

    def _change(
        self,
        token: str,
        serial: str,
        target: CertificateStatus,
        reason: RevocationReason | None,
    ) -> CertificateChange:
        with self._lock:
            holder = self._holder(token)
            record = self._find(holder, serial)
            if record is None:
                return CertificateChange.UNKNOWN_SERIAL
            current = self._view(record).status
            if current is target:
                return CertificateChange.ALREADY
            allowed = {
                CertificateStatus.SUSPENDED: {CertificateStatus.ACTIVE},
                CertificateStatus.ACTIVE: {CertificateStatus.SUSPENDED},
                CertificateStatus.REVOKED: {CertificateStatus.ACTIVE, CertificateStatus.SUSPENDED},
            }[target]
            if current not in allowed:
                return CertificateChange.NOT_ALLOWED
            record.status = target
            record.status_changed_at = self._now()
            record.revocation_reason = reason
            self._save()
        log.info("certificate %s of %s → %s", record.serial, mask_tckn(holder.tckn), target)
        return CertificateChange.DONE

    def _find(self, holder: HolderRecord, serial: str) -> CertificateRecord | None:
        wanted = normalise_serial(serial)
        return next((c for c in holder.certificates if c.serial == wanted), None)

    def _view(self, record: CertificateRecord) -> CertificateView:
        status = record.status
        if status is not CertificateStatus.REVOKED and record.not_after <= self._now():
            status = CertificateStatus.EXPIRED
        return CertificateView(record, status)

    def _now(self) -> dt.datetime:
        return dt.datetime.fromtimestamp(self.clock(), dt.UTC)

    def _save(self) -> None:
        self._bound_tables()
        self.store.save(self._state)

    def _bound_tables(self) -> None:
        """Forget what no longer counts and keep the lock-out table within its size."""
        now, limits = self.clock(), self.limits
        lockouts = self._state.lockouts
        for tckn in [
            t
            for t, v in lockouts.items()
            if v.locked_until <= now and now - v.last_failure > limits.lockout_s
        ]:
            del lockouts[tckn]
        if len(lockouts) > limits.max_lockouts:  # a flood: keep who is locked out longest
            keep = sorted(
                lockouts, key=lambda t: (lockouts[t].locked_until, lockouts[t].last_failure)
            )
            for tckn in keep[: len(lockouts) - limits.max_lockouts]:
                del lockouts[tckn]
        for tckn, sent in list(self._state.sms_sent.items()):
            recent = [t for t in sent if now - t < limits.sms_window_s]
            if recent:
                self._state.sms_sent[tckn] = recent
            else:
                del self._state.sms_sent[tckn]


def _digest(login_id: str, code: str) -> bytes:
    """SMS codes are kept only as a keyed digest: a memory dump does not show them."""
    return hashlib.sha256(f"{login_id}:{code.strip()}".encode()).digest()


def _mask_mobile(mobile: str) -> str:
    digits = re.sub(r"\D", "", mobile)[-10:]
    return f"0{digits[:1]}** *** ** {digits[-2:]}" if len(digits) == 10 else "***"
