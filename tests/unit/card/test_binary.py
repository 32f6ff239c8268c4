"""Architecture detection on real libraries and on headers crafted byte by byte."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

from assistant.card.binary import BinaryFormat, bits, read_binary
from assistant.card.discovery import CandidateState, find_module, interpreter_architecture
from assistant.card.profiles import ProfileSet

OPENSC = Path("/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so")
# A real 32-bit x86 shared object, present where valgrind is installed.
REAL_32BIT_ELF = Path("/usr/libexec/valgrind/vgpreload_memcheck-x86-linux.so")
# Real Windows launchers shipped inside pip (distlib): 32-bit x86 and 64-bit ARM PE files.
DISTLIB = Path(pytest.__file__).parents[1] / "pip" / "_vendor" / "distlib"
CPU_ARM64 = 0x0100000C
CPU_X86_64 = 0x01000007


def elf_header(machine: int, *, elf_class: int, little: bool = True) -> bytes:
    """The first 20 bytes of an ELF file: ident, e_type (ET_DYN), e_machine."""
    order = "<" if little else ">"
    ident = b"\x7fELF" + bytes([elf_class, 1 if little else 2, 1]) + bytes(9)
    return ident + struct.pack(f"{order}HH", 3, machine) + bytes(44)


def macho_thin(cpu: int) -> bytes:
    return struct.pack("<II", 0xFEEDFACF, cpu) + bytes(24)


def macho_fat(*cpus: int) -> bytes:
    records = b"".join(struct.pack(">iiIII", cpu, 0, 4096, 4096, 12) for cpu in cpus)
    return struct.pack(">II", 0xCAFEBABE, len(cpus)) + records


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_real_elf_files_of_this_machine() -> None:
    for path in (Path("/bin/ls"), OPENSC):
        if not path.exists():
            continue
        info = read_binary(path)
        assert info.format is BinaryFormat.ELF
        assert info.architectures == (interpreter_architecture(),)
        assert info.runs_on(interpreter_architecture()) is True


@pytest.mark.skipif(not REAL_32BIT_ELF.exists(), reason="no 32-bit x86 ELF on this system")
def test_real_32bit_elf_is_told_apart() -> None:
    info = read_binary(REAL_32BIT_ELF)
    assert info.architectures == ("x86",)
    assert bits(info.architectures[0]) == 32
    assert info.runs_on("x86_64") is False


def test_real_windows_pe_files() -> None:
    files = {"t32.exe": "x86", "t64-arm.exe": "aarch64", "t64.exe": "x86_64"}
    present = {n: a for n, a in files.items() if (DISTLIB / n).exists()}
    if not present:
        pytest.skip("pip's distlib launchers are not installed")
    for name, arch in present.items():
        info = read_binary(DISTLIB / name)
        assert info.format is BinaryFormat.PE
        assert info.architectures == (arch,)


@pytest.mark.parametrize(
    ("machine", "elf_class", "little", "arch"),
    [
        (3, 1, True, "x86"),
        (62, 2, True, "x86_64"),
        (183, 2, True, "aarch64"),
        (40, 1, False, "arm"),
    ],
)
def test_crafted_elf_headers(
    tmp_path: Path, machine: int, elf_class: int, little: bool, arch: str
) -> None:
    info = read_binary(
        write(tmp_path, "lib.so", elf_header(machine, elf_class=elf_class, little=little))
    )
    assert (info.format, info.architectures) == (BinaryFormat.ELF, (arch,))


def test_macho_thin_and_universal(tmp_path: Path) -> None:
    arm = read_binary(write(tmp_path, "arm.dylib", macho_thin(CPU_ARM64)))
    assert (arm.format, arm.architectures) == (BinaryFormat.MACHO, ("aarch64",))
    assert arm.runs_on("x86_64") is False
    intel = read_binary(write(tmp_path, "intel.dylib", macho_thin(CPU_X86_64)))
    assert intel.architectures == ("x86_64",)
    fat = read_binary(write(tmp_path, "fat.dylib", macho_fat(CPU_X86_64, CPU_ARM64)))
    assert fat.architectures == ("x86_64", "aarch64")
    assert fat.runs_on("aarch64") and fat.runs_on("x86_64")


def test_not_libraries_are_unknown(tmp_path: Path) -> None:
    java_class = struct.pack(">IHH", 0xCAFEBABE, 0, 52) + bytes(16)  # CAFEBABE, version 52
    for name, data in (("A.class", java_class), ("notes.txt", b"not a library\n")):
        info = read_binary(write(tmp_path, name, data))
        assert info.format is BinaryFormat.UNKNOWN
        assert info.runs_on("x86_64") is None
    assert read_binary(tmp_path / "missing.so").format is BinaryFormat.UNKNOWN


def test_discovery_skips_a_module_built_for_another_cpu(tmp_path: Path) -> None:
    if interpreter_architecture() == "aarch64":
        pytest.skip("this process is arm64 itself")
    dylib = write(tmp_path, "libakisp11.dylib", macho_thin(CPU_ARM64))
    search = find_module(ProfileSet.load().get("akis"), configured=dylib)
    assert search.path is None
    assert search.candidates[0].state is CandidateState.WRONG_ARCHITECTURE
    assert search.candidates[0].architecture == "aarch64"
