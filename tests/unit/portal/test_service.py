"""The training portal's state machine, driven directly with a fake clock."""

from __future__ import annotations

import logging
import random
from pathlib import Path

import pytest
from cryptography.exceptions import InvalidTag

from assistant.portal import sealing
from assistant.portal.api import (
    CertificateChange,
    CertificateStatus,
    InfoUpdateOutcome,
    LoginOutcome,
    PinDeletion,
    PinState,
    RevocationReason,
    SessionStage,
    SmsOutcome,
    UnlockOutcome,
)
from assistant.portal.reference.outbox import Outbox, latest_code
from assistant.portal.reference.service import GoneError, Limits, PortalService
from assistant.portal.reference.store import PortalStore, create_state
from assistant.secret import Secret, SecretKind
from tests.unit.portal.conftest import (
    ACTIVE,
    OLD,
    OLD_CARD_TCKN,
    PIN_CANARY,
    PUK_CANARY,
    TCKN,
    WORD_CANARY,
    FakeClock,
    seed,
)


def make_service(tmp_path: Path, clock: FakeClock, limits: Limits | None = None) -> PortalService:
    state = tmp_path / "state.json"
    store = PortalStore(state)
    if not state.exists():
        create_state(store, seed())
    outbox = Outbox(tmp_path / "outbox.jsonl")
    return PortalService(store, outbox, limits or Limits(), clock, random.Random(3))


def word(text: str = WORD_CANARY) -> Secret:
    return Secret(text, SecretKind.SECURITY_WORD)


def code(text: str) -> Secret:
    return Secret(text, SecretKind.SMS_CODE)


def to_sms(service: PortalService, tckn: str = TCKN) -> str:
    login_id, _ = service.begin_login(tckn)
    answer = service.submit_login(login_id, service.captcha_answer(login_id), word())
    assert answer.outcome is LoginOutcome.SMS_SENT
    return login_id


def log_in(service: PortalService, tmp_path: Path) -> str:
    login_id = to_sms(service)
    sms = latest_code(tmp_path / "outbox.jsonl")
    assert sms is not None
    answer = service.submit_sms(login_id, code(sms))
    assert answer.outcome is SmsOutcome.OK and answer.session
    return answer.session


@pytest.fixture
def service(tmp_path: Path, clock: FakeClock) -> PortalService:
    return make_service(tmp_path, clock)


def test_invalid_kimlik_no_is_refused_before_any_captcha(service: PortalService) -> None:
    with pytest.raises(ValueError):
        service.begin_login("12345678901")


def test_wrong_captcha_gives_a_new_single_use_captcha(service: PortalService) -> None:
    login_id, first_png = service.begin_login(TCKN)
    first = service.captcha_answer(login_id)
    wrong = "22222" if first != "22222" else "33333"
    answer = service.submit_login(login_id, wrong, word())
    assert answer.outcome is LoginOutcome.BAD_CAPTCHA
    assert answer.captcha_png and answer.captcha_png != first_png
    second = service.captcha_answer(login_id)
    if second != first:  # the old text no longer opens the door
        assert service.submit_login(login_id, first, word()).outcome is LoginOutcome.BAD_CAPTCHA
    # typed in lower case with spaces: accepted
    typed = " ".join(service.captcha_answer(login_id).lower())
    assert service.submit_login(login_id, typed, word()).outcome is LoginOutcome.SMS_SENT


def test_wrong_security_words_lock_the_kimlik_no_for_a_while(
    service: PortalService, clock: FakeClock
) -> None:
    limits = service.limits
    login_id, _ = service.begin_login(TCKN)
    for left in range(limits.word_tries - 1, 0, -1):
        answer = service.submit_login(login_id, service.captcha_answer(login_id), word("yanlış"))
        assert (answer.outcome, answer.tries_left) == (LoginOutcome.BAD_SECURITY_WORD, left)
    answer = service.submit_login(login_id, service.captcha_answer(login_id), word("yanlış"))
    assert answer.outcome is LoginOutcome.LOCKED_OUT
    # even the right word is refused during the lock-out, on a fresh login too
    login_id, _ = service.begin_login(TCKN)
    answer = service.submit_login(login_id, service.captcha_answer(login_id), word())
    assert answer.outcome is LoginOutcome.LOCKED_OUT
    assert answer.retry_after_s and 0 < answer.retry_after_s <= limits.lockout_s + 1
    clock.advance(limits.lockout_s + 1)
    login_id, _ = service.begin_login(TCKN)
    answer = service.submit_login(login_id, service.captcha_answer(login_id), word())
    assert answer.outcome is LoginOutcome.SMS_SENT


def test_unknown_kimlik_no_looks_like_a_wrong_security_word(service: PortalService) -> None:
    login_id, _ = service.begin_login("20000000046")
    answer = service.submit_login(login_id, service.captcha_answer(login_id), word())
    assert answer.outcome is LoginOutcome.BAD_SECURITY_WORD
    assert answer.tries_left == service.limits.word_tries - 1


def test_captcha_page_expires(service: PortalService, clock: FakeClock) -> None:
    login_id, _ = service.begin_login(TCKN)
    text = service.captcha_answer(login_id)
    clock.advance(service.limits.login_ttl_s + 1)
    with pytest.raises(GoneError) as info:
        service.submit_login(login_id, text, word())
    assert info.value.stage is SessionStage.LOGIN


def test_sms_code_expires_and_ends_the_login(
    service: PortalService, clock: FakeClock, tmp_path: Path
) -> None:
    login_id = to_sms(service)
    sms = latest_code(tmp_path / "outbox.jsonl")
    assert sms is not None
    clock.advance(service.limits.sms_ttl_s + 1)
    assert service.submit_sms(login_id, code(sms)).outcome is SmsOutcome.EXPIRED
    with pytest.raises(GoneError):
        service.submit_sms(login_id, code(sms))


def test_sms_code_still_good_just_before_expiry(
    service: PortalService, clock: FakeClock, tmp_path: Path
) -> None:
    login_id = to_sms(service)
    clock.advance(service.limits.sms_ttl_s - 1)
    sms = latest_code(tmp_path / "outbox.jsonl")
    assert sms is not None
    assert service.submit_sms(login_id, code(sms)).outcome is SmsOutcome.OK


def test_three_wrong_sms_codes_end_the_login(service: PortalService, tmp_path: Path) -> None:
    login_id = to_sms(service)
    sms = latest_code(tmp_path / "outbox.jsonl")
    assert sms is not None
    wrong = f"{(int(sms) + 1) % 10**6:06d}"
    first = service.submit_sms(login_id, code(wrong))
    second = service.submit_sms(login_id, code(wrong))
    third = service.submit_sms(login_id, code(wrong))
    assert (first.outcome, first.tries_left) == (SmsOutcome.WRONG_CODE, 2)
    assert (second.outcome, second.tries_left) == (SmsOutcome.WRONG_CODE, 1)
    assert third.outcome is SmsOutcome.TOO_MANY
    with pytest.raises(GoneError):  # the right code no longer helps
        service.submit_sms(login_id, code(sms))


def test_session_times_out_when_idle_not_while_used(
    service: PortalService, clock: FakeClock, tmp_path: Path
) -> None:
    token = log_in(service, tmp_path)
    idle = service.limits.session_idle_s
    for _ in range(3):  # activity keeps it alive well past one idle period
        clock.advance(idle - 1)
        assert service.certificates(token)
    clock.advance(idle + 1)
    with pytest.raises(GoneError) as info:
        service.certificates(token)
    assert info.value.stage is SessionStage.SESSION


def test_logout_closes_the_session(service: PortalService, tmp_path: Path) -> None:
    token = log_in(service, tmp_path)
    service.logout(token)
    with pytest.raises(GoneError):
        service.pin(token)


def test_certificate_states_follow_the_menu_rules(
    service: PortalService, tmp_path: Path, clock: FakeClock
) -> None:
    token = log_in(service, tmp_path)
    statuses = {v.record.serial: v.status for v in service.certificates(token)}
    assert statuses == {ACTIVE: CertificateStatus.ACTIVE, OLD: CertificateStatus.EXPIRED}
    assert service.unsuspend(token, ACTIVE) is CertificateChange.ALREADY
    assert service.suspend(token, "4e:41:53:00:00:01") is CertificateChange.DONE
    assert service.suspend(token, ACTIVE) is CertificateChange.ALREADY
    assert service.unsuspend(token, ACTIVE) is CertificateChange.DONE
    assert service.suspend(token, OLD) is CertificateChange.NOT_ALLOWED
    assert service.revoke(token, OLD, RevocationReason.UNSPECIFIED) is CertificateChange.NOT_ALLOWED
    assert service.suspend(token, "FFFF") is CertificateChange.UNKNOWN_SERIAL
    assert service.revoke(token, ACTIVE, RevocationReason.KEY_COMPROMISE) is CertificateChange.DONE
    assert service.unsuspend(token, ACTIVE) is CertificateChange.NOT_ALLOWED
    assert service.suspend(token, ACTIVE) is CertificateChange.NOT_ALLOWED
    assert service.revoke(token, ACTIVE, RevocationReason.UNSPECIFIED) is CertificateChange.ALREADY
    # irreversible: a restarted portal still knows
    again = make_service(tmp_path, clock)
    token = log_in(again, tmp_path)
    view = again.certificate(token, ACTIVE)
    assert view is not None and view.status is CertificateStatus.REVOKED
    assert view.record.revocation_reason is RevocationReason.KEY_COMPROMISE


def test_information_update_validates_and_persists(
    service: PortalService, tmp_path: Path, clock: FakeClock
) -> None:
    token = log_in(service, tmp_path)
    assert service.update_info(token, "0212 555 11 22", None, None) is (
        InfoUpdateOutcome.INVALID_MOBILE
    )
    assert service.update_info(token, None, "ayse@", None) is InfoUpdateOutcome.INVALID_EMAIL
    assert service.update_info(token, None, None, "  ") is InfoUpdateOutcome.INVALID_ADDRESS
    assert service.update_info(token, None, None, None) is InfoUpdateOutcome.NOTHING_TO_CHANGE
    outcome = service.update_info(token, "+90 533 111 22 33", "yeni@example.com.tr", None)
    assert outcome is InfoUpdateOutcome.UPDATED
    holder = make_service(tmp_path, clock).store.load().holders[TCKN]
    assert (holder.mobile, holder.email) == ("05331112233", "yeni@example.com.tr")


def test_pin_is_shown_until_deleted_then_never_again(
    service: PortalService, tmp_path: Path, clock: FakeClock
) -> None:
    token = log_in(service, tmp_path)
    view = service.pin(token)
    assert view.state is PinState.AVAILABLE and view.pin is not None
    assert view.pin.reveal() == PIN_CANARY
    assert service.pin_pdf(token) is not None
    assert service.delete_pin(token) is PinDeletion.DELETED
    assert service.pin(token).state is PinState.DELETED
    assert service.pin_pdf(token) is None
    assert service.delete_pin(token) is PinDeletion.ALREADY_DELETED
    again = make_service(tmp_path, clock)
    assert again.pin(log_in(again, tmp_path)).state is PinState.DELETED


def test_secrets_never_reach_the_state_file_in_clear(
    service: PortalService, tmp_path: Path
) -> None:
    token = log_in(service, tmp_path)
    _, public = sealing.new_agent_key()
    new_pin = "581736"
    assert service.unlock(token, public, Secret(new_pin, SecretKind.PIN)).outcome.value == "ok"
    persisted = b"".join(p.read_bytes() for p in tmp_path.glob("state.json*"))
    assert b"pin" in persisted  # the file does hold the (encrypted) PIN record
    for canary in (PIN_CANARY, PUK_CANARY, WORD_CANARY, new_pin):
        assert canary.encode() not in persisted


def test_encrypted_pin_is_bound_to_its_holder(service: PortalService) -> None:
    store = service.store
    blob = store.encrypt(TCKN, "pin", PIN_CANARY)
    assert store.decrypt(TCKN, "pin", blob) == PIN_CANARY
    with pytest.raises(InvalidTag):
        store.decrypt(OLD_CARD_TCKN, "pin", blob)


def test_unlock_seals_the_puk_and_a_new_pin_for_the_asking_agent(
    service: PortalService, tmp_path: Path
) -> None:
    token = log_in(service, tmp_path)
    private, public = sealing.new_agent_key()
    assert service.unlock(token, public, Secret("12345", SecretKind.PIN)).outcome is (
        UnlockOutcome.INVALID_PIN
    )
    answer = service.unlock(token, public, None)
    assert answer.outcome is UnlockOutcome.OK and answer.sealed is not None
    payload = sealing.unseal(private, answer.sealed)
    assert payload["puk"] == PUK_CANARY
    assert len(payload["new_pin"]) == 6 and payload["new_pin"].isdigit()
    shown = service.pin(token).pin
    assert shown is not None and shown.reveal() == payload["new_pin"]
    other, _ = sealing.new_agent_key()
    with pytest.raises(InvalidTag):  # sealed for one agent key only
        sealing.unseal(other, answer.sealed)


def test_unlock_is_not_available_when_the_ca_holds_no_puk(service: PortalService) -> None:
    login_id, _ = service.begin_login(OLD_CARD_TCKN)
    service.submit_login(login_id, service.captcha_answer(login_id), word("eski kart"))
    sms = latest_code(service.outbox.path, "05329876543")
    assert sms is not None
    token = service.submit_sms(login_id, code(sms)).session
    assert token
    _, public = sealing.new_agent_key()
    assert service.unlock(token, public, None).outcome is UnlockOutcome.NOT_AVAILABLE


def test_logs_tell_what_happened_without_any_secret(
    service: PortalService, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG):
        token = log_in(service, tmp_path)
        service.pin(token)
        _, public = sealing.new_agent_key()
        service.unlock(token, public, None)
        service.pin_pdf(token)
    sms = latest_code(tmp_path / "outbox.jsonl")
    assert sms is not None
    assert "SMS code sent" in caplog.text and "unlock credential issued" in caplog.text
    for canary in (WORD_CANARY, sms, PIN_CANARY, PUK_CANARY, TCKN):
        assert canary not in caplog.text
