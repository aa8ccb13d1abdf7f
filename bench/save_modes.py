"""What a save costs under each way of journalling a desktop register (issue 19: a copy of
the .ropa file alone must hold every save), against today's WAL, in the same run.

    python -m bench.save_modes [--activities 2000] [--runs 30] [--rounds 3]

Modes: WAL as before (saves wait in the -wal until the app closes: the baseline, which fails
the requirement), WAL with a full checkpoint (TRUNCATE) after each save, and the rollback
journal that deletes itself (DELETE) or is truncated (TRUNCATE), both with full syncing.
Each mode runs in a fresh process, in the app's way (SQLite in a helper process, each save
confirmed on the file) and the command line's (SQLite in the process). After the saves the
bench copies the .ropa file alone and counts whether the copy holds the last save. The
modes take turns, `--rounds` times, on a machine shared with others: each figure printed is
the median of the rounds' medians (the worst save: the worst of all).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sqlite3
import sys
import tempfile
from pathlib import Path

from bench.timing import figures_in_fresh_process

MODES = ["WAL", "WAL+CHECKPOINT", "DELETE", "TRUNCATE"]


def measure(path: Path, mode: str, apart: bool, runs: int) -> dict[str, float]:
    """Median and worst save in milliseconds, and whether a copy of the file alone (taken
    while the register is still open) holds the last save (1.0) or not (0.0)."""
    import statistics

    from bench.timing import timed_runs
    from db.storage_options import StorageOptions
    from ropa.register import Register

    options = StorageOptions(sqlite_apart=apart, confirm_saves=apart, journal=mode)
    register = Register.open(path, options=options, daily_backup=False)
    some = register.activity_list.summaries()[0]
    assert some.id is not None
    version = [register.activities.get(some.id).version]

    def save() -> None:
        saved = register.activities.update(
            some.id, {"description": f"Edited {version[0]}"}, expected_version=version[0]
        )
        version[0] = saved.version

    times, _ = timed_runs(save, runs)
    copy = path.with_name("copy-alone.ropa")
    shutil.copyfile(path, copy)
    probe = sqlite3.connect(copy)
    try:
        (held,) = probe.execute(
            "SELECT version FROM activities WHERE id = ?", (some.id,)
        ).fetchone()
    finally:
        probe.close()
        copy.unlink()
    register.close()
    return {
        "median save": statistics.median(times) * 1000,
        "worst save": max(times) * 1000,
        "copy holds the save": 1.0 if held == version[0] else 0.0,
    }


def _in_fresh_process(path: Path, mode: str, apart: bool, runs: int) -> dict[str, float]:
    where = "apart" if apart else "inside"
    return figures_in_fresh_process("bench.save_modes", mode, where, str(path), str(runs))


def main(argv: list[str]) -> int:
    if argv[:1] == ["--measure"]:
        figures = measure(Path(argv[3]), argv[1], argv[2] == "apart", int(argv[4]))
        print(json.dumps(figures))
        return 0
    parser = argparse.ArgumentParser(prog="python -m bench.save_modes", description=__doc__)
    parser.add_argument("--activities", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--rounds", type=int, default=3)
    options = parser.parse_args(argv)
    import statistics

    from bench.register_data import cached_register

    rounds: dict[tuple[str, bool], list[dict[str, float]]] = {}
    with tempfile.TemporaryDirectory(prefix="ropa-bench-modes-") as folder:
        for _ in range(options.rounds):
            for mode in MODES:
                for apart in (True, False):
                    path = Path(folder) / f"{mode}-{apart}.ropa"
                    shutil.copyfile(cached_register(options.activities), path)
                    measured = _in_fresh_process(path, mode, apart, options.runs)
                    rounds.setdefault((mode, apart), []).append(measured)
    results = {
        key: {
            "median save": statistics.median(r["median save"] for r in runs),
            "worst save": max(r["worst save"] for r in runs),
            "copy holds the save": min(r["copy holds the save"] for r in runs),
        }
        for key, runs in rounds.items()
    }
    print(
        f"Register of {options.activities} activities; {options.runs} saves of one edit each, "
        f"{options.rounds} rounds"
    )
    print(f"  {'mode':<16} {'where':<8} {'median':>9} {'worst':>9} {'vs WAL':>7}  copy alone")
    for (mode, apart), figures in results.items():
        baseline = results["WAL", apart]["median save"]
        print(
            f"  {mode:<16} {'helper' if apart else 'process':<8} "
            f"{figures['median save']:6.1f} ms {figures['worst save']:6.1f} ms "
            f"{figures['median save'] / baseline:6.2f}x  "
            f"{'has the save' if figures['copy holds the save'] else 'MISSING the save'}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
