"""Pairing codes: how an operator finds the one person who asked for help, and nobody else.

A code is read out over the phone or typed from a screenshot, so it is short and drawn
from a 32-letter alphabet without look-alikes (no I/1, O/0). It is valid for 10 minutes
and once, and a session holds one valid code at a time (asking for a new one revokes the
old). The database keeps only HMAC-SHA256(code) under a key kept in a separate file, so
a copied database alone does not let anyone try codes offline.

How many sessions may wait for an operator at once is a setting (`max_waiting`, default
200), and it sets the code length: valid codes ≤ waiting sessions, so the chance that a
guess hits one is max_waiting / 32**length. Wrong guesses are budgeted per operator (5
per 10 minutes, 20 per day), in the store so a restart does not reset them; one
operator's budget never locks out another. An attacker who has taken over one
allow-listed account thus succeeds with probability at most 20 × 200 / 32**6 ≈ 3.7e-6
per day (0.14 % in a year of guessing at the limit; k accounts: k times that), and
`code_length` makes codes longer for a larger helpdesk to keep it under DAILY_BOUND.
A right code typed while its operator is over budget is refused too: checking it would
turn the budget into an oracle.
"""

from __future__ import annotations

import enum
import hashlib
import hmac
import os
import secrets
from pathlib import Path

from assistant.helpdesk_server.store import HelpdeskStore

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 6  # the shortest code, enough for up to MAX_WAITING waiting sessions
CODE_LIFETIME = 10 * 60.0
WINDOW = 10 * 60.0
DAY = 24 * 60 * 60.0
OPERATOR_FAILURES = 5  # per WINDOW, per operator
OPERATOR_DAILY_FAILURES = 20  # per DAY, per operator
MAX_WAITING = 200  # default `max_waiting`: sessions waiting for an operator at once
MAX_CODE_LENGTH = 12
KEY_BYTES = 32


class JoinOutcome(enum.StrEnum):
    JOINED = "joined"
    WRONG = "wrong"  # unknown, expired, used, or the session is gone
    LIMITED = "limited"  # too many wrong codes lately: not even checked


class TooManyCodesError(RuntimeError):
    """More codes would be valid at once than the guessing bound assumes."""


def guess_success_bound(
    guesses: int = OPERATOR_DAILY_FAILURES,
    active_codes: int = MAX_WAITING,
    length: int = CODE_LENGTH,
) -> float:
    """Chance that `guesses` distinct random guesses hit any of `active_codes` codes."""
    space = len(ALPHABET) ** length
    miss = 1.0
    for guess in range(guesses):
        miss *= 1 - active_codes / (space - guess)
    return 1 - miss


DAILY_BOUND = 1e-5
"""The most one operator account's daily chance of a hit may be (0.36 % a year); the
default (200 waiting, 6 characters) gives 3.7e-6, and `code_length` keeps any setting
within it: 6 characters up to 536 waiting sessions, 7 up to 17,179, 8 up to 549,758."""


def code_length(max_waiting: int) -> int:
    """The shortest code (at least CODE_LENGTH characters) that keeps one account's daily
    chance of a hit at or below DAILY_BOUND with `max_waiting` sessions waiting at once."""
    length = CODE_LENGTH
    while (
        length < MAX_CODE_LENGTH
        and guess_success_bound(active_codes=max_waiting, length=length) > DAILY_BOUND
    ):
        length += 1
    return length


def new_code(length: int = CODE_LENGTH) -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


def normalise(typed: str) -> str:
    """What an operator typed, as a code: case, spaces and hyphens do not matter."""
    return "".join(c for c in typed.upper() if c not in " -")


def load_key(path: Path) -> bytes:
    """The HMAC key for codes, created (readable by the owner only) on first use."""
    if not path.exists():
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(secrets.token_bytes(KEY_BYTES))
    key = path.read_bytes()
    if len(key) != KEY_BYTES:
        raise ValueError(f"{path}: not a pairing key")
    return key


class Pairing:
    def __init__(self, store: HelpdeskStore, key: bytes, max_waiting: int = MAX_WAITING) -> None:
        if max_waiting < 1:
            raise ValueError("max_waiting must be at least 1")
        self._store = store
        self._key = key
        self.max_waiting = max_waiting
        self.length = code_length(max_waiting)

    def _hash(self, code: str) -> bytes:
        return hmac.new(self._key, code.encode("ascii", "replace"), hashlib.sha256).digest()

    def has_room(self) -> bool:
        """Whether one more session may wait for an operator (checked before it exists)."""
        self._store.prune_codes()
        return (
            self._store.waiting_sessions() < self.max_waiting
            and self._store.active_codes() < self.max_waiting
        )

    def issue(self, session_id: str) -> str:
        """A fresh code for the session; its earlier code, if still valid, is revoked."""
        self._store.prune_codes()
        code = new_code(self.length)
        if not self._store.replace_code(
            self._hash(code), session_id, CODE_LIFETIME, self.max_waiting
        ):
            raise TooManyCodesError("too many pairing codes are valid at once")
        return code

    def redeem(self, typed: str, operator_id: int) -> tuple[JoinOutcome, str | None]:
        """Join `operator_id` to the session behind the code, within their guess budget."""
        scope = f"operator:{operator_id}"
        if (
            self._store.failures(scope, WINDOW) >= OPERATOR_FAILURES
            or self._store.failures(scope, DAY) >= OPERATOR_DAILY_FAILURES
        ):
            return JoinOutcome.LIMITED, None
        session_id = self._store.take_code(self._hash(normalise(typed)))
        if session_id is None or not self._store.join(session_id, operator_id):
            self._store.record_failure(scope, keep=DAY)
            return JoinOutcome.WRONG, None
        return JoinOutcome.JOINED, session_id
