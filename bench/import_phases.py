"""Where an import's time goes: opening, reading the sheet, drafts, storing.

    /work/venv/bin/python bench/import_phases.py [COUNT] [--profile FILE]

Exports the cached COUNT-activity register (bench/register_data.py), then imports the
workbook into an empty register phase by phase, beside openpyxl read-only iteration of the
same workbook (the baseline of bench/export_xlsx.py).  With --profile, the import runs
under cProfile and the statistics are written to FILE (read them with `python -m pstats`).
"""

from __future__ import annotations

import argparse
import cProfile
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import openpyxl

from bench.register_data import cached_register
from ropa.register import Register
from ropa.spreadsheets import export_workbook, headers, importer, reader
from ropa.spreadsheets.report import ImportReport, SheetReport

T = TypeVar("T")


def timed(phases: dict[str, tuple[float, float]], name: str, action: Callable[[], T]) -> T:
    """Run `action`, keeping its (wall-clock, CPU) seconds under `name`: on a busy machine
    the CPU time tells more reliably whether a change made a phase quicker."""
    started, cpu_started = time.perf_counter(), time.process_time()
    result = action()
    phases[name] = (time.perf_counter() - started, time.process_time() - cpu_started)
    return result


def workbook_of(count: int, folder: Path) -> Path:
    """Our own export of the cached register, written afresh: what the import reads
    depends on how the export writes it (a declared sheet size, inline text)."""
    path = folder / "ours.xlsx"
    with Register.open(cached_register(count)) as register:
        export_workbook(register, path)
    return path


def raw_read(path: Path) -> int:
    workbook = openpyxl.load_workbook(path, read_only=True)
    cells = sum(1 for row in workbook["Template"].iter_rows(values_only=True) for _ in row)
    workbook.close()
    return cells


def import_in_phases(
    register: Register, path: Path, phases: dict[str, tuple[float, float]]
) -> ImportReport:
    """importer.import_workbook, step by step, each step timed."""
    return _phases(register, path, phases)


def _phases(register: Register, path: Path, phases: dict[str, tuple[float, float]]) -> ImportReport:
    spreadsheet = timed(phases, "reading the file", lambda: reader.read_spreadsheet(path))
    tables, _skipped = headers.find_tables(spreadsheet)
    contacts = importer.read_contacts(tables[0])
    drafts = timed(phases, "rows into drafts", lambda: importer.read_drafts(tables[0]))
    report = ImportReport(path, sheet=tables[0].sheet.title)
    report.sheets.append(SheetReport(tables[0].sheet.title, tables[0].header_row, len(drafts)))

    def store() -> None:
        with register.transaction() as session:
            importer._store(session, tables, drafts, contacts, report, None, None)

    timed(phases, "storing", store)
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", nargs="?", type=int, default=10_000)
    parser.add_argument("--profile", type=Path, help="write cProfile statistics to this file")
    arguments = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="ropa-import-phases-"))
    path = workbook_of(arguments.count, folder)

    baseline: dict[str, tuple[float, float]] = {}
    timed(baseline, "raw read-only", lambda: raw_read(path))

    if arguments.profile:
        with Register.open(folder / "profiled.ropa") as empty:
            profiler = cProfile.Profile()
            profiler.runcall(importer.import_workbook, empty, path)
            profiler.dump_stats(arguments.profile)
        print(f"profile written to {arguments.profile}")
        return

    phases: dict[str, tuple[float, float]] = {}
    with Register.open(folder / "empty.ropa") as empty:
        report = import_in_phases(empty, path, phases)
    assert len(report.created) == arguments.count, report.summary()[:300]
    total = tuple(sum(times) for times in zip(*phases.values(), strict=True))
    print(f"{arguments.count:,} activities, {path.stat().st_size / 1024 / 1024:.1f} MB")
    print(f"{'':<22} {'wall':>6}   {'CPU':>6}")
    for name, (wall, cpu) in phases.items():
        print(f"  {name:<20} {wall:6.2f} s {cpu:6.2f} s")
    print(f"{'import (phases)':<22} {total[0]:6.2f} s {total[1]:6.2f} s")
    wall, cpu = baseline["raw read-only"]
    print(f"{'raw read-only':<22} {wall:6.2f} s {cpu:6.2f} s")
    print(f"  ratio {total[0] / wall:.2f}x wall, {total[1] / cpu:.2f}x CPU (target 3x)")


if __name__ == "__main__":
    main()
