"""Run every benchmark (benchmarks/bench_*.py), print one table, write JSON.

Benchmarks are never part of the pass/fail tests: numbers depend on the machine. Each
module exposes `main() -> dict[str, float | str]`; run them all with
`.venv/bin/python -m benchmarks.run` or a subset with `... -m benchmarks.run cli flow`.

    --compare OLD.json   print each figure beside OLD's, as a ratio new/old
    --results RUN.json   use a written run instead of running now (with --compare/--markdown)
    --markdown           print the README's performance table from this one run
    --note TEXT          stored with the run, e.g. "shared machine, 6 helpers busy"
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks import report

HERE = Path(__file__).parent


def machine() -> str:
    cpus = len(os.sched_getaffinity(0))
    python = platform.python_version()
    return f"{platform.system()} {platform.machine()}, {cpus} cores, Python {python}"


def commit() -> str:
    done = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=HERE, capture_output=True, text=True,
        check=False,
    )  # fmt: skip
    return done.stdout.strip() if done.returncode == 0 else ""


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run")
    parser.add_argument("names", nargs="*", help="benchmarks to run (default: all)")
    parser.add_argument("--compare", type=Path, metavar="OLD.json")
    parser.add_argument("--results", type=Path, metavar="RUN.json")
    parser.add_argument("--markdown", action="store_true")
    parser.add_argument("--note", default="")
    args = parser.parse_args(argv)
    run = report.load(args.results) if args.results else run_all(args.names, args.note)
    if args.compare:
        print()
        print(report.compare(report.load(args.compare), run))
    if args.markdown:
        print()
        print(report.markdown(run))
    return 0


def run_all(selected: list[str], note: str) -> dict[str, Any]:
    names = sorted(p.stem.removeprefix("bench_") for p in HERE.glob("bench_*.py"))
    if selected:
        names = [n for n in names if n in selected]
    results: dict[str, dict[str, object]] = {}
    for name in names:
        print(f"\n## {name}", flush=True)
        results[name] = run_isolated(name)
    run: dict[str, Any] = {
        "machine": machine(),
        "when": time.strftime("%Y-%m-%d %H:%M"),
        "commit": commit(),
        "note": note,
        "results": results,
    }
    out = HERE / "results"
    out.mkdir(exist_ok=True)
    path = out / f"bench-{time.strftime('%Y%m%d-%H%M%S')}.json"
    path.write_text(json.dumps(run, indent=2, ensure_ascii=False))
    print()
    print(table(results))
    print(f"\nmachine: {machine()}\nwritten: {path}")
    return run


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


def table(results: dict[str, dict[str, object]]) -> str:
    """One row per metric: benchmark, metric, value, unit (skips and notes as text)."""
    rows: list[tuple[str, ...]] = [("name", "metric", "value", "unit")]
    for name, metrics in results.items():
        for key, value in metrics.items():
            if key.endswith(report.DETAIL):
                continue  # printed by the benchmark itself, kept in the JSON
            metric, unit = report.split_unit(key)
            rows.append((name, metric, str(value), unit))
    return report.text_table(rows, numeric=(2,))


if __name__ == "__main__":
    if sys.argv[1:2] == ["--single"]:
        raise SystemExit(run_single(sys.argv[2], Path(sys.argv[3])))
    raise SystemExit(main(sys.argv[1:]))
