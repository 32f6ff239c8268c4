"""`TokenSession.unblock_with_ca_credential` on the virtual card: a real RESET RETRY COUNTER."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

import pytest

from assistant.card.outcomes import OutcomeKind
from assistant.card.profiles import ProfileSet, UnblockStyle
from assistant.card.token import TokenSession, open_token
from assistant.demo.virtual_card import VirtualCard
from assistant.secret import Secret, SecretKind
from tests.integration.portal_journey.conftest import CARD_PIN, NEW_PIN, PUK_CANARY, rig_profiles

pytestmark = pytest.mark.integration


def session(card: VirtualCard, profile_id: str, module: Path) -> TokenSession:
    profiles: ProfileSet = rig_profiles()
    profile = dataclasses.replace(
        profiles.get(profile_id), unblock_style=UnblockStyle.SET_PIN_UNLOGGED
    )
    opened = open_token(profile, reader=card.reader, configured_module=module)
    return opened.unwrap()


def secrets(puk: str, pin: str = NEW_PIN) -> tuple[Secret, Secret]:
    return Secret(puk, SecretKind.PUK), Secret(pin, SecretKind.PIN)


def test_ca_credential_unblocks_a_locked_akis_card(
    locked_akis_card: VirtualCard, opensc_module: Path
) -> None:
    token = session(locked_akis_card, "akis", opensc_module)
    assert token.status().unwrap().pin.locked
    credential, new_pin = secrets(PUK_CANARY)
    assert token.unblock_with_ca_credential(credential, new_pin).ok
    assert locked_akis_card.pin == NEW_PIN and locked_akis_card.pin_tries_left == 3
    assert token.verify_pin(Secret(NEW_PIN, SecretKind.PIN)).ok


def test_a_wrong_credential_costs_one_puk_try_and_is_not_retried(
    locked_akis_card: VirtualCard, opensc_module: Path
) -> None:
    token = session(locked_akis_card, "akis", opensc_module)
    credential, new_pin = secrets("99999999")
    outcome = token.unblock_with_ca_credential(credential, new_pin)
    assert outcome.kind is OutcomeKind.PUK_INCORRECT
    assert locked_akis_card.puk_tries_left == 2
    assert locked_akis_card.pin == CARD_PIN and locked_akis_card.pin_tries_left == 0
    assert "99999999" not in repr(outcome)


def test_a_user_puk_card_refuses_the_ca_route_without_touching_the_card(
    virtual_card: Callable[..., VirtualCard], opensc_module: Path
) -> None:
    card = virtual_card("piv", puk=PUK_CANARY)
    token = session(card, "piv", opensc_module)
    credential, new_pin = secrets(PUK_CANARY)
    outcome = token.unblock_with_ca_credential(credential, new_pin)
    assert outcome.kind is OutcomeKind.CA_UNBLOCK_NOT_ALLOWED
    assert card.puk_tries_left == 3 and card.pin == "123456"


def test_a_new_pin_breaking_the_rule_is_refused_before_the_puk_is_sent(
    locked_akis_card: VirtualCard, opensc_module: Path
) -> None:
    token = session(locked_akis_card, "akis", opensc_module)
    credential, new_pin = secrets(PUK_CANARY, pin="12ab")
    outcome = token.unblock_with_ca_credential(credential, new_pin)
    assert outcome.kind is OutcomeKind.PIN_POLICY
    assert locked_akis_card.puk_tries_left == 3
