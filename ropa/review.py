"""The review cycle: draft, in review, approved; reviewed again every 12 months by default.

Each call is one transaction and each change goes into the change history.  Retired
activities stay in the register and can be listed and reinstated; nothing here deletes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from db.models import Activity, Status
from ropa.activities import check_version, update_activity
from ropa.dates import DUE_SOON_DAYS, default_next_review
from ropa.errors import NotFoundError, ValidationError
from ropa.history import ChangeLog
from ropa.identity import current_user
from ropa.library import LibraryResolver
from ropa.records import ActivitySummary

if TYPE_CHECKING:
    from ropa.register import Register


class ReviewService:
    def __init__(self, register: Register) -> None:
        self.register = register

    # --- moving through the cycle --------------------------------------------------------

    def submit_for_review(
        self, activity_ids: Sequence[int], expected_versions: Mapping[int, int] | None = None
    ) -> None:
        """Draft (or approved, for a fresh look) -> in review."""
        self._change(activity_ids, expected_versions, {"status": Status.IN_REVIEW})

    def approve(
        self,
        activity_ids: Sequence[int],
        *,
        approved_by: str | None = None,
        on: dt.date | None = None,
        next_review: dt.date | None = None,
        expected_versions: Mapping[int, int] | None = None,
    ) -> None:
        """Approve: records who (the OS user unless given) and when; an approval is also a
        review, so the next review is set 12 months on unless a date is given."""
        day = on or dt.date.today()
        who = (approved_by or current_user()).strip()
        if not who:
            raise ValidationError("Say who approved the entry.", field="approved_by")
        changes: dict[str, Any] = {
            "status": Status.APPROVED,
            "approved_by": who,
            "approved_on": day,
            "last_reviewed": day,
            "next_review": _checked_next_review(day, next_review),
        }
        self._change(activity_ids, expected_versions, changes)

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
        self._change(activity_ids, expected_versions, changes)

    def set_next_review(
        self, activity_id: int, when: dt.date, expected_version: int | None = None
    ) -> None:
        versions = {activity_id: expected_version} if expected_version is not None else None
        self._change([activity_id], versions, {"next_review": when})

    def reinstate(
        self, activity_ids: Sequence[int], expected_versions: Mapping[int, int] | None = None
    ) -> None:
        """Bring retired activities back as drafts, to be reviewed again."""

        def reinstated(activity: Activity) -> dict[str, Any] | None:
            return {"status": Status.DRAFT} if activity.status == Status.RETIRED else None

        self._update_each(activity_ids, expected_versions, reinstated)

    # --- what is due -----------------------------------------------------------------------

    def overdue(self, *, today: dt.date | None = None) -> list[ActivitySummary]:
        """Activities in use whose next review date has passed, oldest first."""
        day = today or dt.date.today()
        return self._by_next_review(lambda when: when < day)

    def due(
        self, *, within_days: int = DUE_SOON_DAYS, today: dt.date | None = None
    ) -> list[ActivitySummary]:
        """Activities in use due for review by `within_days` from today (overdue included)."""
        limit = (today or dt.date.today()) + dt.timedelta(days=within_days)
        return self._by_next_review(lambda when: when <= limit)

    def retired(self) -> list[ActivitySummary]:
        return [
            row
            for row in self.register.activity_list.summaries(include_retired=True)
            if row.status == Status.RETIRED
        ]

    # --- internals -------------------------------------------------------------------------

    def _by_next_review(self, wanted: Callable[[dt.date], bool]) -> list[ActivitySummary]:
        rows = [
            row
            for row in self.register.activity_list.summaries(include_retired=False)
            if row.next_review is not None and wanted(row.next_review)
        ]
        return sorted(rows, key=lambda row: (row.next_review, row.reference))

    def _change(
        self,
        activity_ids: Sequence[int],
        expected_versions: Mapping[int, int] | None,
        changes: dict[str, Any],
    ) -> None:
        def unless_retired(activity: Activity) -> dict[str, Any]:
            if activity.status == Status.RETIRED:
                raise ValidationError(
                    f"{activity.reference} \u201c{activity.name}\u201d is retired. "
                    "Reinstate it first if it is in use again.",
                    field="status",
                )
            return dict(changes)

        self._update_each(activity_ids, expected_versions, unless_retired)

    def _update_each(
        self,
        activity_ids: Sequence[int],
        expected_versions: Mapping[int, int] | None,
        changes_for: Callable[[Activity], dict[str, Any] | None],
    ) -> None:
        """One transaction: each activity checked against the version the caller saw, then
        given the changes `changes_for` says (None: left as it is)."""
        with self.register.transaction() as session:
            log = ChangeLog(session)
            resolver = LibraryResolver(session, log)
            for activity_id in activity_ids:
                activity = _load(session, activity_id)
                check_version(activity, (expected_versions or {}).get(activity_id))
                changes = changes_for(activity)
                if changes is not None:
                    update_activity(session, activity, changes, resolver, log)


def _checked_next_review(day: dt.date, next_review: dt.date | None) -> dt.date:
    when = next_review or default_next_review(day)
    if when <= day:
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
