"""Drive a program in a real terminal (tmux on a private socket) the way a person would.

The chat reads a PIN with terminal echo off and redraws when card events arrive; only a
real pseudo-terminal exercises that, so tests type with `send-keys` and read the screen
with `capture-pane` instead of piping stdin.
"""

from __future__ import annotations

import re
import shlex
import subprocess
import time
from collections.abc import Mapping
from pathlib import Path


class TmuxChat:
    def __init__(self, workdir: Path, env: Mapping[str, str], command: list[str]) -> None:
        self.socket = workdir / "tmux.sock"
        self.exit_file = workdir / "exit-code"
        # The pane stays after the program ends, so its last words can still be read.
        exit_file = shlex.quote(str(self.exit_file))
        script = f"{shlex.join(command)}; echo $? > {exit_file}; sleep 600"
        options = [arg for key, value in env.items() for arg in ("-e", f"{key}={value}")]
        self._tmux("new-session", "-d", "-x", "110", "-y", "50", *options, "sh", "-c", script)

    def _tmux(self, *args: str) -> str:
        result = subprocess.run(
            ["tmux", "-S", str(self.socket), *args],
            capture_output=True,
            text=True,
            check=True,
            timeout=10,
        )
        return result.stdout

    def screen(self) -> str:
        """Everything shown so far (scroll-back included), lines joined where wrapped."""
        return self._tmux("capture-pane", "-p", "-J", "-S", "-2000")

    def send(self, text: str) -> None:
        self._tmux("send-keys", "-t", "0", "-l", text)
        self._tmux("send-keys", "-t", "0", "Enter")

    def wait_for(self, pattern: str, timeout: float = 30.0, after: int = 0) -> re.Match[str]:
        """Wait until `pattern` (a regex) appears on screen after character `after`.

        A space in the pattern matches any run of white space: the chat wraps its
        paragraphs to the terminal width, so a phrase may be split across lines.
        """
        deadline = time.monotonic() + timeout
        regex = re.compile(pattern.replace(" ", r"\s+"))
        while True:
            screen = self.screen()
            found = regex.search(screen, after)
            if found:
                return found
            if time.monotonic() > deadline:
                raise AssertionError(f"{pattern!r} not on screen; screen was:\n{screen}")
            time.sleep(0.1)

    def answer(self, prompt: str, text: str, timeout: float = 30.0) -> int:
        """Wait for a prompt text (from the current position) and for the input marker after
        it, type the answer; new position. Typing before the marker races the chat, which
        drops what was typed before a question (and turns echo off for a PIN) when it
        shows one."""
        found = self.wait_for(prompt, timeout, self.position)
        self.wait_for("›", timeout, found.end())
        self.position = found.end()
        self.send(text)
        return self.position

    position = 0

    @property
    def exited(self) -> bool:
        return self.exit_file.exists()

    def exit_code(self, timeout: float = 15.0) -> int:
        deadline = time.monotonic() + timeout
        while not self.exited:
            if time.monotonic() > deadline:
                raise AssertionError(f"program still running; screen:\n{self.screen()}")
            time.sleep(0.1)
        return int(self.exit_file.read_text().strip())

    def close(self) -> None:
        subprocess.run(
            ["tmux", "-S", str(self.socket), "kill-server"], capture_output=True, check=False
        )
