"""The review cycle over a real register: statuses, who and when, due and overdue, retired."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from ropa.dates import add_months
from ropa.errors import ConflictError, ValidationError
from ropa.identity import current_user
from ropa.records import Status
from ropa.register import Register
from ropa.review import APPROVED_DESPITE, ApprovalNeedsConfirmation
from ropa.review_rules import ReviewSteps, status_label
from tests.helpers.activities import sample_activity

TODAY = dt.date(2026, 11, 21)


def make(register: Register, reference: str, next_review: dt.date | None = None) -> int:
    record = register.activities.create(
        sample_activity(reference=reference, next_review=next_review)
    )
    assert record.id is not None
    return record.id


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (dt.date(2026, 11, 21), 12, dt.date(2027, 11, 21)),
        (dt.date(2024, 2, 29), 12, dt.date(2025, 2, 28)),
        (dt.date(2026, 1, 31), 1, dt.date(2026, 2, 28)),
        (dt.date(2026, 12, 15), 1, dt.date(2027, 1, 15)),
    ],
)
def test_add_months(day: dt.date, months: int, expected: dt.date) -> None:
    assert add_months(day, months) == expected


def test_draft_to_review_to_approved_records_who_and_when(register: Register) -> None:
    review = register.review
    activity_id = make(register, "A-1")
    assert register.activities.get(activity_id).status == Status.DRAFT
    review.submit_for_review([activity_id])
    assert register.activities.get(activity_id).status == Status.IN_REVIEW
    approved_on = dt.date(2026, 11, 2)
    review.approve([activity_id], on=approved_on)
    record = register.activities.get(activity_id)
    assert record.status == Status.APPROVED
    assert record.approved_by == current_user()
    assert (record.approved_on, record.last_reviewed) == (approved_on, approved_on)
    assert record.next_review == dt.date(2027, 11, 2)
    fields = {c.field for c in register.history.changes(entity_id=activity_id)}
    assert {"status", "approved_by", "approved_on", "next_review"} <= fields


def test_the_next_review_date_can_be_chosen_but_not_in_the_past(register: Register) -> None:
    review = register.review
    activity_id = make(register, "A-1")
    review.approve(
        [activity_id], approved_by="Priya Shah", on=TODAY, next_review=dt.date(2027, 5, 1)
    )
    record = register.activities.get(activity_id)
    assert (record.approved_by, record.next_review) == ("Priya Shah", dt.date(2027, 5, 1))
    with pytest.raises(ValidationError, match="after the review"):
        review.mark_reviewed([activity_id], on=TODAY, next_review=TODAY)
    review.set_next_review(activity_id, dt.date(2027, 3, 1))
    assert register.activities.get(activity_id).next_review == dt.date(2027, 3, 1)


def test_mark_reviewed_keeps_the_status(register: Register) -> None:
    review = register.review
    activity_id = make(register, "A-1")
    review.mark_reviewed([activity_id], on=TODAY)
    record = register.activities.get(activity_id)
    assert record.status == Status.DRAFT
    assert (record.last_reviewed, record.next_review) == (TODAY, dt.date(2027, 11, 21))


def test_due_and_overdue(register: Register) -> None:
    review = register.review
    make(register, "LATE", TODAY - dt.timedelta(days=3))
    make(register, "SOON", TODAY + dt.timedelta(days=10))
    make(register, "LATER", TODAY + dt.timedelta(days=200))
    retired = make(register, "GONE", TODAY - dt.timedelta(days=30))
    register.activities.retire([retired])
    assert [row.reference for row in review.overdue(today=TODAY)] == ["LATE"]
    assert [row.reference for row in review.due(today=TODAY)] == ["LATE", "SOON"]
    assert [row.reference for row in review.due(within_days=365, today=TODAY)] == [
        "LATE",
        "SOON",
        "LATER",
    ]


def test_retired_activities_are_kept_reachable_and_can_come_back(register: Register) -> None:
    review = register.review
    activity_id = make(register, "A-1")
    register.activities.retire([activity_id])
    assert [row.id for row in review.retired()] == [activity_id]
    assert register.activities.get(activity_id).status == Status.RETIRED
    with pytest.raises(ValidationError, match="retired"):
        review.approve([activity_id])
    review.reinstate([activity_id])
    assert register.activities.get(activity_id).status == Status.DRAFT
    assert review.retired() == []


def test_a_batch_is_one_transaction(register: Register) -> None:
    review = register.review
    first = make(register, "A-1")
    second = make(register, "A-2")
    register.activities.retire([second])
    with pytest.raises(ValidationError):
        review.submit_for_review([first, second])
    assert register.activities.get(first).status == Status.DRAFT


def test_a_stale_version_is_refused(register: Register) -> None:
    review = register.review
    activity_id = make(register, "A-1")
    seen = register.activities.get(activity_id).version
    register.activities.update(activity_id, {"owner": "Someone else"})
    with pytest.raises(ConflictError):
        review.approve([activity_id], expected_versions={activity_id: seen})
    assert register.activities.get(activity_id).status == Status.DRAFT


# --- an approval is of what was approved ------------------------------------------------


def test_approving_over_errors_must_be_asked_for_and_is_recorded_with_them(
    register: Register,
) -> None:
    review = register.review
    activity_id = register.activities.create(sample_activity(retention=[])).id or 0
    with pytest.raises(ApprovalNeedsConfirmation) as refused:
        review.approve([activity_id])
    assert [f.message for f in refused.value.findings] == ["No retention period is recorded."]
    assert "1 error in 1 activity" in str(refused.value)
    assert register.activities.get(activity_id).status == Status.DRAFT

    review.approve([activity_id], despite_errors=True)
    assert register.activities.get(activity_id).status == Status.APPROVED
    noted = [
        change
        for change in register.history.changes(entity_id=activity_id)
        if change.field == APPROVED_DESPITE
    ]
    assert [(c.action, c.new_value) for c in noted] == [
        ("approve", "No retention period is recorded.")
    ]


def test_a_change_of_content_after_approval_is_changed_since_approved_until_submitted(
    register: Register,
) -> None:
    review = register.review
    activity_id = make(register, "A-1")
    review.approve([activity_id])
    review.mark_reviewed([activity_id])  # a review step leaves the approval standing
    assert register.activities.get(activity_id).status == Status.APPROVED

    register.activities.update(activity_id, {"owner": "Head of Early Help"})
    record = register.activities.get(activity_id)
    # Not approved any more, and not "In review" either: nobody has submitted it.
    assert (record.status, record.changed_since_approval) == (Status.DRAFT, True)
    assert status_label(record.status, record.changed_since_approval) == "Changed since approved"
    (summary,) = register.activity_list.summaries()
    assert summary.changed_since_approval
    fields = {c.field for c in register.history.changes(entity_id=activity_id, limit=3)}
    assert {"owner", "status", "changed_since_approval"} <= fields
    register.activities.update(activity_id, {"owner": "Head of Children's Services"})
    assert register.activities.get(activity_id).status == Status.DRAFT  # still its own state

    review.submit_for_review([activity_id])
    record = register.activities.get(activity_id)
    assert (record.status, record.changed_since_approval) == (Status.IN_REVIEW, True)
    assert status_label(record.status, record.changed_since_approval) == "In review"
    register.activities.update(activity_id, {"owner": "Head of Early Help"})
    assert register.activities.get(activity_id).status == Status.IN_REVIEW  # stays in review

    review.approve([activity_id])
    record = register.activities.get(activity_id)
    assert (record.status, record.changed_since_approval) == (Status.APPROVED, False)


def test_an_approval_under_review_again_changed_stays_in_review(register: Register) -> None:
    review = register.review
    activity_id = make(register, "A-1")
    review.approve([activity_id])
    review.submit_for_review([activity_id])  # a fresh look at what was approved
    register.activities.update(activity_id, {"owner": "Head of Early Help"})
    record = register.activities.get(activity_id)
    assert (record.status, record.changed_since_approval) == (Status.IN_REVIEW, True)


def test_a_draft_edited_is_not_said_to_have_changed_since_approval(register: Register) -> None:
    activity_id = make(register, "A-1")
    register.activities.update(activity_id, {"owner": "Someone"})
    record = register.activities.get(activity_id)
    assert (record.status, record.changed_since_approval) == (Status.DRAFT, False)


def test_the_rules_of_the_cycle_hold_for_scripts_too(register: Register) -> None:
    review = register.review
    activity_id = make(register, "A-1")
    review.submit_for_review([activity_id])
    with pytest.raises(ValidationError, match="already in review"):
        review.submit_for_review([activity_id])
    with pytest.raises(ValidationError, match="not retired"):
        review.reinstate([activity_id])
    with pytest.raises(ValidationError, match="review steps"):
        register.activities.set_status([activity_id], Status.APPROVED)
    with pytest.raises(ValidationError, match="review steps"):
        register.activities.update(activity_id, {"status": "approved"})
    with pytest.raises(ValidationError, match="after today"):
        review.approve([activity_id], on=dt.date.today() + dt.timedelta(days=1))
    record = register.activities.get(activity_id)
    assert (record.status, record.approved_on) == (Status.IN_REVIEW, None)


def test_the_steps_offered_follow_the_same_rules() -> None:
    steps = ReviewSteps.for_statuses([Status.DRAFT, Status.IN_REVIEW])
    assert (steps.submit, steps.approve, steps.reinstate) == (False, True, False)
    assert ReviewSteps.for_statuses([Status.RETIRED]).reinstate
    assert ReviewSteps.for_statuses([]) == ReviewSteps(False, False, False, False)


def test_the_exported_workbook_says_changed_since_approved_and_reads_it_back(
    register: Register, tmp_path: Path
) -> None:
    from openpyxl import load_workbook

    from ropa.spreadsheets import import_workbook
    from ropa.spreadsheets.export import export_workbook
    from ropa.spreadsheets.layout import FIRST_DATA_ROW, HEADER_ROW

    review = register.review
    activity_id = make(register, "A-1")
    review.approve([activity_id])
    register.activities.update(activity_id, {"owner": "Head of Early Help"})
    path = tmp_path / "register.xlsx"
    export_workbook(register, path)
    sheet = load_workbook(path).worksheets[0]
    headers = [cell.value for cell in sheet[HEADER_ROW]]
    status_column = headers.index("Status") + 1
    assert sheet.cell(FIRST_DATA_ROW, status_column).value == "Changed since approved"

    with Register.open(tmp_path / "other.ropa") as other:
        report = import_workbook(other, path)
        assert not [p for p in report.problems if "Status" in str(p)]
        (read,) = other.activities.load()
        assert read.status == Status.DRAFT  # an approval is not carried into another register
