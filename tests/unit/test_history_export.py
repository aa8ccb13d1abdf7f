"""The change history as rows and as an xlsx workbook, with the "since" filter."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from openpyxl import load_workbook

from db.models import ChangeRecord
from ropa.dates import british_datetime
from ropa.history_export import (
    HEADINGS,
    changes,
    export_history,
    start_of_day_utc,
    to_rows,
)
from ropa.register import Register
from tests.helpers.activities import sample_activity


def backdate(register: Register, days: int) -> None:
    """Move every change recorded so far `days` into the past."""
    with register.transaction() as session:
        for record in session.query(ChangeRecord):
            record.changed_at -= dt.timedelta(days=days)


def test_rows_read_as_people_write(register: Register) -> None:
    created = register.activities.create(sample_activity())
    assert created.id is not None
    register.activities.update(created.id, {"owner": "Director of Children's Services"})
    rows = to_rows(changes(register, activity_ids=[created.id]))
    assert [row.action for row in rows] == ["Changed", "Created"]
    newest = rows[0]
    assert newest.field == "Owner"
    assert (newest.old_value, newest.new_value) == (
        "Head of Safeguarding",
        "Director of Children's Services",
    )
    assert newest.what == "CS-001 Child protection enquiries"
    assert re.fullmatch(r"\d{1,2} [A-Z][a-z]+ \d{4} \d{2}:\d{2}", newest.when)


def test_british_datetime_has_no_leading_zero_on_the_day() -> None:
    text = british_datetime(dt.datetime(2026, 3, 5, 12, 0))
    assert re.fullmatch(r"[45] March 2026 \d{2}:\d{2}|6 March 2026 \d{2}:\d{2}", text)


def test_changes_since_a_date_leave_out_older_ones(register: Register) -> None:
    first = register.activities.create(sample_activity(reference="OLD-1"))
    backdate(register, 40)
    second = register.activities.create(sample_activity(reference="NEW-1"))
    assert first.id is not None and second.id is not None
    since = dt.date.today() - dt.timedelta(days=10)
    found = changes(register, since=since)
    assert {c.entity_id for c in found if c.entity_type == "activity"} == {second.id}
    assert all(c.changed_at >= start_of_day_utc(since) for c in found)
    assert len(changes(register)) > len(found)
    both = changes(register, activity_ids=[first.id, second.id])
    assert {c.entity_id for c in both} == {first.id, second.id}


def test_export_is_formula_safe_and_complete(register: Register, tmp_path: Path) -> None:
    created = register.activities.create(sample_activity())
    assert created.id is not None
    register.activities.update(
        created.id, {"owner": "@SUM(A1:A9)", "description": "-2+3", "notes": "=1+1"}
    )
    register.organisation.update({"name": "+44 1632 960000 Ltd"})
    target = tmp_path / "history.xlsx"
    count = export_history(register, target)
    sheet = load_workbook(target).active
    assert sheet is not None
    assert [cell.value for cell in sheet[1]] == list(HEADINGS)
    assert sheet.max_row == count + 1
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
    values = {cell.value for cell in cells}
    assert {"@SUM(A1:A9)", "-2+3", "=1+1", "+44 1632 960000 Ltd"} <= values


def test_export_since_names_the_date_in_the_sheet(register: Register, tmp_path: Path) -> None:
    register.activities.create(sample_activity())
    target = tmp_path / "since.xlsx"
    export_history(register, target, since=dt.date(2026, 1, 1))
    assert load_workbook(target).sheetnames == ["Changes since 1 January 2026"]
