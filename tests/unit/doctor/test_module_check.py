"""The doctor's module check: a foreign CPU, a missing or broken module, OpenSC."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.card.discovery import interpreter_architecture
from assistant.doctor.checks import Doctor
from assistant.doctor.findings import Status
from tests.unit.card.test_binary import (
    CPU_ARM64,
    OPENSC,
    REAL_32BIT_ELF,
    elf_header,
    macho_thin,
    write,
)


def module_finding(path: Path) -> tuple[str, Status, dict[str, object], str | None]:
    finding = Doctor(environ={"NES_ASISTAN_PKCS11_MODULE": str(path)}).check_module()
    return finding.result, finding.status, dict(finding.facts), finding.fix


def test_module_check_reports_32_bit_module_under_64_bit_process(tmp_path: Path) -> None:
    path = (
        REAL_32BIT_ELF
        if REAL_32BIT_ELF.exists()
        else write(tmp_path, "akisp11.so", elf_header(3, elf_class=1))
    )
    result, status, facts, fix = module_finding(path)
    assert (result, status, fix) == ("wrong_architecture", Status.FAIL, "match_architecture")
    assert facts["module_bits"] == 32 and facts["module_architecture"] == "x86"
    assert facts["process_architecture"] == interpreter_architecture()


def test_module_check_reports_apple_silicon_only_dylib(tmp_path: Path) -> None:
    if interpreter_architecture() == "aarch64":
        pytest.skip("this process is arm64 itself")
    result, _, facts, _ = module_finding(write(tmp_path, "libakisp11.dylib", macho_thin(CPU_ARM64)))
    assert result == "wrong_architecture"
    assert facts["module_architecture"] == "aarch64" and facts["module_bits"] == 64


def test_module_check_missing_and_unloadable(tmp_path: Path) -> None:
    result, _, facts, fix = module_finding(tmp_path / "nowhere.so")
    assert (result, fix) == ("missing", "module_setting")
    assert facts["source"] == "env"
    result, status, facts, fix = module_finding(write(tmp_path, "broken.so", b"not a library\n"))
    assert (result, status, fix) == ("load_failed", Status.FAIL, "reinstall_middleware")
    assert facts["error"]


def test_module_check_without_setting_looks_for_akis_middleware() -> None:
    finding = Doctor(environ={}).check_module()
    if finding.result == "found":
        pytest.skip("Akia middleware is installed on this machine")
    assert (finding.result, finding.fix) == ("missing", "install_middleware")
    assert finding.facts["package"] == "Akia"
    assert str(finding.facts["url"]).startswith("http")


@pytest.mark.skipif(not OPENSC.exists(), reason="opensc not installed")
def test_module_check_loads_opensc() -> None:
    result, status, facts, _ = module_finding(OPENSC)
    assert (result, status) == ("found", Status.OK)
    assert facts["format"] == "elf" and facts["bits"] == 64
    assert "OpenSC" in str(facts["description"])
