"""Typed results of card operations.

The card layer never words anything for a person: every operation returns an `Outcome`
whose `kind` the conversation layer translates, typed by operation: a read (status,
certificates) is a plain `Outcome`, a PIN or PUK use a `PinAttempt` (retry state, PIN
rule, lost-write effect), opening a token an `Opening` (where the module was looked
for). Expected failures (wrong PIN, card pulled out, module missing) are outcomes, not
exceptions, so a flow can branch on them.

A command that may change the card and whose answer never came back (the card pulled
mid-way, a reader error, a timeout) is neither done nor failed: it is `UNKNOWN`, with an
`Effect` saying what the card may now hold. Telling a person "nothing changed" when the
card in fact took their new PIN is how a card gets locked.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Generic, TypeVar, cast

from assistant.card.discovery import ModuleSearch
from assistant.card.retries import RetryState

T_co = TypeVar("T_co", covariant=True)
"""Covariant: an Outcome is immutable, so an Outcome[TokenStatus] is an Outcome[object]."""


class OutcomeKind(enum.StrEnum):
    OK = "ok"
    # Refused by the guard before anything was sent to the card.
    PIN_POLICY = "pin_policy"
    """The PIN breaks the length/digit rule (`pin_rule` says which); no try was spent."""
    LAST_TRY_NEEDS_CONSENT = "last_try_needs_consent"
    PIN_LOCKED = "pin_locked"
    PUK_NOT_ALLOWED = "puk_not_allowed"
    """The profile's PUK belongs to the CA or the issuer: never sent."""
    CA_UNBLOCK_NOT_ALLOWED = "ca_unblock_not_allowed"
    """A CA-issued unlock credential offered for a card whose PUK the CA does not manage."""
    PUK_LOCKED = "puk_locked"
    OTHER_CARD = "other_card"
    """Kilit Çözme for a card none of whose certificates the holder's CA account lists."""
    USE_PIN_PAD = "use_pin_pad"
    """The reader has a PIN pad: the PIN is typed there, so a typed PIN was not sent."""
    # The card's answer.
    PIN_INCORRECT = "pin_incorrect"
    PUK_INCORRECT = "puk_incorrect"
    PIN_EXPIRED = "pin_expired"
    # The environment.
    CARD_REMOVED = "card_removed"
    NO_TOKEN = "no_token"
    TOKEN_NOT_RECOGNISED = "token_not_recognised"
    MODULE_MISSING = "module_missing"
    MODULE_FAILED = "module_failed"
    NOT_SUPPORTED = "not_supported"
    NO_SIGNING_KEY = "no_signing_key"
    SIGNATURE_INVALID = "signature_invalid"
    """The card signed, but the signature does not verify against its certificate."""
    DEVICE_ERROR = "device_error"
    FAILED = "failed"
    """Anything unmapped; `error` names the PKCS#11 return value."""
    # The card's answer was lost.
    UNKNOWN = "unknown"
    """A command that may change the card was sent, or was being sent, and its answer was
    lost: `effect` says what may have happened, `before` the PIN retry state read just
    before it, `retry` the state afterwards when the card could still be read."""


class Effect(enum.StrEnum):
    """What a card command whose answer was lost may have done, decided by the call that
    failed (a failure before it sent nothing, so it is never UNKNOWN)."""

    PIN_TRY_MAYBE_USED = "pin_try_maybe_used"
    """A PIN was presented (VERIFY): the PIN is unchanged; the try may have been counted."""
    PUK_TRY_MAYBE_USED = "puk_try_maybe_used"
    """A PUK or CA unlock credential was presented on its own: the PIN is unchanged; a
    PUK try may have been counted."""
    PIN_MAYBE_CHANGED = "pin_maybe_changed"
    """CHANGE REFERENCE DATA: the PIN may now be the new one."""
    PIN_MAYBE_RESET = "pin_maybe_reset"
    """RESET RETRY COUNTER (unblock): the PIN may now be the new one, unblocked; a PUK
    try may have been counted."""
    SIGNATURE_LOST = "signature_lost"
    """GENERAL AUTHENTICATE, after the PIN was accepted: no signature came back, and
    nothing a person relies on changed on the card."""

    @property
    def pin_may_be_new(self) -> bool:
        return self in (Effect.PIN_MAYBE_CHANGED, Effect.PIN_MAYBE_RESET)


class PinProblem(enum.StrEnum):
    TOO_SHORT = "too_short"
    TOO_LONG = "too_long"
    NOT_DIGITS = "not_digits"
    REJECTED_BY_CARD = "rejected_by_card"
    """CKR_PIN_LEN_RANGE / PIN_INVALID / PIN_TOO_WEAK: the module's own rule said no."""


@dataclass(frozen=True)
class PinRule:
    problem: PinProblem
    min_length: int | None
    max_length: int | None
    digits_only: bool
    new_pin: bool = False
    """True when the rule is about the PIN being chosen, False for the current PIN."""


@dataclass(frozen=True)
class Outcome(Generic[T_co]):
    """What any card operation reports: its kind, its value when OK, the PKCS#11 cause."""

    kind: OutcomeKind
    value: T_co | None = None
    error: str | None = None
    """Machine-readable cause, e.g. "CKR_DEVICE_ERROR"; never shown verbatim to users."""

    @property
    def ok(self) -> bool:
        return self.kind is OutcomeKind.OK

    def unwrap(self) -> T_co:
        """The value of an OK outcome; a programming error otherwise."""
        if self.kind is not OutcomeKind.OK:
            raise ValueError(f"outcome is {self.kind.value}, not ok")
        return cast(T_co, self.value)


@dataclass(frozen=True)
class PinAttempt(Outcome[T_co]):
    """What an operation that presents a PIN or PUK reports (a check, a change, an
    unblock, a signature): besides its kind, the retry state, the rule a PIN broke, and
    for a lost answer what the card may now hold."""

    retry: RetryState | None = None
    """Retry state after the attempt, or the state that made the guard refuse."""
    pin_rule: PinRule | None = None
    effect: Effect | None = None
    """For UNKNOWN: what the lost command may have done."""
    before: RetryState | None = None
    """For UNKNOWN: the PIN retry state just before the command was sent."""

    @classmethod
    def of(cls, outcome: Outcome[T_co]) -> PinAttempt[T_co]:
        """`outcome` as a PIN attempt (a refusal or failure with no retry details)."""
        if isinstance(outcome, PinAttempt):
            return outcome
        return PinAttempt(outcome.kind, outcome.value, outcome.error)


@dataclass(frozen=True)
class Opening(Outcome[T_co]):
    """Opening a card's token: besides its kind, where the module was looked for."""

    search: ModuleSearch | None = None
