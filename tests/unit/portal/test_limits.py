"""The training portal models a CA's limits: what a flood of bad logins can and cannot do.

Before: 3,000 wrong captchas grew state.json from 1.6 KB to 197 KB (a lock-out entry was
made before the captcha was checked, and the whole file rewritten on each save), and SMS
codes could be re-issued without limit, about 2,700 guesses a minute.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from assistant.pki.tckn import is_valid_tckn
from assistant.portal.api import LoginOutcome, SmsOutcome
from assistant.portal.reference.outbox import latest_code
from assistant.portal.reference.service import Limits, PortalService
from tests.unit.portal.conftest import TCKN, WORD_CANARY, FakeClock
from tests.unit.portal.test_service import code, make_service, word


def valid_tcknos(count: int) -> list[str]:
    found = []
    number = 10_000_000_000
    while len(found) < count:
        number += 1
        if is_valid_tckn(str(number)) and str(number) != TCKN:
            found.append(str(number))
    return found


def attempt(service: PortalService, tckn: str, typed: str, *, right_captcha: bool = True):  # type: ignore[no-untyped-def]
    login_id, _ = service.begin_login(tckn)
    answer = service.captcha_answer(login_id) if right_captcha else "WRONG"
    return login_id, service.submit_login(login_id, answer, word(typed))


def test_wrong_captchas_record_nothing(tmp_path: Path, clock: FakeClock) -> None:
    service = make_service(tmp_path, clock)
    before = (tmp_path / "state.json").read_bytes()
    for tckn in valid_tcknos(100) * 5:  # 500 requests
        _, answer = attempt(service, tckn, "yanlış", right_captcha=False)
        assert answer.outcome is LoginOutcome.BAD_CAPTCHA
    assert (tmp_path / "state.json").read_bytes() == before
    assert service._state.lockouts == {}


def test_the_lockout_table_stays_bounded_and_keeps_who_is_locked_out(
    tmp_path: Path, clock: FakeClock
) -> None:
    limits = Limits(max_lockouts=20)
    service = make_service(tmp_path, clock, limits)
    for _ in range(limits.word_tries):  # the real holder's account is being attacked
        attempt(service, TCKN, "yanlış")
    size = (tmp_path / "state.json").stat().st_size
    for tckn in valid_tcknos(100):  # then a flood of wrong words for other numbers
        _, answer = attempt(service, tckn, "yanlış")
        assert answer.outcome is LoginOutcome.BAD_SECURITY_WORD
    assert len(service._state.lockouts) <= limits.max_lockouts
    assert (tmp_path / "state.json").stat().st_size < size + 20 * 120
    _, answer = attempt(service, TCKN, WORD_CANARY)
    assert answer.outcome is LoginOutcome.LOCKED_OUT  # the flood did not unlock it


def test_old_failures_are_forgotten(tmp_path: Path, clock: FakeClock) -> None:
    limits = Limits()
    service = make_service(tmp_path, clock, limits)
    for _ in range(limits.word_tries - 1):
        attempt(service, TCKN, "yanlış")
    clock.advance(limits.lockout_s + 1)
    _, answer = attempt(service, TCKN, "yanlış")
    assert answer.tries_left == limits.word_tries - 1  # a fresh count, not one try left
    _, answer = attempt(service, "10000000078", "yanlış")  # and a save drops stale entries
    clock.advance(limits.lockout_s + 1)
    attempt(service, TCKN, WORD_CANARY)
    assert service._state.lockouts == {}


def test_sms_codes_are_re_issued_a_few_times_an_hour_only(tmp_path: Path, clock: FakeClock) -> None:
    limits = Limits()
    service = make_service(tmp_path, clock, limits)
    for _ in range(limits.sms_per_window):
        login_id, answer = attempt(service, TCKN, WORD_CANARY)
        assert answer.outcome is LoginOutcome.SMS_SENT
        for _ in range(limits.sms_tries):  # each code dies after three wrong tries
            outcome = service.submit_sms(login_id, code("000000")).outcome
        assert outcome is SmsOutcome.TOO_MANY
        clock.advance(60)
    _, answer = attempt(service, TCKN, WORD_CANARY)
    assert answer.outcome is LoginOutcome.LOCKED_OUT
    assert answer.retry_after_s is not None
    assert 0 < answer.retry_after_s <= limits.sms_window_s
    again = make_service(tmp_path, clock, limits)  # a restart does not reset it
    assert attempt(again, TCKN, WORD_CANARY)[1].outcome is LoginOutcome.LOCKED_OUT
    clock.advance(answer.retry_after_s)
    login_id, answer = attempt(again, TCKN, WORD_CANARY)
    assert answer.outcome is LoginOutcome.SMS_SENT
    sms = latest_code(tmp_path / "outbox.jsonl")
    assert sms is not None
    assert again.submit_sms(login_id, code(sms)).outcome is SmsOutcome.OK
    guesses_per_hour = limits.sms_per_window * limits.sms_tries
    assert guesses_per_hour / 10**6 < 2e-5  # the odds of guessing a code in an hour


def test_pending_logins_are_bounded(tmp_path: Path, clock: FakeClock) -> None:
    service = make_service(tmp_path, clock, Limits(max_logins=20))
    first, _ = service.begin_login(TCKN)
    for _ in range(100):
        service.begin_login(TCKN)
    assert len(service._logins) == 20
    assert first not in service._logins  # the oldest went first


def test_a_failed_save_leaves_the_old_state_and_no_temp_file(
    tmp_path: Path, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    service = make_service(tmp_path, clock)
    before = (tmp_path / "state.json").read_bytes()

    def disk_full(*args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", disk_full)
    with pytest.raises(OSError):
        attempt(service, TCKN, "yanlış")
    assert (tmp_path / "state.json").read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix == ".tmp") == []
