"""The one wrapper every secret (PIN, PUK, SMS Onay Kodu, Güvenlik Sözcüğü) travels in.

Secrets must never reach a file, a log, a transcript or a remote channel. Making the
value hard to leak by accident is the wrapper's whole job: it prints as a mask, refuses
to be pickled or formatted into a string, and keeps its bytes in a mutable buffer that
`wipe()` overwrites. Python may still hold transient copies (the `str` handed to a
PKCS#11 module, for instance); wiping narrows the window, it cannot close it.
"""

from __future__ import annotations

import enum
import hmac
from types import TracebackType
from typing import NoReturn, Self

MASK = "••••••"


class SecretKind(enum.StrEnum):
    PIN = "pin"
    PUK = "puk"
    SMS_CODE = "sms_code"
    SECURITY_WORD = "security_word"


class SecretWipedError(RuntimeError):
    """Raised when a wiped secret is used: a programming error, never a user error."""


class Secret:
    __slots__ = ("_buf", "_wiped", "kind")

    def __init__(self, value: str, kind: SecretKind) -> None:
        self.kind = kind
        self._buf = bytearray(value.encode("utf-8"))
        self._wiped = False

    def reveal(self) -> str:
        """The clear value, for the one call that needs it (card or portal). Do not keep it."""
        if self._wiped:
            raise SecretWipedError(f"{self.kind} secret already wiped")
        return self._buf.decode("utf-8")

    def reveal_bytes(self) -> bytes:
        if self._wiped:
            raise SecretWipedError(f"{self.kind} secret already wiped")
        return bytes(self._buf)

    def wipe(self) -> None:
        for i in range(len(self._buf)):
            self._buf[i] = 0
        self._buf = bytearray()
        self._wiped = True

    @property
    def wiped(self) -> bool:
        return self._wiped

    def __len__(self) -> int:
        return len(self._buf)

    def matches(self, other: Secret) -> bool:
        """Constant-time comparison, e.g. for "type the new PIN twice"."""
        return hmac.compare_digest(self.reveal_bytes(), other.reveal_bytes())

    def __repr__(self) -> str:
        return f"Secret({self.kind.value}, {MASK})"

    __str__ = __repr__

    def __format__(self, spec: str) -> str:
        return MASK

    def __eq__(self, other: object) -> bool:
        # Equality by identity only: `==` on secrets invites timing leaks; use matches().
        return self is other

    __hash__ = object.__hash__

    def __reduce__(self) -> NoReturn:
        raise TypeError("secrets cannot be pickled or persisted")

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.wipe()
