"""Words the engine understands at every prompt, per language.

Repair words (geri, iptal, yardım, baştan, operatör, dil) work whatever the current step
asks, in every shipped language at once: a person who switched to English may still type
"iptal". Adding a language means adding its words here (and its catalog); nothing else
in the engine changes. Matching is Turkish-aware and accepts ASCII-typed forms.
"""

from __future__ import annotations

import enum

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
}

YES_WORDS: dict[str, tuple[str, ...]] = {
    "tr": ("evet", "e", "tamam", "olur"),
    "en": ("yes", "y", "ok"),
}
NO_WORDS: dict[str, tuple[str, ...]] = {
    "tr": ("hayır", "h", "yok"),
    "en": ("no", "n"),
}

# Languages a person can pick with `dil`/`language`, shown in their own names.
LANGUAGES: dict[str, str] = {"tr": "Türkçe", "en": "English", "de": "Deutsch", "ar": "العربية"}


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


def language_of(text: str) -> str | None:
    """The language code a reply picks: a code ("en") or a name ("English", "türkçe")."""
    folded = ascii_fold(text)
    for code, name in LANGUAGES.items():
        if folded in (code, ascii_fold(name)):
            return code
    extra = {"turkce": "tr", "turkish": "tr", "ingilizce": "en", "english": "en"}
    extra |= {"almanca": "de", "german": "de", "arapca": "ar", "arabic": "ar"}
    return extra.get(folded)
