"""`ropa import` and `ropa export`: the spreadsheets from the command line."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from ropa.sanitise import for_terminal
from ropa.spreadsheets.export import export_workbook
from ropa.spreadsheets.importer import import_workbook
from ropa.spreadsheets.merge import describe_changes

if TYPE_CHECKING:
    from ropa.register import Register

EXIT_OK = 0


def run_import(
    register: Register, path: Path, *, dry_run: bool, report_path: Path | None = None
) -> int:
    """Import (or with `dry_run`, try) a workbook and print the report; with `report_path`,
    write the report as a workbook too.

    Bad input raises a RopaError, which ropa.cli prints on one line with exit status 1.
    """
    report = import_workbook(register, path, dry_run=dry_run)
    # Names and notes come from the workbook: control characters and right-to-left
    # overrides in them are shown as escapes, never acted on by the terminal.
    print(report.summary(shown=for_terminal))
    if report.changes:
        # Per activity the register held, each field changed: a blank cell changes nothing.
        print("\n".join(describe_changes(report.changes, dry_run=dry_run, shown=for_terminal)))
    if report.backup is not None:
        print(f"The register was backed up first, to {for_terminal(str(report.backup))}")
    if report_path is not None:
        from ropa.spreadsheets.report_workbook import write_report

        written = write_report(report, report_path)
        print(f"Wrote the import report to {for_terminal(str(written))}")
    return EXIT_OK


def run_export(register: Register, path: Path, *, processor: bool, include_retired: bool) -> int:
    result = export_workbook(register, path, processor=processor, include_retired=include_retired)
    which = "processor" if processor else "controller"
    count = result.activity_count
    print(
        f"Wrote the ICO {which} workbook with {count} "
        f"{'activity' if count == 1 else 'activities'} to {for_terminal(str(result.path))}"
    )
    return EXIT_OK
