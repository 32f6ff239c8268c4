"""Where the data shipped with the assistant is found: one place for every finder.

An installed copy (a wheel, `pipx install`, `pip install .`) carries all its data inside
the package and finds it with `importlib.resources`: card profiles, guided steps, web
assets, the training portal's files, the flows and the compiled catalogs (the last two
are put into the package by the build, `assistant.build`, from the repository's
top-level `flows/` and `locales/`). A source checkout and an editable install have no
build step, so for flows and catalogs they fall back to the checkout's own folders;
nothing else is ever looked up relative to the source tree.

`NES_ASISTAN_FLOWS` names a folder of flow files that *adds to* the shipped flows: a file
named like a shipped one (`pin_change.yaml`; a flow file is named after its flow)
replaces it, any other file is an extra flow.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from importlib import resources
from pathlib import Path

PACKAGE = "assistant"
FLOWS_ENV = "NES_ASISTAN_FLOWS"
FLOW_SUFFIX = ".yaml"


def packaged(*parts: str) -> Path:
    """A file or folder shipped inside the package, e.g. packaged("card", "profiles.yaml").

    pip and pipx always install unpacked, so this is a real path (Starlette serves the
    web assets from a directory, flows are globbed)."""
    found = resources.files(PACKAGE).joinpath(*parts)
    if not isinstance(found, Path):
        raise RuntimeError(f"{found} is not on the file system; install the package unpacked")
    return found


def checkout_root() -> Path | None:
    """The source checkout the package runs from, or None for an installed copy."""
    root = packaged().parent
    return root if (root / "pyproject.toml").is_file() and (root / "flows").is_dir() else None


def _built_or_checkout(built: Path, folder: str) -> Path:
    """`built` when the build put it into the package, else the checkout's `folder`."""
    if built.is_dir():
        return built
    root = checkout_root()
    return root / folder if root is not None else built


def shipped_flows() -> Path:
    """The folder of the flows that come with the assistant."""
    return _built_or_checkout(packaged("flows"), "flows")


def compiled_locales() -> Path:
    """Compiled catalogs (`<lang>/LC_MESSAGES/messages.mo`) of an installed copy."""
    return packaged("i18n", "locales")


def source_locales() -> Path:
    """The .po catalogs of a checkout (`locales/`); missing in an installed copy."""
    root = checkout_root()
    return (root if root is not None else packaged().parent) / "locales"


def flow_files(environ: Mapping[str, str] | None = None) -> list[Path]:
    """The flow files the assistant runs: shipped ones, with `NES_ASISTAN_FLOWS` on top.

    A configured folder that does not exist is returned as is, so the loader reports it
    ("cannot read") instead of the assistant silently running without it."""
    env = os.environ if environ is None else environ
    shipped = {p.name: p for p in shipped_flows().glob(f"*{FLOW_SUFFIX}")}
    configured = env.get(FLOWS_ENV)
    if not configured:
        return sorted(shipped.values())
    extra = Path(configured)
    if not extra.is_dir():
        return [*sorted(shipped.values()), extra]
    shipped.update({p.name: p for p in extra.glob(f"*{FLOW_SUFFIX}")})
    return sorted(shipped.values(), key=lambda p: p.name)
