"""Pairing codes: how an operator finds the one person who asked for help, and nobody else.

A code is 6 characters from a 32-letter alphabet without look-alikes (no I/1, O/0), read
out over the phone or typed from a screenshot: 32**6 ≈ 1.07e9 codes. It is valid for 10
minutes and once. The database keeps only HMAC-SHA256(code) under a key kept in a
separate file, so a copied database alone does not let anyone try codes offline.

Guessing is limited where it cannot be reset by a restart (the store): each operator may
get 5 codes wrong per 10 minutes; all operators together 30 per 10 minutes and 100 per
day; and at most MAX_ACTIVE_CODES (200) codes are valid at once. An attacker who has even
taken over allow-listed accounts thus succeeds with probability at most
100 × 200 / 32**6 ≈ 1.9e-5 per day, under 1 % in a year of guessing at the limit
(`guess_success_bound`), while the wrong codes show in the log.
"""

from __future__ import annotations

import enum
import hashlib
import hmac
import os
import secrets
from pathlib import Path

from assistant.helpdesk.store import HelpdeskStore

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 6
CODE_SPACE = len(ALPHABET) ** CODE_LENGTH
CODE_LIFETIME = 10 * 60.0
WINDOW = 10 * 60.0
DAY = 24 * 60 * 60.0
OPERATOR_FAILURES = 5  # per WINDOW, per operator
GLOBAL_FAILURES = 30  # per WINDOW, all operators
DAILY_FAILURES = 100  # per DAY, all operators
MAX_ACTIVE_CODES = 200
KEY_BYTES = 32


class JoinOutcome(enum.StrEnum):
    JOINED = "joined"
    WRONG = "wrong"  # unknown, expired, used, or the session is gone
    LIMITED = "limited"  # too many wrong codes lately: not even checked


class TooManyCodesError(RuntimeError):
    """More codes would be valid at once than the guessing bound assumes."""


def guess_success_bound(
    guesses: int = DAILY_FAILURES, active_codes: int = MAX_ACTIVE_CODES
) -> float:
    """Chance that `guesses` distinct random guesses hit any of `active_codes` codes."""
    miss = 1.0
    for guess in range(guesses):
        miss *= 1 - active_codes / (CODE_SPACE - guess)
    return 1 - miss


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


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
    def __init__(self, store: HelpdeskStore, key: bytes) -> None:
        self._store = store
        self._key = key

    def _hash(self, code: str) -> bytes:
        return hmac.new(self._key, code.encode("ascii", "replace"), hashlib.sha256).digest()

    def issue(self, session_id: str) -> str:
        """A fresh code for the session (any earlier code of it stays valid until used)."""
        self._store.prune_codes()
        if self._store.active_codes() >= MAX_ACTIVE_CODES:
            raise TooManyCodesError("too many pairing codes are valid at once")
        code = new_code()
        self._store.add_code(self._hash(code), session_id, CODE_LIFETIME)
        return code

    def redeem(self, typed: str, operator_id: int) -> tuple[JoinOutcome, str | None]:
        """Join `operator_id` to the session behind the code, within the guess limits."""
        scope = f"operator:{operator_id}"
        if (
            self._store.failures(scope, WINDOW) >= OPERATOR_FAILURES
            or self._store.failures("all", WINDOW) >= GLOBAL_FAILURES
            or self._store.failures("all", DAY) >= DAILY_FAILURES
        ):
            return JoinOutcome.LIMITED, None
        session_id = self._store.take_code(self._hash(normalise(typed)))
        if session_id is None or not self._store.join(session_id, operator_id):
            self._store.record_failure(scope, keep=DAY)
            self._store.record_failure("all", keep=DAY)
            return JoinOutcome.WRONG, None
        return JoinOutcome.JOINED, session_id
