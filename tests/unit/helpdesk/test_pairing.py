"""Pairing codes: short, single use, expiring, hashed at rest, and not guessable in time."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.helpdesk_server import pairing
from assistant.helpdesk_server.pairing import (
    ALPHABET,
    CODE_LENGTH,
    DAILY_BOUND,
    MAX_WAITING,
    OPERATOR_DAILY_FAILURES,
    OPERATOR_FAILURES,
    JoinOutcome,
    Pairing,
    TooManyCodesError,
    code_length,
    guess_success_bound,
    load_key,
)
from assistant.helpdesk_server.store import HelpdeskStore
from tests.unit.helpdesk.conftest import FakeClock


@pytest.fixture
def codes(store: HelpdeskStore, tmp_path: Path) -> Pairing:
    return Pairing(store, load_key(tmp_path / "pairing.key"))


def test_codes_are_short_and_free_of_look_alikes(codes: Pairing, store: HelpdeskStore) -> None:
    session = store.create_session("tr")
    for _ in range(50):
        code = codes.issue(session.id)  # each one revokes the one before
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


def wrong_codes(right: str) -> Iterator[str]:
    return (c for c in ("".join(p) for p in itertools.product(ALPHABET, repeat=6)) if c != right)


def test_an_operator_is_stopped_after_five_wrong_codes_even_before_the_right_one(
    codes: Pairing, store: HelpdeskStore, clock: FakeClock
) -> None:
    session = store.create_session("tr")
    right = codes.issue(session.id)
    wrong = wrong_codes(right)
    for _ in range(OPERATOR_FAILURES):
        assert codes.redeem(next(wrong), 7)[0] is JoinOutcome.WRONG
    assert codes.redeem(right, 7) == (JoinOutcome.LIMITED, None)  # not even checked
    assert codes.redeem(right, 8) == (JoinOutcome.JOINED, session.id)  # others unaffected
    clock.advance(pairing.WINDOW + 1)
    assert codes.redeem(next(wrong), 7)[0] is JoinOutcome.WRONG  # the window moved on


def test_one_operator_using_up_a_days_budget_locks_out_nobody_else(
    codes: Pairing, store: HelpdeskStore, clock: FakeClock
) -> None:
    """Before, 100 wrong codes a day for all operators together: one account could use
    them up in ~3.3 hours and every other operator's right code was refused all day."""
    session = store.create_session("tr")
    right = codes.issue(session.id)
    wrong = wrong_codes(right)
    failed = 0
    while codes.redeem(next(wrong), 7)[0] is JoinOutcome.WRONG:
        failed += 1
        if failed % OPERATOR_FAILURES == 0:
            clock.advance(pairing.WINDOW + 1)  # a fresh 10-minute window
    assert failed == OPERATOR_DAILY_FAILURES
    assert codes.redeem(right, 7) == (JoinOutcome.LIMITED, None)  # still over budget
    for other in range(100, 140):  # 40 other operators, a typo each
        assert codes.redeem(next(wrong), other)[0] is JoinOutcome.WRONG
    fresh = codes.issue(session.id)  # the first one expired while operator 7 guessed
    assert codes.redeem(fresh, 7) == (JoinOutcome.LIMITED, None)
    assert codes.redeem(fresh, 8) == (JoinOutcome.JOINED, session.id)
    clock.advance(pairing.DAY)
    assert codes.redeem(next(wrong), 7)[0] is JoinOutcome.WRONG  # a day later: a budget again


def test_the_limits_survive_a_restart(tmp_path: Path, clock: FakeClock) -> None:
    key = load_key(tmp_path / "pairing.key")
    first = HelpdeskStore(tmp_path / "r.db", clock=clock)
    for n in range(OPERATOR_FAILURES):
        Pairing(first, key).redeem(f"AAAAA{ALPHABET[n]}", 7)
    first.close()
    again = HelpdeskStore(tmp_path / "r.db", clock=clock)
    assert Pairing(again, key).redeem("BBBBBB", 7)[0] is JoinOutcome.LIMITED
    again.close()


def test_brute_force_within_one_accounts_budget_is_infeasible() -> None:
    per_day = guess_success_bound()  # one account, the default 200 waiting sessions
    assert per_day == pytest.approx(OPERATOR_DAILY_FAILURES * MAX_WAITING / 32**6, rel=1e-3)
    assert per_day < 4e-6 < DAILY_BOUND
    assert 1 - (1 - per_day) ** 365 < 0.0014  # a year of guessing at the limit
    # The 10-minute window alone would allow far more than the daily budget.
    assert OPERATOR_FAILURES * 6 * 24 > OPERATOR_DAILY_FAILURES


def test_a_larger_helpdesk_gets_longer_codes_and_keeps_the_odds(
    store: HelpdeskStore, tmp_path: Path
) -> None:
    assert [code_length(n) for n in (1, 200, 536, 537, 17_179, 17_180)] == [6, 6, 6, 7, 7, 8]
    for waiting in (200, 536, 537, 5_000, 17_180, 100_000):
        length = code_length(waiting)
        assert guess_success_bound(active_codes=waiting, length=length) <= DAILY_BOUND
        if length > 6:  # and one character fewer would not have done
            assert guess_success_bound(active_codes=waiting, length=length - 1) > DAILY_BOUND
    large = Pairing(store, load_key(tmp_path / "large.key"), max_waiting=5_000)
    code = large.issue(store.create_session("tr").id)
    assert len(code) == 7 and set(code) <= set(ALPHABET)


def test_a_session_holds_one_valid_code_so_it_cannot_fill_the_slots(
    store: HelpdeskStore, tmp_path: Path
) -> None:
    """Before, one session could take all 200 slots with 199 `new_code` frames."""
    codes = Pairing(store, load_key(tmp_path / "k"), max_waiting=3)
    spammer = store.create_session("tr")
    issued = [codes.issue(spammer.id) for _ in range(199)]
    assert store.active_codes() == 1
    others = [store.create_session("tr") for _ in range(2)]
    for other in others:
        codes.issue(other.id)
    assert codes.redeem(issued[0], 7) == (JoinOutcome.WRONG, None)  # revoked by the next
    assert codes.redeem(issued[-1], 8) == (JoinOutcome.JOINED, spammer.id)


def test_no_more_codes_than_the_setting_allows(store: HelpdeskStore, tmp_path: Path) -> None:
    codes = Pairing(store, load_key(tmp_path / "k"), max_waiting=3)
    sessions = [store.create_session("tr") for _ in range(4)]
    for session in sessions[:3]:
        codes.issue(session.id)
    assert not codes.has_room()
    with pytest.raises(TooManyCodesError):
        codes.issue(sessions[3].id)
    codes.issue(sessions[0].id)  # a session's new code replaces its own: still allowed
    assert store.active_codes() == 3


def test_the_key_file_is_private_and_reused(tmp_path: Path) -> None:
    path = tmp_path / "k"
    assert load_key(path) == load_key(path)
    assert path.stat().st_mode & 0o077 == 0
