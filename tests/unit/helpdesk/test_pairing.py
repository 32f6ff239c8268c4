"""Pairing codes: short, single use, expiring, hashed at rest, and not guessable in time."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from assistant.helpdesk import pairing
from assistant.helpdesk.pairing import (
    ALPHABET,
    CODE_LENGTH,
    DAILY_FAILURES,
    GLOBAL_FAILURES,
    OPERATOR_FAILURES,
    JoinOutcome,
    Pairing,
    TooManyCodesError,
    guess_success_bound,
    load_key,
)
from assistant.helpdesk.store import HelpdeskStore
from tests.unit.helpdesk.conftest import FakeClock


@pytest.fixture
def codes(store: HelpdeskStore, tmp_path: Path) -> Pairing:
    return Pairing(store, load_key(tmp_path / "pairing.key"))


def test_codes_are_short_and_free_of_look_alikes(codes: Pairing, store: HelpdeskStore) -> None:
    session = store.create_session("tr")
    for _ in range(50):
        code = codes.issue(session.id)
        assert len(code) == CODE_LENGTH and set(code) <= set(ALPHABET)
    assert not set("IO01") & set(ALPHABET)


def test_a_code_joins_once_and_is_typed_loosely(codes: Pairing, store: HelpdeskStore) -> None:
    session = store.create_session("tr")
    code = codes.issue(session.id)
    typed = f" {code[:3].lower()}-{code[3:]} "
    assert codes.redeem(typed, 7) == (JoinOutcome.JOINED, session.id)
    store.leave(7)
    assert codes.redeem(code, 8) == (JoinOutcome.WRONG, None)  # single use


def test_a_code_expires_after_ten_minutes(
    codes: Pairing, store: HelpdeskStore, clock: FakeClock
) -> None:
    session = store.create_session("tr")
    code = codes.issue(session.id)
    clock.advance(pairing.CODE_LIFETIME + 1)
    assert codes.redeem(code, 7) == (JoinOutcome.WRONG, None)


def test_a_code_of_an_ended_session_joins_nothing(codes: Pairing, store: HelpdeskStore) -> None:
    session = store.create_session("tr")
    code = codes.issue(session.id)
    store.end_session(session.id, "user")
    assert codes.redeem(code, 7) == (JoinOutcome.WRONG, None)


def test_the_database_holds_no_code_in_clear(
    codes: Pairing, store: HelpdeskStore, tmp_path: Path
) -> None:
    session = store.create_session("tr")
    issued = [codes.issue(session.id) for _ in range(20)]
    store.close()
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("helpdesk.db*"))
    for code in issued:
        assert code.encode() not in raw


def test_an_operator_is_stopped_after_five_wrong_codes_even_before_the_right_one(
    codes: Pairing, store: HelpdeskStore, clock: FakeClock
) -> None:
    session = store.create_session("tr")
    right = codes.issue(session.id)
    wrong = (c for c in ("".join(p) for p in itertools.product(ALPHABET, repeat=6)) if c != right)
    for _ in range(OPERATOR_FAILURES):
        assert codes.redeem(next(wrong), 7)[0] is JoinOutcome.WRONG
    assert codes.redeem(right, 7) == (JoinOutcome.LIMITED, None)  # not even checked
    assert codes.redeem(right, 8) == (JoinOutcome.JOINED, session.id)  # others unaffected
    clock.advance(pairing.WINDOW + 1)
    assert codes.redeem(next(wrong), 7)[0] is JoinOutcome.WRONG  # the window moved on


def test_all_operators_together_are_limited_so_many_accounts_do_not_help(
    codes: Pairing, store: HelpdeskStore
) -> None:
    session = store.create_session("tr")
    right = codes.issue(session.id)
    wrong = (c for c in ("".join(p) for p in itertools.product(ALPHABET, repeat=6)) if c != right)
    attempts = 0
    for operator in itertools.count(100):
        outcome, _ = codes.redeem(next(wrong), operator)
        if outcome is JoinOutcome.LIMITED:
            break
        attempts += 1
    assert attempts == GLOBAL_FAILURES
    assert codes.redeem(right, 1)[0] is JoinOutcome.LIMITED


def test_the_limits_survive_a_restart(tmp_path: Path, clock: FakeClock) -> None:
    key = load_key(tmp_path / "pairing.key")
    first = HelpdeskStore(tmp_path / "r.db", clock=clock)
    for n in range(OPERATOR_FAILURES):
        Pairing(first, key).redeem(f"AAAAA{ALPHABET[n]}", 7)
    first.close()
    again = HelpdeskStore(tmp_path / "r.db", clock=clock)
    assert Pairing(again, key).redeem("BBBBBB", 7)[0] is JoinOutcome.LIMITED
    again.close()


def test_brute_force_within_the_limits_is_infeasible() -> None:
    # Per day, all operators together, with the most codes ever valid at once.
    per_day = guess_success_bound()
    assert per_day == pytest.approx(DAILY_FAILURES * pairing.MAX_ACTIVE_CODES / 32**6, rel=1e-3)
    assert per_day < 2e-5
    # Guessing at the limit for a whole year still fails with 99 % certainty.
    assert 1 - (1 - per_day) ** 365 < 0.01
    # The 10-minute window alone would allow more than the daily cap: the cap is needed.
    assert GLOBAL_FAILURES * 6 * 24 > DAILY_FAILURES


def test_the_daily_cap_holds_across_windows(
    codes: Pairing, store: HelpdeskStore, clock: FakeClock
) -> None:
    session = store.create_session("tr")
    right = codes.issue(session.id)
    wrong = (c for c in ("".join(p) for p in itertools.product(ALPHABET, repeat=6)) if c != right)
    failed = 0
    for operator in itertools.count(100):
        if operator % GLOBAL_FAILURES == 0:
            clock.advance(pairing.WINDOW + 1)  # a fresh 10-minute window
        outcome, _ = codes.redeem(next(wrong), operator)
        if outcome is JoinOutcome.LIMITED:
            break
        failed += 1
    assert failed == DAILY_FAILURES
    clock.advance(pairing.DAY)
    assert codes.redeem(next(wrong), 1)[0] is JoinOutcome.WRONG


def test_no_more_codes_than_the_bound_assumes(
    codes: Pairing, store: HelpdeskStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pairing, "MAX_ACTIVE_CODES", 3)
    session = store.create_session("tr")
    for _ in range(3):
        codes.issue(session.id)
    with pytest.raises(TooManyCodesError):
        codes.issue(session.id)


def test_the_key_file_is_private_and_reused(tmp_path: Path) -> None:
    path = tmp_path / "k"
    assert load_key(path) == load_key(path)
    assert path.stat().st_mode & 0o077 == 0
