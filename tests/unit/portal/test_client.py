"""The httpx client: typed results over a real loopback server, typed failures."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator

import httpx
import pytest

from assistant.portal.api import (
    CertificateChange,
    CertificateStatus,
    InfoUpdateOutcome,
    LoginOutcome,
    PinDeletion,
    PinState,
    PortalProblem,
    PortalUnavailableError,
    RevocationReason,
    SessionExpiredError,
    SessionStage,
    SmsOutcome,
    UnlockOutcome,
)
from assistant.portal.client import PortalClient
from assistant.portal.reference.service import Limits
from assistant.portal.reference.training import captcha_answer, latest_code
from assistant.secret import Secret, SecretKind
from tests.unit.portal.conftest import (
    ACTIVE,
    OLD,
    PIN_CANARY,
    PUK_CANARY,
    TCKN,
    TRAINING_KEY,
    WORD_CANARY,
    RunningPortal,
    free_port,
)


def test_menu_operations_return_typed_results(serve: Callable[..., RunningPortal]) -> None:
    portal = serve()
    with portal.client() as client:
        portal.login(client)
        assert client.logged_in
        listed = {c.serial: c.status for c in client.list_certificates()}
        assert listed == {ACTIVE: CertificateStatus.ACTIVE, OLD: CertificateStatus.EXPIRED}
        detail = client.certificate_detail(ACTIVE)
        assert detail is not None and detail.subject_serial == TCKN
        assert client.certificate_detail("ABCDEF") is None
        with pytest.raises(ValueError):
            client.certificate_detail("../pin")
        assert client.suspend(ACTIVE) is CertificateChange.DONE
        assert client.unsuspend(ACTIVE) is CertificateChange.DONE
        assert client.revoke(ACTIVE, RevocationReason.KEY_COMPROMISE) is CertificateChange.DONE
        detail = client.certificate_detail(ACTIVE)
        assert detail is not None and detail.status is CertificateStatus.REVOKED
        assert detail.revocation_reason is RevocationReason.KEY_COMPROMISE
        assert client.update_info(email="x@").outcome is InfoUpdateOutcome.INVALID_EMAIL
        updated = client.update_info(mobile="05331112233")
        assert updated.info is not None and updated.info.mobile == "05331112233"
        info = client.pin_info()
        assert info.state is PinState.AVAILABLE and info.pin is not None
        assert info.pin.reveal() == PIN_CANARY and PIN_CANARY not in repr(info)
        pdf = client.save_pin_pdf()
        assert pdf is not None and pdf.content.startswith(b"%PDF-")
        assert PIN_CANARY not in repr(pdf)
        grant = client.unlock()
        assert grant.outcome is UnlockOutcome.OK
        assert grant.credential is not None and grant.credential.kind is SecretKind.PUK
        assert grant.credential.reveal() == PUK_CANARY and PUK_CANARY not in repr(grant)
        assert grant.new_pin is not None
        shown = client.pin_info().pin
        assert shown is not None and shown.matches(grant.new_pin)
        assert client.delete_pin() is PinDeletion.DELETED
        assert client.pin_info().state is PinState.DELETED
        assert client.save_pin_pdf() is None
        client.logout()
        assert not client.logged_in
        with pytest.raises(SessionExpiredError):
            client.list_certificates()
        client.logout()  # harmless twice


def test_login_outcomes_and_fresh_captchas(serve: Callable[..., RunningPortal]) -> None:
    portal = serve()
    with portal.client() as client:
        with pytest.raises(ValueError):
            client.begin_login("11111111111")
        with pytest.raises(SessionExpiredError):
            client.submit_login("x", Secret(WORD_CANARY, SecretKind.SECURITY_WORD))
        challenge = client.begin_login(TCKN)
        assert challenge.captcha.media_type == "image/png"
        assert challenge.captcha.image.startswith(b"\x89PNG")
        bad = client.submit_login("?????", Secret(WORD_CANARY, SecretKind.SECURITY_WORD))
        assert bad.outcome is LoginOutcome.BAD_CAPTCHA and bad.captcha is not None
        answer = captcha_answer(portal.base_url, challenge.login_id, TRAINING_KEY)
        wrong = client.submit_login(answer, Secret("yanlış", SecretKind.SECURITY_WORD))
        assert wrong.outcome is LoginOutcome.BAD_SECURITY_WORD and wrong.tries_left == 4
        answer = captcha_answer(portal.base_url, challenge.login_id, TRAINING_KEY)
        sent = client.submit_login(answer, Secret(WORD_CANARY, SecretKind.SECURITY_WORD))
        assert sent.outcome is LoginOutcome.SMS_SENT and sent.masked_mobile


def test_three_wrong_sms_codes_then_the_login_is_void(
    serve: Callable[..., RunningPortal],
) -> None:
    portal = serve()
    with portal.client() as client:
        challenge = client.begin_login(TCKN)
        answer = captcha_answer(portal.base_url, challenge.login_id, TRAINING_KEY)
        client.submit_login(answer, Secret(WORD_CANARY, SecretKind.SECURITY_WORD))
        code = latest_code(portal.outbox_path)
        assert code is not None
        wrong = Secret(f"{(int(code) + 1) % 10**6:06d}", SecretKind.SMS_CODE)
        results = [client.submit_sms(wrong) for _ in range(3)]
        assert [r.outcome for r in results] == [
            SmsOutcome.WRONG_CODE,
            SmsOutcome.WRONG_CODE,
            SmsOutcome.TOO_MANY,
        ]
        assert [r.tries_left for r in results[:2]] == [2, 1]
        with pytest.raises(SessionExpiredError) as info:
            client.submit_sms(Secret(code, SecretKind.SMS_CODE))
        assert info.value.stage is SessionStage.LOGIN


def test_idle_session_expires_into_a_typed_error(serve: Callable[..., RunningPortal]) -> None:
    portal = serve(limits=Limits(session_idle_s=60))
    with portal.client() as client:
        portal.login(client)
        portal.clock.advance(61)
        with pytest.raises(SessionExpiredError) as info:
            client.pin_info()
        assert info.value.stage is SessionStage.SESSION
        assert not client.logged_in


def test_portal_not_running_is_offline() -> None:
    client = PortalClient(f"http://127.0.0.1:{free_port()}")
    with client, pytest.raises(PortalUnavailableError) as info:
        client.begin_login(TCKN)
    assert info.value.problem is PortalProblem.OFFLINE


@pytest.fixture
def silent_server() -> Iterator[int]:
    """A socket that accepts connections and never answers: a hung portal."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                accepted.append(listener.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield int(listener.getsockname()[1])
    stop.set()
    thread.join()
    for conn in accepted:
        conn.close()
    listener.close()


def test_hung_portal_is_a_timeout(silent_server: int) -> None:
    timeout = httpx.Timeout(0.3)
    client = PortalClient(f"http://127.0.0.1:{silent_server}", timeout=timeout)
    with client, pytest.raises(PortalUnavailableError) as info:
        client.begin_login(TCKN)
    assert info.value.problem is PortalProblem.TIMEOUT


@pytest.mark.parametrize(
    ("status", "body", "problem"),
    [
        (500, b"boom", PortalProblem.SERVER_ERROR),
        (503, b"", PortalProblem.SERVER_ERROR),
        (200, b"<html>captive portal</html>", PortalProblem.PROTOCOL),
        (200, b'{"login_id": 5}', PortalProblem.PROTOCOL),
        (418, b"{}", PortalProblem.PROTOCOL),
    ],
)
def test_broken_answers_are_typed(status: int, body: bytes, problem: PortalProblem) -> None:
    transport = httpx.MockTransport(lambda request: httpx.Response(status, content=body))
    client = PortalClient("http://portal.test", transport=transport)
    with client, pytest.raises(PortalUnavailableError) as info:
        client.begin_login(TCKN)
    assert info.value.problem is problem


def test_secrets_stay_out_of_transport_errors() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/api/login":
            captcha = {"media_type": "image/png", "data": "iVBORw=="}
            return httpx.Response(200, json={"login_id": "L1", "captcha": captcha})
        raise httpx.ConnectError("refused", request=request)

    with PortalClient("http://portal.test", transport=httpx.MockTransport(answer)) as client:
        client.begin_login(TCKN)
        with pytest.raises(PortalUnavailableError) as info:
            client.submit_login("ABCDE", Secret(WORD_CANARY, SecretKind.SECURITY_WORD))
    assert info.value.problem is PortalProblem.OFFLINE
    assert info.value.__cause__ is None and info.value.__suppress_context__
    assert WORD_CANARY not in str(info.value) and WORD_CANARY not in repr(info.value)
