"""Compare what a person typed with what the assistant expects, the Turkish way.

Python's case mapping is locale-blind: "İPTAL".lower() is "i̇ptal" (with a combining dot)
and "I".lower() is "i", where Turkish wants "ı". People also type Turkish on keyboards
without Turkish letters ("iptal", "sifre"), add spaces or end with a full stop. Replies
are therefore compared after two folds:

- `fold`: Turkish case folding (İ→i, I→ı), stray combining dots removed, runs of spaces
  collapsed, surrounding quotes and trailing punctuation stripped; for Arabic, the
  short-vowel marks and the tatweel people may or may not type are dropped and the
  hamza-carrying alefs (أ إ آ ٱ) meet bare alef, so "إلغاء" and "الغاء" are one word;
- `ascii_fold`: `fold` plus ş→s, ğ→g, ı→i, ç→c, ö→o, ü→u (and the circumflexed vowels),
  so "IPTAL", "iptal", "İptal" and "ıptal" all meet at "iptal".

Secrets never pass through here: a PIN or security word is compared exactly.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

_TURKISH_UPPER = str.maketrans({"İ": "i", "I": "ı"})
_TO_ASCII = str.maketrans(
    {"ş": "s", "ğ": "g", "ı": "i", "ç": "c", "ö": "o", "ü": "u", "â": "a", "î": "i", "û": "u"}
)
_COMBINING_DOT = "\u0307"
_ARABIC_MARKS = re.compile("[\u064b-\u065f\u0670\u0640]")  # harakat, dagger alef, tatweel
_ARABIC_ALEFS = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا"})
_SPACES = re.compile(r"\s+")
# Quotes people put around a phrase they were asked to type, and sentence punctuation.
_EDGE_QUOTES = "\"'“”‘’«»`"
_TRAILING = ".,;:!?…" + _EDGE_QUOTES


def fold(text: str) -> str:
    """Turkish case fold with tidy spacing (and Arabic spelling variants evened out)."""
    text = unicodedata.normalize("NFC", text).translate(_TURKISH_UPPER).casefold()
    text = text.replace(_COMBINING_DOT, "")
    text = _ARABIC_MARKS.sub("", text).translate(_ARABIC_ALEFS)
    text = _SPACES.sub(" ", text)
    return text.lstrip(_EDGE_QUOTES + " ").rstrip(_TRAILING + " ")


def ascii_fold(text: str) -> str:
    """`fold`, then Turkish letters to their ASCII look-alikes (for ASCII-typed replies)."""
    return fold(text).translate(_TO_ASCII)


def same(reply: str, expected: str, *, ascii_typed: bool = True) -> bool:
    """Whether a reply says `expected`; `ascii_typed=False` keeps ş/s, ı/i etc. apart."""
    if ascii_typed:
        return ascii_fold(reply) == ascii_fold(expected)
    return fold(reply) == fold(expected)


def matches_any(reply: str, words: Iterable[str]) -> bool:
    """Whether a reply is any of `words` (ASCII-typed forms accepted)."""
    folded = ascii_fold(reply)
    return any(folded == ascii_fold(word) for word in words)
