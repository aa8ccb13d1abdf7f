"""Opening one register after another in one process: each engine compiling its own SQL (as
SQLAlchemy does by itself) against the compiled SQL shared by every register file
(db/statement_cache.py), in the same run.

    python -m bench.register_switch [--registers 10] [--rounds 3]

Each step is what the app does on switching to a register: open it, list its activities, read
one whole, change a field, close it. The registers are copies of the example register. The
two ways take turns, `--rounds` times, on a machine shared with others; the figures printed
are the medians of the rounds, for SQLite in this process (the command line) and in helper
processes (the app).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from db.statement_cache import FILE_STATEMENTS
from db.storage_options import SQLITE_IN_PROCESS, StorageOptions
from ropa.demo import write_demo
from ropa.register import Register

APP_WAY = StorageOptions(sqlite_apart=True)


def switch_to(path: Path, options: StorageOptions) -> None:
    with Register.open(path, options=options, daily_backup=False) as register:
        first = register.activity_list.summaries()[0]
        activity = register.activities.get(first.id)
        register.activities.update(
            first.id, {"description": activity.description + "."}, activity.version
        )


def timed_switches(
    example: Path, folder: Path, count: int, options: StorageOptions, *, shared: bool
) -> float:
    """Seconds to switch to `count` registers one after another (copies made beforehand)."""
    folder.mkdir()
    paths = [folder / f"register-{index}.ropa" for index in range(count)]
    for path in paths:
        shutil.copyfile(example, path)
    FILE_STATEMENTS.clear()
    took = 0.0
    for path in paths:
        if not shared:
            FILE_STATEMENTS.clear()  # each engine compiling for itself, as without sharing
        start = time.perf_counter()
        switch_to(path, options)
        took += time.perf_counter() - start
    return took


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.register_switch", description=__doc__)
    parser.add_argument("--registers", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    arguments = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="ropa-bench-switch-") as folder:
        example = Path(folder) / "example.ropa"
        write_demo(example).close()
        # Imports and the first compilations paid before anything is timed.
        switch_to(Path(shutil.copyfile(example, Path(folder) / "warm-up.ropa")), APP_WAY)
        print(
            f"Switching to {arguments.registers} example registers one after another, "
            f"{arguments.rounds} rounds (medians)"
        )
        for label, options in (("in this process", SQLITE_IN_PROCESS), ("app's way", APP_WAY)):
            own: list[float] = []
            one: list[float] = []
            for round_number in range(arguments.rounds):
                base = Path(folder) / f"{label}-{round_number}"
                base.mkdir()
                # The two ways take turns at going first, so that neither always runs on a
                # machine the other has just warmed (or loaded).
                for shared in (False, True) if round_number % 2 == 0 else (True, False):
                    times = one if shared else own
                    times.append(
                        timed_switches(
                            example,
                            base / ("one" if shared else "own"),
                            arguments.registers,
                            options,
                            shared=shared,
                        )
                    )
            each_own = statistics.median(own) / arguments.registers * 1000
            each_one = statistics.median(one) / arguments.registers * 1000
            print(
                f"  {label:16} each engine compiling: {each_own:6.1f} ms a switch; "
                f"shared: {each_one:6.1f} ms; ratio {each_own / each_one:.2f}x"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
