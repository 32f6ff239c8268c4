"""Compile the .po catalogs into the package at build time (no .mo is committed).

`compile_catalogs(locales, target)` writes `<target>/<lang>/LC_MESSAGES/messages.mo` for
every catalog under `locales/`, leaving fuzzy entries out, exactly what `catalog.py`
loads in an installed copy. `BuildPyWithCatalogs` runs it as part of setuptools'
`build_py`, so a wheel (and a regular `pip install .`) carries compiled catalogs:

    [tool.setuptools.cmdclass]
    build_py = "assistant.i18n.build:BuildPyWithCatalogs"

This module is imported by the build backend before the project's dependencies are
installed, so Babel must also be listed in `[build-system] requires`.
"""

from __future__ import annotations

from pathlib import Path

from setuptools.command.build_py import build_py  # type: ignore[import-untyped]

DOMAIN = "messages"  # same as catalog.DOMAIN; not imported to keep the build import light


def compile_catalogs(locales: Path, target: Path) -> list[Path]:
    """Compile every `locales/<lang>/LC_MESSAGES/messages.po`; the .mo files written."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    written = []
    for po in sorted(locales.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
        language = po.parent.parent.name
        with po.open("rb") as handle:
            catalog = read_po(handle, locale=language)
        mo = target / language / "LC_MESSAGES" / f"{DOMAIN}.mo"
        mo.parent.mkdir(parents=True, exist_ok=True)
        with mo.open("wb") as handle:
            write_mo(handle, catalog, use_fuzzy=False)
        written.append(mo)
    return written


class BuildPyWithCatalogs(build_py):  # type: ignore[misc]
    """setuptools `build_py` that also compiles the catalogs into assistant/i18n/locales."""

    def run(self) -> None:
        super().run()
        root = Path(__file__).resolve().parents[2]
        target = Path(self.build_lib) / "assistant" / "i18n" / "locales"
        for mo in compile_catalogs(root / "locales", target):
            self.announce(f"compiled {mo}", level=2)
