"""Rows without a reference: matched to an activity already recorded only when sure; else
created, and the report says which rows might have been the same activity."""

from __future__ import annotations

from pathlib import Path

from ropa.register import Register
from ropa.spreadsheets import import_workbook
from tests.data.import_corpus import hand_made

PAYROLL = {"Business function": "HR", "Purpose of processing": "Payroll"}


def test_two_alike_rows_are_two_activities_and_the_second_is_reported(
    register: Register, tmp_path: Path
) -> None:
    path = hand_made(
        tmp_path / "alike.xlsx",
        [
            {**PAYROLL, "Categories of individuals": "Employees"},
            {**PAYROLL, "Categories of individuals": "Contractors"},
        ],
    )
    report = import_workbook(register, path)
    records = register.activities.load()
    assert [record.individuals for record in records] == [["Employees"], ["Contractors"]]
    (unsure,) = report.unsure
    assert unsure.cell == "3:3" and unsure.value.startswith(records[1].reference)
    assert f"as {records[0].reference}, made from another row" in unsure.why
    assert "3:3" in report.summary() and "created as a new activity" in report.summary()


def test_a_row_like_one_recorded_activity_updates_it(register: Register, tmp_path: Path) -> None:
    import_workbook(register, hand_made(tmp_path / "first.xlsx", [PAYROLL]))
    changed = {**PAYROLL, "Categories of individuals": "Employees"}
    report = import_workbook(register, hand_made(tmp_path / "again.xlsx", [changed]))
    (record,) = register.activities.load()
    assert report.created == [] and report.unsure == []
    assert report.updated == [(record.reference, record.name)]
    assert record.individuals == ["Employees"]


def test_a_row_like_several_recorded_activities_is_created_and_reported(
    register: Register, tmp_path: Path
) -> None:
    import_workbook(register, hand_made(tmp_path / "first.xlsx", [PAYROLL, PAYROLL]))
    before = register.activities.load()
    report = import_workbook(register, hand_made(tmp_path / "again.xlsx", [PAYROLL]))
    after = register.activities.load()
    assert len(after) == 3 and after[:2] == before
    (unsure,) = report.unsure
    assert all(record.reference in unsure.why for record in before)


def test_two_alike_rows_do_not_both_update_the_one_recorded_activity(
    register: Register, tmp_path: Path
) -> None:
    import_workbook(register, hand_made(tmp_path / "first.xlsx", [PAYROLL]))
    (recorded,) = register.activities.load()
    rows = [
        {**PAYROLL, "Categories of individuals": "Employees"},
        {**PAYROLL, "Categories of individuals": "Contractors"},
    ]
    report = import_workbook(register, hand_made(tmp_path / "again.xlsx", rows))
    records = register.activities.load()
    assert records[0] == recorded  # untouched
    assert [record.individuals for record in records[1:]] == [["Employees"], ["Contractors"]]
    assert len(report.created) == 2 and len(report.unsure) == 2
