"""Timing for the benchmarks: each step run several times, its result kept."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def timed_runs(work: Callable[[], T], runs: int) -> tuple[list[float], T]:
    """The wall-clock time of each of `runs` calls of `work`, and the last call's result."""
    times: list[float] = []
    result: T
    for _ in range(max(runs, 1)):
        start = time.perf_counter()
        result = work()
        times.append(time.perf_counter() - start)
    return times, result


def median_of(work: Callable[[], T], runs: int) -> tuple[float, T]:
    times, result = timed_runs(work, runs)
    return statistics.median(times), result


def best_of(work: Callable[[], T], runs: int) -> tuple[float, T]:
    times, result = timed_runs(work, runs)
    return min(times), result
