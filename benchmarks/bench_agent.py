"""The agent on the rig: cold start to the first prompt, and 100 insert/remove cycles.

First prompt: `nes-asistan` started in a pseudo-terminal with the virtual card inserted,
timed until the menu question is on screen (goal ≤ 0.4 s wall). Soak: an in-process
`Agent` with one conversation watches the card being removed and inserted 100 times,
reading the token status after every insertion (module and token reopened each time);
resident memory and open file descriptors are read from /proc before and after. A leak
shows as growth that keeps going with more cycles, not as the first few hundred KB.
"""

from __future__ import annotations

import os
import pty
import select
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CYCLES = 100
STARTS = 5
OPENSC = Path("/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so")
FIRST_PROMPT = "Size nasıl yardımcı olabilirim".encode()
OPENSC_CONF = (
    "app opensc-pkcs11 { pkcs11 { user_pin_unblock_style = set_pin_in_unlogged_session; } }\n"
)


def _rss_kb() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS in /proc/self/status")


def _fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def _first_prompt_seconds(env: dict[str, str]) -> float:
    master, slave = pty.openpty()
    start = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "assistant"], stdin=slave, stdout=slave, stderr=slave, env=env
    )
    os.close(slave)
    seen = b""
    try:
        while FIRST_PROMPT not in seen:
            ready, _, _ = select.select([master], [], [], 10)
            if not ready:
                raise TimeoutError(f"no first prompt; screen: {seen.decode(errors='replace')}")
            seen += os.read(master, 4096)
        return time.perf_counter() - start
    finally:
        process.terminate()
        process.wait(5)
        os.close(master)


def main() -> dict[str, float | str]:
    if shutil.which("pcscd") is None or not OPENSC.exists():
        return {"skipped": "pcscd or OpenSC not installed"}
    from assistant.demo.pcscd import PcscService
    from assistant.demo.pki import TestPki
    from assistant.demo.virtual_card import VirtualCard, create_state

    results: dict[str, float | str] = {}
    with tempfile.TemporaryDirectory(prefix="bench-agent-") as tmp:
        work = Path(tmp)
        service = PcscService(work / "pcsc", entries=1)
        service.start()
        try:
            os.environ.update(service.env())  # before this process's first PC/SC call
            (work / "opensc.conf").write_text(OPENSC_CONF)
            os.environ["OPENSC_CONF"] = str(work / "opensc.conf")
            os.environ["NES_ASISTAN_PKCS11_MODULE"] = str(OPENSC)
            os.environ["NES_ASISTAN_HOME"] = str(work / "home")
            slot = service.acquire_slot()
            create_state(TestPki(work / "pki"), work / "card.json")
            card = VirtualCard(work / "card.json", "akis", slot.port, slot.name)
            card.insert()
            starts = []
            for run in range(STARTS):
                env = {**os.environ, "NES_ASISTAN_HOME": str(work / f"home-{run}")}
                starts.append(_first_prompt_seconds(env))
            results["first_prompt_median_ms"] = round(statistics.median(starts) * 1000, 1)
            results.update(_soak(card))
            card.remove(wait=False)
        finally:
            service.stop()
    print("\n".join(f"{key}: {value}" for key, value in results.items()))
    return results


def _soak(card: object) -> dict[str, float | str]:
    from assistant.agent.core import Agent

    insert = card.insert  # type: ignore[attr-defined]
    remove = card.remove  # type: ignore[attr-defined]
    agent = Agent()
    agent.start()
    pushed: list[object] = []
    conversation, _ = agent.conversation("terminal", pushed.extend)
    try:
        agent.card.token()  # warm: module loaded, token open
        rss_before, fds_before = _rss_kb(), _fds()
        for _ in range(CYCLES):
            remove()
            insert()
            deadline = time.monotonic() + 10
            while agent.card.picture().card is None and time.monotonic() < deadline:
                time.sleep(0.01)
            opened = agent.card.token()
            if opened is None or not opened.ok or not opened.unwrap().status().ok:
                return {"failed": "token not readable after a re-insert"}
        rss_after, fds_after = _rss_kb(), _fds()
    finally:
        conversation.close()
        agent.stop()
    return {
        "rss_before_kb": rss_before,
        "rss_after_100_cycles_kb": rss_after,
        "fds_before": fds_before,
        "fds_after_100_cycles": fds_after,
    }
