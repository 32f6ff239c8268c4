"""akisp11's C_Initialize quirk, reproduced by a shim around SoftHSM2 (a real module)."""

from __future__ import annotations

import ctypes
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from assistant.card.module import Pkcs11Module

pytestmark = pytest.mark.integration

SHIM_SOURCE = Path(__file__).with_name("akisp11_quirk_shim.c")
CKR_ARGUMENTS_BAD = 0x7
CKF_OS_LOCKING_OK = 0x2


class _InitArgs(ctypes.Structure):
    _fields_ = (
        ("mutexes", ctypes.c_void_p * 4),
        ("flags", ctypes.c_ulong),
        ("reserved", ctypes.c_void_p),
    )


@pytest.fixture
def quirky_module(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, hsm_token: Callable[..., Any]
) -> tuple[Path, Any]:
    if shutil.which("gcc") is None:
        pytest.skip("gcc is needed to build the quirk shim")
    token = hsm_token(label="QUIRK")
    # A private copy, so the shim's SoftHSM is not the instance already initialised
    # in this process (a second C_Initialize would fail for another reason).
    real = tmp_path / "libsofthsm2-copy.so"
    shutil.copy(Path(token.module).resolve(), real)
    monkeypatch.setenv("QUIRK_SHIM_REAL_MODULE", str(real))
    shim = tmp_path / "libakisp11-quirk.so"
    subprocess.run(
        ["gcc", "-shared", "-fPIC", "-o", str(shim), str(SHIM_SOURCE), "-ldl"],
        check=True,
        capture_output=True,
    )
    return shim, token


def test_the_shim_really_rejects_os_locking(quirky_module: tuple[Path, Any]) -> None:
    shim, _ = quirky_module
    library = ctypes.CDLL(str(shim))
    table = ctypes.POINTER(ctypes.c_void_p)()
    assert library.C_GetFunctionList(ctypes.byref(table)) == 0
    # Entry 0 is CK_VERSION (padded to a pointer), entry 1 is C_Initialize.
    initialize = ctypes.CFUNCTYPE(ctypes.c_ulong, ctypes.c_void_p)(table[1])
    args = _InitArgs(flags=CKF_OS_LOCKING_OK)
    assert initialize(ctypes.addressof(args)) == CKR_ARGUMENTS_BAD


def test_the_loader_initialises_a_quirky_module(quirky_module: tuple[Path, Any]) -> None:
    shim, token = quirky_module
    loaded = Pkcs11Module.load(shim)
    assert loaded.ok, loaded
    labels = [ref.info.label for ref in loaded.unwrap().tokens().unwrap() if ref.info]
    assert token.label in labels
