"""The review cycle's rules: which step may act on an activity, what an edit does to an
approval, and when a review is due.

Plain functions over statuses, with no register in sight, so that the review service
(ropa.review), the activity service (ropa.activities, which cannot import ropa.review: that
imports it) and the desktop app all apply the same rules.  Nothing here changes anything.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from db.enums import Status
from ropa.dates import DUE_SOON_DAYS, default_next_review
from ropa.fields import STATUS_LABELS

# The state of an approved activity whose content has since changed, until it is submitted.
CHANGED_SINCE_APPROVED = "Changed since approved"

# The fields the review steps themselves keep.  Changing any other field changes what was
# approved.
REVIEW_RECORD_FIELDS = frozenset(
    {
        "status",
        "approved_by",
        "approved_on",
        "last_reviewed",
        "next_review",
        "changed_since_approval",
    }
)

# Statuses only a review step may give, because it records who and when.
SET_BY_REVIEW_STEPS = frozenset({Status.IN_REVIEW, Status.APPROVED})


class Step(enum.StrEnum):
    SUBMIT = "submit"
    APPROVE = "approve"
    MARK_REVIEWED = "mark_reviewed"
    REINSTATE = "reinstate"


def refusal(step: Step, status: Status, label: str) -> str | None:
    """Why `step` may not act on the activity `label` with this status (None: it may)."""
    if step is Step.REINSTATE:
        if status is Status.RETIRED:
            return None
        return f"{label} is not retired, so there is nothing to reinstate."
    if status is Status.RETIRED:
        return f"{label} is retired. Reinstate it first if it is in use again."
    if step is Step.SUBMIT and status is Status.IN_REVIEW:
        return f"{label} is already in review. Approve it when the review is done."
    return None


@dataclass(frozen=True)
class ReviewSteps:
    """Which review steps may act on every one of a set of activities, from their statuses."""

    submit: bool
    approve: bool
    mark_reviewed: bool
    reinstate: bool

    @classmethod
    def for_statuses(cls, statuses: Iterable[Status]) -> ReviewSteps:
        chosen = set(statuses)

        def allowed(step: Step) -> bool:
            return bool(chosen) and all(refusal(step, status, "") is None for status in chosen)

        return cls(
            submit=allowed(Step.SUBMIT),
            approve=allowed(Step.APPROVE),
            mark_reviewed=allowed(Step.MARK_REVIEWED),
            reinstate=allowed(Step.REINSTATE),
        )


def changes_after_edit(
    status: Status,
    approved_on: dt.date | None,
    changed_fields: Iterable[str],
    changed_since_approval: bool = False,
) -> dict[str, Any]:
    """What else an edit changes, so that "Approved" is never shown of content the approver
    did not see.  Content changed under an approval marks the activity as changed since
    approved.  An approved one then waits in that state of its own until someone submits it
    for review: nobody has asked for a review yet, so it is not "In review".  One already in
    review (approved, then submitted for a fresh look) stays in review.  Empty when the edit
    leaves the approval standing or the change is already known."""
    content_changed = any(name not in REVIEW_RECORD_FIELDS for name in changed_fields)
    if not content_changed or changed_since_approval:
        return {}
    if status is Status.APPROVED:
        return {"status": Status.DRAFT, "changed_since_approval": True}
    if status is Status.IN_REVIEW and approved_on is not None:
        return {"changed_since_approval": True}
    return {}


def is_changed_since_approved(status: Status, changed_since_approval: bool) -> bool:
    """Approved, then changed, and not yet submitted for review again (changes_after_edit)."""
    return changed_since_approval and status is Status.DRAFT


def status_label(status: Status, changed_since_approval: bool) -> str:
    """The status in words, the same in the list, the editor and the exported workbook."""
    if is_changed_since_approved(status, changed_since_approval):
        return CHANGED_SINCE_APPROVED
    return STATUS_LABELS[status]


def status_refusal(status: Status) -> str | None:
    """Why an edit may not set this status directly (None: it may)."""
    if status in SET_BY_REVIEW_STEPS:
        return (
            "Submit for review and Approve are review steps, which record who and when: "
            "use them (ReviewService) rather than setting the status."
        )
    return None


# --- when a review is due -------------------------------------------------------------------


@dataclass(frozen=True)
class ReviewState:
    """Where an activity stands in the review cycle on a given day.

    `overdue`: its next review date has passed (the day itself is not yet overdue).
    `due`: the date is within `DUE_SOON_DAYS` of the day, or has passed.
    `changed_since_approved`: approved, then changed, and not yet submitted again.
    A retired activity, or one with no next review date, is neither due nor overdue: nothing
    is asked of it."""

    due: bool
    overdue: bool
    changed_since_approved: bool


def review_state(
    status: Status,
    next_review: dt.date | None,
    changed_since_approval: bool,
    *,
    today: dt.date,
    due_within_days: int = DUE_SOON_DAYS,
) -> ReviewState:
    """The one rule for due, overdue and changed since approved; `today` is always given by
    the caller (the clock is theirs), so the rule reads the same in a test at any hour."""
    if status is Status.RETIRED or next_review is None:
        due = overdue = False
    else:
        overdue = next_review < today
        due = next_review <= today + dt.timedelta(days=due_within_days)
    changed = is_changed_since_approved(status, changed_since_approval)
    return ReviewState(due=due, overdue=overdue, changed_since_approved=changed)


def earliest_next_review(reviewed_on: dt.date) -> dt.date:
    """A next review must come after the review it follows: the day after, at the earliest."""
    return reviewed_on + dt.timedelta(days=1)


def next_review_after(reviewed_on: dt.date, chosen: dt.date | None = None) -> dt.date | None:
    """The next review after a review on `reviewed_on`: the one `chosen`, or in
    REVIEW_INTERVAL_MONTHS by default; None when the chosen date is too early."""
    when = chosen or default_next_review(reviewed_on)
    return when if when >= earliest_next_review(reviewed_on) else None
