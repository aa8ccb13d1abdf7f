"""The one rule for due, overdue and changed since approved (ropa/review_rules.py), on fixed
days: the clock is the caller's, so these read the same at any hour and across midnight."""

from __future__ import annotations

import datetime as dt

import pytest

from db.enums import Status
from ropa.dates import DUE_SOON_DAYS
from ropa.review_rules import (
    earliest_next_review,
    next_review_after,
    review_state,
)

TODAY = dt.date(2026, 11, 21)


def day(offset: int) -> dt.date:
    return TODAY + dt.timedelta(days=offset)


@pytest.mark.parametrize(
    ("next_review", "due", "overdue"),
    [
        (day(-365), True, True),
        (day(-1), True, True),  # yesterday: overdue
        (day(0), True, False),  # the day itself: due, not yet overdue
        (day(1), True, False),
        (day(DUE_SOON_DAYS), True, False),  # the last day of the due window
        (day(DUE_SOON_DAYS + 1), False, False),  # the first day outside it
        (day(400), False, False),
        (None, False, False),  # no date: nothing is asked
    ],
)
def test_due_and_overdue_at_the_boundaries(
    next_review: dt.date | None, due: bool, overdue: bool
) -> None:
    state = review_state(Status.APPROVED, next_review, False, today=TODAY)
    assert (state.due, state.overdue) == (due, overdue)


def test_due_window_can_be_widened() -> None:
    state = review_state(Status.DRAFT, day(200), False, today=TODAY, due_within_days=200)
    assert state.due and not state.overdue
    assert not review_state(Status.DRAFT, day(201), False, today=TODAY, due_within_days=200).due


def test_a_retired_activity_is_never_due() -> None:
    state = review_state(Status.RETIRED, day(-30), False, today=TODAY)
    assert not state.due and not state.overdue


def test_the_same_date_moves_from_due_to_overdue_as_the_days_pass() -> None:
    date = dt.date(2027, 1, 1)
    before = review_state(Status.APPROVED, date, False, today=dt.date(2026, 12, 2))
    on_the_day = review_state(Status.APPROVED, date, False, today=date)
    after_midnight = review_state(Status.APPROVED, date, False, today=dt.date(2027, 1, 2))
    too_early = review_state(Status.APPROVED, date, False, today=dt.date(2026, 12, 1))
    assert (before.due, before.overdue) == (True, False)  # exactly 30 days ahead
    assert (on_the_day.due, on_the_day.overdue) == (True, False)
    assert (after_midnight.due, after_midnight.overdue) == (True, True)
    assert not too_early.due


@pytest.mark.parametrize(
    ("status", "flag", "changed"),
    [
        (Status.DRAFT, True, True),  # approved, then edited: waits to be submitted
        (Status.IN_REVIEW, True, False),  # submitted again: in review, not "changed"
        (Status.APPROVED, False, False),
        (Status.DRAFT, False, False),
    ],
)
def test_changed_since_approved(status: Status, flag: bool, changed: bool) -> None:
    assert review_state(status, None, flag, today=TODAY).changed_since_approved is changed


def test_the_next_review_comes_after_the_review() -> None:
    assert earliest_next_review(TODAY) == day(1)
    assert next_review_after(TODAY) == dt.date(2027, 11, 21)  # a year on by default
    assert next_review_after(TODAY, day(1)) == day(1)
    assert next_review_after(TODAY, TODAY) is None
    assert next_review_after(TODAY, day(-1)) is None
    # 29 February: the default next review is 28 February of the next year.
    assert next_review_after(dt.date(2028, 2, 29)) == dt.date(2029, 2, 28)
