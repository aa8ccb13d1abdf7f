"""The exported workbook carries every field the register holds: exported, then imported
into a new register, every activity and the organisation's details come back equal.

The fields are taken from the one description of an activity (db/activity_tables.py FIELDS
and its child tables) and from the records, never listed here, so a field added later
without a way into the workbook fails this test by name.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from db.activity_tables import ACTIVITY_CHILD_TABLES, FIELDS, Kind, Shape
from ropa import law
from ropa.records import (
    ActivityRecord,
    ConditionEntry,
    LawfulBasisEntry,
    OrganisationRecord,
    RetentionEntry,
    Role,
    Status,
    TransferEntry,
)
from ropa.register import Register
from ropa.spreadsheets import export_workbook, import_workbook
from ropa.spreadsheets.layout import (
    CONTROLLER_LAYOUT,
    ENTRY_DETAIL_KEYS,
    HEADER_ROW,
    OTHER_DETAILS,
    OTHER_DETAILS_FIRST_COLUMN,
    OTHER_DETAILS_HEADING,
    PROCESSOR_LAYOUT,
    REGISTER_FILL,
    TEMPLATE_SHEET,
    other_detail_cell,
)
from ropa.spreadsheets.widths import HEADING_LINES, wrapped_lines

_ENTRY_TYPES: dict[str, type] = {
    "lawful_bases": LawfulBasisEntry,
    "article9": ConditionEntry,
    "schedule1": ConditionEntry,
    "transfers": TransferEntry,
    "retention": RetentionEntry,
}
# The code-like attributes of entries, which must hold one of the law's own values.
_CODES: dict[tuple[str, str], str] = {
    ("lawful_bases", "basis"): "ea",
    ("lawful_bases", "annex1_condition"): "2",
    ("article9", "code"): "g",
    ("schedule1", "code"): "6",
    ("transfers", "mechanism"): "idta",
    ("transfers", "data_protection_test"): "yes",
}


def _entries(field: str, tag: str) -> list[Any]:
    """Two entries of a field, every attribute of each filled (the second entry's codes
    differ where the law has another)."""
    entry_type = _ENTRY_TYPES[field]
    made = []
    for number in (1, 2):
        values: dict[str, Any] = {}
        for attribute in dataclasses.fields(entry_type):
            code = _CODES.get((field, attribute.name))
            if attribute.name == "legislation":
                values[attribute.name] = [f"{tag} basis act {number}"]
            elif code is not None:
                values[attribute.name] = code
            elif attribute.name.endswith("_date"):
                values[attribute.name] = f"2026-0{number}-15"
            elif attribute.name.endswith("_link"):
                values[attribute.name] = f"https://example.org/{tag}/{field}/{number}"
            else:
                values[attribute.name] = f"{tag} {field} {attribute.name} {number}"
        made.append(entry_type(**values))
    second = made[1]
    if field == "lawful_bases":
        second.basis, second.annex1_condition, second.outside_tasks_reason = "c", "", ""
    elif field == "article9":
        second.code = "b"
    elif field == "schedule1":
        second.code = "1"
    elif field == "transfers":
        second.data_protection_test = "no"
    return made


def _every_field_filled(tag: str, role: Role, answer: bool | None) -> ActivityRecord:
    """An activity with a value in every field the description lists, by the field's kind;
    yes-or-no questions all hold `answer` (None: not answered)."""
    values: dict[str, Any] = {}
    for name, info in FIELDS.items():
        if info.kind in (Kind.TEXT, Kind.LONG_TEXT):
            values[name] = f"{tag} {name}"
            if info.kind == Kind.LONG_TEXT:
                values[name] += "\nand a second line"
        elif info.kind == Kind.LINK:
            values[name] = f"https://example.org/{tag}/{name}"
        elif info.kind == Kind.DATE:
            values[name] = dt.date(2026, 1, 1) + dt.timedelta(days=len(values))
        elif info.kind in (Kind.TRI_STATE, Kind.YES_NO):
            values[name] = answer if info.kind == Kind.TRI_STATE else bool(answer)
        elif info.kind == Kind.LIBRARY:
            values[name] = [f"{tag} {name} {number}" for number in (1, 2)]
        elif info.kind == Kind.ENTRIES:
            values[name] = _entries(name, tag)
        elif info.kind == Kind.OWN_FIELDS:
            values[name] = {"Information asset owner": f"{tag} owner"}
    values["reference"] = tag
    values["role"] = role
    values["status"] = Status.APPROVED
    values["article10_basis"] = next(iter(law.article10_bases()))
    values["dpia_criteria"] = "\n".join(list(law.dpia_criteria())[:2])
    values["recipient_reasons"] = {values["recipients"][0]: f"{tag} why the first gets it"}
    if answer is True:
        values["automated_decision_details"] = f"{tag} the logic involved"
    else:
        values["automated_decision_details"] = ""
    # The field the import keeps for what it could not read: nothing to add to.
    values["notes"] = f"{tag} notes"
    missing = set(ActivityRecord.editable_fields()) - set(values)
    assert not missing, f"no value made for {sorted(missing)}: teach _every_field_filled"
    return ActivityRecord(**values)


def _organisation() -> dict[str, Any]:
    values: dict[str, Any] = {}
    for attribute in dataclasses.fields(OrganisationRecord):
        if attribute.name == "version":
            continue
        if attribute.type in ("bool | None", bool | None):
            values[attribute.name] = True
        elif attribute.name.endswith(("url", "website")):
            values[attribute.name] = f"https://example.org/{attribute.name}"
        else:
            values[attribute.name] = f"Our {attribute.name.replace('_', ' ')}"
    return values


def _lost(before: Any, after: Any, names: list[str], what: str) -> list[str]:
    return [
        f"{what}: {name} went out as {getattr(before, name)!r}, came back as "
        f"{getattr(after, name)!r}"
        for name in names
        if getattr(before, name) != getattr(after, name)
    ]


def _round_trip(source: Register, folder: Path, lost_details: list[str] | None = None) -> list[str]:
    """What an export and an import into a new register lost of the activities, field by
    field (and of the organisation's details, in `lost_details`)."""
    lost_details = [] if lost_details is None else lost_details
    before = {record.reference: record for record in source.activities.load()}
    organisation = source.organisation.get()
    lost: list[str] = []
    with Register.open(folder / "new.ropa") as copy:
        for processor in (False, True):
            workbook = folder / f"register-{processor}.xlsx"
            export_workbook(source, workbook, processor=processor)
            report = import_workbook(copy, workbook)
            assert not report.problems, report.problems
            # Every cell of the register's sheet, the new columns' too, went somewhere: none
            # was left unread or put in the notes (the Example and Notes sheets are not read).
            unplaced = [
                line
                for line in report.summary().splitlines()
                if "Template!" in line and ("not read" in line or "notes" in line)
            ]
            assert not unplaced, unplaced
        after = {record.reference: record for record in copy.activities.load()}
        assert sorted(after) == sorted(before)
        fields = ActivityRecord.editable_fields()
        for reference, record in before.items():
            lost += _lost(record, after[reference], fields, reference)
        names = [f.name for f in dataclasses.fields(OrganisationRecord) if f.name != "version"]
        lost_details.extend(_lost(organisation, copy.organisation.get(), names, "organisation"))
    return lost


def test_the_description_names_every_child_table_field() -> None:
    """The generated activity fills what the child tables hold: every entries field has its
    entry type here, so a new child table is not silently left out of the test."""
    entry_fields = {
        name
        for child in ACTIVITY_CHILD_TABLES
        if child.shape in (Shape.ENTRIES, Shape.ENTRIES_BY_FIELD)
        for name in child.fields
    }
    assert entry_fields == set(_ENTRY_TYPES)


@pytest.mark.parametrize("answer", [True, False, None], ids=["yes", "no", "unanswered"])
def test_every_field_survives_export_and_import_into_a_new_register(
    register: Register, tmp_path: Path, answer: bool | None
) -> None:
    register.organisation.update(_organisation())
    register.activities.create_many(
        [
            _every_field_filled("C-1", Role.CONTROLLER, answer),
            _every_field_filled("J-1", Role.JOINT_CONTROLLER, answer),
            _every_field_filled("P-1", Role.PROCESSOR, answer),
        ]
    )
    lost = _round_trip(register, tmp_path)
    assert not lost, "lost by the workbook:\n" + "\n".join(lost)


def test_the_organisations_details_survive_export_and_import_into_a_new_register(
    register: Register, tmp_path: Path
) -> None:
    register.organisation.update(_organisation())
    # (A workbook whose Template sheet has no rows is read from its Example sheet.)
    register.activities.create_many(
        [
            _every_field_filled("C-1", Role.CONTROLLER, None),
            _every_field_filled("P-1", Role.PROCESSOR, None),
        ]
    )
    lost: list[str] = []
    _round_trip(register, tmp_path, lost)
    assert not lost, "lost by the workbook:\n" + "\n".join(lost)


def test_the_example_register_survives_export_and_import_into_a_new_register(
    demo_register: Register, tmp_path: Path
) -> None:
    lost = _round_trip(demo_register, tmp_path)
    assert not lost, "lost by the workbook:\n" + "\n".join(lost)


def test_the_registers_own_columns_are_the_descriptions_fields_and_readable(
    register: Register, tmp_path: Path
) -> None:
    """Each field the description lists has a column in each workbook (an ICO one, or one
    of the register's after them under its label), and each of the register's headings has
    its fill and wraps within the heading row at the column's width."""
    register.activities.create_many(
        [
            _every_field_filled("C-1", Role.CONTROLLER, True),
            _every_field_filled("P-1", Role.PROCESSOR, True),
        ]
    )
    for processor, spec in ((False, CONTROLLER_LAYOUT), (True, PROCESSOR_LAYOUT)):
        path = tmp_path / f"look-{processor}.xlsx"
        export_workbook(register, path, processor=processor)
        sheet = openpyxl.load_workbook(path)[TEMPLATE_SHEET]
        headings = {cell.value: cell for cell in sheet[HEADER_ROW] if isinstance(cell.value, str)}
        ours = [column for column in spec.columns if column.register]
        assert ours, spec.kind
        for column in ours:
            cell = headings[column.header]
            assert cell.fill.fgColor.rgb.endswith(REGISTER_FILL), column.header
            assert cell.alignment.wrap_text, column.header
            width = sheet.column_dimensions[cell.column_letter].width
            assert wrapped_lines(column.header, width) <= HEADING_LINES, (column.header, width)
        # Every field of the description is somewhere in the workbook's columns.
        keys = {column.key for column in spec.columns}
        carried_elsewhere = {"transfers", "automated_decision_details", "extra_fields"}
        assert set(FIELDS) - keys <= carried_elsewhere, spec.kind
        # The organisation's other details beside the ICO's contact block, under a heading.
        assert sheet.cell(2, OTHER_DETAILS_FIRST_COLUMN).value == OTHER_DETAILS_HEADING
        for index, (_name, label) in enumerate(OTHER_DETAILS):
            row, label_column = other_detail_cell(index)
            assert sheet.cell(row, label_column).value == label


def test_a_line_naming_no_entry_is_kept_in_the_notes_and_reported(
    register: Register, tmp_path: Path
) -> None:
    """A reason for a recipient the row does not list, or a data protection test for a
    destination it does not name, is not dropped nor guessed: it is kept in the notes and
    the report names the cell."""
    register.activities.create_many([_every_field_filled("C-1", Role.CONTROLLER, True)])
    path = tmp_path / "edited.xlsx"
    export_workbook(register, path)
    workbook = openpyxl.load_workbook(path)
    sheet = workbook[TEMPLATE_SHEET]
    letters = {
        cell.value: cell.column_letter for cell in sheet[HEADER_ROW] if cell.value is not None
    }
    reasons = f"{letters[FIELDS['recipient_reasons'].label]}{HEADER_ROW + 1}"
    tests = f"{letters[ENTRY_DETAIL_KEYS['transfers.data_protection_test'].header]}{HEADER_ROW + 1}"
    sheet[reasons] = "Nobody we know: because"
    sheet[tests] = "C-1 transfers destination 1: Perhaps"
    workbook.save(path)
    with Register.open(tmp_path / "new.ropa") as copy:
        report = import_workbook(copy, path)
        (record,) = [r for r in copy.activities.load() if r.reference == "C-1"]
    cells = {problem.cell for problem in report.problems}
    assert {reasons, tests} <= cells
    assert record.recipient_reasons == {}
    assert [t.data_protection_test for t in record.transfers] == ["", ""]
    assert "Nobody we know: because" in record.notes and "Perhaps" in record.notes
    assert "Every cell was understood." not in report.summary()
