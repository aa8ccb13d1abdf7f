"""The review cycle's rules: which step may act on an activity, and what an edit does to an
approval.

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
