"""The guard: nothing reaches the card when the retry state, the consent or the PIN says no."""

from __future__ import annotations

import pickle

import pytest

from assistant.card.consent import CONSENT_TTL_SECONDS, LastTryConsent, PinOperation
from assistant.card.guard import (
    check_attempt,
    check_ca_unlock,
    check_pin_format,
    check_puk_allowed,
    current_pin_policy,
    effective_pin_policy,
)
from assistant.card.outcomes import OutcomeKind, PinProblem
from assistant.card.profiles import PinPolicy, ProfileSet
from assistant.card.retries import (
    CKF_SO_PIN_FINAL_TRY,
    CKF_SO_PIN_LOCKED,
    CKF_USER_PIN_COUNT_LOW,
    CKF_USER_PIN_FINAL_TRY,
    CKF_USER_PIN_LOCKED,
    CKF_USER_PIN_TO_BE_CHANGED,
    RetrySource,
    RetryState,
)
from assistant.secret import Secret, SecretKind
from tests.fixtures.confirmed import Confirmed

SERIAL = "0011223344556677"
FRESH = RetryState.user_pin_from_flags(0)
FINAL = RetryState.user_pin_from_flags(CKF_USER_PIN_FINAL_TRY)
LOCKED = RetryState.user_pin_from_flags(CKF_USER_PIN_LOCKED)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def grant(
    operation: PinOperation = PinOperation.VERIFY_PIN, serial: str = SERIAL
) -> LastTryConsent:
    consent = LastTryConsent.grant(Confirmed(serial), operation=operation, token_serial=serial)
    assert consent is not None
    return consent


def test_tries_left_need_no_consent_and_do_not_spend_one() -> None:
    consent = grant()
    assert check_attempt(PinOperation.VERIFY_PIN, FRESH, consent, SERIAL) is None
    assert not consent.spent


def test_last_try_without_consent_is_refused() -> None:
    refusal = check_attempt(PinOperation.VERIFY_PIN, FINAL, None, SERIAL)
    assert refusal is not None
    assert refusal.kind is OutcomeKind.LAST_TRY_NEEDS_CONSENT
    assert refusal.retry == FINAL


def test_a_truthy_value_is_not_consent() -> None:
    refusal = check_attempt(PinOperation.VERIFY_PIN, FINAL, True, SERIAL)  # type: ignore[arg-type]
    assert refusal is not None
    assert refusal.kind is OutcomeKind.LAST_TRY_NEEDS_CONSENT


def test_exact_count_of_one_is_the_last_try_even_without_the_flag() -> None:
    state = FRESH.with_exact(1)
    assert state.source is RetrySource.VERIFY
    refusal = check_attempt(PinOperation.CHANGE_PIN, state, None, SERIAL)
    assert refusal is not None
    assert refusal.kind is OutcomeKind.LAST_TRY_NEEDS_CONSENT


def test_matching_consent_allows_the_last_try_exactly_once() -> None:
    consent = grant()
    assert check_attempt(PinOperation.VERIFY_PIN, FINAL, consent, SERIAL) is None
    assert consent.spent
    again = check_attempt(PinOperation.VERIFY_PIN, FINAL, consent, SERIAL)
    assert again is not None
    assert again.kind is OutcomeKind.LAST_TRY_NEEDS_CONSENT


@pytest.mark.parametrize(
    ("operation", "serial"),
    [(PinOperation.CHANGE_PIN, SERIAL), (PinOperation.VERIFY_PIN, "another card")],
)
def test_consent_for_another_step_or_card_does_not_count(
    operation: PinOperation, serial: str
) -> None:
    consent = grant(operation, serial)
    refusal = check_attempt(PinOperation.VERIFY_PIN, FINAL, consent, SERIAL)
    assert refusal is not None
    assert refusal.kind is OutcomeKind.LAST_TRY_NEEDS_CONSENT
    assert not consent.spent


def test_consent_expires() -> None:
    clock = Clock()
    consent = LastTryConsent.grant(
        Confirmed(SERIAL), operation=PinOperation.VERIFY_PIN, token_serial=SERIAL, clock=clock
    )
    clock.now += CONSENT_TTL_SECONDS + 1
    refusal = check_attempt(PinOperation.VERIFY_PIN, FINAL, consent, SERIAL)
    assert refusal is not None
    assert refusal.kind is OutcomeKind.LAST_TRY_NEEDS_CONSENT


def test_locked_is_refused_even_with_consent() -> None:
    refusal = check_attempt(PinOperation.VERIFY_PIN, LOCKED, grant(), SERIAL)
    assert refusal is not None
    assert refusal.kind is OutcomeKind.PIN_LOCKED
    assert refusal.retry is not None
    assert refusal.retry.tries_left == 0


def test_puk_refusals_name_the_puk() -> None:
    puk_final = RetryState.so_pin_from_flags(CKF_SO_PIN_FINAL_TRY)
    refusal = check_attempt(PinOperation.UNBLOCK_PIN, puk_final, None, SERIAL, puk=True)
    assert refusal is not None
    assert refusal.kind is OutcomeKind.LAST_TRY_NEEDS_CONSENT
    locked = RetryState.so_pin_from_flags(0x00400000)
    refusal = check_attempt(PinOperation.UNBLOCK_PIN, locked, None, SERIAL, puk=True)
    assert refusal is not None
    assert refusal.kind is OutcomeKind.PUK_LOCKED


def test_consent_cannot_be_forged_changed_or_persisted() -> None:
    with pytest.raises(TypeError):
        LastTryConsent()
    consent = grant()
    with pytest.raises(AttributeError):
        consent.token_serial = "other"  # type: ignore[misc]
    with pytest.raises(TypeError):
        pickle.dumps(consent)
    with pytest.raises(ValueError, match="serial"):
        LastTryConsent.grant(Confirmed(SERIAL), operation=PinOperation.VERIFY_PIN, token_serial="")


def test_consent_comes_only_from_a_confirmation_for_this_card_and_only_once() -> None:
    verify = PinOperation.VERIFY_PIN
    assert LastTryConsent.grant(None, operation=verify, token_serial=SERIAL) is None
    other_card = Confirmed("9999")
    assert LastTryConsent.grant(other_card, operation=verify, token_serial=SERIAL) is None
    confirmed = Confirmed(SERIAL)
    assert LastTryConsent.grant(confirmed, operation=verify, token_serial=SERIAL) is not None
    assert LastTryConsent.grant(confirmed, operation=verify, token_serial=SERIAL) is None


def test_flags_are_read_into_retry_state() -> None:
    flags = CKF_USER_PIN_COUNT_LOW | CKF_USER_PIN_TO_BE_CHANGED
    state = RetryState.user_pin_from_flags(flags)
    assert (state.count_low, state.to_be_changed, state.final_try, state.locked) == (
        True,
        True,
        False,
        False,
    )
    assert state.tries_left is None
    assert not state.last_try
    assert FINAL.last_try
    assert not LOCKED.last_try
    assert FRESH.with_exact(0).locked


def pin(value: str) -> Secret:
    return Secret(value, SecretKind.PIN)


SIX_TO_EIGHT_DIGITS = PinPolicy(6, 8, digits_only=True)


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("12345", PinProblem.TOO_SHORT),
        ("123456789", PinProblem.TOO_LONG),
        ("12345a", PinProblem.NOT_DIGITS),
        ("１２３４５６", PinProblem.TOO_LONG),  # full-width digits: 18 bytes, never a card PIN
        ("123456", None),
        ("12345678", None),
    ],
)
def test_pin_format(value: str, problem: PinProblem | None) -> None:
    rule = check_pin_format(pin(value), SIX_TO_EIGHT_DIGITS, new=True)
    assert (rule.problem if rule else None) is problem
    if rule is not None:
        assert (rule.min_length, rule.max_length, rule.new_pin) == (6, 8, True)


def test_new_pin_policy_is_the_stricter_of_issuer_and_module() -> None:
    assert effective_pin_policy(PinPolicy(6, 8, True), 4, 16) == PinPolicy(6, 8, True)
    assert effective_pin_policy(PinPolicy(None, None, False), 4, 255) == PinPolicy(4, 255, False)
    # Contradiction (issuer 6..8, module 4..5): the module decides what it accepts.
    assert effective_pin_policy(PinPolicy(6, 8, True), 4, 5) == PinPolicy(4, 5, True)


def test_current_pin_is_checked_against_module_limits_only() -> None:
    # A holder's 10-digit PIN on a card whose module accepts 4..16 must not be refused
    # because the issuer generates 6-digit ones.
    policy = current_pin_policy(PinPolicy(6, 8, True), 4, 16)
    assert check_pin_format(pin("1234567890"), policy) is None
    rule = check_pin_format(pin("123"), policy)
    assert rule is not None
    assert rule.problem is PinProblem.TOO_SHORT
    assert not rule.new_pin


def test_puk_is_refused_on_ca_and_issuer_managed_profiles() -> None:
    profiles = ProfileSet.load()
    for profile_id in ("akis", "tckk", "unknown"):
        refusal = check_puk_allowed(profiles.get(profile_id))
        assert refusal is not None
        assert refusal.kind is OutcomeKind.PUK_NOT_ALLOWED
    assert check_puk_allowed(profiles.get("piv")) is None


CANARY = "739146"


def test_refusals_never_carry_the_pin() -> None:
    secret = pin(CANARY + "0000")
    rule = check_pin_format(secret, SIX_TO_EIGHT_DIGITS)
    refusal = check_attempt(PinOperation.VERIFY_PIN, FINAL, None, SERIAL)
    assert CANARY not in repr(rule)
    assert CANARY not in repr(refusal)


def test_kilit_cozme_is_refused_for_a_puk_at_its_end_before_the_ca_is_asked() -> None:
    asked: list[str] = []

    def ca_serials() -> set[int]:
        asked.append("ca")
        return {7}

    locked = RetryState.so_pin_from_flags(CKF_SO_PIN_LOCKED)
    final = RetryState.so_pin_from_flags(CKF_SO_PIN_FINAL_TRY)
    refused = check_ca_unlock(locked, SERIAL, {7}, ca_serials)
    assert refused is not None and refused.kind is OutcomeKind.PUK_LOCKED
    refused = check_ca_unlock(final, SERIAL, {7}, ca_serials)
    assert refused is not None and refused.kind is OutcomeKind.LAST_TRY_NEEDS_CONSENT
    assert asked == []


def test_kilit_cozme_is_refused_for_a_card_the_holders_ca_account_does_not_list() -> None:
    fresh = RetryState.so_pin_from_flags(0)
    refused = check_ca_unlock(fresh, SERIAL, {7}, lambda: {8, 9})
    assert refused is not None and refused.kind is OutcomeKind.OTHER_CARD
    assert check_ca_unlock(fresh, SERIAL, {7, 8}, lambda: {8}) is None
