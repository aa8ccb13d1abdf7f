"""What it costs the app to run SQLite in a helper process (issue 14: saves lost when anything
else in the app's process opened the register file), against SQLite in the app's own
process, the baseline, measured in the same run on the same register.

    python -m bench.sqlite_apart [--activities 10000] [--runs 20]

Each mode runs in a fresh process of its own (the choice is made once per process, before
anything is opened): open the register, read the activities list, open one activity, save
an edit (in the helper-process mode each save is also confirmed on the file from outside,
db/save_witness.py).  Prints the medians and their ratios.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from pathlib import Path

from bench.timing import figures_in_fresh_process


def measure(path: Path, apart: bool, runs: int) -> dict[str, float]:
    """Medians in milliseconds of each step, in this process."""
    from bench.timing import median_of
    from db.storage_options import StorageOptions
    from ropa.register import Register

    options = StorageOptions(sqlite_apart=apart, confirm_saves=apart)
    options.start_helpers()  # as the app does when it starts
    figures: dict[str, float] = {}
    opened, register = median_of(lambda: Register.open(path, options=options), 1)
    figures["open the register"] = opened
    summaries = register.activity_list.summaries()
    figures["read the activities list"], _ = median_of(register.activity_list.summaries, 3)
    some = summaries[len(summaries) // 2]
    assert some.id is not None
    figures["open one activity"], record = median_of(lambda: register.activities.get(some.id), runs)
    version = [record.version]

    def save() -> None:
        saved = register.activities.update(
            some.id, {"description": f"Edited {version[0]}"}, expected_version=version[0]
        )
        version[0] = saved.version

    figures["save one edit"], _ = median_of(save, runs)
    register.close()
    return {step: seconds * 1000 for step, seconds in figures.items()}


def _in_fresh_process(path: Path, apart: bool, runs: int) -> dict[str, float]:
    mode = "apart" if apart else "inside"
    return figures_in_fresh_process("bench.sqlite_apart", mode, str(path), str(runs))


def main(argv: list[str]) -> int:
    if argv[:1] == ["--measure"]:
        print(json.dumps(measure(Path(argv[2]), argv[1] == "apart", int(argv[3]))))
        return 0
    parser = argparse.ArgumentParser(prog="python -m bench.sqlite_apart", description=__doc__)
    parser.add_argument("--activities", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=20)
    options = parser.parse_args(argv)
    from bench.register_data import cached_register

    with tempfile.TemporaryDirectory(prefix="ropa-bench-apart-") as folder:
        path = Path(folder) / "register.ropa"
        shutil.copyfile(cached_register(options.activities), path)
        # Each mode twice, in turns, keeping the second: the first opening of the day makes
        # the daily backup, and the first reads fill the file cache.
        for _ in range(2):
            inside = _in_fresh_process(path, apart=False, runs=options.runs)
            apart = _in_fresh_process(path, apart=True, runs=options.runs)
    print(f"Register of {options.activities} activities (medians of {options.runs}; list of 3)")
    print(f"  {'step':<28} {'in process':>11} {'helper':>10} {'ratio':>7}")
    for step, baseline in inside.items():
        print(
            f"  {step:<28} {baseline:8.1f} ms {apart[step]:7.1f} ms {apart[step] / baseline:6.2f}x"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
