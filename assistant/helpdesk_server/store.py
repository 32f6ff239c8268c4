"""The helpdesk server's state in SQLite: support sessions, pairing codes, operators, limits.

Everything a restart must not lose lives here (who is joined to which session, which codes
are still valid, how many /join guesses an operator has left, where a Telegram user was
in a guidance flow), so the bot and the relay hold no state that matters in memory.

What is deliberately *not* here: transcripts, diagnostics and messages. They pass
through the relay to the operator and are gone; the database never holds what a person
typed, so it cannot leak it. Pairing codes are stored only as HMACs (see pairing.py).

The schema is versioned with `PRAGMA user_version`: `MIGRATIONS[i]` takes a database
from version i to i+1, each in one transaction, and a database newer than this code is
refused rather than misread. A larger organisation would put the same tables in a
shared PostgreSQL (README.md); nothing here depends on SQLite beyond the SQL dialect.
"""

from __future__ import annotations

import sqlite3
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

Clock = Callable[[], float]

MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE support_sessions (
        id TEXT PRIMARY KEY,
        language TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('waiting', 'joined', 'ended')),
        operator_id INTEGER,
        created REAL NOT NULL,
        last_active REAL NOT NULL,
        ended_reason TEXT
    );
    CREATE INDEX support_sessions_operator ON support_sessions (operator_id, state);
    CREATE TABLE pairing_codes (
        code_hash BLOB PRIMARY KEY,
        session_id TEXT NOT NULL REFERENCES support_sessions (id),
        expires REAL NOT NULL,
        used INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE operators (
        telegram_id INTEGER PRIMARY KEY,
        name TEXT NOT NULL
    );
    CREATE TABLE join_failures (
        scope TEXT NOT NULL,
        at REAL NOT NULL
    );
    CREATE INDEX join_failures_scope ON join_failures (scope, at);
    CREATE TABLE chats (
        chat_id INTEGER PRIMARY KEY,
        state TEXT NOT NULL,
        updated REAL NOT NULL
    );
    """,
    # 2: resuming a session after a relay restart or a dropped connection. `resume_hash`
    # is SHA-256 of the agent's resume secret (cleared when the session ends); `detached`
    # is when the agent's socket went away (NULL while it is connected).
    """
    ALTER TABLE support_sessions ADD COLUMN resume_hash BLOB;
    ALTER TABLE support_sessions ADD COLUMN detached REAL;
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)


class StoreVersionError(RuntimeError):
    """The database was written by a newer version of the helpdesk server."""


@dataclass(frozen=True, slots=True)
class SupportSession:
    id: str
    language: str
    state: str  # waiting | joined | ended
    operator_id: int | None
    created: float
    last_active: float
    ended_reason: str | None


def migrate(connection: sqlite3.Connection) -> int:
    """Bring the schema to SCHEMA_VERSION; returns the version found before."""
    (found,) = connection.execute("PRAGMA user_version").fetchone()
    if found > SCHEMA_VERSION:
        raise StoreVersionError(f"database schema {found} is newer than {SCHEMA_VERSION}")
    for version in range(found, SCHEMA_VERSION):
        with connection:  # one transaction per step: a failed step leaves the old version
            connection.executescript(
                f"BEGIN; {MIGRATIONS[version]}; PRAGMA user_version = {version + 1}; COMMIT;"
            )
    return int(found)


class HelpdeskStore:
    def __init__(self, path: Path | str, clock: Clock = time.time) -> None:
        self.clock = clock
        self._lock = threading.Lock()
        self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode = WAL")
        self._db.execute("PRAGMA foreign_keys = ON")
        migrate(self._db)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def _run(self, sql: str, params: Iterable[object] = ()) -> sqlite3.Cursor:
        with self._lock:
            return self._db.execute(sql, tuple(params))

    # -- operators ---------------------------------------------------------------------
    def set_operators(self, operators: Mapping[int, str]) -> None:
        """The allow-list from the configuration replaces the stored one."""
        with self._lock, self._db:
            self._db.execute("BEGIN")
            self._db.execute("DELETE FROM operators")
            self._db.executemany(
                "INSERT INTO operators (telegram_id, name) VALUES (?, ?)", operators.items()
            )

    def operator_name(self, telegram_id: int) -> str | None:
        """The operator's display name, or None if the user is not on the allow-list."""
        row = self._run(
            "SELECT name FROM operators WHERE telegram_id = ?", (telegram_id,)
        ).fetchone()
        return None if row is None else str(row[0])

    # -- support sessions --------------------------------------------------------------
    def create_session(self, language: str) -> SupportSession:
        now = self.clock()
        session_id = uuid.uuid4().hex
        self._run(
            "INSERT INTO support_sessions (id, language, state, created, last_active)"
            " VALUES (?, ?, 'waiting', ?, ?)",
            (session_id, language, now, now),
        )
        session = self.session(session_id)
        assert session is not None
        return session

    def session(self, session_id: str) -> SupportSession | None:
        row = self._run(
            "SELECT id, language, state, operator_id, created, last_active, ended_reason"
            " FROM support_sessions WHERE id = ?",
            (session_id,),
        ).fetchone()
        return None if row is None else SupportSession(*row)

    def touch(self, session_id: str) -> None:
        self._run(
            "UPDATE support_sessions SET last_active = ? WHERE id = ? AND state != 'ended'",
            (self.clock(), session_id),
        )

    def join(self, session_id: str, operator_id: int) -> bool:
        """Attach the operator to a waiting session (one operator per session)."""
        cursor = self._run(
            "UPDATE support_sessions SET state = 'joined', operator_id = ?, last_active = ?"
            " WHERE id = ? AND state = 'waiting'",
            (operator_id, self.clock(), session_id),
        )
        return cursor.rowcount == 1

    def leave(self, operator_id: int) -> str | None:
        """Detach the operator; the session waits for a new code. Returns its id."""
        session_id = self.joined_session(operator_id)
        if session_id is not None:
            self._run(
                "UPDATE support_sessions SET state = 'waiting', operator_id = NULL"
                " WHERE id = ? AND state = 'joined'",
                (session_id,),
            )
        return session_id

    def joined_session(self, operator_id: int) -> str | None:
        row = self._run(
            "SELECT id FROM support_sessions WHERE operator_id = ? AND state = 'joined'",
            (operator_id,),
        ).fetchone()
        return None if row is None else str(row[0])

    def end_session(self, session_id: str, reason: str) -> bool:
        cursor = self._run(
            "UPDATE support_sessions SET state = 'ended', ended_reason = ?, resume_hash = NULL"
            " WHERE id = ? AND state != 'ended'",
            (reason, session_id),
        )
        self._run("UPDATE pairing_codes SET used = 1 WHERE session_id = ?", (session_id,))
        return cursor.rowcount == 1

    def discard_session(self, session_id: str) -> None:
        """Forget a session that never reached its agent: its codes and its row."""
        with self._lock, self._db:
            self._db.execute("BEGIN")
            self._db.execute("DELETE FROM pairing_codes WHERE session_id = ?", (session_id,))
            self._db.execute("DELETE FROM support_sessions WHERE id = ?", (session_id,))

    def waiting_sessions(self) -> int:
        """Open sessions no operator has joined (yet, or again after /leave)."""
        (count,) = self._run(
            "SELECT COUNT(*) FROM support_sessions WHERE state = 'waiting'"
        ).fetchone()
        return int(count)

    def idle_sessions(
        self, idle_seconds: float, detached_seconds: float | None = None
    ) -> list[str]:
        """Open sessions without activity for `idle_seconds`, or whose agent has been away
        for more than `detached_seconds` (the caller ends them)."""
        now = self.clock()
        away = now - (detached_seconds if detached_seconds is not None else idle_seconds)
        rows = self._run(
            "SELECT id FROM support_sessions WHERE state != 'ended'"
            " AND (last_active < ? OR detached < ?)",
            (now - idle_seconds, away),
        ).fetchall()
        return [str(r[0]) for r in rows]

    # -- resuming after a restart or a dropped connection ------------------------------
    def set_resume(self, session_id: str, resume_hash: bytes) -> None:
        self._run(
            "UPDATE support_sessions SET resume_hash = ? WHERE id = ? AND state != 'ended'",
            (resume_hash, session_id),
        )

    def resume_hash(self, session_id: str) -> bytes | None:
        """The resume secret's hash of an open session; None once it ended."""
        row = self._run(
            "SELECT resume_hash FROM support_sessions WHERE id = ? AND state != 'ended'",
            (session_id,),
        ).fetchone()
        return None if row is None or row[0] is None else bytes(row[0])

    def detach(self, session_id: str) -> None:
        """The agent's socket went away; the session waits for it to resume."""
        self._run(
            "UPDATE support_sessions SET detached = ? WHERE id = ? AND state != 'ended'",
            (self.clock(), session_id),
        )

    def attach(self, session_id: str) -> None:
        self._run(
            "UPDATE support_sessions SET detached = NULL, last_active = ?"
            " WHERE id = ? AND state != 'ended'",
            (self.clock(), session_id),
        )

    def detach_all(self) -> None:
        """At start nobody is connected yet: every open session waits for its agent."""
        self._run(
            "UPDATE support_sessions SET detached = ? WHERE state != 'ended' AND detached IS NULL",
            (self.clock(),),
        )

    # -- pairing codes -----------------------------------------------------------------
    def replace_code(
        self, code_hash: bytes, session_id: str, lifetime: float, most_valid: int
    ) -> bool:
        """Make `code_hash` the session's one valid code (revoking an earlier one), unless
        that would make more than `most_valid` codes valid at once; whether it did."""
        now = self.clock()
        with self._lock, self._db:
            self._db.execute("BEGIN IMMEDIATE")
            self._db.execute(
                "UPDATE pairing_codes SET used = 1 WHERE session_id = ? AND used = 0",
                (session_id,),
            )
            (valid,) = self._db.execute(
                "SELECT COUNT(*) FROM pairing_codes WHERE used = 0 AND expires > ?", (now,)
            ).fetchone()
            if valid >= most_valid:
                self._db.execute("ROLLBACK")
                return False
            self._db.execute(
                "INSERT INTO pairing_codes (code_hash, session_id, expires) VALUES (?, ?, ?)",
                (code_hash, session_id, now + lifetime),
            )
            return True

    def take_code(self, code_hash: bytes) -> str | None:
        """The session of a valid, unused, unexpired code, which is used up by this call."""
        with self._lock, self._db:
            self._db.execute("BEGIN IMMEDIATE")
            row = self._db.execute(
                "SELECT session_id FROM pairing_codes"
                " WHERE code_hash = ? AND used = 0 AND expires > ?",
                (code_hash, self.clock()),
            ).fetchone()
            if row is None:
                return None
            self._db.execute("UPDATE pairing_codes SET used = 1 WHERE code_hash = ?", (code_hash,))
            return str(row[0])

    def active_codes(self) -> int:
        (count,) = self._run(
            "SELECT COUNT(*) FROM pairing_codes WHERE used = 0 AND expires > ?",
            (self.clock(),),
        ).fetchone()
        return int(count)

    def prune_codes(self) -> None:
        """Forget used and expired codes (their hashes are of no further use)."""
        self._run("DELETE FROM pairing_codes WHERE used = 1 OR expires <= ?", (self.clock(),))

    # -- /join guess limits --------------------------------------------------------------
    def record_failure(self, scope: str, keep: float) -> None:
        """Count a wrong code; failures older than `keep` (the longest window) go."""
        now = self.clock()
        self._run("DELETE FROM join_failures WHERE at <= ?", (now - keep,))
        self._run("INSERT INTO join_failures (scope, at) VALUES (?, ?)", (scope, now))

    def failures(self, scope: str, window: float) -> int:
        now = self.clock()
        (count,) = self._run(
            "SELECT COUNT(*) FROM join_failures WHERE scope = ? AND at > ?",
            (scope, now - window),
        ).fetchone()
        return int(count)

    # -- Telegram guidance conversations ---------------------------------------------------
    def save_chat(self, chat_id: int, state: str) -> None:
        self._run(
            "INSERT INTO chats (chat_id, state, updated) VALUES (?, ?, ?)"
            " ON CONFLICT (chat_id) DO UPDATE SET state = excluded.state,"
            " updated = excluded.updated",
            (chat_id, state, self.clock()),
        )

    def load_chat(self, chat_id: int) -> str | None:
        row = self._run("SELECT state FROM chats WHERE chat_id = ?", (chat_id,)).fetchone()
        return None if row is None else str(row[0])

    def forget_chat(self, chat_id: int) -> None:
        self._run("DELETE FROM chats WHERE chat_id = ?", (chat_id,))
