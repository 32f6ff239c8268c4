"""PKCS#11 failures → outcome kinds.

Errors arrive two ways: as `Pkcs11CallError` (our ctypes calls, carrying the CK_RV) and
as python-pkcs11 exceptions (one class per CK_RV, mapped by class to its code). Both are
reduced to a CK_RV name and then to an `OutcomeKind`; whether a CKR_PIN_INCORRECT means
the PIN or the PUK depends on what was being presented, so the caller says that.

`lost_write` decides the other half: whether a failure inside a call that changes the
card (C_Login spends a try, C_SetPIN / C_InitPIN write a PIN, C_Sign signs) left its
outcome unknown, and what the card may then hold.
"""

from __future__ import annotations

import functools

from assistant.card.outcomes import Effect, OutcomeKind
from assistant.card.rawp11 import Pkcs11CallError

CKR_NAMES = {
    0x03: "CKR_SLOT_ID_INVALID",
    0x05: "CKR_GENERAL_ERROR",
    0x06: "CKR_FUNCTION_FAILED",
    0x07: "CKR_ARGUMENTS_BAD",
    0x30: "CKR_DEVICE_ERROR",
    0x31: "CKR_DEVICE_MEMORY",
    0x32: "CKR_DEVICE_REMOVED",
    0x50: "CKR_FUNCTION_CANCELED",
    0x54: "CKR_FUNCTION_NOT_SUPPORTED",
    0x60: "CKR_KEY_HANDLE_INVALID",
    0x68: "CKR_KEY_FUNCTION_NOT_PERMITTED",
    0x70: "CKR_MECHANISM_INVALID",
    0xA0: "CKR_PIN_INCORRECT",
    0xA1: "CKR_PIN_INVALID",
    0xA2: "CKR_PIN_LEN_RANGE",
    0xA3: "CKR_PIN_EXPIRED",
    0xA4: "CKR_PIN_LOCKED",
    0xB0: "CKR_SESSION_CLOSED",
    0xB3: "CKR_SESSION_HANDLE_INVALID",
    0xB5: "CKR_SESSION_READ_ONLY",
    0xB7: "CKR_SESSION_READ_ONLY_EXISTS",
    0xE0: "CKR_TOKEN_NOT_PRESENT",
    0xE1: "CKR_TOKEN_NOT_RECOGNIZED",
    0xE2: "CKR_TOKEN_WRITE_PROTECTED",
    0x100: "CKR_USER_ALREADY_LOGGED_IN",
    0x101: "CKR_USER_NOT_LOGGED_IN",
    0x102: "CKR_USER_PIN_NOT_INITIALIZED",
    0x190: "CKR_CRYPTOKI_NOT_INITIALIZED",
    0x1B8: "CKR_PIN_TOO_WEAK",
}


@functools.cache
def _exception_codes() -> dict[type[BaseException], int]:
    """python-pkcs11's exception classes (one per CK_RV, carrying no code) → their CK_RV.

    Built on first use: python-pkcs11 is imported only by whoever meets its errors.
    """
    from pkcs11 import exceptions as p11

    return {
        p11.SlotIDInvalid: 0x03,
        p11.GeneralError: 0x05,
        p11.FunctionFailed: 0x06,
        p11.ArgumentsBad: 0x07,
        p11.DeviceError: 0x30,
        p11.DeviceMemory: 0x31,
        p11.DeviceRemoved: 0x32,
        p11.FunctionCancelled: 0x50,
        p11.FunctionNotSupported: 0x54,
        p11.KeyHandleInvalid: 0x60,
        p11.MechanismInvalid: 0x70,
        p11.PinIncorrect: 0xA0,
        p11.PinInvalid: 0xA1,
        p11.PinLenRange: 0xA2,
        p11.PinExpired: 0xA3,
        p11.PinLocked: 0xA4,
        p11.SessionClosed: 0xB0,
        p11.SessionHandleInvalid: 0xB3,
        p11.SessionReadOnly: 0xB5,
        p11.SessionReadOnlyExists: 0xB7,
        p11.TokenNotPresent: 0xE0,
        p11.TokenNotRecognised: 0xE1,
        p11.TokenWriteProtected: 0xE2,
        p11.UserAlreadyLoggedIn: 0x100,
        p11.UserNotLoggedIn: 0x101,
        p11.UserPinNotInitialized: 0x102,
        p11.PinTooWeak: 0x1B8,
    }


_KINDS = {
    "CKR_PIN_INCORRECT": OutcomeKind.PIN_INCORRECT,
    "CKR_PIN_LOCKED": OutcomeKind.PIN_LOCKED,
    "CKR_PIN_EXPIRED": OutcomeKind.PIN_EXPIRED,
    "CKR_PIN_INVALID": OutcomeKind.PIN_POLICY,
    "CKR_PIN_LEN_RANGE": OutcomeKind.PIN_POLICY,
    "CKR_PIN_TOO_WEAK": OutcomeKind.PIN_POLICY,
    "CKR_DEVICE_REMOVED": OutcomeKind.CARD_REMOVED,
    "CKR_SLOT_ID_INVALID": OutcomeKind.CARD_REMOVED,
    "CKR_TOKEN_NOT_PRESENT": OutcomeKind.CARD_REMOVED,
    "CKR_SESSION_CLOSED": OutcomeKind.CARD_REMOVED,
    "CKR_SESSION_HANDLE_INVALID": OutcomeKind.CARD_REMOVED,
    "CKR_TOKEN_NOT_RECOGNIZED": OutcomeKind.TOKEN_NOT_RECOGNISED,
    "CKR_FUNCTION_NOT_SUPPORTED": OutcomeKind.NOT_SUPPORTED,
    "CKR_MECHANISM_INVALID": OutcomeKind.NOT_SUPPORTED,
    "CKR_KEY_FUNCTION_NOT_PERMITTED": OutcomeKind.NOT_SUPPORTED,
    "CKR_TOKEN_WRITE_PROTECTED": OutcomeKind.NOT_SUPPORTED,
    "CKR_DEVICE_ERROR": OutcomeKind.DEVICE_ERROR,
    "CKR_DEVICE_MEMORY": OutcomeKind.DEVICE_ERROR,
}

_PUK_KINDS = {
    OutcomeKind.PIN_INCORRECT: OutcomeKind.PUK_INCORRECT,
    OutcomeKind.PIN_LOCKED: OutcomeKind.PUK_LOCKED,
}

# Answers after which the card may simply have gone: worth checking slot presence.
MAYBE_REMOVED = frozenset(
    {OutcomeKind.DEVICE_ERROR, OutcomeKind.FAILED, OutcomeKind.TOKEN_NOT_RECOGNISED}
)


# Answers that settle a write: the card (or the module, before sending anything) said what
# happened. Any other failure inside a write call may have come after the card acted.
_SETTLED_KINDS = frozenset(
    {
        OutcomeKind.PIN_INCORRECT,
        OutcomeKind.PIN_LOCKED,
        OutcomeKind.PIN_EXPIRED,
        OutcomeKind.PIN_POLICY,
        OutcomeKind.NOT_SUPPORTED,
    }
)
_REFUSED_BEFORE_SENDING = frozenset(
    {
        "CKR_ARGUMENTS_BAD",
        "CKR_SESSION_CLOSED",
        "CKR_SESSION_HANDLE_INVALID",
        "CKR_SESSION_READ_ONLY",
        "CKR_SLOT_ID_INVALID",
        "CKR_TOKEN_NOT_PRESENT",
        "CKR_KEY_HANDLE_INVALID",
        "CKR_USER_ALREADY_LOGGED_IN",
        "CKR_USER_NOT_LOGGED_IN",
        "CKR_USER_PIN_NOT_INITIALIZED",
        "CKR_CRYPTOKI_NOT_INITIALIZED",
    }
)
# The raw calls that change the card, and what a lost answer may have done:
# (effect when a PIN was presented, effect when a PUK was presented).
_WRITES = {
    "C_Login": (Effect.PIN_TRY_MAYBE_USED, Effect.PUK_TRY_MAYBE_USED),
    "C_SetPIN": (Effect.PIN_MAYBE_CHANGED, Effect.PIN_MAYBE_RESET),
    "C_InitPIN": (Effect.PIN_MAYBE_RESET, Effect.PIN_MAYBE_RESET),
    "C_Sign": (Effect.SIGNATURE_LOST, Effect.SIGNATURE_LOST),
}


def error_name(exc: BaseException) -> str:
    """The CK_RV name of a PKCS#11 failure, whichever of the two ways it arrived."""
    rv = exc.rv if isinstance(exc, Pkcs11CallError) else _exception_rv(exc)
    if rv is None:
        return type(exc).__name__
    return CKR_NAMES.get(rv, f"CKR_{rv:#x}")


def _exception_rv(exc: BaseException) -> int | None:
    codes = _exception_codes()
    return next((codes[k] for k in type(exc).__mro__ if k in codes), None)


def is_pkcs11_error(exc: BaseException) -> bool:
    if isinstance(exc, Pkcs11CallError):
        return True
    from pkcs11.exceptions import PKCS11Error

    return isinstance(exc, PKCS11Error)


def classify(exc: BaseException, *, presenting_puk: bool = False) -> OutcomeKind:
    kind = _KINDS.get(error_name(exc), OutcomeKind.FAILED)
    if presenting_puk:
        kind = _PUK_KINDS.get(kind, kind)
    return kind


def lost_write(exc: BaseException, *, presenting_puk: bool = False) -> Effect | None:
    """What the card may hold after `exc` ended a call that changes it; None when the
    failure settles the matter (a wrong PIN, a refusal before sending) or the failed call
    changes nothing (reading objects, opening a session).

    Only our own ctypes calls (`Pkcs11CallError`) name the function, and every write goes
    through them (rawp11), so any new operation built on them is covered.
    """
    if not isinstance(exc, Pkcs11CallError) or exc.function not in _WRITES:
        return None
    if classify(exc) in _SETTLED_KINDS or error_name(exc) in _REFUSED_BEFORE_SENDING:
        return None
    as_pin, as_puk = _WRITES[exc.function]
    return as_puk if presenting_puk else as_pin
