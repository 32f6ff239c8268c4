"""The terminal chat's cold start: until the first question can be answered, and its imports.

First prompt: `nes-asistan` (no agent running, so it loads one in-process) started in a
pseudo-terminal with the virtual card inserted and a fresh home each run, timed until
the whole first question is on screen: the menu's question, every choice, and the `› `
input marker after them (goal ≤ 300 ms median). Median and p95 over STARTS runs; the
first start, which may still write bytecode caches, is not counted.

Imports: the same start under `python -X importtime`, stopped once the first prompt is on
screen, so it lists exactly what the first question waited for. Rows are the cumulative
import time of the modules #20 names (a module not imported before the first prompt
shows 0) and of all top-level imports together; medians over IMPORT_RUNS runs.
The memory soak of the running agent is bench_memory.py.
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
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from benchmarks.timing import median_p95_ms

STARTS = 20
IMPORT_RUNS = 5
OPENSC = Path("/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so")
FIRST_QUESTION = "Size nasıl yardımcı olabilirim".encode()
LAST_CHOICE = "Sorun giderme: okuyucu, kart ya da sürücü çalışmıyor".encode()
INPUT_MARKER = "› ".encode()
OPENSC_CONF = (
    "app opensc-pkcs11 { pkcs11 { user_pin_unblock_style = set_pin_in_unlogged_session; } }\n"
)
WATCHED = (
    "assistant.agent.core",
    "assistant.agent.actions",
    "assistant.agent.portal_actions",
    "assistant.agent.revocation_actions",
    "assistant.portal.client",
    "assistant.helpdesk.agent_link",
    "httpx",
    "yaml",
    "cryptography.x509",
    "pkcs11",
    "smartcard",
)


def first_prompt_on_screen(screen: bytes) -> bool:
    """The question, its last choice and the input marker after them, in that order."""
    question = screen.find(FIRST_QUESTION)
    choice = screen.find(LAST_CHOICE, question) if question >= 0 else -1
    return choice >= 0 and screen.find(INPUT_MARKER, choice) >= 0


def _first_prompt_seconds(
    env: dict[str, str], python_options: tuple[str, ...] = (), stderr: BinaryIO | None = None
) -> float:
    master, slave = pty.openpty()
    start = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, *python_options, "-m", "assistant"],
        stdin=slave, stdout=slave, stderr=stderr or slave, env=env,
    )  # fmt: skip
    os.close(slave)
    seen = b""
    try:
        while not first_prompt_on_screen(seen):
            ready, _, _ = select.select([master], [], [], 10)
            if not ready:
                raise TimeoutError(f"no first prompt; screen: {seen.decode(errors='replace')}")
            seen += os.read(master, 4096)
        return time.perf_counter() - start
    finally:
        process.terminate()
        process.wait(5)
        os.close(master)


@dataclass(frozen=True)
class ImportLine:
    module: str
    depth: int
    """0: imported at the top level (by the program, or lazily inside a function)."""
    cumulative_us: int


def parse_importtime(text: str) -> list[ImportLine]:
    """The `import time: <self> | <cumulative> | <indent><module>` lines of `-X importtime`.

    The indent is one space at the top level and two more per level of nesting.
    """
    lines = []
    for line in text.splitlines():
        if not line.startswith("import time:") or line.rstrip().endswith("imported package"):
            continue
        _, cumulative, name = line.split("|", 2)
        depth = (len(name) - len(name.lstrip(" ")) - 1) // 2
        lines.append(ImportLine(name.strip(), depth, int(cumulative.strip())))
    return lines


def import_rows(lines: list[ImportLine]) -> dict[str, float | str]:
    """The benchmark rows of one importtime log: total, watched modules, heaviest top level."""
    seen = {line.module: line.cumulative_us for line in lines}
    top = sorted((line for line in lines if line.depth == 0), key=lambda line: -line.cumulative_us)
    rows: dict[str, float | str] = {
        "import_total_us": sum(line.cumulative_us for line in lines if line.depth == 0)
    }
    for module in WATCHED:
        rows["import_" + module.replace(".", "_") + "_us"] = seen.get(module, 0)
    rows["import_top_level_detail"] = ", ".join(
        f"{line.module} {line.cumulative_us} µs" for line in top[:8]
    )
    return rows


def _importtime(env: dict[str, str], work: Path) -> dict[str, float | str]:
    runs = []
    for run in range(IMPORT_RUNS):
        log = work / f"importtime-{run}.txt"
        with log.open("wb") as stderr:
            home = {**env, "NES_ASISTAN_HOME": str(work / f"home-imports-{run}")}
            _first_prompt_seconds(home, ("-X", "importtime"), stderr)
        runs.append(import_rows(parse_importtime(log.read_text(errors="replace"))))
    results: dict[str, float | str] = {}
    for key, value in runs[0].items():
        numbers = [run[key] for run in runs]
        if isinstance(value, str):
            results[key] = value  # the first run's list: a description, not a figure
        else:
            results[key] = int(statistics.median(float(n) for n in numbers))
    return results


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
            (work / "opensc.conf").write_text(OPENSC_CONF)
            env = {
                **os.environ,
                **service.env(),
                "OPENSC_CONF": str(work / "opensc.conf"),
                "NES_ASISTAN_PKCS11_MODULE": str(OPENSC),
            }
            slot = service.acquire_slot()
            create_state(TestPki(work / "pki"), work / "card.json")
            card = VirtualCard(work / "card.json", "akis", slot.port, slot.name)
            os.environ.update(service.env())  # for wait_for_card in this process
            card.insert()
            try:
                starts = [
                    _first_prompt_seconds({**env, "NES_ASISTAN_HOME": str(work / f"home-{run}")})
                    for run in range(STARTS + 1)
                ][1:]
                median, p95 = median_p95_ms(starts)
                results["first_prompt_median_ms"], results["first_prompt_p95_ms"] = median, p95
                results.update(_importtime(env, work))
            finally:
                card.remove(wait=False)
        finally:
            service.stop()
    print("\n".join(f"{key}: {value}" for key, value in results.items()))
    return results
