"""`nes-asistan web` as a real subprocess, for the browser and security tests.

The server runs exactly as a person would start it (its own process, uvicorn, the agent
with its card monitor), with its data under a test folder and its stdout/stderr kept in
files so canary tests can read every byte it printed.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parents[3]
COMMAND = [sys.executable, "-m", "assistant", "web", "--no-browser"]
START_TIMEOUT = 30.0


@dataclass
class WebServer:
    process: subprocess.Popen[bytes]
    url: str
    home: Path
    stdout: Path
    stderr: Path

    @property
    def port(self) -> int:
        port = urlsplit(self.url).port
        assert port is not None
        return port

    @property
    def token(self) -> str:
        return urlsplit(self.url).fragment

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self, timeout: float = 20.0) -> int:
        """SIGTERM, as a service manager or Ctrl+C would; the exit code."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode


def start_server(work: Path, module: Path, extra_env: dict[str, str] | None = None) -> WebServer:
    """Start the web chat with its data under `work`/home (and `extra_env`, e.g. a trust
    folder); return once it printed its URL."""
    home = work / "home"
    stdout, stderr = work / "server.out", work / "server.err"
    env = {
        **os.environ,  # PCSCLITE_CSOCK_NAME and OPENSC_CONF point at the test rig
        "NES_ASISTAN_HOME": str(home),
        "NES_ASISTAN_PKCS11_MODULE": str(module),
        "PYTHONUNBUFFERED": "1",
        **(extra_env or {}),
    }
    with stdout.open("wb") as out, stderr.open("wb") as err:
        process = subprocess.Popen(COMMAND, cwd=REPO, env=env, stdout=out, stderr=err)
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        for line in stdout.read_text(encoding="utf-8", errors="replace").splitlines():
            if "http://127.0.0.1:" in line:
                url = line[line.index("http://") :].strip()
                return WebServer(process, url, home, stdout, stderr)
        if process.poll() is not None:
            break
        time.sleep(0.05)
    process.kill()
    process.wait()
    raise RuntimeError(f"web server did not start:\n{stderr.read_text(errors='replace')}")
