"""The last line of defence: what leaves for a remote party (relay, Telegram) is masked here.

Secret steps never put a value in the transcript, but people type PINs where they should
not ("PIN'im 918273 ama olmuyor"), read an SMS code out to the operator or paste their
security word. Everything sent to a remote party therefore passes `Redactor`, which masks:

- TC Kimlik No shapes (11 digits, first not 0) as `123******50` (`assistant.pki.tckn`),
  valid checksum or not: a mistyped number is still somebody's number;
- every other run of 4 or more digits, also when typed in groups ("918 273", "918.273"),
  because any of them could be a PIN, PUK or SMS Onay Kodu; only dates and times keep
  their digits (`12.03.2025`, `2025-03-12`, `14:30`), since a PIN is not typed that way
  and an operator needs them; a bare year ("2025") is masked like any 4-digit PIN;
- any value this session marked secret (`mark`), wherever it appears, case- and
  Turkish-letter-insensitively. The redactor never keeps such a value: it keeps an HMAC
  of it under a key that lives only in this process, and compares HMACs of windows of the
  text, so even a memory dump of the redactor does not hold the security word.
Over-masking (a phone number, a version "2024") is the accepted price of never leaking.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

from assistant.i18n.matching import ascii_fold
from assistant.pki.tckn import mask_tckn
from assistant.secret import Secret

DOT = "•"
MIN_MARKED_CHARS = 3  # shorter values would mask half of every sentence
_DATE_OR_TIME = re.compile(
    r"(?<![\d.:/-])(?:"
    r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2})?(?:Z|[+-]\d{2}:?\d{2})?)?"  # ISO
    r"|\d{1,2}[./]\d{1,2}[./]\d{4}(?: \d{1,2}:\d{2}(?::\d{2})?)?"  # 12.03.2025 [14:30]
    r"|\d{1,2}:\d{2}(?::\d{2})?"  # 14:30[:05]
    r")(?![\d.:/-]?\d)"
)
# Digits, possibly in groups joined by one space, hyphen, dot, slash or underscore
# ("918 273", "918.273", "0532-123-45-67"); a version number "0.25.1" is masked too.
_DIGIT_GROUPS = re.compile(r"\d+(?:[ ._/-]\d+)*")
_TCKN_SHAPE = re.compile(r"[1-9]\d{10}")


def _fold_char(char: str) -> str:
    """One character folded like `ascii_fold`, but always to exactly one character, so
    positions in the folded text are positions in the original."""
    folded = ascii_fold(char) if char.strip() else char
    return folded if len(folded) == 1 else char


def _fold(text: str) -> str:
    return "".join(_fold_char(c) for c in text)


class Redactor:
    """Masks TC Kimlik No, PIN-like numbers and marked secrets in outgoing text."""

    def __init__(self) -> None:
        self._key = secrets.token_bytes(32)
        self._marked: dict[int, set[bytes]] = {}  # folded length -> HMACs of marked values

    def mark(self, secret: Secret) -> None:
        """Remember (as an HMAC only) a value the person typed as a secret."""
        value = _fold(secret.reveal().strip())
        if len(value) >= MIN_MARKED_CHARS:
            self._marked.setdefault(len(value), set()).add(self._digest(value))

    def _digest(self, value: str) -> bytes:
        return hmac.new(self._key, value.encode("utf-8"), hashlib.sha256).digest()

    def __call__(self, text: str) -> str:
        return self._mask_numbers(self._mask_marked(text))

    def _mask_marked(self, text: str) -> str:
        if not self._marked:
            return text
        folded = _fold(text)
        hidden = bytearray(len(text))
        for length, digests in self._marked.items():
            for start in range(len(folded) - length + 1):
                if self._digest(folded[start : start + length]) in digests:
                    hidden[start : start + length] = b"\x01" * length
        if not any(hidden):
            return text
        return "".join(DOT if hide else char for char, hide in zip(text, hidden, strict=True))

    def _mask_numbers(self, text: str) -> str:
        """Digit groups masked; dates and times are barriers a group never crosses."""
        out: list[str] = []
        position = 0
        for kept in _DATE_OR_TIME.finditer(text):
            out.append(_DIGIT_GROUPS.sub(_mask_group, text[position : kept.start()]))
            out.append(kept[0])
            position = kept.end()
        out.append(_DIGIT_GROUPS.sub(_mask_group, text[position:]))
        return "".join(out)


def _mask_group(match: re.Match[str]) -> str:
    group = match[0]
    digits = "".join(c for c in group if c.isdigit())
    if len(digits) < 4:
        return group
    if _TCKN_SHAPE.fullmatch(digits):
        return mask_tckn(digits)
    return "".join(DOT if c.isdigit() else c for c in group)


def redact(text: str) -> str:
    """Redaction without marked secrets (for texts no local session stands behind)."""
    return _DEFAULT(text)


_DEFAULT = Redactor()
