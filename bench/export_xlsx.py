"""Spreadsheets at scale: a 10,000-activity register exported and imported.

    /work/venv/bin/python bench/export_xlsx.py [COUNT] [--only export|import] [--repeat N]

Baselines, measured in the same run on the same data:
- export beside raw openpyxl in write-only mode (lxml) writing the same cell values
  (target: within 1.3x);
- import beside openpyxl read-only iteration of the same workbook (target: within 3x).
Peak memory (the process's peak resident size after each step) is reported.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import openpyxl

from bench.register_data import cached_register
from db.models import LibraryKind
from ropa.records import Role
from ropa.register import Register
from ropa.spreadsheets import export_workbook, import_workbook
from ropa.spreadsheets.export import activity_rows
from ropa.spreadsheets.layout import Kind


def measure(action: Callable[[], Any]) -> tuple[float, float, Any]:
    """(seconds, the process's peak resident memory in MB so far, result) of one call.

    tracemalloc would slow the code it measures several times over, so the peak comes
    from the operating system (ru_maxrss, kilobytes on Linux): it only grows, so each
    figure is the peak up to the end of that step."""
    started = time.perf_counter()
    result = action()
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return seconds, peak, result


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", nargs="?", type=int, default=10_000)
    parser.add_argument(
        "--only",
        choices=("export", "import"),
        help="time one direction and its baseline (import still exports its workbook first)",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="time the export and its baseline N times, alternately, and also compare the "
        "best of each (steadier on a busy machine)",
    )
    return parser.parse_args()


def main() -> None:
    arguments = parse_arguments()
    count = arguments.count
    folder = Path(tempfile.mkdtemp(prefix="ropa-xlsx-bench-"))
    register = Register.open(cached_register(count))
    ours = folder / "ours.xlsx"
    raw = folder / "raw.xlsx"

    export_s, export_mb, _ = measure(lambda: export_workbook(register, ours))
    size_mb = ours.stat().st_size / 1024 / 1024
    print(f"{count:,} activities, workbook {size_mb:.1f} MB")
    if arguments.only != "import":
        report_export(register, ours, raw, export_s, export_mb, arguments.repeat)
    if arguments.only != "export":
        report_import(ours, folder, count)
    register.close()


def report_export(
    register: Register, ours: Path, raw: Path, export_s: float, export_mb: float, repeat: int
) -> None:

    def raw_write() -> None:
        # The same cell values, as plain write-only openpyxl writes them (with lxml).
        records = [r for r in register.activities.load() if r.role != Role.PROCESSOR]
        links = {
            item.name: item.contract_link
            for item in register.library.items(LibraryKind.PROCESSOR)
            if item.contract_link
        }
        rows = list(activity_rows(Kind.CONTROLLER, records, links))
        workbook = openpyxl.Workbook(write_only=True)
        sheet = workbook.create_sheet("Template")
        for row in rows:
            sheet.append(row)
        workbook.save(raw)

    raw_s, raw_mb, _ = measure(raw_write)
    print(f"export            {export_s:6.2f} s  peak {export_mb:6.1f} MB")
    print(f"raw write-only    {raw_s:6.2f} s  peak {raw_mb:6.1f} MB   (same values, no styles)")
    print(f"  ratio {export_s / raw_s:.2f}x (target 1.3x)")
    if repeat > 1:
        exports, raws = [export_s], [raw_s]
        for _ in range(repeat - 1):
            exports.append(measure(lambda: export_workbook(register, ours))[0])
            raws.append(measure(raw_write)[0])
        print("export runs       " + " ".join(f"{s:.2f}" for s in exports))
        print("raw runs          " + " ".join(f"{s:.2f}" for s in raws))
        print(f"  best of {repeat}: ratio {min(exports) / min(raws):.2f}x (target 1.3x)")


def report_import(ours: Path, folder: Path, count: int) -> None:
    def raw_read() -> int:
        workbook = openpyxl.load_workbook(ours, read_only=True)
        cells = sum(1 for row in workbook["Template"].iter_rows(values_only=True) for _ in row)
        workbook.close()
        return cells

    read_s, read_mb, _ = measure(raw_read)
    with Register.open(folder / "empty.ropa") as empty:
        import_s, import_mb, report = measure(lambda: import_workbook(empty, ours))
    assert len(report.created) == count, report.summary()[:300]
    print(f"import            {import_s:6.2f} s  peak {import_mb:6.1f} MB")
    print(f"raw read-only     {read_s:6.2f} s  peak {read_mb:6.1f} MB")
    print(f"  ratio {import_s / read_s:.2f}x (target 3x)")


if __name__ == "__main__":
    main()
