"""The console script as a user meets it: help, version, bad options."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from assistant import __version__
from assistant.cli import main

SCRIPT = Path(sys.executable).with_name("nes-asistan")


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(SCRIPT), *args], capture_output=True, text=True, timeout=30, check=False
    )


def test_version_is_the_package_version() -> None:
    result = run("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"nes-asistan {__version__}"


def test_help_describes_the_assistant_in_turkish() -> None:
    result = run("--help")
    assert result.returncode == 0
    assert result.stdout.startswith("usage: nes-asistan")
    assert "nitelikli elektronik sertifika" in result.stdout


def test_unknown_option_is_refused_without_traceback() -> None:
    result = run("--no-such-option")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "--no-such-option" in result.stderr


def test_help_does_not_load_the_card_stack() -> None:
    """Startup stays fast only while --help never imports pyscard, pkcs11 or cryptography."""
    code = (
        "import sys\n"
        "from assistant.cli import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "heavy = [m for m in ('smartcard', 'pkcs11', 'cryptography', 'yaml', 'httpx')"
        " if m in sys.modules]\n"
        "print('HEAVY=' + ','.join(heavy))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=30, check=True
    )
    assert result.stdout.splitlines()[-1] == "HEAVY="


def test_ctrl_c_exits_quietly_with_130(monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(handler: str, args: object) -> int:
        raise KeyboardInterrupt

    monkeypatch.setattr("assistant.cli._run", interrupted)
    assert main([]) == 130
