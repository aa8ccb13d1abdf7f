"""Timing for the benchmarks: each step run several times, its result kept."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")

REPO = Path(__file__).resolve().parents[1]


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


def figures_in_fresh_process(module: str, *arguments: str) -> dict[str, float]:
    """`python -m module --measure arguments...` run in a fresh interpreter (so that what one
    variant loaded or cached cannot speed up the next), and the figures it printed as JSON on
    its last line."""
    output = subprocess.run(
        [sys.executable, "-m", module, "--measure", *arguments],
        cwd=REPO,
        env=dict(os.environ, PYTHONPATH=str(REPO)),
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    figures: dict[str, float] = json.loads(output.strip().splitlines()[-1])
    return figures
