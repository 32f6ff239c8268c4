"""What is known about the PIN and PUK retry counters, and from where.

Two sources, combined: the PKCS#11 token flags (every module, but coarse: "final try",
"locked", "count low") and the exact counter read with VERIFY-without-data (only where
the card profile says that is harmless). The guard decides on the combination; the
conversation shows it.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

# CK_TOKEN_INFO.flags bits (PKCS#11 v2.40 §3.2); kept here so this module needs no pkcs11.
CKF_LOGIN_REQUIRED = 0x00000004
CKF_USER_PIN_INITIALIZED = 0x00000008
CKF_PROTECTED_AUTHENTICATION_PATH = 0x00000100
CKF_USER_PIN_COUNT_LOW = 0x00010000
CKF_USER_PIN_FINAL_TRY = 0x00020000
CKF_USER_PIN_LOCKED = 0x00040000
CKF_USER_PIN_TO_BE_CHANGED = 0x00080000
CKF_SO_PIN_COUNT_LOW = 0x00100000
CKF_SO_PIN_FINAL_TRY = 0x00200000
CKF_SO_PIN_LOCKED = 0x00400000
CKF_SO_PIN_TO_BE_CHANGED = 0x00800000


class RetrySource(enum.StrEnum):
    FLAGS = "flags"
    VERIFY = "verify"
    """Exact count from VERIFY-without-data (63 Cx / 69 83)."""


@dataclass(frozen=True)
class RetryState:
    locked: bool
    final_try: bool
    count_low: bool
    to_be_changed: bool
    tries_left: int | None
    """Exact count when read from the card; None when only the flags are known."""
    source: RetrySource

    @property
    def last_try(self) -> bool:
        """The next wrong entry locks: the guard needs explicit consent for it."""
        return not self.locked and (self.final_try or self.tries_left == 1)

    @classmethod
    def user_pin_from_flags(cls, flags: int) -> RetryState:
        return cls(
            locked=bool(flags & CKF_USER_PIN_LOCKED),
            final_try=bool(flags & CKF_USER_PIN_FINAL_TRY),
            count_low=bool(flags & CKF_USER_PIN_COUNT_LOW),
            to_be_changed=bool(flags & CKF_USER_PIN_TO_BE_CHANGED),
            tries_left=0 if flags & CKF_USER_PIN_LOCKED else None,
            source=RetrySource.FLAGS,
        )

    @classmethod
    def so_pin_from_flags(cls, flags: int) -> RetryState:
        """PUK state: PKCS#11 calls it the SO PIN for the modules we meet."""
        return cls(
            locked=bool(flags & CKF_SO_PIN_LOCKED),
            final_try=bool(flags & CKF_SO_PIN_FINAL_TRY),
            count_low=bool(flags & CKF_SO_PIN_COUNT_LOW),
            to_be_changed=bool(flags & CKF_SO_PIN_TO_BE_CHANGED),
            tries_left=0 if flags & CKF_SO_PIN_LOCKED else None,
            source=RetrySource.FLAGS,
        )

    def with_exact(self, tries_left: int) -> RetryState:
        """Fold in the exact counter; the card's answer wins over the module's flags."""
        return RetryState(
            locked=tries_left == 0,
            final_try=tries_left == 1,
            count_low=self.count_low,
            to_be_changed=self.to_be_changed,
            tries_left=tries_left,
            source=RetrySource.VERIFY,
        )
