"""Every PKCS#11 failure becomes a typed outcome the conversation can branch on."""

from __future__ import annotations

import pkcs11.exceptions as p11
import pytest

from assistant.card.apdu import interpret_status
from assistant.card.errors import (
    MAYBE_REMOVED,
    classify,
    error_name,
    is_pkcs11_error,
    lost_write,
)
from assistant.card.outcomes import Effect, Outcome, OutcomeKind
from assistant.card.rawp11 import Pkcs11CallError


@pytest.mark.parametrize(
    ("exc", "kind"),
    [
        (p11.PinIncorrect(), OutcomeKind.PIN_INCORRECT),
        (p11.PinLocked(), OutcomeKind.PIN_LOCKED),
        (p11.PinExpired(), OutcomeKind.PIN_EXPIRED),
        (p11.PinLenRange(), OutcomeKind.PIN_POLICY),
        (p11.PinInvalid(), OutcomeKind.PIN_POLICY),
        (p11.PinTooWeak(), OutcomeKind.PIN_POLICY),
        (p11.DeviceRemoved(), OutcomeKind.CARD_REMOVED),
        (p11.TokenNotPresent(), OutcomeKind.CARD_REMOVED),
        (p11.SessionHandleInvalid(), OutcomeKind.CARD_REMOVED),
        (p11.SessionClosed(), OutcomeKind.CARD_REMOVED),
        (p11.SlotIDInvalid(), OutcomeKind.CARD_REMOVED),
        (p11.TokenNotRecognised(), OutcomeKind.TOKEN_NOT_RECOGNISED),
        (p11.MechanismInvalid(), OutcomeKind.NOT_SUPPORTED),
        (p11.FunctionNotSupported(), OutcomeKind.NOT_SUPPORTED),
        (p11.DeviceError(), OutcomeKind.DEVICE_ERROR),
        (p11.GeneralError(), OutcomeKind.FAILED),
        (p11.PKCS11Error("odd"), OutcomeKind.FAILED),
    ],
)
def test_python_pkcs11_exceptions(exc: Exception, kind: OutcomeKind) -> None:
    assert is_pkcs11_error(exc)
    assert classify(exc) is kind


@pytest.mark.parametrize(
    ("rv", "kind", "name"),
    [
        (0xA0, OutcomeKind.PIN_INCORRECT, "CKR_PIN_INCORRECT"),
        (0xA4, OutcomeKind.PIN_LOCKED, "CKR_PIN_LOCKED"),
        (0xA2, OutcomeKind.PIN_POLICY, "CKR_PIN_LEN_RANGE"),
        (0x32, OutcomeKind.CARD_REMOVED, "CKR_DEVICE_REMOVED"),
        (0xE0, OutcomeKind.CARD_REMOVED, "CKR_TOKEN_NOT_PRESENT"),
        (0x68, OutcomeKind.NOT_SUPPORTED, "CKR_KEY_FUNCTION_NOT_PERMITTED"),
        (0x8000_0001, OutcomeKind.FAILED, "CKR_0x80000001"),
    ],
)
def test_raw_return_values(rv: int, kind: OutcomeKind, name: str) -> None:
    exc = Pkcs11CallError("C_Login", rv)
    assert classify(exc) is kind
    assert error_name(exc) == name


def test_the_same_error_means_the_puk_when_a_puk_was_presented() -> None:
    assert classify(Pkcs11CallError("C_Login", 0xA0), presenting_puk=True) is (
        OutcomeKind.PUK_INCORRECT
    )
    assert classify(p11.PinLocked(), presenting_puk=True) is OutcomeKind.PUK_LOCKED
    assert classify(p11.DeviceRemoved(), presenting_puk=True) is OutcomeKind.CARD_REMOVED


def test_vague_errors_are_the_ones_checked_for_a_pulled_card() -> None:
    assert OutcomeKind.DEVICE_ERROR in MAYBE_REMOVED
    assert OutcomeKind.PIN_INCORRECT not in MAYBE_REMOVED


def test_other_exceptions_are_not_taken_for_card_errors() -> None:
    assert not is_pkcs11_error(ValueError("bug"))


def test_unwrap_only_on_ok() -> None:
    assert Outcome(OutcomeKind.OK, 5).unwrap() == 5
    with pytest.raises(ValueError, match="card_removed"):
        Outcome(OutcomeKind.CARD_REMOVED).unwrap()


@pytest.mark.parametrize(
    ("sw", "tries", "verified"),
    [(0x63C3, 3, False), (0x63C1, 1, False), (0x6983, 0, False), (0x9000, None, True)],
)
def test_verify_without_data_answers(sw: int, tries: int | None, verified: bool) -> None:
    reading = interpret_status(sw)
    assert reading is not None
    assert (reading.tries_left, reading.verified) == (tries, verified)


def test_answers_without_a_counter_are_not_guessed() -> None:
    assert interpret_status(0x6A88) is None
    assert interpret_status(0x6D00) is None


@pytest.mark.parametrize(
    ("function", "rv", "puk", "effect"),
    [
        # The answer lost inside a call that changes the card: what it may have done.
        ("C_Login", 0x05, False, Effect.PIN_TRY_MAYBE_USED),
        ("C_Login", 0x32, True, Effect.PUK_TRY_MAYBE_USED),
        ("C_SetPIN", 0x30, False, Effect.PIN_MAYBE_CHANGED),
        ("C_SetPIN", 0x05, True, Effect.PIN_MAYBE_RESET),
        ("C_InitPIN", 0x06, True, Effect.PIN_MAYBE_RESET),
        ("C_Sign", 0x32, False, Effect.SIGNATURE_LOST),
        ("C_SetPIN", 0x8000_0001, False, Effect.PIN_MAYBE_CHANGED),  # unknown code: unknown
        # The card answered, or the module refused before sending: nothing is unknown.
        ("C_SetPIN", 0xA0, False, None),
        ("C_Login", 0xA4, False, None),
        ("C_SetPIN", 0xA2, False, None),
        ("C_Login", 0xB3, False, None),
        ("C_Login", 0xE0, False, None),
        ("C_Login", 0x100, False, None),
        ("C_Sign", 0x101, False, None),
        # Calls that change nothing on the card.
        ("C_GetTokenInfo", 0x32, False, None),
        ("C_SignInit", 0x05, False, None),
    ],
)
def test_a_lost_answer_is_unknown_only_inside_a_call_that_changes_the_card(
    function: str, rv: int, puk: bool, effect: Effect | None
) -> None:
    assert lost_write(Pkcs11CallError(function, rv), presenting_puk=puk) is effect


def test_python_pkcs11_errors_are_never_taken_for_a_lost_write() -> None:
    # They name no function; every write goes through our own calls (rawp11).
    assert lost_write(p11.DeviceRemoved()) is None


def test_only_a_new_pin_is_what_a_note_is_kept_for() -> None:
    assert {e for e in Effect if e.pin_may_be_new} == {
        Effect.PIN_MAYBE_CHANGED,
        Effect.PIN_MAYBE_RESET,
    }
