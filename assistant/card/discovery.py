"""Finding the PKCS#11 module (akisp11, tckkp11, OpenSC) for a card profile.

The result is data, not a sentence: which paths were looked at, why each was rejected,
and what to install from where. "Module missing" and "module built for another
architecture" (the classic 32/64-bit helpdesk case) are told apart by reading the
library's header, so the conversation can give the right remedy.
"""

from __future__ import annotations

import enum
import os
import platform as platform_module
import re
import sys
import sysconfig
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from assistant.card.binary import read_binary
from assistant.card.profiles import CardProfile, InstallHint

ENV_VAR = "NES_ASISTAN_PKCS11_MODULE"
_PLACEHOLDER = re.compile(r"\$\{([^}]+)\}")


class ModuleSource(enum.StrEnum):
    ENV = "env"
    CONFIG = "config"
    PROFILE = "profile"


class CandidateState(enum.StrEnum):
    FOUND = "found"
    MISSING = "missing"
    NOT_A_FILE = "not_a_file"
    WRONG_ARCHITECTURE = "wrong_architecture"


@dataclass(frozen=True)
class Candidate:
    path: Path
    state: CandidateState
    architecture: str | None = None
    """The library's architecture when it differs from the interpreter's."""


@dataclass(frozen=True)
class ModuleSearch:
    path: Path | None
    """The module to load, or None when nothing usable was found."""
    source: ModuleSource
    candidates: tuple[Candidate, ...]
    install: tuple[InstallHint, ...]
    """What provides the module on this platform (empty for explicit paths)."""

    @property
    def found(self) -> bool:
        return self.path is not None


def current_platform() -> str:
    if sys.platform.startswith("win"):
        return "windows"
    if sys.platform == "darwin":
        return "darwin"
    return "linux"


def find_module(
    profile: CardProfile,
    *,
    configured: str | os.PathLike[str] | None = None,
    environ: Mapping[str, str] | None = None,
    platform: str | None = None,
) -> ModuleSearch:
    """Env var beats the config file beats the profile's well-known paths.

    An explicit path that does not work is reported as such and *not* replaced by a
    well-known one: the user asked for that module, silently loading another would hide
    their mistake.
    """
    env = os.environ if environ is None else environ
    plat = platform or current_platform()
    explicit = env.get(ENV_VAR) or None
    if explicit is not None:
        return _explicit(Path(explicit), ModuleSource.ENV)
    if configured is not None:
        return _explicit(Path(configured), ModuleSource.CONFIG)
    variables = _template_variables(env)
    candidates = []
    for template in profile.modules.get(plat, ()):
        path = Path(_PLACEHOLDER.sub(lambda m: variables.get(m[1], m[0]), template))
        candidate = _inspect(path)
        candidates.append(candidate)
        if candidate.state is CandidateState.FOUND:
            return ModuleSearch(path, ModuleSource.PROFILE, tuple(candidates), ())
    return ModuleSearch(None, ModuleSource.PROFILE, tuple(candidates), profile.install_hints(plat))


def _explicit(path: Path, source: ModuleSource) -> ModuleSearch:
    candidate = _inspect(path)
    found = path if candidate.state is CandidateState.FOUND else None
    return ModuleSearch(found, source, (candidate,), ())


def _template_variables(env: Mapping[str, str]) -> dict[str, str]:
    machine = platform_module.machine().lower()
    multiarch = sysconfig.get_config_var("MULTIARCH") or f"{machine}-linux-gnu"
    return {
        "MULTIARCH": str(multiarch),
        "SystemRoot": env.get("SystemRoot", r"C:\Windows"),
        "ProgramFiles": env.get("ProgramFiles", r"C:\Program Files"),
        "ProgramFiles(x86)": env.get("ProgramFiles(x86)", r"C:\Program Files (x86)"),
    }


def _inspect(path: Path) -> Candidate:
    if not path.exists():
        return Candidate(path, CandidateState.MISSING)
    if not path.is_file():
        return Candidate(path, CandidateState.NOT_A_FILE)
    binary = read_binary(path)
    if binary.runs_on(interpreter_architecture()) is False:
        return Candidate(path, CandidateState.WRONG_ARCHITECTURE, binary.architectures[0])
    return Candidate(path, CandidateState.FOUND)


_MACHINE_ALIASES = {"amd64": "x86_64", "i386": "x86", "i686": "x86", "arm64": "aarch64"}


def interpreter_architecture() -> str:
    machine = platform_module.machine().lower()
    machine = _MACHINE_ALIASES.get(machine, machine)
    if machine == "x86_64" and sys.maxsize <= 2**32:
        return "x86"  # a 32-bit Python on a 64-bit OS loads only 32-bit modules
    return machine
