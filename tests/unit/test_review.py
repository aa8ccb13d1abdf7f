"""The review cycle over a real register: statuses, who and when, due and overdue, retired."""

from __future__ import annotations

import datetime as dt

import pytest

from ropa.dates import add_months
from ropa.errors import ConflictError, ValidationError
from ropa.identity import current_user
from ropa.records import Status
from ropa.register import Register
from ropa.review import ReviewService
from tests.conftest import sample_activity

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
    review = ReviewService(register)
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
    review = ReviewService(register)
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
    review = ReviewService(register)
    activity_id = make(register, "A-1")
    review.mark_reviewed([activity_id], on=TODAY)
    record = register.activities.get(activity_id)
    assert record.status == Status.DRAFT
    assert (record.last_reviewed, record.next_review) == (TODAY, dt.date(2027, 11, 21))


def test_due_and_overdue(register: Register) -> None:
    review = ReviewService(register)
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
    review = ReviewService(register)
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
    review = ReviewService(register)
    first = make(register, "A-1")
    second = make(register, "A-2")
    register.activities.retire([second])
    with pytest.raises(ValidationError):
        review.submit_for_review([first, second])
    assert register.activities.get(first).status == Status.DRAFT


def test_a_stale_version_is_refused(register: Register) -> None:
    review = ReviewService(register)
    activity_id = make(register, "A-1")
    seen = register.activities.get(activity_id).version
    register.activities.update(activity_id, {"owner": "Someone else"})
    with pytest.raises(ConflictError):
        review.approve([activity_id], expected_versions={activity_id: seen})
    assert register.activities.get(activity_id).status == Status.DRAFT
