"""Words the engine understands at every prompt, per language.

Repair words (geri, iptal, yardım, baştan, operatör, dil) work whatever the current step
asks, in every shipped language (tr, en, de, ar) at once: a person who switched to
English may still type "iptal". Adding a language means adding its words here (and its
catalog); nothing else in the engine changes. Matching is Turkish-aware and accepts
ASCII-typed forms.
"""

from __future__ import annotations

import enum

from assistant.i18n.language import LANGUAGE_NAMES, language_of
from assistant.i18n.matching import ascii_fold


class Repair(enum.StrEnum):
    BACK = "back"
    CANCEL = "cancel"
    HELP = "help"
    RESTART = "restart"
    HANDOFF = "handoff"
    LANGUAGE = "language"


REPAIR_WORDS: dict[str, dict[Repair, tuple[str, ...]]] = {
    "tr": {
        Repair.BACK: ("geri", "önceki soru", "geri dön"),
        Repair.CANCEL: ("iptal", "vazgeç"),
        Repair.HELP: ("yardım", "?"),
        Repair.RESTART: ("baştan", "baştan başla", "yeniden başla"),
        Repair.HANDOFF: ("operatör", "temsilci", "yardım masası"),
        Repair.LANGUAGE: ("dil", "dil değiştir"),
    },
    "en": {
        Repair.BACK: ("back", "go back"),
        Repair.CANCEL: ("cancel", "quit", "exit"),
        Repair.HELP: ("help",),
        Repair.RESTART: ("restart", "start over"),
        Repair.HANDOFF: ("helpdesk", "operator", "agent"),
        Repair.LANGUAGE: ("language",),
    },
    "de": {
        Repair.BACK: ("zurück", "zurueck"),
        Repair.CANCEL: ("abbrechen", "abbruch"),
        Repair.HELP: ("hilfe",),
        Repair.RESTART: ("neustart", "von vorn", "von vorne"),
        Repair.HANDOFF: ("support", "mitarbeiter", "kundendienst"),
        Repair.LANGUAGE: ("sprache",),
    },
    "ar": {
        Repair.BACK: ("رجوع", "السابق"),
        Repair.CANCEL: ("إلغاء",),
        Repair.HELP: ("مساعدة",),
        Repair.RESTART: ("من البداية", "إعادة البدء"),
        Repair.HANDOFF: ("الدعم الفني", "موظف"),
        Repair.LANGUAGE: ("اللغة", "لغة"),
    },
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
    "REPAIR_WORDS",
    "YES_WORDS",
    "Repair",
    "is_yes_word",
    "language_of",
    "repair_of",
    "yes_no",
]
