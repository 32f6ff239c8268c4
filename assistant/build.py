"""The build step that puts the repository's data into the package (no generated file is
committed).

setuptools' `build_py`, plus: the top-level `flows/*.yaml` are copied to
`assistant/flows/`, and `locales/*/LC_MESSAGES/messages.po` are compiled to
`assistant/i18n/locales/` (fuzzy entries left out). `assistant.resources` finds both
there in an installed copy, and in the checkout's own folders otherwise:

    [tool.setuptools.cmdclass]
    build_py = "assistant.build.BuildPy"

The build backend loads this file on its own (not as part of the package, so it imports
nothing from `assistant`) before the project's dependencies are installed: it needs
only setuptools and Babel, both in `[build-system] requires`.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools.command.build_py import build_py  # type: ignore[import-untyped]

SOURCE_ROOT = Path(__file__).resolve().parents[1]  # the checkout or the unpacked sdist
DOMAIN = "messages"  # same as catalog.DOMAIN; not imported: see above


def copy_flows(flows: Path, target: Path) -> list[Path]:
    """Copy every flow file (`*.yaml`) of `flows` into `target`; the copies."""
    target.mkdir(parents=True, exist_ok=True)
    return [Path(shutil.copy2(flow, target / flow.name)) for flow in sorted(flows.glob("*.yaml"))]


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


class BuildPy(build_py):  # type: ignore[misc]
    """`build_py` that also ships the flows and the compiled catalogs."""

    def run(self) -> None:
        super().run()
        package = Path(self.build_lib) / "assistant"
        written = copy_flows(SOURCE_ROOT / "flows", package / "flows")
        written += compile_catalogs(SOURCE_ROOT / "locales", package / "i18n" / "locales")
        for path in written:
            self.announce(f"built {path}", level=2)
