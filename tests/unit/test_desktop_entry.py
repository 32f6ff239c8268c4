"""The launcher: a desktop entry that desktop-file-validate accepts and that opens the chat."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path

from assistant.desktop_entry import exec_argument

SCRIPT = Path(sys.executable).with_name("nes-asistan")


def test_install_writes_a_valid_entry_and_its_icon(tmp_path: Path) -> None:
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path), "LANG": "C.UTF-8"}
    result = subprocess.run(
        [str(SCRIPT), "desktop-entry", "--install"],
        capture_output=True, text=True, timeout=30, check=True, env=env,
    )  # fmt: skip
    entry = tmp_path / "applications" / "nes-asistan.desktop"
    icon = tmp_path / "icons" / "hicolor" / "scalable" / "apps" / "nes-asistan.svg"
    assert result.stdout.split() == [str(entry), str(icon)]
    assert icon.read_bytes().startswith(b"<svg")
    check = subprocess.run(
        ["desktop-file-validate", str(entry)], capture_output=True, text=True, check=False
    )
    assert check.returncode == 0 and check.stdout == "", check.stdout + check.stderr
    fields = dict(line.split("=", 1) for line in entry.read_text(encoding="utf-8").splitlines()[1:])
    assert shlex.split(fields["Exec"]) == [sys.executable, "-m", "assistant", "web"]
    assert fields["Icon"] == str(icon)
    assert fields["Name"] == "NES Asistanı"
    assert fields["Comment[de]"].startswith("Helfer für Ihre E-Signatur-Karte")


def test_exec_arguments_with_spaces_and_quotes_are_quoted_as_the_spec_says() -> None:
    assert exec_argument("/usr/bin/python3") == "/usr/bin/python3"
    assert exec_argument("/home/a b/py") == '"/home/a b/py"'
    assert exec_argument('x"$y') == '"x\\\\"\\\\$y"'
