"""The review cycle in the desktop app: the Approve dialog and the review steps as offered.

The steps themselves are ropa.review.ReviewService calls (one transaction each, written to
the change history), and what each may act on is ropa.review_rules; the activities table
and the activity editor both offer them, so what they share lives here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from ropa.dates import REVIEW_INTERVAL_MONTHS, default_next_review
from ropa.errors import RopaError
from ropa.identity import current_user
from ropa.review_rules import ReviewSteps, earliest_next_review
from ropa.wording import count_of
from ui.activity_table_model import format_date

if TYPE_CHECKING:
    from ropa.checks import Finding
    from ropa.review import ReviewService

# Said after every review step: they are recorded, not undone with Undo.
NOT_UNDOABLE = "Review steps are kept in the change history and are not undone with Undo."


@dataclass(frozen=True)
class Approval:
    approved_by: str
    next_review: dt.date
    # The approver saw the error-level findings listed and approved despite them.
    despite_errors: bool = False


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
            despite_errors=approval.despite_errors,
        ),
        "Not approved",
        f"approved by {approval.approved_by}; next review {format_date(approval.next_review)}",
    )


def ask_approve_step(
    review: ReviewService,
    ids: list[int],
    what: str,
    ask: Callable[[str, Sequence[Finding]], Approval | None],
    show_error: Callable[[str, str], None],
) -> ReviewStep | None:
    """The Approve step for `ids` (`what` in words), as the user fills it in with `ask`,
    which is shown the errors the checks find in them first, so an approval despite them
    is a choice. None when the checks could not be run (said with `show_error`) or the user
    cancelled. The activities list and the editor both approve through here."""
    try:
        errors = review.errors_before_approval(ids)
    except RopaError as error:
        show_error("Not approved", str(error))
        return None
    approval = ask(what, errors)
    return None if approval is None else approve_step(approval)


def to_qdate(day: dt.date) -> QDate:
    return QDate(day.year, day.month, day.day)


def from_qdate(day: QDate) -> dt.date:
    return dt.date(day.year(), day.month(), day.day())


class ApproveDialog(QDialog):
    """Who approves, and when the next review is due: the one confirmation before approving.
    Error-level findings about what is approved are listed first, and approving then says
    it is despite them (they go into the change history with the approval)."""

    def __init__(
        self,
        what: str,
        parent: QWidget | None = None,
        *,
        today: dt.date | None = None,
        errors: Sequence[Finding] = (),
        approver: str = "",
    ) -> None:
        super().__init__(parent)
        self.today = today or dt.date.today()
        self.errors = list(errors)
        self.setWindowTitle("Approve")
        intro = QLabel(
            f"Approve {what}? The register records who approved and today's date "
            f"({format_date(self.today)}) in each entry and in its change history."
        )
        intro.setWordWrap(True)
        self.errors_list = QListWidget()
        self.errors_list.setAccessibleName("Errors the checks found")
        critical = self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxCritical)
        self.errors_list.setWordWrap(True)  # each error read whole, not cut at the edge
        self.errors_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        for finding in self.errors:
            text = f"{finding.reference}: {finding.message}"
            self.errors_list.addItem(text)
            item = self.errors_list.item(self.errors_list.count() - 1)
            item.setIcon(critical)
            item.setToolTip(text)
        them, they = ("it", "it is") if len(self.errors) == 1 else ("them", "they are")
        errors_note = QLabel(
            f"The checks found {count_of(len(self.errors), 'error')} that the UK GDPR "
            f"requires to be put right. Close this and fix {them} first, or approve despite "
            f"{them}: {they} then recorded with the approval in the change history."
        )
        errors_note.setWordWrap(True)
        self.approved_by = QLineEdit(approver or current_user())
        self.approved_by.setAccessibleName("Approved by")
        self.next_review = QDateEdit(to_qdate(default_next_review(self.today)))
        self.next_review.setAccessibleName("Next review")
        self.next_review.setCalendarPopup(True)
        self.next_review.setDisplayFormat("d MMMM yyyy")
        self.next_review.setMinimumDate(to_qdate(earliest_next_review(self.today)))
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
        self.ok_button.setText(
            f"Approve despite {count_of(len(self.errors), 'error')}" if self.errors else "Approve"
        )
        self.approved_by.textChanged.connect(
            lambda text: self.ok_button.setEnabled(bool(text.strip()))
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        if self.errors:
            layout.addWidget(errors_note)
            layout.addWidget(self.errors_list)
            # Cancel is the default: approving over errors is a choice, not a reflex.
            self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setDefault(True)
            self.ok_button.setAutoDefault(False)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(600)

    def approval(self) -> Approval:
        return Approval(
            self.approved_by.text().strip(),
            from_qdate(self.next_review.date()),
            despite_errors=bool(self.errors),
        )


def ask_approval(
    parent: QWidget, what: str, errors: Sequence[Finding] = (), approver: str = ""
) -> Approval | None:
    """Show the Approve dialog (listing `errors`, if any, and suggesting `approver`: see
    ropa.review.default_approver); None when the user cancels."""
    dialog = ApproveDialog(what, parent, errors=errors, approver=approver)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return dialog.approval()


# ReviewSteps is ropa.review_rules'; both windows take it from here with the steps.
__all__ = [
    "Approval",
    "ApproveDialog",
    "ReviewStep",
    "ReviewSteps",
    "ask_approval",
    "ask_approve_step",
]
