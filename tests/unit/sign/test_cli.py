"""`nes-asistan verify` exit codes for what is not a verdict: usage 64, not a signed
document 65, no such file 66 (0/1/2 are the verdicts, tested on real signatures)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "assistant", *args],
        capture_output=True, text=True, cwd=ROOT, check=False, timeout=60,
    )  # fmt: skip


def test_usage_errors_are_64_not_the_indeterminate_2() -> None:
    assert run("verify").returncode == 64
    assert run("verify", "a.pdf", "--bogus").returncode == 64


def test_missing_and_unsigned_files(tmp_path: Path) -> None:
    missing = run("verify", str(tmp_path / "yok.pdf"))
    assert missing.returncode == 66 and "yok.pdf bulunamadı." in missing.stderr
    text = tmp_path / "not.txt"
    text.write_text("imzasız bir metin\n", encoding="utf-8")
    unsigned = run("--lang", "en", "verify", str(text))
    assert unsigned.returncode == 65
    assert "is not a signed PDF, .p7s or .imz file." in unsigned.stderr
    assert "Traceback" not in unsigned.stderr


def test_verify_is_listed_in_the_help() -> None:
    listed = run("--help")
    assert listed.returncode == 0 and "verify" in listed.stdout
