"""The private pcscd's pid file, as pcscd itself writes it."""

from __future__ import annotations

from pathlib import Path

from assistant.demo.pcscd import recorded_pid


def test_a_pid_file_ending_in_nul_is_read_as_its_number(tmp_path: Path) -> None:
    """pcscd ends the number with a NUL: reading it must not take a live pcscd for stale."""
    pid_file = tmp_path / "pcscd.pid"
    pid_file.write_bytes(b"4242\0")
    assert recorded_pid(pid_file) == 4242
