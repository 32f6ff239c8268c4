"""Consent to spend the last PIN or PUK try.

A boolean flag would be one `True` away from locking someone's card, so consent is an
object that only `LastTryConsent.grant()` makes — the conversation calls it after the
user typed the confirmation phrase. A grant names the operation and the card (token
serial) it is for, is spent by the one attempt it allowed, and expires after a few
minutes so an old "yes" cannot be replayed on a later attempt.
"""

from __future__ import annotations

import enum
import time
from collections.abc import Callable
from typing import Any, NoReturn

CONSENT_TTL_SECONDS = 300.0


class PinOperation(enum.StrEnum):
    VERIFY_PIN = "verify_pin"
    CHANGE_PIN = "change_pin"
    UNBLOCK_PIN = "unblock_pin"
    TEST_SIGNATURE = "test_signature"
    SIGN_DOCUMENT = "sign_document"


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
        *,
        operation: PinOperation,
        token_serial: str,
        clock: Callable[[], float] = time.monotonic,
    ) -> LastTryConsent:
        """Call only after the user typed an explicit confirmation for this card and step."""
        if not isinstance(operation, PinOperation) or not token_serial:
            raise ValueError("consent needs an operation and the card's token serial")
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
