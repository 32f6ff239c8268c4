"""Token operations against SoftHSM2, a real PKCS#11 module (fast; it never locks a PIN)."""

from __future__ import annotations

import logging
import subprocess
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from assistant.card.consent import LastTryConsent, PinOperation
from assistant.card.outcomes import OutcomeKind, PinProblem
from assistant.card.profiles import CardProfile, ProfileSet
from assistant.card.token import TokenSession, open_token
from assistant.secret import Secret, SecretKind
from tests.fixtures.confirmed import Confirmed
from tests.rig.softhsm import SoftHsmToken as HsmToken

pytestmark = pytest.mark.integration

CANARY_PIN = "684213"
"""A PIN value that must never show up in an outcome, a log or an exception text."""


def pin(value: str) -> Secret:
    return Secret(value, SecretKind.PIN)


def session_for(token: HsmToken, profile: CardProfile) -> TokenSession:
    outcome = open_token(profile, token_label=token.label, configured_module=token.module)
    assert outcome.ok, outcome
    return outcome.unwrap()


@pytest.fixture
def token(hsm_token: Callable[..., HsmToken]) -> HsmToken:
    return hsm_token(key_type="p384")


def test_status_reads_the_token(token: HsmToken, softhsm_profile: CardProfile) -> None:
    status = session_for(token, softhsm_profile).status().unwrap()
    assert status.label == token.label
    assert status.serial
    assert "SoftHSM" in status.manufacturer
    assert status.min_pin_length == 4
    assert not status.pin.locked
    assert not status.pin.last_try
    assert not status.protected_auth_path
    assert status.new_pin_policy.min_length == 6


def test_certificates_are_listed_with_nes_fields(
    token: HsmToken, softhsm_profile: CardProfile
) -> None:
    (cert,) = session_for(token, softhsm_profile).certificates().unwrap()
    assert cert.subject_serial_number == token.holder.tckn
    assert cert.key_algorithm == "EC"
    assert cert.curve == "secp384r1"
    assert cert.non_repudiation
    assert cert.der == token.holder.certificate_der
    # SoftHSM hides private keys until login: "unknown", not "no key".
    assert cert.has_private_key is None


@pytest.mark.parametrize(
    ("key_type", "mechanism"), [("p384", "ECDSA-SHA384"), ("rsa2048", "RSA-PKCS1v15-SHA256")]
)
def test_test_signature_verifies_with_openssl(
    hsm_token: Callable[..., HsmToken],
    softhsm_profile: CardProfile,
    tmp_path: Path,
    key_type: str,
    mechanism: str,
) -> None:
    token = hsm_token(key_type=key_type)
    check = session_for(token, softhsm_profile).test_signature(pin(token.pin)).unwrap()
    assert check.mechanism == mechanism
    assert check.certificate.subject_serial_number == token.holder.tckn
    # Independent check: openssl verifies the (DER) signature with the certificate's key.
    cert = x509.load_der_x509_certificate(check.certificate.der)
    (tmp_path / "pub.pem").write_bytes(
        cert.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    (tmp_path / "challenge").write_bytes(check.challenge)
    (tmp_path / "sig").write_bytes(check.signature)
    digest = "-sha384" if key_type == "p384" else "-sha256"
    done = subprocess.run(
        [
            *("openssl", "dgst", digest, "-verify", str(tmp_path / "pub.pem"), "-signature"),
            *(str(tmp_path / "sig"), str(tmp_path / "challenge")),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Verified OK" in done.stdout


def test_pin_change_is_seen_by_pkcs11_tool(token: HsmToken, softhsm_profile: CardProfile) -> None:
    session = session_for(token, softhsm_profile)
    assert session.change_pin(pin(token.pin), pin("246810")).ok
    assert token.tool("--login", "--pin", "246810", "-O").returncode == 0
    assert token.tool("--login", "--pin", token.pin, "-O").returncode != 0


def test_new_pin_breaking_the_rule_is_refused_before_the_card(
    token: HsmToken, softhsm_profile: CardProfile
) -> None:
    outcome = session_for(token, softhsm_profile).change_pin(pin(token.pin), pin("12ab56"))
    assert outcome.kind is OutcomeKind.PIN_POLICY
    assert outcome.pin_rule is not None
    assert (outcome.pin_rule.problem, outcome.pin_rule.new_pin) == (PinProblem.NOT_DIGITS, True)
    assert token.tool("--login", "--pin", token.pin, "-O").returncode == 0  # unchanged


def test_wrong_pin_is_an_outcome_without_the_pin_in_it(
    token: HsmToken, softhsm_profile: CardProfile, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG):
        outcome = session_for(token, softhsm_profile).verify_pin(pin(CANARY_PIN))
    assert outcome.kind is OutcomeKind.PIN_INCORRECT
    assert outcome.error == "CKR_PIN_INCORRECT"
    assert outcome.retry is not None  # read again after the attempt
    assert CANARY_PIN not in repr(outcome)
    assert CANARY_PIN not in caplog.text
    assert session_for(token, softhsm_profile).verify_pin(pin(token.pin)).ok


def test_puk_unblock_on_a_holder_managed_profile(
    token: HsmToken, softhsm_profile: CardProfile
) -> None:
    session = session_for(token, softhsm_profile)
    outcome = session.unblock_pin(Secret(token.so_pin, SecretKind.PUK), pin("135790"))
    assert outcome.ok, outcome
    assert token.tool("--login", "--pin", "135790", "-O").returncode == 0


def test_puk_is_never_sent_for_a_kamu_sm_card(token: HsmToken) -> None:
    akis = ProfileSet.load().get("akis")
    session = session_for(token, akis)
    outcome = session.unblock_pin(Secret(token.so_pin, SecretKind.PUK), pin("135790"))
    assert outcome.kind is OutcomeKind.PUK_NOT_ALLOWED
    assert token.tool("--login", "--pin", token.pin, "-O").returncode == 0  # PIN untouched


def test_consent_is_not_used_up_while_tries_remain(
    token: HsmToken, softhsm_profile: CardProfile
) -> None:
    session = session_for(token, softhsm_profile)
    serial = session.status().unwrap().serial
    consent = LastTryConsent.grant(
        Confirmed(serial), operation=PinOperation.VERIFY_PIN, token_serial=serial
    )
    assert session.verify_pin(pin(token.pin), consent).ok
    assert not consent.spent


def test_one_card_operation_at_a_time(token: HsmToken, softhsm_profile: CardProfile) -> None:
    session = session_for(token, softhsm_profile)
    results: list[OutcomeKind] = []
    with session.module.lock:  # an operation in progress
        worker = threading.Thread(target=lambda: results.append(session.status().kind))
        worker.start()
        worker.join(0.3)
        assert worker.is_alive()
        assert results == []
    worker.join(5)
    assert results == [OutcomeKind.OK]


def test_several_tokens_are_not_guessed(
    hsm_token: Callable[..., HsmToken], softhsm_profile: CardProfile
) -> None:
    first = hsm_token(label="ONE")
    hsm_token(label="TWO")
    outcome = open_token(softhsm_profile, configured_module=first.module)
    assert (outcome.kind, outcome.error) == (OutcomeKind.NO_TOKEN, "several tokens")
    assert open_token(softhsm_profile, token_label="TWO", configured_module=first.module).ok
