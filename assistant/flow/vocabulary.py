"""Words the engine understands at every prompt, per language, and what repairs do.

Repair words (geri, iptal, yardım, baştan, operatör, dil, çıkış) work whatever the
current step asks, in every shipped language (tr, en, de, ar) at once: a person who
switched to English may still type "iptal". `REPAIRS` is the one table of them: the
words and whether the repair asks first or works away from a question too. Adding a
language means adding its words here (and its catalog); nothing else in the engine
changes. Matching is Turkish-aware and accepts ASCII-typed forms.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass

from assistant.i18n.language import LANGUAGE_NAMES, language_of
from assistant.i18n.matching import ascii_fold


class Repair(enum.StrEnum):
    BACK = "back"
    CANCEL = "cancel"
    HELP = "help"
    RESTART = "restart"
    HANDOFF = "handoff"
    LANGUAGE = "language"
    EXIT = "exit"


class Asks(enum.Enum):
    """Whether a repair puts a question of its own before it acts."""

    NEVER = "never"
    AFTER_PROGRESS = "after_progress"  # once something was answered or done: "sure?"
    ALWAYS = "always"


@dataclass(frozen=True, slots=True)
class RepairRule:
    """One repair: its words per language and how the engine treats it. What it does
    is `Session`'s method for it; everything that varies by repair is here."""

    words: Mapping[str, tuple[str, ...]]
    asks: Asks = Asks.NEVER
    anywhere: bool = False  # also when no question is open (waiting at an action)


REPAIRS: dict[Repair, RepairRule] = {
    Repair.BACK: RepairRule(
        {
            "tr": ("geri", "önceki soru", "geri dön"),
            "en": ("back", "go back"),
            "de": ("zurück", "zurueck"),
            "ar": ("رجوع", "السابق"),
        }
    ),
    # Leaves the topic: back to the menu, or (at the top) ends the conversation.
    Repair.CANCEL: RepairRule(
        {
            "tr": ("iptal", "vazgeç"),
            "en": ("cancel",),
            "de": ("abbrechen", "abbruch"),
            "ar": ("إلغاء",),
        },
        asks=Asks.AFTER_PROGRESS,
        anywhere=True,
    ),
    Repair.HELP: RepairRule(
        {"tr": ("yardım", "?"), "en": ("help",), "de": ("hilfe",), "ar": ("مساعدة",)}
    ),
    Repair.RESTART: RepairRule(
        {
            "tr": ("baştan", "baştan başla", "yeniden başla"),
            "en": ("restart", "start over"),
            "de": ("neustart", "von vorn", "von vorne"),
            "ar": ("من البداية", "إعادة البدء"),
        }
    ),
    Repair.HANDOFF: RepairRule(
        {
            "tr": ("operatör", "temsilci", "yardım masası"),
            "en": ("helpdesk", "operator", "agent"),
            "de": ("support", "mitarbeiter", "kundendienst"),
            "ar": ("الدعم الفني", "موظف"),
        }
    ),
    Repair.LANGUAGE: RepairRule(
        {
            "tr": ("dil", "dil değiştir"),
            "en": ("language",),
            "de": ("sprache",),
            "ar": ("اللغة", "لغة"),
        },
        asks=Asks.ALWAYS,
    ),
    # Leaves the assistant: the conversation ends (asked first once there is progress).
    Repair.EXIT: RepairRule(
        {
            "tr": ("çıkış",),
            "en": ("exit", "quit"),
            "de": ("beenden",),
            "ar": ("خروج",),
        },
        asks=Asks.AFTER_PROGRESS,
        anywhere=True,
    ),
}

# The same words by language, for catalogs and tests.
REPAIR_WORDS: dict[str, dict[Repair, tuple[str, ...]]] = {
    language: {repair: rule.words[language] for repair, rule in REPAIRS.items()}
    for language in REPAIRS[Repair.BACK].words
}

YES_WORDS: dict[str, tuple[str, ...]] = {
    "tr": ("evet", "e", "tamam", "olur"),
    "en": ("yes", "y", "ok"),
    "de": ("ja", "j", "ok", "okay"),
    "ar": ("نعم", "أجل", "حسنًا"),
}
NO_WORDS: dict[str, tuple[str, ...]] = {
    "tr": ("hayır", "h", "yok"),
    "en": ("no", "n"),
    "de": ("nein",),
    "ar": ("لا",),
}

# Languages a person can pick with `dil`/`language`, shown in their own names.
LANGUAGES: dict[str, str] = LANGUAGE_NAMES


def _index() -> dict[str, Repair]:
    index: dict[str, Repair] = {}
    for words in REPAIR_WORDS.values():
        for repair, forms in words.items():
            for form in forms:
                index[ascii_fold(form)] = repair
    return index


_REPAIRS = _index()
_YES = frozenset(ascii_fold(w) for words in YES_WORDS.values() for w in words)
_NO = frozenset(ascii_fold(w) for words in NO_WORDS.values() for w in words)


def repair_of(text: str) -> Repair | None:
    """The repair a reply asks for, if the whole reply is a repair word."""
    return _REPAIRS.get(ascii_fold(text))


def yes_no(text: str) -> bool | None:
    """True for yes, False for no, None when the reply is neither."""
    folded = ascii_fold(text)
    if folded in _YES:
        return True
    if folded in _NO:
        return False
    return None


def is_yes_word(text: str) -> bool:
    """Whether a phrase is a plain yes (too weak to confirm anything dangerous)."""
    return ascii_fold(text) in _YES


__all__ = [
    "LANGUAGES",
    "NO_WORDS",
    "REPAIRS",
    "REPAIR_WORDS",
    "YES_WORDS",
    "Asks",
    "Repair",
    "RepairRule",
    "is_yes_word",
    "language_of",
    "repair_of",
    "yes_no",
]
