"""The SQLite store: schema versions, sessions that survive a reopen, idle timeout."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from assistant.helpdesk_server.store import (
    SCHEMA_VERSION,
    HelpdeskStore,
    StoreVersionError,
    migrate,
)
from tests.unit.helpdesk.conftest import FakeClock


def test_a_new_database_gets_the_current_schema_and_a_reopen_keeps_the_data(
    tmp_path: Path, clock: FakeClock
) -> None:
    path = tmp_path / "h.db"
    first = HelpdeskStore(path, clock=clock)
    first.set_operators({42: "Ayşe (BİDB)"})
    session = first.create_session("tr")
    assert first.join(session.id, 42)
    first.close()

    again = HelpdeskStore(path, clock=clock)
    assert again.operator_name(42) == "Ayşe (BİDB)"
    assert again.joined_session(42) == session.id
    again.close()
    with sqlite3.connect(path) as raw:
        assert raw.execute("PRAGMA user_version").fetchone() == (SCHEMA_VERSION,)


def test_migrate_reports_the_version_it_found_and_is_idempotent(tmp_path: Path) -> None:
    with sqlite3.connect(tmp_path / "m.db", isolation_level=None) as raw:
        assert migrate(raw) == 0
        assert migrate(raw) == SCHEMA_VERSION
        tables = {r[0] for r in raw.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"support_sessions", "pairing_codes", "operators", "join_failures"} <= tables


def test_a_database_from_a_newer_server_is_refused_not_misread(tmp_path: Path) -> None:
    path = tmp_path / "future.db"
    with sqlite3.connect(path) as raw:
        raw.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(StoreVersionError):
        HelpdeskStore(path)


def test_idle_sessions_are_found_and_ended_ones_are_not(
    store: HelpdeskStore, clock: FakeClock
) -> None:
    idle = store.create_session("tr")
    busy = store.create_session("en")
    clock.advance(20 * 60)
    store.touch(busy.id)
    clock.advance(15 * 60)
    assert store.idle_sessions(30 * 60) == [idle.id]
    assert store.end_session(idle.id, "timeout")
    assert not store.end_session(idle.id, "timeout")  # ending twice changes nothing
    assert store.idle_sessions(30 * 60) == []
    ended = store.session(idle.id)
    assert ended is not None and ended.state == "ended" and ended.ended_reason == "timeout"


def test_one_operator_per_session(store: HelpdeskStore) -> None:
    session = store.create_session("tr")
    assert store.join(session.id, 1)
    assert not store.join(session.id, 2)
    assert store.leave(1) == session.id
    assert store.joined_session(1) is None
    assert store.join(session.id, 2)


def test_a_resume_hash_lives_as_long_as_its_session(store: HelpdeskStore, clock: FakeClock) -> None:
    session = store.create_session("tr")
    store.set_resume(session.id, b"h" * 32)
    assert store.resume_hash(session.id) == b"h" * 32
    store.detach(session.id)
    clock.advance(121)
    assert store.idle_sessions(30 * 60, detached_seconds=120) == [session.id]
    store.attach(session.id)  # the agent came back in time after all
    assert store.idle_sessions(30 * 60, detached_seconds=120) == []
    assert store.end_session(session.id, "user_ended")
    assert store.resume_hash(session.id) is None
