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
import subprocess
import sys
import tempfile
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
        print(f"\n## {name}", flush=True)
        results[name] = run_isolated(name)
    out = HERE / "results"
    out.mkdir(exist_ok=True)
    path = out / f"bench-{time.strftime('%Y%m%d-%H%M%S')}.json"
    path.write_text(json.dumps({"machine": machine(), "results": results}, indent=2))
    print()
    print(table(results))
    print(f"\nmachine: {machine()}\nwritten: {path}")
    return 0


def run_isolated(name: str) -> dict[str, object]:
    """One benchmark in its own process: libpcsclite binds to the PC/SC socket named by
    PCSCLITE_CSOCK_NAME once per process, so two rig benchmarks cannot share one."""
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        out = Path(tmp) / "result.json"
        done = subprocess.run(
            [sys.executable, "-m", "benchmarks.run", "--single", name, str(out)], check=False
        )
        if done.returncode != 0 or not out.exists():
            return {"failed": f"exit code {done.returncode}"}
        result: dict[str, object] = json.loads(out.read_text())
        return result


def run_single(name: str, out: Path) -> int:
    module = importlib.import_module(f"benchmarks.bench_{name}")
    out.write_text(json.dumps(module.main()))
    return 0


# Metric-name suffix → unit; the longest suffix is tried first.
UNITS = {
    "_per_s": "1/s",
    "_ratio": "x",
    "_ms": "ms",
    "_us": "µs",
    "_mb": "MB",
    "_kb": "KB",
    "_s": "s",
}


def split_unit(metric: str) -> tuple[str, str]:
    """("help_median_ms") -> ("help_median", "ms"); no known suffix -> (metric, "")."""
    for suffix in sorted(UNITS, key=len, reverse=True):
        if metric.endswith(suffix):
            return metric.removesuffix(suffix), UNITS[suffix]
    return metric, ""


def table(results: dict[str, dict[str, object]]) -> str:
    """One row per metric: benchmark, metric, value, unit (skips and notes as text)."""
    rows = [("name", "metric", "value", "unit")]
    for name, metrics in results.items():
        for key, value in metrics.items():
            metric, unit = split_unit(key)
            rows.append((name, metric, str(value), unit))
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines = []
    for index, row in enumerate(rows):
        name, metric, value, unit = (cell.ljust(w) for cell, w in zip(row, widths, strict=True))
        value = row[2].rjust(widths[2]) if index else value
        lines.append(f"{name}  {metric}  {value}  {unit}".rstrip())
        if index == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--single"]:
        raise SystemExit(run_single(sys.argv[2], Path(sys.argv[3])))
    raise SystemExit(main(sys.argv[1:]))
