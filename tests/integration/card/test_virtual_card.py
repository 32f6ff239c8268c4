"""The card layer on the full stack: pcscd + vpcd + the rig's PIV card + OpenSC.

Every safety rule is checked against what the card itself counted (the rig's retry
counters), and every change against an independent tool (pkcs11-tool, openssl).
"""

from __future__ import annotations

import queue
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization

from assistant.card.consent import LastTryConsent, PinOperation
from assistant.card.monitor import CardEvent, CardInserted, CardMonitor, CardRemoved, ReaderAdded
from assistant.card.outcomes import OutcomeKind
from assistant.card.profiles import MatchKind, ProfileSet
from assistant.card.retries import RetrySource
from assistant.card.token import TokenSession, open_token
from assistant.secret import Secret, SecretKind
from tests.fixtures.confirmed import Confirmed

pytestmark = pytest.mark.integration

PROFILES = ProfileSet.load()
WRONG = "999999"


def pin(value: str) -> Secret:
    return Secret(value, SecretKind.PIN)


def wait_for(events: queue.Queue[CardEvent], kind: type, reader: str, timeout: float = 10.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        event = events.get(timeout=max(0.01, deadline - time.monotonic()))
        if isinstance(event, kind) and getattr(event, "reader", None) == reader:
            return event


def session(card: Any, module: Path, profile_id: str = "piv") -> TokenSession:
    outcome = open_token(PROFILES.get(profile_id), reader=card.reader, configured_module=module)
    assert outcome.ok, outcome
    return outcome.unwrap()


def pkcs11_tool(module: Path, reader: str, *args: str) -> int:
    """pkcs11-tool in its own process, on the slot named after the card's reader."""
    done = subprocess.run(
        ["pkcs11-tool", "--module", str(module), "--slot-description", reader, *args],
        capture_output=True,
        text=True,
        check=False,
    )
    return done.returncode


@pytest.mark.parametrize(
    ("atr", "profile_id"), [("piv", "piv"), ("akis", "akis"), ("tckk", "tckk")]
)
def test_insert_and_remove_events_with_atr_recognition(
    rig_card: Callable[..., Any], pcsc: Any, atr: str, profile_id: str
) -> None:
    card = rig_card(atr=atr, insert=False)
    events: queue.Queue[CardEvent] = queue.Queue()
    monitor = CardMonitor(events.put)
    assert monitor.start()
    try:
        assert set(pcsc.reader_names()) <= set(monitor.readers)
        card.insert()
        inserted = wait_for(events, CardInserted, card.reader)
        assert inserted.atr == card.atr
        assert not inserted.initial
        match = PROFILES.match(inserted.atr)
        assert match.profile.id == profile_id
        assert match.kind in (MatchKind.EXACT, MatchKind.PATTERN)
        card.remove()
        wait_for(events, CardRemoved, card.reader)
    finally:
        started = time.monotonic()
        monitor.stop()
        assert time.monotonic() - started < 2.0  # SCardCancel ended the blocking wait


def test_a_card_already_inserted_is_reported_as_initial(rig_card: Callable[..., Any]) -> None:
    card = rig_card(atr="akis")
    events: queue.Queue[CardEvent] = queue.Queue()
    with CardMonitor(events.put):
        added = wait_for(events, ReaderAdded, card.reader)
        inserted = wait_for(events, CardInserted, card.reader)
    assert added.initial
    assert inserted.initial
    assert PROFILES.match(inserted.atr).profile.puk_manager.value == "ca"


def test_status_reads_exact_retry_count(rig_card: Callable[..., Any], opensc: Path) -> None:
    card = rig_card(atr="piv")
    status = session(card, opensc).status().unwrap()
    assert status.serial
    assert status.pin.tries_left == 3
    assert status.pin.source is RetrySource.VERIFY
    assert not status.protected_auth_path


def test_certificates_are_listed_with_their_keys(
    rig_card: Callable[..., Any], opensc: Path
) -> None:
    card = rig_card(atr="piv")
    certificates = session(card, opensc).certificates().unwrap()
    expected = card.certificate.public_bytes(serialization.Encoding.DER)
    signing = [c for c in certificates if c.der == expected]
    assert len(signing) == 1
    assert signing[0].non_repudiation
    # PIV private keys are hidden until login: "unknown", never a false "no key".
    assert signing[0].has_private_key is None


@pytest.mark.parametrize(
    ("key_type", "mechanism"), [("p384", "ECDSA-SHA384"), ("rsa2048", "RSA-PKCS1v15-SHA256")]
)
def test_test_signature(
    rig_card: Callable[..., Any], opensc: Path, key_type: str, mechanism: str
) -> None:
    card = rig_card(atr="piv", key_type=key_type)
    check = session(card, opensc).test_signature(pin(card.pin)).unwrap()
    assert check.mechanism == mechanism
    assert check.certificate.der == card.certificate.public_bytes(serialization.Encoding.DER)
    assert check.certificate.has_private_key is True  # paired after login
    assert card.pin_tries_left == 3


def test_pin_change_works_for_pkcs11_tool(rig_card: Callable[..., Any], opensc: Path) -> None:
    card = rig_card(atr="piv")
    token = session(card, opensc)
    assert token.change_pin(pin(card.pin), pin("246810")).ok
    assert card.pin == "246810"
    assert pkcs11_tool(opensc, card.reader, "--login", "--pin", "246810", "-O") == 0
    assert card.puk_tries_left == 3  # the change did not touch the PUK


def test_three_wrong_pins_need_consent_for_the_last(
    rig_card: Callable[..., Any], opensc: Path
) -> None:
    card = rig_card(atr="piv")
    token = session(card, opensc)
    for left in (2, 1):
        outcome = token.verify_pin(pin(WRONG))
        assert outcome.kind is OutcomeKind.PIN_INCORRECT
        assert outcome.retry is not None
        assert outcome.retry.tries_left == left
        assert card.pin_tries_left == left
    refused = token.verify_pin(pin(WRONG))
    assert refused.kind is OutcomeKind.LAST_TRY_NEEDS_CONSENT
    assert card.pin_tries_left == 1  # nothing was sent
    serial = token.status().unwrap().serial
    consent = LastTryConsent.grant(
        Confirmed(serial), operation=PinOperation.VERIFY_PIN, token_serial=serial
    )
    locked = token.verify_pin(pin(WRONG), consent)
    assert locked.kind is OutcomeKind.PIN_LOCKED
    assert card.pin_tries_left == 0
    # Locked: even the right PIN is not sent (a PIN try cannot help any more).
    assert token.verify_pin(pin(card.pin)).kind is OutcomeKind.PIN_LOCKED
    assert token.status().unwrap().pin.locked


def test_puk_unblock_on_a_piv_card(rig_card: Callable[..., Any], opensc: Path) -> None:
    card = rig_card(atr="piv", pin_tries=1)
    token = session(card, opensc)
    serial = token.status().unwrap().serial
    consent = LastTryConsent.grant(
        Confirmed(serial), operation=PinOperation.VERIFY_PIN, token_serial=serial
    )
    assert token.verify_pin(pin(WRONG), consent).kind is OutcomeKind.PIN_LOCKED
    outcome = token.unblock_pin(Secret(card.puk, SecretKind.PUK), pin("135790"))
    assert outcome.ok, outcome
    assert card.pin == "135790"
    assert card.pin_tries_left > 0
    assert pkcs11_tool(opensc, card.reader, "--login", "--pin", "135790", "-O") == 0


def test_puk_is_refused_on_an_akis_card(rig_card: Callable[..., Any], opensc: Path) -> None:
    card = rig_card(atr="akis")
    token = session(card, opensc, "akis")
    outcome = token.unblock_pin(Secret(card.puk, SecretKind.PUK), pin("135790"))
    assert outcome.kind is OutcomeKind.PUK_NOT_ALLOWED
    assert card.puk_tries_left == 3
    assert card.pin == "123456"


def test_card_pulled_between_and_during_operations(
    rig_card: Callable[..., Any], opensc: Path
) -> None:
    card = rig_card(atr="piv")
    token = session(card, opensc)
    results: list[OutcomeKind] = []
    stop = threading.Event()

    def busy() -> None:
        while not stop.is_set():
            results.append(token.certificates().kind)

    def wait_until(condition: Callable[[], bool]) -> None:
        deadline = time.monotonic() + 30
        while not condition():
            assert time.monotonic() < deadline and worker.is_alive(), results[-5:]
            time.sleep(0.01)

    worker = threading.Thread(target=busy)
    worker.start()
    wait_until(lambda: OutcomeKind.OK in results)  # reading while the card is in
    card.remove()
    wait_until(lambda: bool(results) and results[-1] is OutcomeKind.CARD_REMOVED)
    stop.set()
    worker.join(10)
    assert not worker.is_alive()
    assert set(results) <= {OutcomeKind.OK, OutcomeKind.CARD_REMOVED}
    assert results[-1] is OutcomeKind.CARD_REMOVED
    assert token.status().kind is OutcomeKind.CARD_REMOVED
    assert token.verify_pin(pin(card.pin)).kind is OutcomeKind.CARD_REMOVED
    card.insert()
    assert session(card, opensc).status().ok
