"""`ropa import` and `ropa export`: the spreadsheets from the command line."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from ropa.sanitise import for_terminal
from ropa.spreadsheets.errors import SpreadsheetError
from ropa.spreadsheets.export import export_workbook
from ropa.spreadsheets.headers import Mapping, Roles
from ropa.spreadsheets.importer import import_workbook
from ropa.spreadsheets.layout import Kind
from ropa.spreadsheets.merge import describe_changes
from ropa.spreadsheets.vocabulary import header_key, resolve_choice

if TYPE_CHECKING:
    from ropa.register import Register

EXIT_OK = 0


def run_import(
    register: Register,
    path: Path,
    *,
    dry_run: bool,
    report_path: Path | None = None,
    maps: Sequence[str] = (),
    map_files: Sequence[Path] = (),
    sheet_roles: Sequence[str] = (),
) -> int:
    """Import (or with `dry_run`, try) a workbook and print the report; with `report_path`,
    write the report as a workbook too.  `maps` ("HEADING=field") and `map_files` (one such
    line each) say which field a column is; `sheet_roles` ("SHEET=controller|processor")
    which record a sheet is.

    Bad input raises a RopaError, which ropa.cli prints on one line with exit status 1.
    """
    mapping = mapping_from(maps, map_files)
    roles = roles_from(sheet_roles)
    report = import_workbook(register, path, dry_run=dry_run, mapping=mapping, roles=roles)
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


def mapping_from(maps: Sequence[str], map_files: Sequence[Path] = ()) -> Mapping:
    """The DPO's mapping of headings to fields, from `--map` and mapping files (one
    "HEADING=field" a line; blank lines and lines starting "#" are passed over)."""
    mapping: Mapping = {}
    entries = [(entry, "--map") for entry in maps]
    for file in map_files:
        try:
            text = file.read_text(encoding="utf-8-sig")
        except OSError as error:
            raise SpreadsheetError(
                f"The mapping file {file} cannot be read ({error.strerror}). Check its name."
            ) from error
        for number, line in enumerate(text.splitlines(), start=1):
            if line.strip() and not line.lstrip().startswith("#"):
                entries.append((line, f"{file.name}, line {number}"))
    for entry, where in entries:
        heading, sign, chosen = entry.rpartition("=")
        if not sign or not heading.strip():
            raise SpreadsheetError(
                f"{where}: “{entry}” is not HEADING=field (for example "
                "“Recipients/processors=recipients”, or “Notes to self=ignore”)."
            )
        try:
            mapping[header_key(heading)] = resolve_choice(chosen)
        except ValueError as error:
            raise SpreadsheetError(f"{where}: {error}") from error
    return mapping


def roles_from(entries: Sequence[str]) -> Roles:
    """Which record each named sheet is, from `--sheet "SHEET=controller"`."""
    roles: Roles = {}
    for entry in entries:
        sheet, _, role = entry.rpartition("=")
        kinds = {kind.value: kind for kind in Kind}
        if not sheet.strip() or role.strip().casefold() not in kinds:
            raise SpreadsheetError(
                f"--sheet: “{entry}” is not SHEET=controller or SHEET=processor."
            )
        roles[sheet.strip()] = kinds[role.strip().casefold()]
    return roles


def run_export(register: Register, path: Path, *, processor: bool, include_retired: bool) -> int:
    result = export_workbook(register, path, processor=processor, include_retired=include_retired)
    which = "processor" if processor else "controller"
    count = result.activity_count
    print(
        f"Wrote the ICO {which} workbook with {count} "
        f"{'activity' if count == 1 else 'activities'} to {for_terminal(str(result.path))}"
    )
    return EXIT_OK
