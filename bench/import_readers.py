"""The import's reader against the one it replaced, on the same hand-made workbook.

    .venv/bin/python bench/import_readers.py [ROWS] [--old-tree FOLDER]

Writes the 10,000-row hand-made workbook of bench/import_scale.py and times, best of 3:
python-calamine through ropa.spreadsheets.reader (every sheet, with merges, hyperlinks and
formulas looked for), openpyxl's read-only iteration, and, given --old-tree (a checkout of
the commit before the change, such as `git archive 8b389bb`), the hand-written parser that
subclassed openpyxl's private reader classes.  Each runs in a fresh process.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.import_scale import write_workbook

_OLD = """
import sys, time
sys.path.insert(0, {tree!r})
from pathlib import Path
from ropa.spreadsheets import importer
path = Path({path!r})
started = time.perf_counter()
workbook = importer.open_workbook(path)
table = importer.find_table(workbook, path)
importer.read_sheet(table)
workbook.close()
print(time.perf_counter() - started)
"""
_NEW = """
import sys, time
sys.path.insert(0, {tree!r})
from pathlib import Path
from ropa.spreadsheets.reader import read_spreadsheet
started = time.perf_counter()
read_spreadsheet(Path({path!r}))
print(time.perf_counter() - started)
"""
_OPENPYXL = """
import time, openpyxl
started = time.perf_counter()
workbook = openpyxl.load_workbook({path!r}, read_only=True)
for row in workbook.worksheets[0].iter_rows(values_only=True):
    for _ in row:
        pass
workbook.close()
print(time.perf_counter() - started)
"""


def best_of(code: str, runs: int = 3) -> float:
    times = []
    for _ in range(runs):
        done = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        )
        times.append(float(done.stdout.split()[-1]))
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("rows", nargs="?", type=int, default=10_000)
    parser.add_argument("--old-tree", type=Path)
    arguments = parser.parse_args()
    path = write_workbook(Path(tempfile.mkdtemp()) / "hand-made.xlsx", arguments.rows)
    here = str(Path(__file__).resolve().parents[1])
    results = {
        "python-calamine (ropa.spreadsheets.reader)": best_of(
            _NEW.format(tree=here, path=str(path))
        ),
        "openpyxl read-only iteration": best_of(_OPENPYXL.format(path=str(path))),
    }
    if arguments.old_tree:
        code = _OLD.format(tree=str(arguments.old_tree), path=str(path))
        results["old parser (openpyxl private classes)"] = best_of(code)
    print(f"{arguments.rows:,} hand-made rows, {path.stat().st_size / 1024 / 1024:.1f} MB")
    for name, seconds in results.items():
        print(f"  {name:<45} {seconds:6.2f} s")
    print(json.dumps(results))


if __name__ == "__main__":
    main()
