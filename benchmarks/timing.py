"""Shared timing helpers: the same median and p95 in every benchmark's table."""

from __future__ import annotations

import math
import statistics
import time
from collections.abc import Callable


def timed(action: Callable[[], object], runs: int) -> list[float]:
    """Wall time of `runs` calls, in seconds."""
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        samples.append(time.perf_counter() - start)
    return samples


def median_p95_ms(samples: list[float], digits: int = 1) -> tuple[float, float]:
    """Median and nearest-rank 95th percentile of samples in seconds, as milliseconds."""
    ordered = sorted(samples)
    p95 = ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]
    return round(statistics.median(ordered) * 1000, digits), round(p95 * 1000, digits)
