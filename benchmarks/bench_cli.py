"""Cold start of the `nes-asistan` console script (goal: --help < 0.15 s wall)."""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

SCRIPT = Path(sys.executable).with_name("nes-asistan")
RUNS = 20


def _wall(args: list[str]) -> list[float]:
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        subprocess.run([str(SCRIPT), *args], check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return times


def main() -> dict[str, float]:
    results: dict[str, float] = {}
    for label, args in (("help", ["--help"]), ("version", ["--version"])):
        times = _wall(args)
        results[f"{label}_median_ms"] = round(statistics.median(times) * 1000, 1)
        results[f"{label}_max_ms"] = round(max(times) * 1000, 1)
        print(
            f"nes-asistan --{label:8} median {results[f'{label}_median_ms']:6.1f} ms"
            f"   max {results[f'{label}_max_ms']:6.1f} ms   ({RUNS} runs)"
        )
    return results
