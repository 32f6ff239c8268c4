"""Which language to talk in: the shipped languages, the OS locale, a `--lang` value.

Turkish is the source language and the default: a person whose system says nothing
useful (C/POSIX locale, an unsupported language) gets Turkish, as the CA's own material
is Turkish. The environment is read the way gettext reads it (LANGUAGE, a priority list,
then the first of LC_ALL, LC_MESSAGES, LANG that is set), so `LANG=de_DE.UTF-8` starts in
German without any option.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Mapping

from assistant.i18n.matching import ascii_fold

SOURCE_LANGUAGE = "tr"
# Shipped languages, each named in its own language (how a picker should show them).
LANGUAGE_NAMES: dict[str, str] = {
    "tr": "Türkçe",
    "en": "English",
    "de": "Deutsch",
    "ar": "العربية",
}
SUPPORTED: tuple[str, ...] = tuple(LANGUAGE_NAMES)
RIGHT_TO_LEFT = frozenset({"ar"})

# Other names people type for a language: in Turkish, English, German and Arabic.
_ALIASES: dict[str, tuple[str, ...]] = {
    "tr": ("turkce", "turkish", "turkisch", "التركية", "تركي"),
    "en": ("ingilizce", "englisch", "الإنجليزية", "إنجليزي"),
    "de": ("almanca", "german", "الألمانية", "ألماني"),
    "ar": ("arapca", "arabic", "arabisch", "عربي"),
}
_BY_NAME: dict[str, str] = {
    ascii_fold(name): code
    for code, names in _ALIASES.items()
    for name in (code, LANGUAGE_NAMES[code], *names)
}
_ENV_ORDER = ("LC_ALL", "LC_MESSAGES", "LANG")


def language_of(text: str) -> str | None:
    """The shipped language a reply or option names: a code ("en"), a locale name
    ("de_DE.UTF-8") or a language name in any shipped language ("English", "almanca")."""
    folded = ascii_fold(text)
    if folded in _BY_NAME:
        return _BY_NAME[folded]
    code = _locale_code(text)
    return code if code in LANGUAGE_NAMES else None


def _locale_code(value: str) -> str:
    """ "de_DE.UTF-8@euro" -> "de"; "C" and "POSIX" -> ""."""
    base = value.strip().split(".")[0].split("@")[0]
    code = base.replace("-", "_").split("_")[0].lower()
    return "" if base in ("C", "POSIX") else code


def from_environment(environ: Mapping[str, str] | None = None) -> str:
    """The language the OS locale asks for, or Turkish when it names none we ship."""
    env = os.environ if environ is None else environ
    candidates = [item for item in env.get("LANGUAGE", "").split(":") if item]
    locale = next((env[name] for name in _ENV_ORDER if env.get(name)), "")
    if _locale_code(locale) == "":
        candidates = []  # like gettext: LANGUAGE is ignored under the C locale
    candidates.append(locale)
    for candidate in candidates:
        code = _locale_code(candidate)
        if code in LANGUAGE_NAMES:
            return code
    return SOURCE_LANGUAGE


def lang_option(value: str) -> str:
    """argparse `type=` for `--lang`: a shipped language's code, or a clear error."""
    code = language_of(value)
    if code is None:
        choices = ", ".join(f"{c} ({n})" for c, n in LANGUAGE_NAMES.items())
        raise argparse.ArgumentTypeError(f"unsupported language {value!r}; choose one of {choices}")
    return code


def initial_language(option: str | None, environ: Mapping[str, str] | None = None) -> str:
    """The language a new session starts in: `--lang` if given, else the OS locale.

    A resumed session keeps the language saved in its state instead."""
    return lang_option(option) if option else from_environment(environ)


def direction(language: str) -> str:
    """ "rtl" or "ltr": for `dir=` in the web chat and bidi handling in the terminal."""
    return "rtl" if language in RIGHT_TO_LEFT else "ltr"
