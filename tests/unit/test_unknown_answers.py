"""Unknown is not No: a yes/no question a source never answered stays unknown through the
register, the checks and the export; "None" and "N/A" are the DPO's words, kept as written."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from ropa.checks import check_activities
from ropa.checks.engine import load_context
from ropa.records import ActivityRecord
from ropa.register import Register
from ropa.spreadsheets import export_workbook, import_workbook
from ropa.spreadsheets.layout import CONTROLLER_LAYOUT
from tests.data.import_corpus import hand_made

AUTOMATED = "Existence of automated decision-making, including profiling (if applicable)"
DPIA = "Data Protection Impact Assessment required?"
RECIPIENTS = "Categories of recipients"
JOINT = "Name and contact details of joint controller (if applicable)"


def _header(name: str) -> str:
    """The workbook heading of a column key, as the ICO layout and ours write it."""
    (column,) = [c for c in CONTROLLER_LAYOUT.columns if c.key == name]
    return column.header


def _exported_row(register: Register, path: Path) -> dict[str, object]:
    export_workbook(register, path)
    workbook = openpyxl.load_workbook(path, read_only=True)
    try:
        rows = [list(row) for row in workbook.worksheets[0].iter_rows(values_only=True)]
    finally:
        workbook.close()
    headings = next(row for row in rows if "Business function" in row)
    first = rows[rows.index(headings) + 1]
    return {str(h): value for h, value in zip(headings, first, strict=False) if h}


def test_questions_the_workbook_never_asked_stay_unknown_and_are_exported_blank(
    register: Register, tmp_path: Path
) -> None:
    source = hand_made(
        tmp_path / "athletes.xlsx",
        [
            {
                "Business function": "Membership",
                "Purpose of processing": "Handling complaints",
                "Categories of individuals": "Athletes, largely under 18",
                "Categories of personal data": "Name and contact details",
            }
        ],
    )
    import_workbook(register, source)
    (record,) = register.activities.load()
    assert (record.automated_decisions, record.involves_children, record.large_scale) == (
        None,
        None,
        None,
    )

    findings = {f.rule_id: f for f in check_activities([record], load_context(register))}
    # The children's check asks, and says why it asks; it is not switched off by a "No".
    asked = findings["CHILDREN-UNANSWERED"].message
    assert asked.startswith("Does this activity use children's data?")
    assert "\u201cAthletes, largely under 18\u201d" in asked
    assert {"ADM-UNANSWERED", "SCALE-UNANSWERED"} <= set(findings)

    row = _exported_row(register, tmp_path / "export.xlsx")
    assert row[_header("automated_decisions")] is None
    assert row[_header("involves_children")] is None
    assert row[_header("large_scale")] is None
    assert "No" not in {str(value) for value in row.values()}


@pytest.mark.parametrize("statement", ["None", "N/A", "Not applicable"])
def test_none_and_not_applicable_come_back_out_as_written(
    register: Register, tmp_path: Path, statement: str
) -> None:
    source = hand_made(
        tmp_path / "statements.xlsx",
        [
            {
                "Business function": "HR",
                "Purpose of processing": "Payroll",
                AUTOMATED: statement,
                DPIA: statement,
                RECIPIENTS: statement,
                JOINT: statement,
            }
        ],
    )
    import_workbook(register, source)
    (record,) = register.activities.load()
    # The questions stay open; the lists stay empty; the words are kept.
    assert record.automated_decisions is None and record.dpia_required is None
    assert record.recipients == []
    assert record.joint_controllers == statement
    assert record.role.value == "controller"

    row = _exported_row(register, tmp_path / "export.xlsx")
    for heading in (AUTOMATED, DPIA, RECIPIENTS, JOINT):
        assert row[heading] == statement, heading
    # ...and never in a column of their own.
    assert not [h for h in row if "(as written)" in h or "(details)" in h]


def test_an_answer_given_in_the_register_is_written_yes_or_no(
    register: Register, tmp_path: Path
) -> None:
    register.activities.create(
        ActivityRecord(
            name="Payroll",
            business_function="HR",
            automated_decisions=False,
            involves_children=True,
            large_scale=False,
        )
    )
    row = _exported_row(register, tmp_path / "export.xlsx")
    assert row[_header("automated_decisions")] == "No"
    assert row[_header("involves_children")] == "Yes"
    assert row[_header("large_scale")] == "No"


def test_an_answer_given_later_is_written_without_the_old_n_a(
    register: Register, tmp_path: Path
) -> None:
    source = hand_made(
        tmp_path / "statements.xlsx",
        [
            {
                "Business function": "HR",
                "Purpose of processing": "Payroll",
                AUTOMATED: "N/A",
                DPIA: "N/A",
            }
        ],
    )
    import_workbook(register, source)
    (record,) = register.activities.load()
    assert record.id is not None
    register.activities.update(record.id, {"automated_decisions": False, "dpia_required": True})
    row = _exported_row(register, tmp_path / "export.xlsx")
    assert (row[AUTOMATED], row[DPIA]) == ("No", "Yes")
