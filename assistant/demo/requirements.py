"""What `nes-asistan demo` needs from the system, checked before anything starts.

Each missing part is data: which part, and the Debian package that brings it (None for
the mount namespace, which is a permission, not a package), so the demo can name the
packages and the one command that installs them instead of failing half-way.
"""

from __future__ import annotations

import enum
import os
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass

from assistant.demo.pcscd import VPCD_DRIVER_PACKAGE, find_pcscd, find_vpcd_driver


class Part(enum.StrEnum):
    PCSCD = "pcscd"
    VPCD = "vpcd"
    OPENSC = "opensc"
    OPENSSL = "openssl"
    UNSHARE = "unshare"
    NAMESPACE = "namespace"


PACKAGES: dict[Part, str | None] = {
    Part.PCSCD: "pcscd",
    Part.VPCD: VPCD_DRIVER_PACKAGE,
    Part.OPENSC: "opensc",
    Part.OPENSSL: "openssl",
    Part.UNSHARE: "util-linux",
    Part.NAMESPACE: None,
}


@dataclass(frozen=True)
class Missing:
    part: Part

    @property
    def package(self) -> str | None:
        return PACKAGES[self.part]


def missing_parts() -> list[Missing]:
    """Every part the demo cannot run without and does not find, in a stable order."""
    missing = [Missing(part) for part, found in _programs().items() if not found]
    if not any(m.part is Part.UNSHARE for m in missing) and not private_mounts_allowed():
        missing.append(Missing(Part.NAMESPACE))
    return missing


def _programs() -> dict[Part, bool]:
    return {
        Part.PCSCD: _found(find_pcscd),
        Part.VPCD: _found(find_vpcd_driver),
        Part.OPENSC: opensc_module() is not None,
        Part.OPENSSL: shutil.which("openssl") is not None,
        Part.UNSHARE: shutil.which("unshare") is not None,
    }


def _found(finder: Callable[[], object]) -> bool:
    try:
        finder()
    except FileNotFoundError:
        return False
    return True


def opensc_module() -> str | None:
    """OpenSC's PKCS#11 module, found the way the assistant finds it for a PIV card
    (the profile's paths for this OS and CPU), so no path is hard-coded here."""
    from assistant.card.discovery import find_module
    from assistant.card.profiles import ProfileSet

    search = find_module(ProfileSet.load().get("piv"), environ={})
    return str(search.path) if search.path is not None else None


def private_mounts_allowed() -> bool:
    """Root may always; anyone else needs unprivileged user namespaces (tried for real)."""
    if os.geteuid() == 0:
        return True
    try:
        probe = subprocess.run(
            ["unshare", "--user", "--map-root-user", "--mount", "true"],
            capture_output=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return probe.returncode == 0


def install_command(missing: list[Missing]) -> str | None:
    """The apt-get line that installs the missing packages (sudo unless root)."""
    packages = sorted({m.package for m in missing if m.package is not None})
    if not packages:
        return None
    sudo = "" if os.geteuid() == 0 else "sudo "
    return f"{sudo}apt-get install {' '.join(packages)}"
