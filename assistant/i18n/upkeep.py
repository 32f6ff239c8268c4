"""Catalog upkeep for `scripts/catalogs`: keep the Turkish catalog equal to the source and
say what translators still have to do.

Turkish is written in the flows and the code, so the tr catalog is not edited by hand:
every msgstr is set to its msgid (fuzzy flags cleared). That keeps tr a complete catalog
like the others, for tools that expect one, while the flows stay the single place where
Turkish wording changes; the completeness test fails if the two ever differ.
`python -m assistant.i18n.upkeep locales` fills tr and prints the work left per language.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

from assistant.i18n.catalog import catalog_path
from assistant.i18n.language import SOURCE_LANGUAGE, SUPPORTED
from assistant.i18n.messages import placeholders


@dataclass(frozen=True, slots=True)
class Todo:
    """One entry a translator has to look at, and why."""

    language: str
    message_id: str
    source: str
    reason: str  # "untranslated" | "fuzzy" | "placeholders" | "differs from source"

    def __str__(self) -> str:
        return f"{self.language}: {self.message_id}: {self.reason}"


def read(path: Path) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle)


def fill_source(path: Path) -> None:
    """Make the source-language catalog at `path` say exactly its msgids."""
    catalog = read(path)
    for message in catalog:
        if message.id:
            message.string = message.id
            message.flags.discard("fuzzy")
    with path.open("wb") as handle:
        write_po(handle, catalog, ignore_obsolete=True)


def todo(language: str, catalog: Catalog) -> list[Todo]:
    """Every entry of `catalog` that is not ready to ship."""
    result = []
    for message in catalog:
        if not message.id:
            continue
        source, text = str(message.id), str(message.string or "")
        reason = None
        if not text:
            reason = "untranslated"
        elif message.fuzzy:
            reason = "fuzzy"
        elif language == SOURCE_LANGUAGE and text != source:
            reason = "differs from source"
        elif set(placeholders(text)) != set(placeholders(source)):
            reason = "placeholders"
        if reason:
            result.append(Todo(language, str(message.context), source, reason))
    return result


def main(argv: list[str]) -> int:
    locales = Path(argv[0]) if argv else Path("locales")
    fill_source(catalog_path(SOURCE_LANGUAGE, locales))
    left = 0
    for language in SUPPORTED:
        catalog = read(catalog_path(language, locales))
        items = todo(language, catalog)
        left += len(items)
        total = sum(1 for m in catalog if m.id)
        print(f"{language}: {total} texts, {len(items)} to translate or fix")
        for item in items:
            print(f"  {item}")
    return 1 if left else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
