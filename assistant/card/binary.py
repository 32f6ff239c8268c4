"""Which CPU a PKCS#11 module file was built for, read from its header.

The helpdesk classic is a module that exists but cannot be loaded: a 32-bit akisp11.dll
under a 64-bit signing program, or an Intel-only libakisp11.dylib under an Apple Silicon
Python. ELF, PE and Mach-O (thin and universal "fat" files) are read here, so module
discovery skips such a file and the doctor names the mismatch, on every platform the
middleware ships for. Architecture names: "x86", "x86_64", "arm", "aarch64".
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

HEADER_BYTES = 4096

# ELF e_machine and PE Machine values for the architectures the assistant runs on.
_ELF_MACHINES = {3: "x86", 62: "x86_64", 40: "arm", 183: "aarch64"}
_PE_MACHINES = {0x14C: "x86", 0x8664: "x86_64", 0x1C4: "arm", 0xAA64: "aarch64"}
# Mach-O cputype values (mach/machine.h): CPU_ARCH_ABI64 = 0x01000000 marks 64-bit.
_MACHO_CPUS = {7: "x86", 0x01000007: "x86_64", 12: "arm", 0x0100000C: "aarch64"}
_MACHO_THIN = {b"\xce\xfa\xed\xfe", b"\xcf\xfa\xed\xfe", b"\xfe\xed\xfa\xce", b"\xfe\xed\xfa\xcf"}
_FAT_MAGIC = b"\xca\xfe\xba\xbe"
_FAT_MAGIC_64 = b"\xca\xfe\xba\xbf"
_MAX_FAT_ARCHS = 16
"""Java class files share CAFEBABE; their next field (a version >= 45) is never this small."""
_BITS = {"x86": 32, "arm": 32, "x86_64": 64, "aarch64": 64}


class BinaryFormat(enum.StrEnum):
    ELF = "elf"
    PE = "pe"
    MACHO = "macho"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class BinaryInfo:
    format: BinaryFormat
    architectures: tuple[str, ...]
    """Several for a universal Mach-O file; empty when the CPU is not one we know."""

    def runs_on(self, architecture: str) -> bool | None:
        """Whether a process of `architecture` can load it; None when it cannot be told."""
        if not self.architectures:
            return None
        return architecture in self.architectures


def bits(architecture: str | None) -> int | None:
    return _BITS.get(architecture or "")


def read_binary(path: Path) -> BinaryInfo:
    """Format and architecture(s) of a library; UNKNOWN when unreadable or not a library."""
    try:
        with path.open("rb") as handle:
            header = handle.read(HEADER_BYTES)
    except OSError:
        return BinaryInfo(BinaryFormat.UNKNOWN, ())
    if header[:4] == b"\x7fELF" and len(header) >= 20:
        endian: Literal["little", "big"] = "little" if header[5] == 1 else "big"
        arch = _ELF_MACHINES.get(int.from_bytes(header[18:20], endian))
        return BinaryInfo(BinaryFormat.ELF, (arch,) if arch else ())
    if header[:2] == b"MZ" and len(header) >= 0x40:
        pe_offset = int.from_bytes(header[0x3C:0x40], "little")
        if header[pe_offset : pe_offset + 4] == b"PE\0\0":
            machine = int.from_bytes(header[pe_offset + 4 : pe_offset + 6], "little")
            arch = _PE_MACHINES.get(machine)
            return BinaryInfo(BinaryFormat.PE, (arch,) if arch else ())
    if header[:4] in _MACHO_THIN and len(header) >= 8:
        little = header[:1] in (b"\xce", b"\xcf")
        cpu = _MACHO_CPUS.get(int.from_bytes(header[4:8], "little" if little else "big"))
        return BinaryInfo(BinaryFormat.MACHO, (cpu,) if cpu else ())
    if header[:4] in (_FAT_MAGIC, _FAT_MAGIC_64) and len(header) >= 8:
        return _fat(header)
    return BinaryInfo(BinaryFormat.UNKNOWN, ())


def _fat(header: bytes) -> BinaryInfo:
    """A universal binary: big-endian fat_arch records (20 bytes, 32 for FAT_MAGIC_64)."""
    count = int.from_bytes(header[4:8], "big")
    if not 0 < count <= _MAX_FAT_ARCHS:
        return BinaryInfo(BinaryFormat.UNKNOWN, ())
    size = 32 if header[:4] == _FAT_MAGIC_64 else 20
    found: list[str] = []
    for index in range(count):
        start = 8 + index * size
        cpu = _MACHO_CPUS.get(int.from_bytes(header[start : start + 4], "big"))
        if cpu and cpu not in found:
            found.append(cpu)
    return BinaryInfo(BinaryFormat.MACHO, tuple(found))
