"""Flow engine: loading 50 flows (goal < 100 ms) and per-turn overhead (goal p99 ≤ 1 ms).

Per-turn time excludes the actions: time spent inside action callables is measured and
subtracted, so the number is the engine's own cost (matching, validation, branching,
rendering, transcript), not the card's.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path

from assistant.flow.actions import ActionResult
from assistant.flow.loader import load_all
from assistant.flow.session import Session
from tests.fixtures.flows.actions import Recorder, build_registry, default_answer

FIXTURES = Path(__file__).parents[1] / "tests" / "fixtures" / "flows"
FLOWS = 50
LOAD_RUNS = 20
CONVERSATIONS = 300
REPLIES = ("918273", "yardım", "246813", "246813", "evet", "3344", "246813")


def _load_ms() -> float:
    template = (FIXTURES / "pin_change.yaml").read_text(encoding="utf-8")
    with tempfile.TemporaryDirectory() as folder:
        for i in range(FLOWS):
            text = template.replace("flow: pin_change", f"flow: pin_change_{i}")
            Path(folder, f"flow_{i}.yaml").write_text(text, encoding="utf-8")
        times = []
        for _ in range(LOAD_RUNS):
            start = time.perf_counter()
            flows, problems = load_all([Path(folder)])
            times.append(time.perf_counter() - start)
            assert len(flows) == FLOWS and not problems
    return statistics.median(times) * 1000


def _turn_us() -> list[float]:
    flows, _ = load_all([FIXTURES])
    in_actions = [0.0]

    def answer(name: str, inputs: Mapping[str, object]) -> ActionResult:
        start = time.perf_counter()
        result = default_answer(name, inputs)
        in_actions[0] += time.perf_counter() - start
        return result

    registry = build_registry(Recorder(answer))
    samples = []
    for _ in range(CONVERSATIONS):
        session = Session(flows, registry, "pin_change")
        session.start()
        for reply in REPLIES:
            in_actions[0] = 0.0
            start = time.perf_counter()
            session.handle(reply)
            samples.append((time.perf_counter() - start - in_actions[0]) * 1e6)
        session.close()
    return sorted(samples)


def main() -> dict[str, float]:
    load_ms = _load_ms()
    turns = _turn_us()
    results = {
        "load_50_flows_median_ms": round(load_ms, 1),
        "turn_p50_us": round(turns[len(turns) // 2], 1),
        "turn_p99_us": round(turns[int(len(turns) * 0.99)], 1),
    }
    print(f"load {FLOWS} flows      median {results['load_50_flows_median_ms']:7.1f} ms")
    print(
        f"per-turn overhead  p50 {results['turn_p50_us']:7.1f} µs   "
        f"p99 {results['turn_p99_us']:7.1f} µs   ({len(turns)} turns, actions excluded)"
    )
    return results
