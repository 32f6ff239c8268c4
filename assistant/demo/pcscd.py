"""A private pcscd with vpcd virtual readers, one per test session.

Why the mount namespace: pcsc-lite 1.9.9's *client* library honours
PCSCLITE_CSOCK_NAME, but the *daemon* ignores it and always creates
/run/pcscd/pcscd.comm (checked: with the variable set, pcscd still took over the
system socket). So pcscd is started under `unshare -m` with a private directory
bind-mounted over /run/pcscd: its socket and pid file land in our temp dir, the
machine's own pcscd (the demo's) and other test runs are untouched, and clients
reach it with PCSCLITE_CSOCK_NAME=<dir>/pcscd.comm.

Note: libpcsclite reads PCSCLITE_CSOCK_NAME once per process (first
SCardEstablishContext), so set it before any PC/SC use (tests/conftest.py does).
"""

from __future__ import annotations

import contextlib
import os
import random
import shutil
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

VPCD_DRIVER_PACKAGE = "vsmartcard-vpcd"
SOCKET_NAME = "pcscd.comm"
SLOTS_PER_ENTRY = 2  # libifdvpcd serves ports P and P+1 for one reader.conf entry


def find_vpcd_driver() -> Path:
    """libifdvpcd.so as installed by the Debian package (dpkg -L), else the usual path."""
    try:
        listing = subprocess.run(
            ["dpkg", "-L", VPCD_DRIVER_PACKAGE], capture_output=True, text=True, check=True
        ).stdout.splitlines()
    except (OSError, subprocess.CalledProcessError):
        listing = []
    for line in listing:
        if line.endswith("/libifdvpcd.so"):
            return Path(line)
    fallback = Path("/usr/lib/pcsc/drivers/serial/libifdvpcd.so")
    if fallback.exists():
        return fallback
    raise FileNotFoundError("libifdvpcd.so not found: apt-get install vsmartcard-vpcd")


def find_pcscd() -> Path:
    """The pcscd program; /usr/sbin is searched too, as it is not on a user's PATH."""
    search = os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/sbin"])
    found = shutil.which("pcscd", path=search)
    if found is None:
        raise FileNotFoundError("pcscd not found: apt-get install pcscd")
    return Path(found)


def _port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_port_pair() -> int:
    """A port P with P and P+1 both free on loopback (vpcd listens on both)."""
    for _ in range(200):
        port = random.randrange(20000, 60000, 2)
        if _port_free(port) and _port_free(port + 1):
            return port
    raise RuntimeError("no free port pair for vpcd")


def recorded_pid(pid_file: Path) -> int:
    """The PID pcscd wrote; it ends the number with a NUL byte, not a newline."""
    return int(pid_file.read_text(encoding="ascii").strip("\0\n "))


def _unshare() -> list[str]:
    """A private mount namespace; without root, inside a user namespace mapping us to root."""
    command = ["unshare", "--mount", "--propagation", "private"]
    return command if os.geteuid() == 0 else [*command, "--user", "--map-root-user"]


@dataclass(frozen=True)
class ReaderSlot:
    """One virtual reader: its PC/SC name and the TCP port a card connects to."""

    name: str
    port: int


class PcscService:
    """pcscd in its own mount namespace, with `entries`×2 vpcd readers."""

    def __init__(self, workdir: Path, entries: int = 2, apdu_log: bool = False):
        self.workdir = workdir
        self.conf_dir = workdir / "reader.conf.d"
        self.run_dir = workdir / "run"
        self.log_path = workdir / "pcscd.log"
        self.socket_path = self.run_dir / SOCKET_NAME
        self.apdu_log = apdu_log
        self.slots: list[ReaderSlot] = []
        self._entries = entries
        self._free: list[ReaderSlot] = []
        self._lock = threading.Lock()
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int | None:
        return None if self._process is None else self._process.pid

    def env(self) -> dict[str, str]:
        """Environment for this process and subprocesses (pkcs11-tool, opensc-tool)."""
        return {"PCSCLITE_CSOCK_NAME": str(self.socket_path)}

    def start(self, timeout: float = 15.0) -> None:
        self.conf_dir.mkdir(parents=True, exist_ok=True)
        self.run_dir.mkdir(parents=True, exist_ok=True)
        self._remove_stale_files()
        driver = find_vpcd_driver()
        for index in range(self._entries):
            port = free_port_pair()
            friendly = f"Virtual PCD R{index}"
            # libifdvpcd keeps its connections in a global array indexed by slot only, so
            # two entries sharing one loaded .so overwrite each other: give each entry its
            # own copy (dlopen of another path = separate globals).
            library = self.workdir / f"libifdvpcd-{index}.so"
            shutil.copyfile(driver, library)
            (self.conf_dir / f"vpcd-{index}").write_text(
                f'FRIENDLYNAME "{friendly}"\n'
                f"DEVICENAME /dev/null:0x{port:04X}\n"
                f"LIBPATH {library}\n",
                encoding="ascii",
            )
            for slot in range(SLOTS_PER_ENTRY):
                self.slots.append(ReaderSlot(f"{friendly} 00 {slot:02X}", port + slot))
        self._launch(timeout)
        self._free = list(self.slots)

    def _launch(self, timeout: float) -> None:
        if os.geteuid() == 0:  # the mount point; Debian's pcscd package makes it otherwise
            Path("/run/pcscd").mkdir(parents=True, exist_ok=True)
        flags = "-f -a" if self.apdu_log else "-f"
        script = (
            f"mount --bind '{self.run_dir}' /run/pcscd && "
            f"exec '{find_pcscd()}' {flags} -c '{self.conf_dir}'"
        )
        with self.log_path.open("ab") as log:
            self._process = subprocess.Popen(
                [*_unshare(), "sh", "-c", script],
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )
        self._wait_for_readers(timeout)

    def kill(self) -> None:
        """SIGKILL pcscd, as a crash would: clients get SCARD_E_NO_SERVICE, every vpcd card
        loses its link, and the socket and pid file stay behind."""
        if self._process is not None:
            self._process.kill()
            self._process.wait(timeout=5)

    def restart(self, timeout: float = 15.0) -> None:
        """Start pcscd again after `kill`, with the same readers and the same bind mount;
        a card must then be inserted again (its link died with the old pcscd)."""
        self._remove_stale_files()
        self._launch(timeout)

    def _remove_stale_files(self) -> None:
        """A pcscd killed without notice (the demo's terminal closed) leaves its socket and
        pid file behind, and a new pcscd refuses to start next to them."""
        pid_file = self.run_dir / "pcscd.pid"
        try:
            os.kill(recorded_pid(pid_file), 0)
        except (FileNotFoundError, ValueError, ProcessLookupError):
            for leftover in (self.socket_path, pid_file):
                with contextlib.suppress(FileNotFoundError):
                    leftover.unlink()
        except PermissionError:
            pass  # alive and someone else's: let pcscd itself say so

    def _wait_for_readers(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        expected = {slot.name for slot in self.slots}
        while time.monotonic() < deadline:
            if self._process is not None and self._process.poll() is not None:
                raise RuntimeError(
                    f"pcscd exited with {self._process.returncode}; log: "
                    f"{self.log_path.read_text(errors='replace')[-2000:]}"
                )
            if self.socket_path.exists() and expected <= set(self.reader_names()):
                return
            time.sleep(0.05)
        raise TimeoutError(f"pcscd readers did not appear; see {self.log_path}")

    def reader_names(self) -> list[str]:
        """Readers as PC/SC clients see them; runs in a child so this process stays unbound."""
        code = "from smartcard.System import readers; print('\\n'.join(map(str, readers())))"
        result = subprocess.run(
            [sys.executable, "-c", code],
            check=False,
            capture_output=True,
            text=True,
            env={**os.environ, **self.env()},
            timeout=10,
        )
        return [line for line in result.stdout.splitlines() if line]

    def acquire_slot(self) -> ReaderSlot:
        """Reserve a reader nobody else in this session uses (its port is then ours)."""
        with self._lock:
            if not self._free:
                raise RuntimeError("all virtual readers are in use; raise `entries`")
            return self._free.pop(0)

    def release_slot(self, slot: ReaderSlot) -> None:
        with self._lock:
            if slot not in self._free:
                self._free.append(slot)

    def stop(self) -> None:
        """Stop our pcscd by PID (never by name: other runs have their own)."""
        process, self._process = self._process, None
        if process is None:
            return
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
        for leftover in (self.socket_path, self.run_dir / "pcscd.pid"):
            with contextlib.suppress(FileNotFoundError):
                leftover.unlink()

    def cleanup(self) -> None:
        self.stop()
        shutil.rmtree(self.workdir, ignore_errors=True)
