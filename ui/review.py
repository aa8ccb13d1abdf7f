"""The review cycle in the desktop app: the Approve dialog and what each review step may act on.

The steps themselves are ropa.review.ReviewService calls (one transaction each, written to
the change history); the activities table and the activity editor both offer them, so what
they share lives here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from ropa.dates import REVIEW_INTERVAL_MONTHS, default_next_review
from ropa.identity import current_user
from ropa.records import Status
from ropa.wording import count_of
from ui.activity_table_model import format_date

if TYPE_CHECKING:
    from ropa.review import ReviewService

# Said after every review step: they are recorded, not undone with Undo.
NOT_UNDOABLE = "Review steps are kept in the change history and are not undone with Undo."


@dataclass(frozen=True)
class Approval:
    approved_by: str
    next_review: dt.date


@dataclass(frozen=True)
class ReviewSteps:
    """Which review steps make sense for a set of activities, from their statuses."""

    submit: bool
    approve: bool
    mark_reviewed: bool
    reinstate: bool

    @classmethod
    def for_statuses(cls, statuses: Iterable[Status]) -> ReviewSteps:
        chosen = set(statuses)
        in_use = bool(chosen) and Status.RETIRED not in chosen
        return cls(
            submit=in_use and Status.IN_REVIEW not in chosen,
            approve=in_use,
            mark_reviewed=in_use,
            reinstate=chosen == {Status.RETIRED},
        )


@dataclass(frozen=True)
class ReviewStep:
    """One review step as both windows offer it: the ReviewService call it makes, the
    title of the message when it fails, and what is said once it is done."""

    run: Callable[[ReviewService, Sequence[int], Mapping[int, int]], None]
    failure: str
    done: str  # follows "3 activities": "3 activities submitted for review"
    done_one: str | None = None  # when one activity needs other words than `done`

    def said(self, count: int) -> str:
        """What was done to `count` activities, e.g. "2 activities submitted for review"."""
        return f"{count_of(count, 'activity', 'activities')} {self._done(count)}"

    def said_of_one(self) -> str:
        """What was done, as a sentence about the one activity in view."""
        done = self._done(1)
        return done[:1].upper() + done[1:]

    def _done(self, count: int) -> str:
        return self.done_one if count == 1 and self.done_one else self.done


SUBMIT = ReviewStep(
    lambda service, ids, versions: service.submit_for_review(ids, versions),
    "Not submitted for review",
    "submitted for review",
)
MARK_REVIEWED = ReviewStep(
    lambda service, ids, versions: service.mark_reviewed(ids, expected_versions=versions),
    "Not marked as reviewed",
    f"marked as reviewed today; next review in {REVIEW_INTERVAL_MONTHS} months",
)
REINSTATE = ReviewStep(
    lambda service, ids, versions: service.reinstate(ids, versions),
    "Not reinstated",
    "reinstated as drafts",
    "reinstated as a draft",
)


def approve_step(approval: Approval) -> ReviewStep:
    return ReviewStep(
        lambda service, ids, versions: service.approve(
            ids,
            approved_by=approval.approved_by,
            next_review=approval.next_review,
            expected_versions=versions,
        ),
        "Not approved",
        f"approved by {approval.approved_by}; next review {format_date(approval.next_review)}",
    )


def to_qdate(day: dt.date) -> QDate:
    return QDate(day.year, day.month, day.day)


def from_qdate(day: QDate) -> dt.date:
    return dt.date(day.year(), day.month(), day.day())


class ApproveDialog(QDialog):
    """Who approves, and when the next review is due: the one confirmation before approving."""

    def __init__(
        self, what: str, parent: QWidget | None = None, *, today: dt.date | None = None
    ) -> None:
        super().__init__(parent)
        self.today = today or dt.date.today()
        self.setWindowTitle("Approve")
        intro = QLabel(
            f"Approve {what}? The register records who approved and today's date "
            f"({format_date(self.today)}) in each entry and in its change history."
        )
        intro.setWordWrap(True)
        self.approved_by = QLineEdit(current_user())
        self.approved_by.setAccessibleName("Approved by")
        self.next_review = QDateEdit(to_qdate(default_next_review(self.today)))
        self.next_review.setAccessibleName("Next review")
        self.next_review.setCalendarPopup(True)
        self.next_review.setDisplayFormat("d MMMM yyyy")
        self.next_review.setMinimumDate(to_qdate(self.today + dt.timedelta(days=1)))
        self.next_review.setToolTip(
            f"{REVIEW_INTERVAL_MONTHS} months from today unless you choose another date"
        )
        form = QFormLayout()
        form.addRow("Approved &by:", self.approved_by)
        form.addRow("&Next review:", self.next_review)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("Approve")
        self.approved_by.textChanged.connect(
            lambda text: self.ok_button.setEnabled(bool(text.strip()))
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(480)

    def approval(self) -> Approval:
        return Approval(self.approved_by.text().strip(), from_qdate(self.next_review.date()))


def ask_approval(parent: QWidget, what: str) -> Approval | None:
    """Show the Approve dialog; None when the user cancels."""
    dialog = ApproveDialog(what, parent)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return dialog.approval()
