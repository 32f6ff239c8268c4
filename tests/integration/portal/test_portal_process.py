"""End to end: the served training portal driven by the httpx client, as the agent will."""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from assistant.portal.api import (
    CertificateChange,
    CertificateStatus,
    InfoUpdateOutcome,
    LoginOutcome,
    PinDeletion,
    PinState,
    RevocationReason,
    SessionExpiredError,
    SessionStage,
    SmsOutcome,
    UnlockOutcome,
)
from assistant.portal.client import PortalClient
from assistant.portal.reference.training import captcha_answer, latest_code
from assistant.secret import Secret, SecretKind
from tests.integration.portal.conftest import PortalProcess
from tests.unit.portal.conftest import (
    ACTIVE,
    MOBILE,
    PIN_CANARY,
    PUK_CANARY,
    TCKN,
    TRAINING_KEY,
    WORD_CANARY,
)

pytestmark = pytest.mark.integration


def to_sms(portal: PortalProcess, client: PortalClient) -> str:
    challenge = client.begin_login(TCKN)
    answer = captcha_answer(portal.base_url, challenge.login_id, TRAINING_KEY)
    result = client.submit_login(answer, Secret(WORD_CANARY, SecretKind.SECURITY_WORD))
    assert result.outcome is LoginOutcome.SMS_SENT
    code = latest_code(portal.outbox_path, MOBILE)
    assert code is not None
    return code


def test_full_menu_round_trip_against_the_served_portal(
    portal_process: Callable[..., PortalProcess], tmp_path: Path
) -> None:
    portal = portal_process()
    codes: list[str] = []
    with PortalClient(portal.base_url) as client:
        codes.append(to_sms(portal, client))
        assert client.submit_sms(Secret(codes[-1], SecretKind.SMS_CODE)).outcome is SmsOutcome.OK

        listed = {c.serial: c for c in client.list_certificates()}
        assert listed[ACTIVE].status is CertificateStatus.ACTIVE
        detail = client.certificate_detail(ACTIVE)
        assert detail is not None and detail.subject_serial == TCKN

        assert client.suspend(ACTIVE) is CertificateChange.DONE
        assert client.list_certificates()[0].status is CertificateStatus.SUSPENDED
        assert client.unsuspend(ACTIVE) is CertificateChange.DONE
        assert client.revoke(ACTIVE, RevocationReason.KEY_COMPROMISE) is CertificateChange.DONE
        assert client.unsuspend(ACTIVE) is CertificateChange.NOT_ALLOWED  # irreversible

        updated = client.update_info(mobile="0532 111 22 33", address="Gebze Kocaeli")
        assert updated.outcome is InfoUpdateOutcome.UPDATED and updated.info is not None
        assert updated.info.mobile == "05321112233"

        info = client.pin_info()
        assert info.state is PinState.AVAILABLE and info.pin is not None
        assert info.pin.reveal() == PIN_CANARY
        pdf = client.save_pin_pdf()
        assert pdf is not None
        if shutil.which("pdftotext"):
            path = tmp_path / pdf.filename
            path.write_bytes(pdf.content)
            text = subprocess.run(
                ["pdftotext", str(path), "-"], check=True, capture_output=True, text=True
            ).stdout
            assert f"PIN: {PIN_CANARY}" in text and "EGITIM PORTALI" in text

        assert client.delete_pin() is PinDeletion.DELETED
        assert client.pin_info().state is PinState.DELETED
        assert client.save_pin_pdf() is None

        grant = client.unlock()
        assert grant.outcome is UnlockOutcome.OK
        assert grant.credential is not None and grant.credential.reveal() == PUK_CANARY
        assert grant.new_pin is not None and len(grant.new_pin) == 6
        client.logout()
        with pytest.raises(SessionExpiredError):
            client.pin_info()

        # wrong SMS code three times: the login is void
        codes.append(to_sms(portal, client))
        wrong = Secret(f"{(int(codes[-1]) + 1) % 10**6:06d}", SecretKind.SMS_CODE)
        outcomes = [client.submit_sms(wrong).outcome for _ in range(3)]
        assert outcomes == [SmsOutcome.WRONG_CODE, SmsOutcome.WRONG_CODE, SmsOutcome.TOO_MANY]

    deadline = time.monotonic() + 30  # the server writes its log on its own time
    while (log := portal.log_text()).count("wrong SMS code") < 3:  # the last requests
        assert time.monotonic() < deadline, log[-2000:]
        time.sleep(0.05)
    assert "SMS code sent" in log and "POST /api/unlock" in log  # the log is really there
    persisted = b"".join(p.read_bytes() for p in tmp_path.glob("state-0.json*"))
    for canary in (WORD_CANARY, PIN_CANARY, PUK_CANARY, *codes):
        assert canary not in log, canary
        assert canary.encode() not in persisted, canary


def test_session_expires_when_idle(portal_process: Callable[..., PortalProcess]) -> None:
    idle = 3.0  # the margin for the first listing right after login, even under load
    portal = portal_process("--session-idle", str(idle))
    with PortalClient(portal.base_url) as client:
        code = to_sms(portal, client)
        assert client.submit_sms(Secret(code, SecretKind.SMS_CODE)).outcome is SmsOutcome.OK
        assert client.list_certificates()
        time.sleep(idle + 0.5)  # the idle time itself must pass: a poll would touch it
        with pytest.raises(SessionExpiredError) as info:
            client.list_certificates()
    assert info.value.stage is SessionStage.SESSION


def test_sms_code_expires(portal_process: Callable[..., PortalProcess]) -> None:
    portal = portal_process("--sms-ttl", "1")
    with PortalClient(portal.base_url) as client:
        code = to_sms(portal, client)
        time.sleep(1.5)
        assert client.submit_sms(Secret(code, SecretKind.SMS_CODE)).outcome is SmsOutcome.EXPIRED
