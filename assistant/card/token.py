"""One card's PKCS#11 token: status, certificates, test signature, guarded PIN operations.

Every public method returns an `Outcome`; none raises for a card- or PIN-level problem.
Each call holds the module lock for its whole duration (one card operation at a time),
opens its own PKCS#11 session and closes it again, so no login outlives the call and a
card pulled out mid-way only ever spoils that one call. Where it was pulled decides what
that call reports: before anything that changes the card was sent, CARD_REMOVED (nothing
happened); inside such a call, UNKNOWN with the effect the card may now hold
(errors.lost_write), never "unchanged".

Before any PIN or PUK is sent the retry state is read afresh and `guard` decides; a
refusal sends nothing. A wrong PIN is answered with the new retry state, never retried.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Collection, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Protocol, TypeVar, cast

from assistant.card.apdu import CardGoneError, read_retry_counter
from assistant.card.certificates import (
    CardCertificate,
    choose_signing_certificate,
    read_certificates,
)
from assistant.card.consent import LastTryConsent, PinOperation
from assistant.card.discovery import find_module
from assistant.card.errors import (
    MAYBE_REMOVED,
    classify,
    error_name,
    is_pkcs11_error,
    lost_write,
)
from assistant.card.guard import (
    check_attempt,
    check_ca_unblock_allowed,
    check_ca_unlock,
    check_pin_format,
    check_puk_allowed,
    current_pin_policy,
    effective_pin_policy,
)
from assistant.card.module import Pkcs11Module, TokenRef
from assistant.card.outcomes import (
    Effect,
    Opening,
    Outcome,
    OutcomeKind,
    PinAttempt,
    PinProblem,
    PinRule,
)
from assistant.card.profiles import CardProfile, PinPolicy, UnblockStyle
from assistant.card.rawp11 import CKU_SO, CKU_USER, Pkcs11CallError
from assistant.card.retries import (
    CKF_LOGIN_REQUIRED,
    CKF_PROTECTED_AUTHENTICATION_PATH,
    CKF_USER_PIN_INITIALIZED,
    RetryState,
)
from assistant.secret import Secret

if TYPE_CHECKING:
    import pkcs11

T = TypeVar("T")


class PinObserver(Protocol):
    """How the agent keeps its note that a PIN may have changed, without the card layer
    storing anything: told before a command that may change the PIN goes out (so a
    process killed mid-write still leaves the note) and after every PIN operation."""

    def writing(self, serial: str, effect: Effect, before: RetryState | None) -> None:
        """A command that may leave the card with a new PIN (`effect`) is about to go out."""

    def observe(self, serial: str, outcome: PinAttempt[object]) -> None:
        """The PIN operation on the card with token `serial` ended with `outcome`."""


CKM_RSA_PKCS = 0x0001
CKM_ECDSA = 0x1041
# DER DigestInfo prefixes (RFC 8017 §9.2 note 1): CKM_RSA_PKCS signs prefix + digest as is.
_DIGEST_INFO = {
    "sha256": bytes.fromhex("3031300d060960864801650304020105000420"),
    "sha384": bytes.fromhex("3041300d060960864801650304020205000430"),
    "sha512": bytes.fromhex("3051300d060960864801650304020305000440"),
}
CHALLENGE_BYTES = 32


@dataclass(frozen=True)
class TokenStatus:
    label: str
    serial: str
    manufacturer: str
    model: str
    min_pin_length: int | None
    max_pin_length: int | None
    pin: RetryState
    puk: RetryState
    """PKCS#11 calls it the SO PIN; only meaningful where the holder manages the PUK."""
    protected_auth_path: bool
    """A PIN pad reader: the PIN is typed on the reader, never into the assistant."""
    pin_initialized: bool
    login_required: bool
    new_pin_policy: PinPolicy
    """The rule a new PIN must meet (issuer rule and module limits combined)."""


@dataclass(frozen=True)
class SignatureCheck:
    certificate: CardCertificate
    mechanism: str
    """"RSA-PKCS1v15-SHA256" or "ECDSA-SHA384" (hash follows the curve size)."""
    challenge: bytes
    signature: bytes
    """As CMS/X.509 use it: PKCS#1 block for RSA, DER Ecdsa-Sig-Value for ECDSA."""


@dataclass(frozen=True)
class DigestSignature:
    certificate: CardCertificate
    """The certificate of the key that signed: the one a CMS SignerInfo must name."""
    mechanism: str
    signature: bytes
    """As CMS uses it: PKCS#1 v1.5 block for RSA, DER Ecdsa-Sig-Value for ECDSA."""


class _CardSwappedError(Exception):
    """The slot now holds a different token than the one this session was opened for."""


class TokenSession:
    """A card's token in one slot of a loaded module; create with `open_token`."""

    def __init__(
        self,
        module: Pkcs11Module,
        ref: TokenRef,
        profile: CardProfile,
        reader: str | None,
        observer: PinObserver | None = None,
    ) -> None:
        if ref.info is None:
            raise ValueError("token info missing")
        self.module = module
        self.slot_id = ref.slot_id
        self.profile = profile
        self.reader = reader
        """The PC/SC reader, when known: needed for the exact retry count."""
        self.serial = ref.info.serial
        self.label = ref.info.label
        self._observer = observer
        self._last_status: TokenStatus | None = None
        """The status read last within the running call (the state before its write)."""

    # -- public operations -------------------------------------------------------------

    def status(self) -> Outcome[TokenStatus]:
        return self._run(self._status)

    def certificates(self) -> Outcome[tuple[CardCertificate, ...]]:
        def work() -> tuple[CardCertificate, ...]:
            self._status()  # the same card still there?
            with self._session(rw=False) as session:
                return read_certificates(session, logged_in=False)

        return self._run(work)

    def verify_pin(
        self, pin: Secret | None, consent: LastTryConsent | None = None
    ) -> PinAttempt[None]:
        """Present the PIN once (C_Login as user) and log out again."""

        def work() -> Outcome[None]:
            status = self._status()
            refusal = self._pin_refusal(status, pin, PinOperation.VERIFY_PIN, consent)
            if refusal is not None:
                return refusal
            with self._logged_in(pin):
                pass
            return Outcome(OutcomeKind.OK)

        return self._run_pin(work)

    def change_pin(
        self, old: Secret | None, new: Secret | None, consent: LastTryConsent | None = None
    ) -> PinAttempt[None]:
        """Log in with the old PIN, then C_SetPIN(old, new) in that logged-in session.

        Logging in first matters: some modules (OpenSC with
        user_pin_unblock_style = set_pin_in_unlogged_session) read C_SetPIN in an
        unlogged session as "unblock with the PUK" and would spend a PUK try.
        """

        def work() -> Outcome[None]:
            status = self._status()
            refusal = self._pin_refusal(status, old, PinOperation.CHANGE_PIN, consent, new=new)
            if refusal is not None:
                return refusal
            with self._logged_in(old, rw=True) as (_, handle):
                self._writing(Effect.PIN_MAYBE_CHANGED, status)
                self.module.raw.set_pin(handle, old, new)
            return Outcome(OutcomeKind.OK)

        return self._run_pin(work)

    def unblock_pin(
        self, puk: Secret | None, new_pin: Secret | None, consent: LastTryConsent | None = None
    ) -> PinAttempt[None]:
        """Reset the PIN with the PUK, the way the profile says the module wants it.

        Refused outright where the PUK belongs to the CA or the issuer (Kamu SM cards:
        the remedy is Kilit Çözme on the portal, never the PUK).
        """

        def work() -> Outcome[None]:
            not_allowed = check_puk_allowed(self.profile)
            if not_allowed is not None:
                return not_allowed
            status = self._status()
            refusal = self._pin_refusal(
                status, puk, PinOperation.UNBLOCK_PIN, consent, new=new_pin, puk=True
            )
            if refusal is not None:
                return refusal
            self._reset_pin(puk, new_pin, status)
            return Outcome(OutcomeKind.OK)

        return self._run_pin(work, presenting_puk=True)

    def unblock_with_ca_credential(
        self, credential: Secret, new_pin: Secret, consent: LastTryConsent | None = None
    ) -> PinAttempt[None]:
        """Kilit Çözme: reset the PIN with the unlock credential the CA's portal issued.

        A path of its own, apart from `unblock_pin`: a PUK the *holder* types stays refused
        on CA-managed cards, while this takes only what Kamu SM handed the agent for this
        card, and only on `puk_manager: ca` profiles (elsewhere the holder's own PUK route
        applies). The PUK retry state is read first; a blocked PUK is refused, its last try
        needs consent, and nothing is ever retried.
        """

        def work() -> Outcome[None]:
            not_allowed = check_ca_unblock_allowed(self.profile)
            if not_allowed is not None:
                return not_allowed
            status = self._status()
            refusal = self._pin_refusal(
                status, credential, PinOperation.UNBLOCK_PIN, consent, new=new_pin, puk=True
            )
            if refusal is not None:
                return refusal
            self._reset_pin(credential, new_pin, status)
            return Outcome(OutcomeKind.OK)

        return self._run_pin(work, presenting_puk=True)

    def ca_unlock_refusal(
        self, ca_serials: Callable[[], Collection[int]]
    ) -> Outcome[object] | None:
        """The guard's answer, read from this card, to whether Kilit Çözme may ask the CA
        for a credential for it (`guard.check_ca_unlock`); None: it may."""
        not_allowed = check_ca_unblock_allowed(self.profile)
        if not_allowed is not None:
            return not_allowed
        status = self.status()
        if not status.ok:
            return status
        on_card = self.certificates()
        if not on_card.ok:
            return on_card
        card_serials = {c.serial_number for c in on_card.unwrap()}
        return check_ca_unlock(status.unwrap().puk, self.serial, card_serials, ca_serials)

    def test_signature(
        self,
        pin: Secret | None,
        consent: LastTryConsent | None = None,
        key_id: bytes | None = None,
    ) -> PinAttempt[SignatureCheck]:
        """Sign a random challenge with the NES key and verify it against the certificate.

        Keys marked CKA_ALWAYS_AUTHENTICATE get the PIN again for the signature (on a
        PIN pad reader the holder types it twice).
        """

        def work() -> Outcome[SignatureCheck]:
            challenge = secrets.token_bytes(CHALLENGE_BYTES)
            operation = PinOperation.TEST_SIGNATURE
            signed = self._signed(pin, consent, operation, key_id, hash_name=None, data=challenge)
            if not signed.ok:
                return cast(Outcome[SignatureCheck], signed)  # a failure carries no value
            certificate, signer, signature = signed.unwrap()
            if not signer.verifies(certificate, challenge, signature):
                return Outcome(OutcomeKind.SIGNATURE_INVALID)
            check = SignatureCheck(certificate, signer.name, challenge, signature)
            return Outcome(OutcomeKind.OK, check)

        return self._run_pin(work)

    def sign_digest(
        self,
        pin: Secret | None,
        digest: bytes,
        hash_name: str,
        *,
        key_id: bytes | None = None,
        consent: LastTryConsent | None = None,
    ) -> PinAttempt[DigestSignature]:
        """Sign a digest the host computed (a document's signed attributes) with the NES key.

        The card sees only the digest: the host hashes, the card signs raw (CKM_ECDSA, or
        CKM_RSA_PKCS over the DigestInfo), which every module offers and which keeps
        pyHanko from opening a PKCS#11 session of its own. The same guard as every PIN
        use applies; the signature is checked against the certificate before it is
        handed out, and nothing is ever retried.
        """

        import hashlib

        if hash_name not in _DIGEST_INFO or len(digest) != hashlib.new(hash_name).digest_size:
            raise ValueError(f"not a {hash_name} digest")  # a programming error: nothing sent

        def work() -> Outcome[DigestSignature]:
            operation = PinOperation.SIGN_DOCUMENT
            signed = self._signed(pin, consent, operation, key_id, hash_name=hash_name, data=digest)
            if not signed.ok:
                return cast(Outcome[DigestSignature], signed)  # a failure carries no value
            certificate, signer, signature = signed.unwrap()
            if not signer.verifies_digest(certificate, digest, signature):
                return Outcome(OutcomeKind.SIGNATURE_INVALID)
            return Outcome(OutcomeKind.OK, DigestSignature(certificate, signer.name, signature))

        return self._run_pin(work)

    def _reset_pin(self, puk: Secret | None, new_pin: Secret | None, status: TokenStatus) -> None:
        """RESET RETRY COUNTER the way the profile says the module wants it; one attempt."""
        raw = self.module.raw
        with self._session(rw=True) as session:
            handle = _handle(session)
            if self.profile.unblock_style is UnblockStyle.SET_PIN_UNLOGGED:
                self._writing(Effect.PIN_MAYBE_RESET, status)
                raw.set_pin(handle, puk, new_pin)  # spends a PUK try if wrong
            else:
                raw.login(handle, CKU_SO, puk)  # spends a PUK try if wrong
                try:
                    self._writing(Effect.PIN_MAYBE_RESET, status)
                    raw.init_pin(handle, new_pin)
                finally:
                    self._logout(handle)

    # -- reading state -----------------------------------------------------------------

    def _status(self) -> TokenStatus:
        self._last_status = self._read_status()
        return self._last_status

    def _read_status(self) -> TokenStatus:
        info = self.module.raw.token_info(self.slot_id)
        if info.serial != self.serial:
            raise _CardSwappedError
        pin = RetryState.user_pin_from_flags(info.flags)
        puk = RetryState.so_pin_from_flags(info.flags)
        probe = self.profile.retry_probe
        if probe is not None and self.reader is not None:
            pin = _with_counter(pin, self.reader, probe.pin_reference, probe.select_aid)
            if probe.puk_reference is not None:
                puk = _with_counter(puk, self.reader, probe.puk_reference, probe.select_aid)
        return TokenStatus(
            label=info.label,
            serial=info.serial,
            manufacturer=info.manufacturer,
            model=info.model,
            min_pin_length=info.min_pin_length or None,
            max_pin_length=info.max_pin_length or None,
            pin=pin,
            puk=puk,
            protected_auth_path=bool(info.flags & CKF_PROTECTED_AUTHENTICATION_PATH),
            pin_initialized=bool(info.flags & CKF_USER_PIN_INITIALIZED),
            login_required=bool(info.flags & CKF_LOGIN_REQUIRED),
            new_pin_policy=effective_pin_policy(
                self.profile.pin, info.min_pin_length, info.max_pin_length
            ),
        )

    def _pin_refusal(
        self,
        status: TokenStatus,
        secret: Secret | None,
        operation: PinOperation,
        consent: LastTryConsent | None,
        *,
        new: Secret | None = None,
        puk: bool = False,
    ) -> Outcome[Any] | None:
        """Every check that can say no before anything reaches the card, in that order.

        Consent is redeemed last, so a PIN refused for its format does not use it up.
        """
        secrets_given = [s for s in (secret, new) if s is not None]
        if status.protected_auth_path:
            if secrets_given:
                return Outcome(OutcomeKind.USE_PIN_PAD)
        elif secret is None or (operation in _NEEDS_NEW and new is None):
            raise ValueError("a PIN is needed: this reader has no PIN pad")
        if secret is not None and not puk:
            limits = current_pin_policy(
                self.profile.pin, status.min_pin_length, status.max_pin_length
            )
            rule = check_pin_format(secret, limits)
            if rule is not None:
                return PinAttempt(OutcomeKind.PIN_POLICY, pin_rule=rule, retry=status.pin)
        if new is not None:
            rule = check_pin_format(new, status.new_pin_policy, new=True)
            if rule is not None:
                return PinAttempt(OutcomeKind.PIN_POLICY, pin_rule=rule, retry=status.pin)
        retry = status.puk if puk else status.pin
        return check_attempt(operation, retry, consent, status.serial, puk=puk)

    # -- signing ---------------------------------------------------------------------

    def _signed(
        self,
        pin: Secret | None,
        consent: LastTryConsent | None,
        operation: PinOperation,
        key_id: bytes | None,
        *,
        hash_name: str | None,
        data: bytes,
    ) -> Outcome[tuple[CardCertificate, _Signer, bytes]]:
        """The guard, then one logged-in signature with the NES key (see `_sign`)."""
        refusal = self._pin_refusal(self._status(), pin, operation, consent)
        if refusal is not None:
            return refusal
        with self._logged_in(pin) as (session, handle):
            signed = self._sign(session, handle, pin, key_id, hash_name=hash_name, data=data)
        if signed is None:
            return Outcome(OutcomeKind.NO_SIGNING_KEY)
        return Outcome(OutcomeKind.OK, signed)

    def _sign(
        self,
        session: pkcs11.Session,
        handle: int,
        pin: Secret | None,
        key_id: bytes | None,
        *,
        hash_name: str | None,
        data: bytes,
    ) -> tuple[CardCertificate, _Signer, bytes] | None:
        """Sign with the NES key in a logged-in session: `data` is a challenge to hash, or
        with `hash_name` a digest the host made. None without a usable key."""
        found = self._signing_key(session, key_id)
        if found is None:
            return None
        certificate, key, always = found
        signer = _Signer.for_certificate(certificate, hash_name)
        hashed = hash_name is not None
        to_sign = signer.digest_to_be_signed(data) if hashed else signer.to_be_signed(data)
        raw_signature = self.module.raw.sign(
            handle, signer.mechanism, key, to_sign, context_login=always, pin=pin
        )
        return certificate, signer, signer.encode(raw_signature)

    def _signing_key(
        self, session: pkcs11.Session, key_id: bytes | None
    ) -> tuple[CardCertificate, int, bool] | None:
        """The NES certificate, its private key's handle, and whether the key wants the PIN
        again for each signature (CKA_ALWAYS_AUTHENTICATE); None without a usable key."""
        from pkcs11 import Attribute, ObjectClass
        from pkcs11.exceptions import AttributeTypeInvalid

        certificate = choose_signing_certificate(read_certificates(session, logged_in=True), key_id)
        if certificate is None:
            return None
        keys = list(
            session.get_objects(
                {Attribute.CLASS: ObjectClass.PRIVATE_KEY, Attribute.ID: certificate.key_id}
            )
        )
        if not keys:
            return None
        try:
            always = bool(keys[0][Attribute.ALWAYS_AUTHENTICATE])
        except AttributeTypeInvalid:
            always = False
        return certificate, _object_handle(keys[0]), always

    # -- plumbing ----------------------------------------------------------------------

    @contextmanager
    def _session(self, *, rw: bool) -> Iterator[pkcs11.Session]:
        session = self.module.token(self.slot_id).open(rw=rw)
        try:
            yield session
        finally:
            _quietly(session.close)

    @contextmanager
    def _logged_in(
        self, pin: Secret | None, *, rw: bool = False
    ) -> Iterator[tuple[pkcs11.Session, int]]:
        """A session logged in as the user (C_Login spends a try if the PIN is wrong),
        logged out again however the work inside ends."""
        with self._session(rw=rw) as session:
            handle = _handle(session)
            self.module.raw.login(handle, CKU_USER, pin)
            try:
                yield session, handle
            finally:
                self._logout(handle)

    def _writing(self, effect: Effect, status: TokenStatus) -> None:
        """Tell the observer before the command goes: the note must exist while it is in
        flight, not only once an answer came back (or never did)."""
        if self._observer is not None:
            self._observer.writing(self.serial, effect, status.pin)

    def _logout(self, handle: int) -> None:
        _quietly(lambda: self.module.raw.logout(handle))

    def _present(self) -> bool:
        try:
            return self.module.raw.token_present(self.slot_id)
        except Exception as exc:
            if is_pkcs11_error(exc):
                return False
            raise

    def _run(self, work: Callable[[], T]) -> Outcome[T]:
        def wrapped() -> Outcome[T]:
            return Outcome(OutcomeKind.OK, work())

        return self._guarded(wrapped, presenting_puk=False)

    def _run_pin(
        self, work: Callable[[], Outcome[T]], *, presenting_puk: bool = False
    ) -> PinAttempt[T]:
        """A PIN or PUK operation: after a refusal by the card the retry state is read
        again when the card still answers, so the person hears the card's real count; a
        wrong PIN stays a wrong PIN even if the card is gone by then. After a lost answer
        nothing is re-read: the module's cached flags would pass for the card's word."""
        outcome = PinAttempt.of(self._guarded(work, presenting_puk=presenting_puk))
        if outcome.kind in _READ_RETRY_AFTER and outcome.retry is None:
            retry = self._guarded(lambda: Outcome(OutcomeKind.OK, self._read_status()), False)
            if retry.ok:
                status = retry.unwrap()
                state = status.puk if presenting_puk else status.pin
                outcome = replace(outcome, retry=state)
        if self._observer is not None:
            self._observer.observe(self.serial, outcome)
        return outcome

    def _guarded(self, work: Callable[[], Outcome[T]], presenting_puk: bool) -> Outcome[T]:
        with self.module.lock:
            self._last_status = None
            try:
                return work()
            except (CardGoneError, _CardSwappedError) as exc:
                return Outcome(OutcomeKind.CARD_REMOVED, error=type(exc).__name__)
            except Exception as exc:
                if not is_pkcs11_error(exc):
                    raise
                effect = lost_write(exc, presenting_puk=presenting_puk)
                if effect is not None:
                    before = self._last_status.pin if self._last_status is not None else None
                    return PinAttempt(
                        OutcomeKind.UNKNOWN, error=error_name(exc), effect=effect, before=before
                    )
                kind = classify(exc, presenting_puk=presenting_puk)
                if kind is OutcomeKind.PIN_POLICY:
                    rule = self._refused_rule(exc)
                    return PinAttempt(kind, error=error_name(exc), pin_rule=rule)
                if kind in MAYBE_REMOVED and not self._present():
                    kind = OutcomeKind.CARD_REMOVED
                return Outcome(kind, error=error_name(exc))

    def _refused_rule(self, exc: BaseException) -> PinRule:
        """The rule to explain when the module or card refused a PIN's format itself: the
        new PIN's if the refusing call was writing one, else the current PIN's."""
        new = isinstance(exc, Pkcs11CallError) and exc.function in ("C_SetPIN", "C_InitPIN")
        status = self._last_status
        if status is None:
            limits = self.profile.pin
        elif new:
            limits = status.new_pin_policy
        else:
            limits = current_pin_policy(
                self.profile.pin, status.min_pin_length, status.max_pin_length
            )
        return PinRule(
            PinProblem.REJECTED_BY_CARD,
            limits.min_length,
            limits.max_length,
            limits.digits_only,
            new,
        )


_NEEDS_NEW = frozenset({PinOperation.CHANGE_PIN, PinOperation.UNBLOCK_PIN})
_READ_RETRY_AFTER = frozenset(
    {
        OutcomeKind.PIN_INCORRECT,
        OutcomeKind.PIN_LOCKED,
        OutcomeKind.PUK_INCORRECT,
        OutcomeKind.PUK_LOCKED,
    }
)


def _with_counter(state: RetryState, reader: str, reference: int, aid: bytes | None) -> RetryState:
    reading = read_retry_counter(reader, reference, aid)
    if reading is None or reading.tries_left is None:
        return state
    return state.with_exact(reading.tries_left)


def ecdsa_raw_to_der(raw: bytes) -> bytes:
    """PKCS#11 returns ECDSA as r||s (two equal halves); CMS and X.509 want DER
    SEQUENCE { INTEGER r, INTEGER s }."""
    from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

    if not raw or len(raw) % 2:
        raise ValueError("raw ECDSA signature must be two equal halves")
    half = len(raw) // 2
    return encode_dss_signature(
        int.from_bytes(raw[:half], "big"), int.from_bytes(raw[half:], "big")
    )


def _handle(session: pkcs11.Session) -> int:
    # python-pkcs11's Session has the handle, its type stubs do not declare it.
    value: Any = session
    return int(value.handle)


def _object_handle(obj: pkcs11.Object) -> int:
    handle = obj.handle
    if handle is None:
        raise ValueError("object has no handle")
    return handle


def _quietly(call: Callable[[], None]) -> None:
    """Clean-up after a failure (card pulled, session gone) must not mask the failure."""
    try:
        call()
    except Exception as exc:
        if not is_pkcs11_error(exc):
            raise


def signature_hash(certificate: CardCertificate) -> str:
    """The hash a signature with this key uses: SHA-256 for RSA, the curve's size for
    ECDSA (P-384 → SHA-384), as CAdES profiles pair them."""
    if certificate.key_algorithm == "RSA":
        return "sha256"
    return {256: "sha256", 384: "sha384", 521: "sha512"}.get(certificate.key_size, "sha384")


@dataclass(frozen=True)
class _Signer:
    name: str
    mechanism: int
    hash_name: str

    @classmethod
    def for_certificate(cls, certificate: CardCertificate, hash_name: str | None = None) -> _Signer:
        """`signature_hash`'s choice, unless the caller hashed with another."""
        if hash_name is not None and hash_name not in _DIGEST_INFO:
            raise ValueError(f"unsupported hash {hash_name!r}")
        hash_name = hash_name or signature_hash(certificate)
        if certificate.key_algorithm == "RSA":
            return cls(f"RSA-PKCS1v15-{hash_name.upper()}", CKM_RSA_PKCS, hash_name)
        return cls(f"ECDSA-{hash_name.upper()}", CKM_ECDSA, hash_name)

    def to_be_signed(self, challenge: bytes) -> bytes:
        """Hash here, sign raw on the card: every module supports CKM_RSA_PKCS/CKM_ECDSA."""
        import hashlib

        return self.digest_to_be_signed(hashlib.new(self.hash_name, challenge).digest())

    def digest_to_be_signed(self, digest: bytes) -> bytes:
        if self.mechanism != CKM_RSA_PKCS:
            return digest
        return _DIGEST_INFO[self.hash_name] + digest

    def encode(self, raw: bytes) -> bytes:
        return ecdsa_raw_to_der(raw) if self.mechanism == CKM_ECDSA else raw

    def verifies(self, certificate: CardCertificate, challenge: bytes, signature: bytes) -> bool:
        import hashlib

        return self.verifies_digest(
            certificate, hashlib.new(self.hash_name, challenge).digest(), signature
        )

    def verifies_digest(
        self, certificate: CardCertificate, digest: bytes, signature: bytes
    ) -> bool:
        from cryptography import x509
        from cryptography.exceptions import InvalidSignature
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
        from cryptography.hazmat.primitives.asymmetric.utils import Prehashed

        public_key = x509.load_der_x509_certificate(certificate.der).public_key()
        algorithms: dict[str, hashes.HashAlgorithm] = {
            "sha256": hashes.SHA256(),
            "sha384": hashes.SHA384(),
            "sha512": hashes.SHA512(),
        }
        prehashed = Prehashed(algorithms[self.hash_name])
        try:
            if isinstance(public_key, rsa.RSAPublicKey):
                public_key.verify(signature, digest, padding.PKCS1v15(), prehashed)
            elif isinstance(public_key, ec.EllipticCurvePublicKey):
                public_key.verify(signature, digest, ec.ECDSA(prehashed))
            else:
                return False
        except (InvalidSignature, ValueError):
            return False
        return True


def open_token(
    profile: CardProfile,
    *,
    reader: str | None = None,
    token_label: str | None = None,
    configured_module: str | os.PathLike[str] | None = None,
    environ: Mapping[str, str] | None = None,
    observer: PinObserver | None = None,
) -> Opening[TokenSession]:
    """Find the profile's module, load it, and pick the token in `reader` (or by label).

    Without a reader or label the only token present is taken; several is NO_TOKEN with
    `error="several tokens"` so the caller asks which one instead of guessing.
    """
    search = find_module(profile, configured=configured_module, environ=environ)
    if search.path is None:
        return Opening(OutcomeKind.MODULE_MISSING, search=search)
    loaded = Pkcs11Module.load(search.path)
    if not loaded.ok:
        return Opening(loaded.kind, error=loaded.error, search=search)
    module = loaded.unwrap()
    if reader is not None and not _reader_served(module, reader):
        return Opening(OutcomeKind.NO_TOKEN, error="reader not served by module", search=search)
    listed = module.tokens()
    if not listed.ok:
        return Opening(listed.kind, error=listed.error, search=search)
    refs = [r for r in listed.unwrap() if _wanted(r, reader, token_label)]
    readable = [r for r in refs if r.info is not None]
    if len(readable) == 1:
        return Opening(OutcomeKind.OK, TokenSession(module, readable[0], profile, reader, observer))
    if readable:
        return Opening(OutcomeKind.NO_TOKEN, error="several tokens", search=search)
    if refs:
        return Opening(OutcomeKind.TOKEN_NOT_RECOGNISED, error=refs[0].error, search=search)
    return Opening(OutcomeKind.NO_TOKEN, search=search)


def _reader_served(module: Pkcs11Module, reader: str) -> bool:
    """Modules that list readers only in C_Initialize get one re-initialisation."""
    import pkcs11

    try:
        return module.serves_reader(reader) or (
            module.reinitialize().ok and module.serves_reader(reader)
        )
    except pkcs11.PKCS11Error:
        return False


def _wanted(ref: TokenRef, reader: str | None, label: str | None) -> bool:
    if reader is not None and not ref.in_reader(reader):
        return False
    return label is None or (ref.info is not None and ref.info.label == label)
