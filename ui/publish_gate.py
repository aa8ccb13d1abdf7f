"""The dialog shown when a notice is not ready to publish: what is missing, and a way to
publish anyway that asks for the reason (the register's history keeps it)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from ropa.notices.markers import gap_words
from ropa.wording import count_of


class PublishGateDialog(QDialog):
    """Lists the gaps (section, what to complete) and accepts only with a reason typed."""

    def __init__(
        self, title: str, blockers: list[tuple[str, str]], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Publish notice")
        self.setMinimumWidth(560)
        heading = QLabel(
            f"“{title}” is not ready to publish: "
            f"{count_of(len(blockers), 'gap')} to complete. Complete them and publish "
            "again, or give the reason for publishing now."
        )
        heading.setWordWrap(True)
        self.gap_list = QListWidget()
        self.gap_list.setAccessibleName("Gaps to complete")
        self.gap_list.setWordWrap(True)
        # Each gap wraps over lines: room and shading between them show where one ends.
        self.gap_list.setSpacing(4)
        self.gap_list.setAlternatingRowColors(True)
        for section, marker in blockers:
            self.gap_list.addItem(f"{section}: {gap_words(marker)}")
        gaps_label = QLabel("&Gaps, each marked “[To complete: …]” in the draft:")
        gaps_label.setBuddy(self.gap_list)
        self.reason_edit = QPlainTextEdit()
        self.reason_edit.setAccessibleName("Reason for publishing with gaps")
        self.reason_edit.setPlaceholderText(
            "For example: retention agreed at the records panel on 3 December; the register "
            "will be updated this week."
        )
        self.reason_edit.setMaximumHeight(90)
        reason_label = QLabel(
            "&Reason for publishing now (kept in the history; the published text leaves the "
            "“[To complete: …]” lines out):"
        )
        reason_label.setWordWrap(True)
        reason_label.setBuddy(self.reason_edit)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.publish_button = self.buttons.addButton(
            "&Publish anyway", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.publish_button.setEnabled(False)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.reason_edit.textChanged.connect(self._reason_changed)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(gaps_label)
        layout.addWidget(self.gap_list, 1)
        layout.addWidget(reason_label)
        layout.addWidget(self.reason_edit)
        layout.addWidget(self.buttons)
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setFocus(
            Qt.FocusReason.OtherFocusReason
        )

    def reason(self) -> str:
        return " ".join(self.reason_edit.toPlainText().split())

    def _reason_changed(self) -> None:
        # No reason, no publishing: a blank or spaces-only reason keeps the button off.
        self.publish_button.setEnabled(bool(self.reason()))
