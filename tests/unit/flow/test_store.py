"""A session killed with SIGKILL mid-flow resumes at the same step; no secret hits the disk."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from assistant.flow.loader import load_all
from assistant.flow.store import DB_NAME, MIGRATIONS, SessionStore, migrate
from tests.fixtures.flows.actions import Recorder, build_registry, default_answer
from tests.unit.flow.conftest import FIXTURES

REPO = Path(__file__).parents[3]
CANARY = "739164"

CHILD = textwrap.dedent(
    f"""
    import sys, time
    from pathlib import Path
    from assistant.flow.loader import load_all
    from assistant.flow.session import Session
    from assistant.flow.store import SessionStore
    from tests.fixtures.flows.actions import Recorder, build_registry, default_answer

    flows, _ = load_all([Path({str(FIXTURES)!r})])
    store = SessionStore()
    session = Session(flows, build_registry(Recorder(default_answer)), "pin_change",
                      session_id="kill-me")
    session.start()
    store.save(session)
    for reply in ("{CANARY}", "{CANARY[::-1]}", "{CANARY[::-1]}"):
        session.handle(reply)
        store.save(session)
    print(session.step_id, flush=True)
    time.sleep(60)  # killed here, with secrets in memory and the database open
    """
)


def _all_bytes(home: Path) -> bytes:
    return b"".join(p.read_bytes() for p in home.rglob("*") if p.is_file())


@pytest.mark.timeout(60)
def test_session_resumes_after_sigkill_and_no_secret_reaches_the_disk(tmp_path: Path) -> None:
    env = {**os.environ, "NES_ASISTAN_HOME": str(tmp_path)}
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD], cwd=REPO, env=env, stdout=subprocess.PIPE, text=True
    )
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "confirm_change"
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    assert child.returncode == -signal.SIGKILL

    files = _all_bytes(tmp_path)
    assert files, "the session was saved"
    for canary in (CANARY, CANARY[::-1]):
        assert canary.encode() not in files
        assert canary.encode("utf-16-le") not in files

    flows, _ = load_all([FIXTURES])
    recorder = Recorder(default_answer)
    store = SessionStore(tmp_path / "data" / DB_NAME)
    assert store.open_sessions() == ["kill-me"]
    session = store.load("kill-me", flows, build_registry(recorder))
    assert session is not None
    assert (session.flow.name, session.step_id) == ("pin_change", "confirm_change")
    assert session.context["card"]["serial"] == "2201 3344"
    assert session.resume()[-1].message_id == "pin_change.confirm_change"
    # The PINs died with the process: confirming leads back to asking, not to the card.
    assert session.handle("3344")[-1].message_id == "pin_change.ask_old_pin"
    assert recorder.calls == []
    store.save(session)
    assert [e.text for e in store.transcript("kill-me") if e.kind == "secret"] == ["••••••"] * 3
    store.close()


def test_schema_is_versioned_and_newer_databases_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite3"
    SessionStore(path).close()
    db = sqlite3.connect(path, isolation_level=None)
    assert db.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    assert migrate(db) == len(MIGRATIONS)  # idempotent
    db.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    db.close()
    with pytest.raises(RuntimeError, match="newer than this program"):
        SessionStore(path)


def test_a_database_from_before_masking_loses_its_clear_tckns_for_good(tmp_path: Path) -> None:
    """Saved by the previous release: the TC Kimlik No was kept as typed. After the
    upgrade it is masked in every row, and no page of the files holds it any more."""
    path = tmp_path / "old.sqlite3"
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    first = MIGRATIONS[0]
    assert isinstance(first, str)
    db.executescript(first + "PRAGMA user_version = 1;")
    state = json.dumps({"context": {"tckn": "10000000146"}})
    db.execute("INSERT INTO sessions (id, root, state) VALUES ('old', 'main', ?)", (state,))
    db.execute(
        "INSERT INTO transcript VALUES ('old', 0, 'user', 'text', '', 'Numaram 10000000146')"
    )
    db.close()
    SessionStore(path).close()
    on_disk = b"".join(p.read_bytes() for p in tmp_path.glob("old.sqlite3*"))
    assert b"10000000146" not in on_disk
    assert b"100******46" in on_disk


def test_a_session_driven_by_one_process_is_not_claimed_by_another(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite3"
    store = SessionStore(path)
    assert store.claim("s1") and store.claim("s1")  # ours, and still ours
    probe = (
        "import sys; from pathlib import Path; from assistant.flow.store import SessionStore;"
        f"s = SessionStore(Path({str(path)!r})); sys.exit(0 if s.claim(sys.argv[1]) else 3)"
    )
    other = [sys.executable, "-c", probe]
    assert subprocess.run([*other, "s1"], check=False).returncode == 3
    assert subprocess.run([*other, "s2"], check=False).returncode == 0
    store.release("s1")
    assert subprocess.run([*other, "s1"], check=False).returncode == 0
    store.close()
