"""A line a DPO indented by hand under another is not swallowed into the text above it.

Since line breaks were kept (test_explanation_lines), an indented line under an exported
"Article 6(1)(x) Title: explanation" line, or under any retention rule or safeguard, was read
as more of that text whatever it said: a second basis, a list of Acts, a second rule became
words inside the first, and the published notice said something untrue. Such a line is now
read on its own, as it was before line breaks were kept, and the import asks the DPO to check
it. Each reproduction goes through the real export and import of a real register file.
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from ropa.records import ActivityRecord, LawfulBasisEntry, RetentionEntry, TransferEntry
from ropa.register import Register
from ropa.spreadsheets import export_workbook, import_workbook
from ropa.spreadsheets.report import ImportReport
from tests.helpers.register_files import copy_register_file

# Stand-ins the export writes in the cells each test then types over by hand.
LAW = "Article 6(1)(e) Public task: PLACEHOLDER-LAW"
RETENTION = "PLACEHOLDER-RETENTION"
SAFEGUARDS = "USA: PLACEHOLDER-SAFEGUARD"


def import_typed(
    typed: dict[str, str], folder: Path, new_register_file: Path
) -> tuple[ActivityRecord, ImportReport, dict[str, str]]:
    """An exported workbook of one activity with cells typed over by hand (`typed`, from
    what the export wrote there to the new text), imported into a new register file:
    (the activity as stored, the report, each typed text's cell reference)."""
    source = copy_register_file(new_register_file, folder / "source.ropa")
    workbook = folder / "typed.xlsx"
    with Register.open(source, daily_backup=False) as register:
        register.activities.create_many(
            [
                ActivityRecord(
                    reference="SCH-1",
                    name="Running the school",
                    purposes=["Education"],
                    lawful_bases=[LawfulBasisEntry("e", "PLACEHOLDER-LAW")],
                    transfers=[
                        TransferEntry("USA", "", "PLACEHOLDER-SAFEGUARD"),
                        TransferEntry("India"),
                    ],
                    retention=[RetentionEntry("PLACEHOLDER-RETENTION")],
                )
            ]
        )
        export_workbook(register, workbook)
    book = openpyxl.load_workbook(workbook)
    sheet = book["Template"]
    where: dict[str, str] = {}
    for row in sheet.iter_rows():
        for cell in row:
            if isinstance(cell.value, str) and cell.value in typed:
                where[typed[cell.value]] = cell.coordinate
                cell.value = typed[cell.value]
    assert len(where) == len(typed)
    book.save(workbook)
    target = copy_register_file(new_register_file, folder / "target.ropa")
    with Register.open(target, daily_backup=False) as register:
        report = import_workbook(register, workbook)
        (stored,) = register.activities.load()
    return stored, report, where


def checks(report: ImportReport, cell: str) -> list[tuple[str, str]]:
    """What the report asks the DPO to check in one cell: (the line, why)."""
    return [(problem.value, problem.why) for problem in report.moved if problem.cell == cell]


def test_a_basis_indented_under_another_is_a_basis_of_its_own(
    tmp_path: Path, _new_register_file: Path
) -> None:
    typed = (
        "Article 6(1)(e) Public task: running the school\n"
        "    Article 6(1)(c) Legal obligation: Education Act 1996"
    )
    stored, report, where = import_typed({LAW: typed}, tmp_path, _new_register_file)
    assert [(e.basis, e.explanation, e.legislation) for e in stored.lawful_bases] == [
        ("e", "running the school", []),
        ("c", "Education Act 1996", []),
    ]
    ((line, why),) = checks(report, where[typed])
    assert line == "Article 6(1)(c) Legal obligation: Education Act 1996"
    assert "names a basis or condition" in why and "check" in why
    assert f"!{where[typed]}: “Article 6(1)(c) Legal obligation" in report.summary()


def test_acts_listed_under_a_basis_are_its_legislation(
    tmp_path: Path, _new_register_file: Path
) -> None:
    typed = (
        "Article 6(1)(c) Legal obligation: we must comply with:\n"
        "  - Education Act 1996 s.7\n"
        "  - Children Act 1989"
    )
    stored, report, where = import_typed({LAW: typed}, tmp_path, _new_register_file)
    assert [(e.basis, e.explanation, e.legislation) for e in stored.lawful_bases] == [
        ("c", "we must comply with:", ["Education Act 1996 s.7", "Children Act 1989"])
    ]
    assert [line for line, why in checks(report, where[typed]) if "legislation" in why] == [
        "- Education Act 1996 s.7",
        "- Children Act 1989",
    ]


@pytest.mark.parametrize(
    ("typed", "rules", "checked"),
    [
        (
            "Until the child is 25\n    Adoption records: 100 years (from the adoption order)",
            [
                RetentionEntry("Until the child is 25"),
                RetentionEntry("100 years", "the adoption order", "Adoption records"),
            ],
            "Adoption records: 100 years (from the adoption order)",
        ),
        (
            "Staff files: 6 years (from leaving)\n"
            "    Payroll: 6 years (from the end of the tax year)",
            [
                RetentionEntry("6 years", "leaving", "Staff files"),
                RetentionEntry("6 years", "the end of the tax year", "Payroll"),
            ],
            "Payroll: 6 years (from the end of the tax year)",
        ),
    ],
    ids=["after a period", "after a whole rule"],
)
def test_a_rule_indented_under_another_is_a_rule_of_its_own(
    typed: str,
    rules: list[RetentionEntry],
    checked: str,
    tmp_path: Path,
    _new_register_file: Path,
) -> None:
    stored, report, where = import_typed({RETENTION: typed}, tmp_path, _new_register_file)
    assert stored.retention == rules
    ((line, why),) = checks(report, where[typed])
    assert line == checked
    assert "a whole retention rule" in why


def test_a_safeguard_indented_under_another_destination_is_that_destinations(
    tmp_path: Path, _new_register_file: Path
) -> None:
    typed = "USA: IDTA\n    signed 2024\n    India: SCCs"
    stored, report, where = import_typed({SAFEGUARDS: typed}, tmp_path, _new_register_file)
    assert [(t.destination, t.mechanism, t.safeguards) for t in stored.transfers] == [
        ("USA", "idta", "IDTA\nsigned 2024"),
        ("India", "uk_addendum", "SCCs"),
    ]
    ((line, why),) = checks(report, where[typed])
    assert line == "India: SCCs"
    assert "“India:”, a destination of this activity" in why


def test_ordinary_sentences_indented_under_them_still_go_on_with_them(
    tmp_path: Path, _new_register_file: Path
) -> None:
    law = "Article 6(1)(e) Public task: running the school\n    and its nursery."
    rule = "Pupil files: until the pupil is 25\n    or longer where a claim is open"
    stored, report, where = import_typed({LAW: law, RETENTION: rule}, tmp_path, _new_register_file)
    assert [(e.basis, e.explanation) for e in stored.lawful_bases] == [
        ("e", "running the school\nand its nursery.")
    ]
    assert stored.retention == [
        RetentionEntry("until the pupil is 25\nor longer where a claim is open", "", "Pupil files")
    ]
    assert checks(report, where[law]) == checks(report, where[rule]) == []


def test_a_line_after_one_read_on_its_own_is_read_on_its_own_too(
    tmp_path: Path, _new_register_file: Path
) -> None:
    """As before indenting meant anything: each line by itself (here a third rule)."""
    typed = "Staff files: 6 years\n    Payroll: 6 years\n    then destroyed"
    stored, report, where = import_typed({RETENTION: typed}, tmp_path, _new_register_file)
    assert stored.retention == [
        RetentionEntry("6 years", "", "Staff files"),
        RetentionEntry("6 years", "", "Payroll"),
        RetentionEntry("then destroyed"),
    ]
    assert [line for line, _ in checks(report, where[typed])] == [
        "Payroll: 6 years",
        "then destroyed",
    ]
