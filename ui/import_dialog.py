"""Import an ICO workbook in two steps: a preview of what would change, then the import."""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtGui import QCloseEvent, QFontDatabase
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ropa.register import Register
from ui.workers import CancelledFn, ProgressFn, ProgressRunner, cancel_and_wait_all


class ImportDialog(QDialog):
    """Runs `import_workbook(dry_run=True)` first, shows the report, then imports on request."""

    imported = Signal(object)  # the ImportReport of the real import
    preview_ready = Signal(object)  # the ImportReport of the dry run

    def __init__(self, register: Register, path: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.register = register
        self.path = path
        self.report: Any = None
        self.setWindowTitle(f"Import {path.name}")
        self.heading = QLabel(f"Checking <b>{escape(path.name)}</b>\u2026 nothing is changed yet.")
        self.heading.setWordWrap(True)
        self.details = QPlainTextEdit()
        self.details.setReadOnly(True)
        self.details.setAccessibleName("What the import would do")
        self.details.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.GeneralFont))
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.import_button = QPushButton("Import")
        self.import_button.setEnabled(False)
        self.buttons.addButton(self.import_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.rejected.connect(self.reject)
        self.import_button.clicked.connect(self.run_import)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.details, 1)
        layout.addWidget(self.buttons)
        self.resize(640, 420)

    def reject(self) -> None:
        """Esc or Cancel: stop the check or import first (an import stopped midway stores
        nothing), so that the dialog never goes while its thread still runs."""
        cancel_and_wait_all(self)
        super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:
        cancel_and_wait_all(self)
        super().closeEvent(event)

    def run_preview(self) -> ProgressRunner:
        return self._run(dry_run=True)

    def run_import(self) -> ProgressRunner:
        self.import_button.setEnabled(False)
        return self._run(dry_run=False)

    def _run(self, *, dry_run: bool) -> ProgressRunner:
        register, path = self.register, self.path

        def task(progress: ProgressFn, cancelled: CancelledFn) -> Any:
            from ropa.spreadsheets import import_workbook

            return import_workbook(
                register, path, dry_run=dry_run, progress=progress, cancelled=cancelled
            )

        verb = "Checking" if dry_run else "Importing"
        runner = ProgressRunner(self, "Import", f"{verb} {path.name}\u2026", task)
        runner.finished.connect(self._preview_finished if dry_run else self._import_finished)
        return runner.start()

    def _preview_finished(self, ok: bool, payload: Any) -> None:
        self._finished(ok, payload, dry_run=True)

    def _import_finished(self, ok: bool, payload: Any) -> None:
        self._finished(ok, payload, dry_run=False)

    def _finished(self, ok: bool, payload: Any, *, dry_run: bool) -> None:
        if not ok:
            message = payload or "Cancelled: nothing was imported."
            self.heading.setText(f"<b>{escape(self.path.name)}</b> was not imported.")
            self.details.setPlainText(str(message))
            return
        self.report = payload
        summary = payload.summary() if hasattr(payload, "summary") else str(payload)
        if dry_run:
            self.heading.setText(
                f"This is what importing <b>{escape(self.path.name)}</b> would do. "
                "Nothing has been changed yet."
            )
            self.details.setPlainText(summary)
            self.import_button.setEnabled(True)
            self.import_button.setDefault(True)
            self.preview_ready.emit(payload)
            return
        self.heading.setText(f"<b>{escape(self.path.name)}</b> was imported.")
        self.details.setPlainText(summary)
        self.import_button.hide()
        cancel = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        cancel.setText("Close")
        self.imported.emit(payload)
