"""What a person typed, judged once: readable or not, a number or not, a secret or not.

The engine interprets a reply only after it knows what the current step asks for, and it
uses these helpers for it, so there is one rule for each question:

- `problem()`: text the assistant must refuse before anything touches it (lone surrogates,
  which a web client can send as the JSON escape "\\ud800"; NULs and other control
  characters; lines far longer than any answer). Such text cannot be stored, logged or
  sent to a portal, so it never gets that far.
- `parse_number()`: the whole numbers a person means — ASCII digits and the Arabic-Indic
  ones an Arabic keyboard types — and nothing that merely passes `str.isdigit()` (the
  superscript in "84639²" is not a digit anyone means), with a bounded length.
- `digit_run()` / `tckn_shaped()` / `SeenSecrets`: what looks like a PIN, PUK, SMS Onay
  Kodu, security word or T.C. Kimlik No, so a reply typed at the wrong prompt is masked
  instead of kept.
- `handling()` / `in_flight()`: the replies being handled right now, so a log line written
  meanwhile (an exception message quoting the reply, say) can be scrubbed of them.
"""

from __future__ import annotations

import enum
import hashlib
import hmac
import re
import secrets
import threading
import unicodedata
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager

from assistant.i18n.matching import ascii_fold
from assistant.secret import Secret

MAX_REPLY_CHARS = 4096  # one line of text; nothing a person answers is longer
MAX_NUMBER_DIGITS = 12
# Digit runs that look like a PIN (Kamu SM: 6; PKCS#11 tokens up to 8), a PUK (8) or an
# SMS Onay Kodu (6). A mobile number (10-11 digits), a postcode (5) or a list number is
# not one; a T.C. Kimlik No (11) has its own rule.
SECRET_DIGITS = range(6, 9)
# Once the person was told to type a PIN or code somewhere else (the CA's site), shorter
# codes count too: the SMS validator allows 4 digits.
SECRET_DIGITS_ELSEWHERE = range(4, 9)
MIN_REMEMBERED_CHARS = 3
MAX_SECRET_WORDS = 4  # a security word may be a few words ("zümrüt kartal")

_ARABIC_INDIC = "٠١٢٣٤٥٦٧٨٩"  # U+0660..0669, Arabic keyboards
_EXTENDED_ARABIC_INDIC = "۰۱۲۳۴۵۶۷۸۹"  # U+06F0..06F9, Persian/Urdu layouts
_MEANT_DIGITS = frozenset("0123456789" + _ARABIC_INDIC + _EXTENDED_ARABIC_INDIC)
_TO_ASCII_DIGITS = str.maketrans(_ARABIC_INDIC + _EXTENDED_ARABIC_INDIC, "0123456789" * 2)
_NUMBER = re.compile(r"-?[0-9]+")
_SEPARATORS = re.compile(r"(?<=\S)[ .\-_/](?=\S)")  # between digit groups: "918 273"
_ALLOWED_CONTROLS = frozenset("\t")


class ReplyProblem(enum.StrEnum):
    """Why a reply was refused before reading it (the engine's message ids)."""

    UNREADABLE = "engine.unreadable"
    TOO_LONG = "engine.too_long"


def problem(text: str) -> ReplyProblem | None:
    """None for text the engine may read; else the id of the message that says why not."""
    if len(text) > MAX_REPLY_CHARS:
        return ReplyProblem.TOO_LONG
    for char in text:
        category = unicodedata.category(char)
        if category == "Cs" or (category == "Cc" and char not in _ALLOWED_CONTROLS):
            return ReplyProblem.UNREADABLE
    return None


def with_ascii_digits(text: str) -> str:
    """`text` with every Arabic-Indic digit written as its ASCII digit."""
    return text.translate(_TO_ASCII_DIGITS)


def ascii_digits(text: str) -> str | None:
    """`text` with Arabic-Indic digits as ASCII, when it is made of such digits only."""
    if not text or any(c not in _MEANT_DIGITS for c in text):
        return None
    return text.translate(_TO_ASCII_DIGITS)


def parse_number(text: str) -> int | None:
    """The whole number a person typed, or None.

    ASCII and Arabic-Indic digits ("١٢" is 12), an optional minus, spaces between digit
    groups ("1 000") and a trailing "." or ")" as in a numbered list ("2.", "2)"); at most
    `MAX_NUMBER_DIGITS` digits, so a 5,000-digit reply is simply not a number.
    """
    value = "".join(text.split()).rstrip(".)").translate(_TO_ASCII_DIGITS)
    if not _NUMBER.fullmatch(value) or len(value.lstrip("-")) > MAX_NUMBER_DIGITS:
        return None
    return int(value)


def choice_number(text: str, count: int) -> int | None:
    """The 1-based position a reply names among `count` numbered options, or None."""
    number = parse_number(text)
    return number if number is not None and 1 <= number <= count else None


def _digits_of(text: str) -> str | None:
    """The digits of a reply made of digit-like characters in any script, superscripts
    included (people slip: AltGr+2 gives "²"), with single separators between groups."""
    joined = _SEPARATORS.sub("", text.strip())
    if not joined or any(unicodedata.digit(c, None) is None for c in joined):
        return None
    return joined


def digit_run(text: str, lengths: range = SECRET_DIGITS) -> bool:
    """Whether the whole reply, or one word of it, is a run of digits of such a length."""
    candidates = [text, *text.split()]
    return any(
        (digits := _digits_of(c.strip(".,;:!?()\"'"))) is not None and len(digits) in lengths
        for c in candidates
    )


def tckn_shaped(text: str) -> bool:
    """Whether the whole reply is 11 digits not starting with 0 (valid checksum or not)."""
    digits = _digits_of(text)
    if digits is None or len(digits) != 11:
        return False
    return digits.translate(_TO_ASCII_DIGITS)[0] != "0"


def _normal(value: str) -> str:
    """Loose on purpose: to recognise a secret (and mask it) "KIRMIZIELMA" and
    "kirmizielma" are "kırmızıelma"; comparing one for real is exact (`Secret.matches`)."""
    return ascii_fold(value)


class SeenSecrets:
    """The secrets typed in one conversation, remembered as keyed hashes only.

    A PIN or security word typed at its own prompt and later again at another one (in a
    sentence for the operator, say) must be recognised without being kept: only an HMAC
    under a key that lives in this object is stored, never the value.
    """

    def __init__(self) -> None:
        self._key = secrets.token_bytes(32)
        self._digests: set[bytes] = set()

    def remember(self, secret: Secret) -> None:
        value = _normal(" ".join(secret.reveal().split()))
        if len(value) >= MIN_REMEMBERED_CHARS:
            self._digests.add(self._digest(value))

    def forget(self) -> None:
        self._digests.clear()

    def seen_in(self, text: str) -> bool:
        """Whether the reply, or a run of its words ("sözcüğüm zümrüt kartal idi"), is a
        secret typed in this conversation."""
        if not self._digests:
            return False
        words = text.split()
        candidates = {_normal(text)}
        for size in range(1, min(len(words), MAX_SECRET_WORDS) + 1):
            for start in range(len(words) - size + 1):
                candidates.add(_normal(" ".join(words[start : start + size])))
        return any(self._digest(c) in self._digests for c in candidates if c)

    def _digest(self, value: str) -> bytes:
        return hmac.new(self._key, value.encode("utf-8"), hashlib.sha256).digest()


_in_flight: Counter[str] = Counter()
_in_flight_lock = threading.Lock()


@contextmanager
def handling(text: str) -> Iterator[None]:
    """Mark `text` as being handled while the block runs (for scrubbing log lines)."""
    with _in_flight_lock:
        _in_flight[text] += 1
    try:
        yield
    finally:
        with _in_flight_lock:
            _in_flight[text] -= 1
            if _in_flight[text] <= 0:
                del _in_flight[text]


def in_flight() -> tuple[str, ...]:
    """Replies being handled right now, in any thread."""
    with _in_flight_lock:
        return tuple(_in_flight)
