"""The review cycle: draft, in review, approved; reviewed again every 12 months by default.

Each call is one transaction and each change goes into the change history.  Retired
activities stay in the register and can be listed and reinstated; nothing here deletes.
What each step may act on is ropa.review_rules; this service enforces it, so a script or
the command line meets the same refusals as the desktop app.  An approval is of what the
approver saw: approving over error-level findings must be asked for (`despite_errors`) and
is recorded with them, and a later change of content marks the activity as changed since
approved (ropa.review_rules.changes_after_edit) until it is submitted and approved again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy.orm import Session

from db.models import Activity, Status
from ropa.activities import ActivityService, check_version, update_activity
from ropa.checks import Finding, Severity, check_activity, load_context
from ropa.checks.engine import CheckParts
from ropa.dates import DUE_SOON_DAYS
from ropa.errors import NotFoundError, ValidationError
from ropa.history import ChangeLog
from ropa.identity import current_user
from ropa.library import LibraryResolver, LibraryService
from ropa.records import ActivitySummary
from ropa.review_rules import ReviewState, Step, next_review_after, refusal, review_state
from ropa.store import Store
from ropa.wording import count_of

# The change history's field for the error-level findings an approval was given over.
APPROVED_DESPITE = "errors when approved"


class ApprovalNeedsConfirmation(ValidationError):  # noqa: N818 (a refusal, not a failure)
    """Approving over error-level findings must be asked for: `findings` are those errors."""

    def __init__(self, findings: Sequence[Finding]) -> None:
        activities = {finding.activity_id for finding in findings}
        super().__init__(
            f"{count_of(len(findings), 'error')} in "
            f"{count_of(len(activities), 'activity', 'activities')} would be approved "
            "as they are. Fix them first, or approve despite them (they are then "
            "recorded with the approval).",
            field="status",
        )
        self.findings = list(findings)


if TYPE_CHECKING:
    from ropa.organisation import OrganisationService
    from ropa.storage.activity_list import ActivityList


class ApproverSource(Store, Protocol):
    """What default_approver reads of an open register (ropa/register.py)."""

    @property
    def organisation(self) -> OrganisationService: ...


def default_approver(register: ApproverSource) -> str:
    """Whom the Approve step suggests: the DPO the register names for a register file (the
    DPO approves, not whoever is logged in to the computer), or the OS login where none is
    named.  On a team register the server records whoever signed in (db/team_security.py),
    so that login is suggested rather than a name the approval would not keep."""
    if register.server_url is not None:
        from ropa.team_membership import membership_of

        membership = membership_of(register)
        if membership.team:
            return membership.login
    named = register.organisation.get().dpo_name.strip()
    return named or current_user()


class ReviewService:
    """The review cycle of activities: each step one transaction in `store`, reading the
    activities and the checks through the services given."""

    def __init__(
        self,
        store: Store,
        activities: ActivityService,
        activity_list: ActivityList,
        library: LibraryService,
        organisation: OrganisationService,
    ) -> None:
        self.store = store
        self.activities = activities
        self.activity_list = activity_list
        self.library = library
        self.organisation = organisation

    # --- moving through the cycle --------------------------------------------------------

    def submit_for_review(
        self, activity_ids: Sequence[int], expected_versions: Mapping[int, int] | None = None
    ) -> None:
        """Draft (or approved, for a fresh look) -> in review."""
        self._change(Step.SUBMIT, activity_ids, expected_versions, {"status": Status.IN_REVIEW})

    def approve(
        self,
        activity_ids: Sequence[int],
        *,
        approved_by: str | None = None,
        on: dt.date | None = None,
        next_review: dt.date | None = None,
        expected_versions: Mapping[int, int] | None = None,
        despite_errors: bool = False,
    ) -> None:
        """Approve: records who (the OS user unless given) and when; an approval is also a
        review, so the next review is set 12 months on unless a date is given.

        Activities with error-level findings are approved only `despite_errors` (otherwise
        ApprovalNeedsConfirmation lists them), and those findings go into the change
        history with the approval."""
        today = dt.date.today()
        day = on or today
        if day > today:
            raise ValidationError(
                "An approval cannot be dated after today. Approve on the day it is given.",
                field="approved_on",
            )
        who = (approved_by or current_user()).strip()
        if not who:
            raise ValidationError("Say who approved the entry.", field="approved_by")
        changes: dict[str, Any] = {
            "status": Status.APPROVED,
            "approved_by": who,
            "approved_on": day,
            "last_reviewed": day,
            "next_review": _checked_next_review(day, next_review),
            "changed_since_approval": False,
        }
        errors = self.errors_before_approval(activity_ids, today=day)
        if errors and not despite_errors:
            raise ApprovalNeedsConfirmation(errors)
        messages: dict[int | None, list[str]] = {}
        for finding in errors:
            messages.setdefault(finding.activity_id, []).append(finding.message)
        self._change(Step.APPROVE, activity_ids, expected_versions, changes, messages)

    def errors_before_approval(
        self, activity_ids: Sequence[int], *, today: dt.date | None = None
    ) -> list[Finding]:
        """The error-level findings about these activities, which approving would pass over."""
        records = self.activities.load(activity_ids, include_retired=True)
        context = load_context(CheckParts(self.store, self.library, self.organisation), today=today)
        return [
            finding
            for record in records
            for finding in check_activity(record, context)
            if finding.severity is Severity.ERROR
        ]

    def mark_reviewed(
        self,
        activity_ids: Sequence[int],
        *,
        on: dt.date | None = None,
        next_review: dt.date | None = None,
        expected_versions: Mapping[int, int] | None = None,
    ) -> None:
        """The entry was checked and is still right: set last reviewed and the next review."""
        day = on or dt.date.today()
        changes: dict[str, Any] = {
            "last_reviewed": day,
            "next_review": _checked_next_review(day, next_review),
        }
        self._change(Step.MARK_REVIEWED, activity_ids, expected_versions, changes)

    def set_next_review(
        self, activity_id: int, when: dt.date, expected_version: int | None = None
    ) -> None:
        versions = {activity_id: expected_version} if expected_version is not None else None
        self._change(Step.MARK_REVIEWED, [activity_id], versions, {"next_review": when})

    def reinstate(
        self, activity_ids: Sequence[int], expected_versions: Mapping[int, int] | None = None
    ) -> None:
        """Bring retired activities back as drafts, to be reviewed again."""
        self._change(Step.REINSTATE, activity_ids, expected_versions, {"status": Status.DRAFT})

    # --- what is due -----------------------------------------------------------------------

    def overdue(self, *, today: dt.date | None = None) -> list[ActivitySummary]:
        """Activities in use whose next review date has passed, oldest first."""
        day = today or dt.date.today()
        return self._by_next_review(lambda row: _state(row, day).overdue)

    def due(
        self, *, within_days: int = DUE_SOON_DAYS, today: dt.date | None = None
    ) -> list[ActivitySummary]:
        """Activities in use due for review by `within_days` from today (overdue included)."""
        day = today or dt.date.today()
        return self._by_next_review(lambda row: _state(row, day, within_days).due)

    def retired(self) -> list[ActivitySummary]:
        return [
            row
            for row in self.activity_list.summaries(include_retired=True)
            if row.status == Status.RETIRED
        ]

    # --- internals -------------------------------------------------------------------------

    def _by_next_review(self, wanted: Callable[[ActivitySummary], bool]) -> list[ActivitySummary]:
        rows = [row for row in self.activity_list.summaries(include_retired=False) if wanted(row)]
        return sorted(rows, key=lambda row: (row.next_review or dt.date.max, row.reference))

    def _change(
        self,
        step: Step,
        activity_ids: Sequence[int],
        expected_versions: Mapping[int, int] | None,
        changes: dict[str, Any],
        noted: Mapping[int | None, list[str]] | None = None,
    ) -> None:
        """One transaction: each activity checked against the version the caller saw and
        against the review rules for `step` (any refusal changes nothing), then changed;
        `noted` (activity id -> lines) goes into the change history with the step."""
        with self.store.transaction() as session:
            log = ChangeLog(session)
            resolver = LibraryResolver(session, log)
            for activity_id in activity_ids:
                activity = _load(session, activity_id)
                check_version(activity, (expected_versions or {}).get(activity_id))
                label = f"{activity.reference} \u201c{activity.name}\u201d"
                reason = refusal(step, activity.status, label)
                if reason is not None:
                    raise ValidationError(reason, field="status")
                update_activity(session, activity, dict(changes), resolver, log)
                if lines := (noted or {}).get(activity_id):
                    entry = f"{activity.reference} {activity.name}".strip()
                    log.add(
                        "activity", activity.id, entry, step.value, APPROVED_DESPITE, None, lines
                    )


def _state(row: ActivitySummary, today: dt.date, within_days: int = DUE_SOON_DAYS) -> ReviewState:
    return review_state(
        row.status,
        row.next_review,
        row.changed_since_approval,
        today=today,
        due_within_days=within_days,
    )


def _checked_next_review(day: dt.date, next_review: dt.date | None) -> dt.date:
    when = next_review_after(day, next_review)
    if when is None:
        raise ValidationError(
            "The next review must be after the review itself. Choose a later date.",
            field="next_review",
        )
    return when


def _load(session: Session, activity_id: int) -> Activity:
    activity = session.get(Activity, activity_id)
    if activity is None:
        raise NotFoundError(
            f"Activity {activity_id} is no longer in the register; someone may have deleted it."
        )
    return activity
