"""Translated texts at run time: gettext catalogs looked up by (message id, Turkish source).

Where the catalogs come from (decided here, once):
- An installed build carries compiled `assistant/i18n/locales/<lang>/LC_MESSAGES/
  messages.mo`, written at build time by `assistant.build` (no .mo is committed).
- A source checkout (tests, development, an editable install) has only the
  `locales/<lang>/LC_MESSAGES/messages.po` files; they are compiled in memory with Babel
  at first use and cached for the process. That costs a few milliseconds once and means
  an edited .po is used by the next run without any build step, and nothing is ever
  written outside the repository (no cache directory to go stale).

Lookup key is (msgctxt = message id, msgid = Turkish source). Fuzzy entries (whose source
changed since they were translated) are not loaded, so a stale translation is never
shown: the Turkish source is, until a translator confirms the entry. Turkish is the
source language: its texts come from the flows and code themselves.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Protocol

from assistant.i18n.language import SOURCE_LANGUAGE, SUPPORTED
from assistant.resources import compiled_locales, source_locales

DOMAIN = "messages"
PACKAGED_LOCALES = compiled_locales()  # written by assistant.build
SOURCE_LOCALES = source_locales()  # the .po files of a checkout

# (message id, Turkish source, language) -> the template to show.
Translate = Callable[[str, str, str], str]
Entries = Mapping[tuple[str, str], str]


def source_text(message_id: str, source: str, language: str) -> str:
    """The default translator: Turkish source text in every language."""
    return source


def catalog_path(language: str, locales: Path = SOURCE_LOCALES) -> Path:
    """Where a language's .po file lives in a checkout."""
    return locales / language / "LC_MESSAGES" / f"{DOMAIN}.po"


@functools.cache
def entries(language: str) -> Entries:
    """The usable translations of `language`: {(message id, Turkish source): text}.

    Empty for the source language and for a language without a catalog."""
    if language == SOURCE_LANGUAGE:
        return {}
    compiled = PACKAGED_LOCALES / language / "LC_MESSAGES" / f"{DOMAIN}.mo"
    if compiled.is_file():
        return load_mo(compiled)
    source = catalog_path(language)
    if source.is_file():
        return load_po(source)
    return {}


def load_po(path: Path) -> Entries:
    """A .po file's usable entries (fuzzy, empty and obsolete ones left out)."""
    from babel.messages.pofile import read_po

    with path.open("rb") as handle:
        return _usable(read_po(handle))


def load_mo(path: Path) -> Entries:
    """A compiled catalog's entries (compiling already left fuzzy ones out)."""
    from babel.messages.mofile import read_mo

    with path.open("rb") as handle:
        return _usable(read_mo(handle))


def _usable(catalog: object) -> Entries:
    from babel.messages.catalog import Catalog

    assert isinstance(catalog, Catalog)
    result: dict[tuple[str, str], str] = {}
    for message in catalog:  # iterating a Catalog skips obsolete entries
        context = message.context
        if isinstance(context, bytes):  # Babel's read_mo leaves msgctxt undecoded
            context = context.decode(catalog.charset)
        if message.id and context and not message.fuzzy and message.string:
            assert isinstance(message.id, str) and isinstance(message.string, str)
            result[(context, message.id)] = message.string
    return result


def translate(message_id: str, source: str, language: str) -> str:
    """The text to show: the catalog's translation, else the Turkish source."""
    return entries(language).get((message_id, source), source)


def translator(languages: tuple[str, ...] = SUPPORTED) -> Translate:
    """A `Translator` for `Session`: unknown languages fall back to Turkish.

    Loads the catalogs of `languages` now, so a broken catalog shows at start-up and
    not in the middle of a conversation."""
    for language in languages:
        entries(language)
    allowed = frozenset(languages)

    def translate_allowed(message_id: str, source: str, language: str) -> str:
        return translate(message_id, source, language) if language in allowed else source

    return translate_allowed


class Text(Protocol):
    """What lint hands over: a `flow.model.Message` (i18n does not import flow)."""

    @property
    def id(self) -> str: ...

    @property
    def text(self) -> str: ...


def catalog_lookup(*languages: str) -> Callable[[Text], bool]:
    """For `flow.lint(..., catalog=...)`: whether a message is translated in every one
    of `languages` (default: every shipped language). Turkish, the source, is always
    complete."""
    tables = [entries(lang) for lang in languages or SUPPORTED if lang != SOURCE_LANGUAGE]

    def translated(message: Text) -> bool:
        return all((message.id, message.text) in table for table in tables)

    return translated
