"""Hand-made registers in every shape and format: imported and exported, nothing lost.

Each workbook of tests/data/import_corpus.py is imported into an empty register and the
register exported as the ICO workbook.  Every line of every non-empty cell the DPO wrote
must then be in the same column of the export (the law columns and yes/no answers as the
export words them), the organisation's own columns kept under their own headings, and the
Rights column's text (which the export works out) in the notes.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils import get_column_letter

from ropa.register import Register
from ropa.spreadsheets import export_workbook, import_workbook
from ropa.spreadsheets.cells import is_empty, lines, strip_marker
from ropa.spreadsheets.columns import YES_NO_DETAILS_KEYS
from ropa.spreadsheets.layout import CONTROLLER_LAYOUT, PROCESSOR_LAYOUT
from tests.data.import_corpus import (
    ASIDE,
    CORPUS,
    ICO_HEADERS,
    OWN_COLUMNS,
    REWORDED,
    Built,
    Sheet,
)

# How the export words what a DPO typed in the law and yes/no columns.
REWRITTEN = {
    "public task - article 6(1)(e)": ["article 6(1)(e) public task"],
    "article 9(2)(h) health or social care": ["article 9(2)(h) health or social care"],
    "sch 1 para 6 statutory purposes": ["schedule 1 part 2 paragraph 6"],
    "art 6(1)(b) contract": ["article 6(1)(b) contract"],
    "art 6(1)(c) legal obligation": ["article 6(1)(c) legal obligation"],
    "public task / legal obligation": ["article 6(1)(e) public task", "article 6(1)(c)"],
    "yes - council tax reduction is assessed automatically": [
        "yes: council tax reduction is assessed automatically"
    ],
    "y": ["yes"],
    "n": ["no"],
}

_HEADER_KEYS = {
    header.casefold(): key
    for headers in (
        ICO_HEADERS,
        REWORDED,
        {column.key: column.header for column in PROCESSOR_LAYOUT.ico_columns},
    )
    for key, header in headers.items()
}

_ICO_KEYS = set(_HEADER_KEYS.values())


def _fragments(text: str) -> list[str]:
    """What a reader sees as separate things in a cell: lines, parts between semicolons,
    without bullets or numbering; "N/A" and the like are nothing."""
    found = []
    for line in lines(text):
        for part in line.split(";"):
            value = strip_marker(part)
            if value and not is_empty(value):
                found.append(" ".join(value.casefold().split()))
    return found


def _source_cells(sheet: Sheet) -> list[tuple[str, str, str | None]]:
    """(key or own heading, text, hyperlink) of each data cell the builder wrote; a column
    with no heading is named by its letter, as the import names it."""
    header_row = next(
        index
        for index, row in enumerate(sheet.rows)
        if sum(1 for value in row if value and value.casefold() in _HEADER_KEYS) >= 3
    )
    headings = sheet.rows[header_row]
    cells = []
    for row_index, row in enumerate(sheet.rows[header_row + 1 :], start=header_row + 2):
        for column_index, value in enumerate(row, start=1):
            if value is None:
                continue
            heading = headings[column_index - 1] if column_index <= len(headings) else None
            if heading is None:
                heading = f"Column {get_column_letter(column_index)}"
            key = _HEADER_KEYS.get(heading.casefold(), heading)
            link = sheet.links.get((row_index, column_index))
            cells.append((key, value, link))
    return cells


def _exported_columns(path: Path, processor: bool) -> dict[str, str]:
    """Each column of the exported workbook's data rows, by key (own columns by heading),
    as one folded text."""
    layout = PROCESSOR_LAYOUT if processor else CONTROLLER_LAYOUT
    keys = {column.header: column.key for column in layout.columns}
    sheet = openpyxl.load_workbook(path)["Template"]
    columns: dict[str, list[str]] = {}
    for cell in sheet[9]:
        if cell.value is None:
            continue
        key = keys.get(str(cell.value), str(cell.value))
        for row in range(10, sheet.max_row + 1):
            value = sheet.cell(row, cell.column).value
            if value is not None:
                columns.setdefault(key, []).append(" ".join(str(value).casefold().split()))
    return {key: "\n".join(texts) for key, texts in columns.items()}


def _missing(built: Built, exported: dict[bool, dict[str, str]]) -> list[str]:
    """Each line the DPO wrote that is not in its column of the export: of the controller
    workbook (exported[False]), or of the processor workbook for a processor's sheet."""
    missing = []
    for sheet in built.sheets:
        if sheet.title in built.sheets_skipped:
            continue
        for key, text, link in _source_cells(sheet):
            where = "notes" if key == "rights" else key
            column = exported[sheet.processor].get(where, "")
            # The organisation's own columns go back out as typed, under their headings.
            own = key not in _ICO_KEYS
            for fragment in _fragments(text):
                wanted = (
                    [link.casefold()]
                    if link
                    else [fragment]
                    if own
                    else REWRITTEN.get(fragment, [fragment])
                )
                missing += [f"{key}: {fragment!r}" for want in wanted if want not in column]
    return missing


@pytest.mark.parametrize("build", CORPUS, ids=lambda build: build.__name__)
def test_a_hand_made_register_comes_back_out_with_nothing_lost(
    build: Callable[[Path], Built], tmp_path: Path
) -> None:
    built = build(tmp_path)
    with Register.open(tmp_path / "register.ropa") as register:
        report = import_workbook(register, built.path)
        assert len(report.created) == built.activities, report.summary()
        assert [name for name, _ in report.skipped] == list(built.sheets_skipped)
        assert sum(sheet.created for sheet in report.sheets) == built.activities
        records = register.activities.load()
        read = [sheet for sheet in built.sheets if sheet.title not in built.sheets_skipped]
        exported = {
            processor: _exported_columns(
                export_workbook(
                    register, tmp_path / f"export-{processor}.xlsx", processor=processor
                ).path,
                processor,
            )
            for processor in {sheet.processor for sheet in read}
        }
    assert _missing(built, exported) == []
    # The organisation's own columns are kept on the activities under their headings.
    written = {
        (heading, value)
        for sheet in read
        for heading, value, _ in _source_cells(sheet)
        if heading not in _ICO_KEYS
    }
    kept = {
        (heading, value) for record in records for heading, value in record.extra_fields.items()
    }
    assert written <= kept
    # Text in the Rights column, which the register works out, is reported with its cell.
    rights = [problem for problem in report.problems if "worked out" in problem.why]
    assert all(re.fullmatch(r"[A-Z]+\d+(:[A-Z]+\d+)?", problem.cell) for problem in rights)


def test_the_ico_processor_example_is_one_record_per_controller(tmp_path: Path) -> None:
    built = next(build for build in CORPUS if build.__name__ == "ico_processor_example")(tmp_path)
    with Register.open(tmp_path / "register.ropa") as register:
        report = import_workbook(register, built.path)
        records = register.activities.load()
        again = import_workbook(register, built.path)
    assert len(records) == 4
    assert sorted((record.controllers[:12], tuple(record.purposes)) for record in records) == [
        ("Controller A", ("Payroll",)),
        ("Controller B", ("Bookkeeping",)),
        ("Controller B", ("Cloud storage",)),
        ("Controller B", ("Payroll",)),
    ]
    assert report.unsure == []
    # Imported again, each row is the activity it made before.
    assert again.created == [] and len(again.unchanged) == 4


def test_own_columns_go_back_out_under_their_headings(tmp_path: Path) -> None:
    built = next(build for build in CORPUS if build.__name__ == "ico_with_contacts")(tmp_path)
    with Register.open(tmp_path / "register.ropa") as register:
        import_workbook(register, built.path)
        exported = export_workbook(register, tmp_path / "export.xlsx").path
    columns = _exported_columns(exported, processor=False)
    for heading, values in OWN_COLUMNS.items():
        for value in values:
            assert value.casefold() in columns.get(heading, ""), heading
    # After the ICO's columns and the register's, in the order the DPO's workbook had them.
    headings = [cell.value for cell in openpyxl.load_workbook(exported)["Template"][9]]
    assert headings[len(CONTROLLER_LAYOUT.columns) :] == list(OWN_COLUMNS)
    # What was written after a yes or no goes back into its own column, not a new one.
    assert not any(heading in YES_NO_DETAILS_KEYS for heading in headings)


def test_own_columns_come_back_in_as_they_went_out(tmp_path: Path) -> None:
    built = next(build for build in CORPUS if build.__name__ == "ico_with_contacts")(tmp_path)
    with Register.open(tmp_path / "register.ropa") as register:
        import_workbook(register, built.path)
        before = {record.reference: record.extra_fields for record in register.activities.load()}
        exported = export_workbook(register, tmp_path / "export.xlsx").path
        again = import_workbook(register, exported)
        after = {record.reference: record.extra_fields for record in register.activities.load()}
    assert again.created == []
    assert after == before
    with Register.open(tmp_path / "fresh.ropa") as fresh:
        import_workbook(fresh, exported)
        elsewhere = {record.reference: record.extra_fields for record in fresh.activities.load()}
    assert elsewhere == before


def test_a_note_in_a_column_without_a_heading_is_kept_and_reported(tmp_path: Path) -> None:
    built = next(build for build in CORPUS if build.__name__ == "reworded_headings")(tmp_path)
    letter = get_column_letter(len(built.sheets[0].rows[0]) + 2)
    with Register.open(tmp_path / "register.ropa") as register:
        report = import_workbook(register, built.path)
        records = register.activities.load()
        exported = export_workbook(register, tmp_path / "export.xlsx").path
    noted = [record.extra_fields.get(f"Column {letter}") for record in records]
    assert noted == [None, ASIDE, None]
    assert report.sheets[0].own_columns == [(letter, f"Column {letter}", False)]
    assert f"{letter} “Column {letter}” (no heading)" in report.summary()
    assert ASIDE.casefold() in _exported_columns(exported, processor=False)[f"Column {letter}"]


@pytest.mark.parametrize(
    "name", ["one_activity_over_rows", "libreoffice_rows_merges_links", "excel_97"]
)
def test_a_merged_business_function_belongs_to_each_activity_under_it(
    name: str, tmp_path: Path
) -> None:
    built = next(build for build in CORPUS if build.__name__ == name)(tmp_path)
    with Register.open(tmp_path / "register.ropa") as register:
        import_workbook(register, built.path)
        functions = [record.business_function for record in register.activities.load()]
    merged = functions[0] if name == "excel_97" else functions[1]
    assert functions.count(merged) == 2, functions
