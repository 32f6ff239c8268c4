"""Run every benchmark (benchmarks/bench_*.py), print one table, write JSON.

Benchmarks are never part of the pass/fail tests: numbers depend on the machine. Each
module exposes `main() -> dict[str, float | str]`; run them all with
`.venv/bin/python -m benchmarks.run` or a subset with `... -m benchmarks.run cli flow`.
"""

from __future__ import annotations

import importlib
import json
import os
import platform
import sys
import time
from pathlib import Path

HERE = Path(__file__).parent


def machine() -> str:
    cpus = len(os.sched_getaffinity(0))
    python = platform.python_version()
    return f"{platform.system()} {platform.machine()}, {cpus} cores, Python {python}"


def main(selected: list[str]) -> int:
    names = sorted(p.stem.removeprefix("bench_") for p in HERE.glob("bench_*.py"))
    if selected:
        names = [n for n in names if n in selected]
    results: dict[str, dict[str, object]] = {}
    for name in names:
        module = importlib.import_module(f"benchmarks.bench_{name}")
        print(f"\n## {name}")
        results[name] = module.main()
    out = HERE / "results"
    out.mkdir(exist_ok=True)
    path = out / f"bench-{time.strftime('%Y%m%d-%H%M%S')}.json"
    path.write_text(json.dumps({"machine": machine(), "results": results}, indent=2))
    print(f"\nmachine: {machine()}\nwritten: {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
