"""`nes-asistan agent` as its own process, as a person runs it, for the benchmarks.

The memory soak reads the agent's own resident set from /proc (not the benchmark's,
which also holds the virtual card), and the doctor benchmark needs an agent that is
really running next to it.
"""

from __future__ import annotations

import os
import select
import subprocess
import sys
import time
from pathlib import Path

READY = b"agent ready"


class AgentProcess:
    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.env = env
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def socket(self) -> Path:
        return Path(self.env["NES_ASISTAN_HOME"]) / "run" / "agent.sock"

    def start(self, timeout: float = 60.0) -> None:
        """Start it and wait for its "agent ready" line (the socket answers then)."""
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "assistant", "agent"],
                stdout=subprocess.PIPE, stderr=log, env=self.env,
            )  # fmt: skip
        stdout = self.process.stdout
        if stdout is None:
            raise RuntimeError("agent started without a stdout pipe")
        seen = b""
        deadline = time.monotonic() + timeout
        while READY not in seen:
            remaining = deadline - time.monotonic()
            ready, _, _ = select.select([stdout], [], [], max(remaining, 0))
            chunk = os.read(stdout.fileno(), 4096) if ready else b""
            if not chunk:
                self.stop()
                raise RuntimeError(f"agent not ready: {self.log.read_text(errors='replace')}")
            seen += chunk

    def _status(self, field: str) -> int:
        if self.process is None:
            raise RuntimeError("agent not started")
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
        raise RuntimeError(f"no {field} in /proc/{self.process.pid}/status")

    def rss_kb(self) -> int:
        return self._status("VmRSS")

    def open_fds(self) -> int:
        if self.process is None:
            raise RuntimeError("agent not started")
        return len(os.listdir(f"/proc/{self.process.pid}/fd"))

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(5)
        if self.process.stdout is not None:
            self.process.stdout.close()
        self.process = None
