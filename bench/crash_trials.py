"""The kill-at-random crash trials (tests/unit/test_crash.py) at full size.

    python -m bench.crash_trials [--trials 50]

The suite kills the writing process 20 times a run; this runs the same test with as many
kills as asked (ROPA_CRASH_TRIALS) and prints its figures: how many kills landed during work,
how many imports and edits were committed between them, how many kills fell between a commit
and its acknowledgement, and what was lost (the test fails, and this exits 1, if anything).
docs/reliability.md quotes a run of 50.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TEST = "tests/unit/test_crash.py::test_killing_the_writer_at_random_moments_loses_nothing_committed"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.crash_trials", description=__doc__)
    parser.add_argument("--trials", type=int, default=50)
    options = parser.parse_args(argv)
    environment = dict(os.environ, ROPA_CRASH_TRIALS=str(options.trials))
    # -s shows the line of figures the test prints; -n 0 keeps it in one process.
    command = [sys.executable, "-m", "pytest", "-q", "-s", "-n", "0", "-p", "no:cacheprovider"]
    return subprocess.call([*command, TEST], cwd=REPO, env=environment)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
