"""PKCS#11 failures → outcome kinds.

Errors arrive two ways: as `Pkcs11CallError` (our ctypes calls, carrying the CK_RV) and
as python-pkcs11 exceptions (one class per CK_RV). Both are reduced to a CK_RV name and
then to an `OutcomeKind`; whether a CKR_PIN_INCORRECT means the PIN or the PUK depends on
what was being presented, so the caller says that.

`lost_write` decides the other half: whether a failure inside a call that changes the
card (C_Login spends a try, C_SetPIN / C_InitPIN write a PIN, C_Sign signs) left its
outcome unknown, and what the card may then hold.
"""

from __future__ import annotations

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

# python-pkcs11 exception class name → CK_RV name (its exceptions carry no code).
_EXCEPTION_NAMES = {
    "SlotIDInvalid": "CKR_SLOT_ID_INVALID",
    "GeneralError": "CKR_GENERAL_ERROR",
    "FunctionFailed": "CKR_FUNCTION_FAILED",
    "ArgumentsBad": "CKR_ARGUMENTS_BAD",
    "DeviceError": "CKR_DEVICE_ERROR",
    "DeviceMemory": "CKR_DEVICE_MEMORY",
    "DeviceRemoved": "CKR_DEVICE_REMOVED",
    "FunctionCancelled": "CKR_FUNCTION_CANCELED",
    "FunctionNotSupported": "CKR_FUNCTION_NOT_SUPPORTED",
    "KeyHandleInvalid": "CKR_KEY_HANDLE_INVALID",
    "MechanismInvalid": "CKR_MECHANISM_INVALID",
    "PinIncorrect": "CKR_PIN_INCORRECT",
    "PinInvalid": "CKR_PIN_INVALID",
    "PinLenRange": "CKR_PIN_LEN_RANGE",
    "PinExpired": "CKR_PIN_EXPIRED",
    "PinLocked": "CKR_PIN_LOCKED",
    "PinTooWeak": "CKR_PIN_TOO_WEAK",
    "SessionClosed": "CKR_SESSION_CLOSED",
    "SessionHandleInvalid": "CKR_SESSION_HANDLE_INVALID",
    "SessionReadOnly": "CKR_SESSION_READ_ONLY",
    "SessionReadOnlyExists": "CKR_SESSION_READ_ONLY_EXISTS",
    "TokenNotPresent": "CKR_TOKEN_NOT_PRESENT",
    "TokenNotRecognised": "CKR_TOKEN_NOT_RECOGNIZED",
    "TokenWriteProtected": "CKR_TOKEN_WRITE_PROTECTED",
    "UserAlreadyLoggedIn": "CKR_USER_ALREADY_LOGGED_IN",
    "UserNotLoggedIn": "CKR_USER_NOT_LOGGED_IN",
    "UserPinNotInitialized": "CKR_USER_PIN_NOT_INITIALIZED",
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
    if isinstance(exc, Pkcs11CallError):
        return CKR_NAMES.get(exc.rv, f"CKR_{exc.rv:#x}")
    return _EXCEPTION_NAMES.get(type(exc).__name__, type(exc).__name__)


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
