"""Conversation state in SQLite, so a session survives the process being killed.

One row per session (the JSON from `Session.to_state()`) and one row per transcript
line, both written in one transaction after every turn. Nothing here ever sees a
secret: the state has none and the transcript holds the mask for secret replies. The
schema is versioned with `PRAGMA user_version`; `MIGRATIONS[n]` takes a database from
version n to n+1, so later releases only append to the list. Card events arrive on the
monitor thread and replies on the channel's, so the one connection is shared across
threads behind a lock.

The store never holds a value it cannot read back: replies are checked before they reach
the engine, and anything that still could not be encoded (a lone surrogate from some
other path) is written with a replacement character instead of failing every later
save. Overwritten rows are zeroed on disk (`secure_delete`); version 2 masks the T.C.
Kimlik Nos that earlier releases saved as typed, then compacts the files so no old page
still holds one; version 3 rewrites saved states in the typed engine's shape. A process
driving a session holds a claim on it (`claim()`: an advisory lock on a small file beside
the database, released when the process ends), so a second process — another terminal
that found no agent to attach to — starts its own conversation instead of answering the
same one.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import sqlite3
import threading
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

from assistant.flow.actions import Registry
from assistant.flow.model import Flow
from assistant.flow.outputs import Translator
from assistant.flow.session import Session, TranscriptEntry
from assistant.i18n.catalog import source_text

DB_NAME = "conversations.sqlite3"

Migration = str | Callable[[sqlite3.Connection], None]  # SQL statements, or a Python step


def _mask_saved_tckns(db: sqlite3.Connection) -> None:
    """Version 2: conversations saved before a T.C. Kimlik No was kept masked get every
    number shaped like one masked, in transcript lines and saved states alike."""
    from assistant.pki.tckn import mask_in_text

    for table, key, column in (("transcript", "rowid", "text"), ("sessions", "id", "state")):
        rows = db.execute(f"SELECT {key}, {column} FROM {table}").fetchall()
        for row_key, text in rows:
            masked = mask_in_text(text)
            if masked != text:
                db.execute(f"UPDATE {table} SET {column} = ? WHERE {key} = ?", (masked, row_key))


def _upgrade_saved_states(db: sqlite3.Connection) -> None:
    """Version 3: saved sessions in the current state shape (frames as objects, typed
    checkpoints; `assistant.flow.state.upgrade`), so every row reads the same way."""
    from assistant.flow.state import upgrade

    for session_id, text in db.execute("SELECT id, state FROM sessions").fetchall():
        try:
            state = json.dumps(upgrade(json.loads(text)), ensure_ascii=False)
        except (ValueError, KeyError, TypeError):
            continue  # not a state any release could resume: left as it is, never loaded
        db.execute("UPDATE sessions SET state = ? WHERE id = ?", (state, session_id))


MIGRATIONS: tuple[Migration, ...] = (
    """
    CREATE TABLE sessions (
        id TEXT PRIMARY KEY,
        root TEXT NOT NULL,
        flow TEXT,
        step TEXT,
        state TEXT NOT NULL,
        ended INTEGER NOT NULL DEFAULT 0,
        updated REAL NOT NULL DEFAULT (julianday('now'))
    );
    CREATE TABLE transcript (
        session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
        seq INTEGER NOT NULL,
        role TEXT NOT NULL,
        kind TEXT NOT NULL,
        message_id TEXT NOT NULL,
        text TEXT NOT NULL,
        PRIMARY KEY (session_id, seq)
    );
    """,
    _mask_saved_tckns,
    _upgrade_saved_states,
)


class SessionStore:
    def __init__(self, path: Path | None = None) -> None:
        if path is None:
            from assistant.paths import data_dir

            path = data_dir() / DB_NAME
        self.path = path
        self._lock = threading.RLock()
        self._db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA foreign_keys=ON")
        self._db.execute("PRAGMA secure_delete=ON")  # what is overwritten is gone from disk
        saved_by = int(self._db.execute("PRAGMA user_version").fetchone()[0])
        latest = migrate(self._db)
        if 0 < saved_by < latest:
            # Rows a migration rewrote may linger in free pages and the WAL: drop them.
            self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            self._db.execute("VACUUM")
        self._saved: dict[str, int] = {}
        self._claims: dict[str, int] = {}  # session id -> the open, locked claim file

    def close(self) -> None:
        with self._lock:
            for session_id in list(self._claims):
                self.release(session_id)
            self._db.close()

    # -- one driver per session --------------------------------------------------------
    def claim(self, session_id: str) -> bool:
        """Whether this process may drive the session (no other process does); once
        claimed, it stays this process's until `release` or the process ends."""
        with self._lock:
            if session_id in self._claims:
                return True
            folder = self.path.parent / f"{self.path.name}.claims"
            folder.mkdir(mode=0o700, exist_ok=True)
            name = hashlib.sha256(session_id.encode("utf-8")).hexdigest()[:32]
            fd = os.open(folder / name, os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                os.close(fd)
                return False
            self._claims[session_id] = fd
            return True

    def release(self, session_id: str) -> None:
        with self._lock:
            fd = self._claims.pop(session_id, None)
            if fd is not None:
                os.close(fd)

    def save(self, session: Session) -> None:
        """Write the session's state and its new transcript lines, atomically."""
        with self._lock:
            self._save(session)

    def _save(self, session: Session) -> None:
        state = session.to_state()
        here = session.frames[-1] if session.frames else None
        flow, step = (here.flow, here.step) if here else (None, None)
        start = self._saved.get(session.id)
        if start is None:
            row = self._db.execute(
                "SELECT COUNT(*) FROM transcript WHERE session_id = ?", (session.id,)
            ).fetchone()
            start = int(row[0])
        new = session.transcript[start:]
        ended = int(session.ended)
        with _transaction(self._db):
            self._db.execute(
                "INSERT INTO sessions (id, root, flow, step, state, ended) "
                "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET flow = excluded.flow, "
                "step = excluded.step, state = excluded.state, ended = excluded.ended, "
                "updated = julianday('now')",
                (
                    session.id,
                    session.root,
                    flow,
                    step,
                    _storable(json.dumps(state, ensure_ascii=False)),
                    ended,
                ),
            )
            self._db.executemany(
                "INSERT INTO transcript VALUES (?, ?, ?, ?, ?, ?)",
                [
                    (session.id, start + i, e.role, e.kind, e.message_id, _storable(e.text))
                    for i, e in enumerate(new)
                ],
            )
        self._saved[session.id] = start + len(new)

    def load(
        self,
        session_id: str,
        flows: Mapping[str, Flow],
        registry: Registry,
        *,
        translator: Translator = source_text,
        card_serial: Callable[[], str | None] = lambda: None,
    ) -> Session | None:
        with self._lock:
            row = self._db.execute(
                "SELECT state FROM sessions WHERE id = ?", (session_id,)
            ).fetchone()
        if row is None:
            return None
        session = Session.from_state(
            json.loads(row[0]), flows, registry, translator=translator, card_serial=card_serial
        )
        session.transcript = self.transcript(session_id)
        self._saved[session_id] = len(session.transcript)
        return session

    def transcript(self, session_id: str) -> list[TranscriptEntry]:
        with self._lock:
            rows = self._db.execute(
                "SELECT role, kind, message_id, text FROM transcript "
                "WHERE session_id = ? ORDER BY seq",
                (session_id,),
            ).fetchall()
        return [TranscriptEntry(*row) for row in rows]

    def open_sessions(self) -> list[str]:
        """Sessions not yet ended, most recent first (what a restarted agent resumes)."""
        with self._lock:
            rows = self._db.execute(
                "SELECT id FROM sessions WHERE ended = 0 ORDER BY updated DESC"
            ).fetchall()
        return [str(r[0]) for r in rows]


def _storable(text: str) -> str:
    """`text` as SQLite can hold and give back: unencodable characters replaced, no NULs."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = text.encode("utf-8", "replace").decode("utf-8")
    return text.replace("\x00", "\ufffd")


def migrate(db: sqlite3.Connection) -> int:
    """Bring the schema to the latest version; returns it. Refuses newer databases."""
    version = int(db.execute("PRAGMA user_version").fetchone()[0])
    if version > len(MIGRATIONS):
        raise RuntimeError(
            f"conversation database is version {version}, newer than this program "
            f"({len(MIGRATIONS)}); update NES Asistanı"
        )
    for number in range(version, len(MIGRATIONS)):
        step = MIGRATIONS[number]
        with _transaction(db):  # each step all or nothing, version bump included
            if callable(step):
                step(db)
            else:
                for statement in step.split(";"):
                    if statement.strip():
                        db.execute(statement)
            db.execute(f"PRAGMA user_version = {number + 1}")
    return len(MIGRATIONS)


@contextlib.contextmanager
def _transaction(db: sqlite3.Connection) -> Iterator[None]:
    db.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")
