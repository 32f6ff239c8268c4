"""Consent to spend the last PIN or PUK try.

A boolean flag would be one `True` away from locking someone's card, so consent is an
object, and the card layer cannot make one on its own: `LastTryConsent.grant()` needs a
`Confirmation`, which only the conversation's confirm step produces (the engine's
`assistant.flow.actions.Consent`, made when the person typed the phrase). The card layer
knows nothing about conversations; it only asks the confirmation whether it was given
for this card. A grant names the operation and the card (token serial) it is for, is
spent by the one attempt it allowed, and expires after a few minutes so an old "yes"
cannot be replayed on a later attempt.
"""

from __future__ import annotations

import enum
import time
from collections.abc import Callable
from typing import Any, NoReturn, Protocol

CONSENT_TTL_SECONDS = 300.0


class PinOperation(enum.StrEnum):
    VERIFY_PIN = "verify_pin"
    CHANGE_PIN = "change_pin"
    UNBLOCK_PIN = "unblock_pin"
    TEST_SIGNATURE = "test_signature"
    SIGN_DOCUMENT = "sign_document"


class Confirmation(Protocol):
    """What the person's typed confirmation looks like to the card layer."""

    def claim(self, token_serial: str) -> bool:
        """True once, if the person confirmed for the card with this token serial."""
        ...


class LastTryConsent:
    __slots__ = ("_clock", "_expires", "_spent", "operation", "token_serial")

    operation: PinOperation
    token_serial: str
    _clock: Callable[[], float]
    _expires: float
    _spent: bool

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        raise TypeError("LastTryConsent is created with LastTryConsent.grant() only")

    @classmethod
    def grant(
        cls,
        confirmation: Confirmation | None,
        *,
        operation: PinOperation,
        token_serial: str,
        clock: Callable[[], float] = time.monotonic,
    ) -> LastTryConsent | None:
        """The consent `confirmation` gives for this card and operation; None without one
        or when it was given for another card (or was already used for one)."""
        if not isinstance(operation, PinOperation) or not token_serial:
            raise ValueError("consent needs an operation and the card's token serial")
        if confirmation is None or not confirmation.claim(token_serial):
            return None
        consent = object.__new__(cls)
        object.__setattr__(consent, "operation", operation)
        object.__setattr__(consent, "token_serial", token_serial)
        object.__setattr__(consent, "_clock", clock)
        object.__setattr__(consent, "_expires", clock() + CONSENT_TTL_SECONDS)
        object.__setattr__(consent, "_spent", False)
        return consent

    def __setattr__(self, name: str, value: object) -> NoReturn:
        raise AttributeError("LastTryConsent is immutable")

    def __reduce__(self) -> NoReturn:
        raise TypeError("consent is not persisted: it is asked for again after a restart")

    @property
    def spent(self) -> bool:
        return self._spent

    def redeem(self, operation: PinOperation, token_serial: str) -> bool:
        """True once, for the matching operation and card, before expiry; spends the grant."""
        if self._spent or operation is not self.operation or token_serial != self.token_serial:
            return False
        if self._clock() > self._expires:
            return False
        object.__setattr__(self, "_spent", True)
        return True

    def __repr__(self) -> str:
        state = "spent" if self._spent else "unspent"
        return f"LastTryConsent({self.operation.value}, {self.token_serial}, {state})"
