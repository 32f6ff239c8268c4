"""Who may receive a CA-issued unlock credential, and who may receive a holder's PUK."""

from __future__ import annotations

import pytest

from assistant.card.consent import PinOperation
from assistant.card.guard import check_attempt, check_ca_unblock_allowed, check_puk_allowed
from assistant.card.outcomes import OutcomeKind
from assistant.card.profiles import ProfileSet
from assistant.card.retries import CKF_SO_PIN_FINAL_TRY, CKF_SO_PIN_LOCKED, RetryState

PROFILES = ProfileSet.load()
SERIAL = "0011223344556677"


def test_a_kamu_sm_card_takes_the_ca_credential_but_never_a_typed_puk() -> None:
    akis = PROFILES.get("akis")
    assert check_ca_unblock_allowed(akis) is None
    refusal = check_puk_allowed(akis)  # the holder's own PUK route stays closed
    assert refusal is not None and refusal.kind is OutcomeKind.PUK_NOT_ALLOWED


@pytest.mark.parametrize("profile_id", ["piv", "tckk", "unknown"])
def test_other_cards_never_receive_a_ca_credential(profile_id: str) -> None:
    refusal = check_ca_unblock_allowed(PROFILES.get(profile_id))
    assert refusal is not None
    assert refusal.kind is OutcomeKind.CA_UNBLOCK_NOT_ALLOWED
    assert refusal.error == f"puk_manager={PROFILES.get(profile_id).puk_manager.value}"


def test_a_user_held_puk_card_keeps_its_own_route() -> None:
    assert check_puk_allowed(PROFILES.get("piv")) is None


def test_a_blocked_puk_is_refused_before_anything_is_sent() -> None:
    blocked = RetryState.so_pin_from_flags(CKF_SO_PIN_LOCKED)
    refusal = check_attempt(PinOperation.UNBLOCK_PIN, blocked, None, SERIAL, puk=True)
    assert refusal is not None and refusal.kind is OutcomeKind.PUK_LOCKED


def test_the_last_puk_try_needs_consent() -> None:
    final = RetryState.so_pin_from_flags(CKF_SO_PIN_FINAL_TRY)
    refusal = check_attempt(PinOperation.UNBLOCK_PIN, final, None, SERIAL, puk=True)
    assert refusal is not None and refusal.kind is OutcomeKind.LAST_TRY_NEEDS_CONSENT
