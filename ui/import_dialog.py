"""Import a spreadsheet in two steps: a preview of what would change, then the import.

The preview shows what the import report says before anything is written: each sheet read
(and those left out), what would be created and updated, and every cell to look at, in a
table to sort and filter; the report can be saved as a workbook.  Its mapping step
(ui.import_mapping) shows what each column is read as and how sure that is, and lets the
DPO choose another field, an own column or nothing, and which record each sheet is; the
preview is then checked again with those choices, which are remembered for the layout.
"""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ropa.errors import RopaError
from ropa.register import Register
from ropa.spreadsheets.layout import Kind
from ropa.spreadsheets.remembered_choices import Remembered, to_remember, with_remembered
from ropa.spreadsheets.report import Finding, ImportReport
from ui.import_changes import ImportChangesView
from ui.import_mapping import MappingPanel
from ui.item_models import horizontal_heading
from ui.settings import AppSettings
from ui.workers import CancelledFn, ProgressFn, ProgressRunner, cancel_and_wait_all

_Index = QModelIndex | QPersistentModelIndex


class FindingsModel(QAbstractTableModel):
    """The import report's cells to look at: what, where (Sheet!C14), the text, and why."""

    HEADINGS = ("What", "Cell", "Text", "Why")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._findings: list[Finding] = []

    def set_findings(self, findings: list[Finding]) -> None:
        self.beginResetModel()
        self._findings = list(findings)
        self.endResetModel()

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        return 0 if parent.isValid() else len(self._findings)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADINGS)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._findings):
            return None
        finding = self._findings[index.row()]
        values = (finding.kind, finding.reference, finding.problem.value, finding.problem.why)
        if role == Qt.ItemDataRole.DisplayRole:
            # One line in the table; the whole text is in the tooltip.
            return " ".join(values[index.column()].split())
        if role == Qt.ItemDataRole.ToolTipRole:
            return values[index.column()]
        if role == Qt.ItemDataRole.UserRole and index.column() == 1:
            return finding.order  # sorts C9 before C10
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        return horizontal_heading(self.HEADINGS, section, orientation, role)


class _FindingsProxy(QSortFilterProxyModel):
    def lessThan(self, left: _Index, right: _Index) -> bool:
        if left.column() == 1:
            role = Qt.ItemDataRole.UserRole
            return bool(left.data(role) < right.data(role))
        return super().lessThan(left, right)


class ImportDialog(QDialog):
    """Runs `import_workbook(dry_run=True)` first, shows the report, then imports on request."""

    imported = Signal(object)  # the ImportReport of the real import
    preview_ready = Signal(object)  # the ImportReport of the dry run

    def __init__(
        self,
        register: Register,
        path: Path,
        parent: QWidget | None = None,
        settings: AppSettings | None = None,
    ) -> None:
        super().__init__(parent)
        self.register = register
        self.path = path
        self.report: Any = None
        if settings is None:
            settings = getattr(parent, "settings", None)
        self.settings = settings if isinstance(settings, AppSettings) else AppSettings()
        # The DPO's choices: heading (folded) -> field, "own" or "ignore"; sheet -> record.
        self.mapping: dict[str, str] = {}
        self.roles: dict[str, Kind] = {}
        self._remembered_applied = False
        self.setWindowTitle(f"Import {path.name}")
        self.heading = QLabel(f"Checking <b>{escape(path.name)}</b>\u2026 nothing is changed yet.")
        self.heading.setWordWrap(True)
        self.details = QLabel()
        self.details.setWordWrap(True)
        self.details.setTextFormat(Qt.TextFormat.PlainText)
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        # All its lines, however tall: the tables below take the room that is left.
        self.details.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        self.findings = FindingsModel(self)
        self.proxy = _FindingsProxy(self)
        self.proxy.setSourceModel(self.findings)
        self.proxy.setFilterKeyColumn(-1)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.filter = QLineEdit()
        self.filter.setPlaceholderText("Filter the cells (sheet, cell, text or reason)")
        self.filter.setAccessibleName("Filter the cells to check")
        self.filter.setClearButtonEnabled(True)
        self.filter.textChanged.connect(self.proxy.setFilterFixedString)
        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setAccessibleName("Cells to check")
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(1, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.save_report_button = QPushButton("Save report\u2026")
        self.save_report_button.setEnabled(False)
        self.save_report_button.clicked.connect(lambda: self.save_report())  # not clicked(bool)
        self.buttons.addButton(self.save_report_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.import_button = QPushButton("Import")
        self.import_button.setEnabled(False)
        self.buttons.addButton(self.import_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.rejected.connect(self.reject)
        self.import_button.clicked.connect(self.run_import)
        self.mapping_panel = MappingPanel()
        self.mapping_panel.changed.connect(self._choices_changed)
        self.check_again_button = QPushButton("Check again with these choices")
        self.check_again_button.setEnabled(False)
        self.check_again_button.clicked.connect(self.check_again)
        columns_page = QWidget()
        columns_layout = QVBoxLayout(columns_page)
        columns_layout.addWidget(self.mapping_panel, 1)
        columns_layout.addWidget(self.check_again_button, 0, Qt.AlignmentFlag.AlignRight)
        cells_page = QWidget()
        cells_layout = QVBoxLayout(cells_page)
        cells_layout.addWidget(self.filter)
        cells_layout.addWidget(self.table, 1)
        self.tabs = QTabWidget()
        self.tabs.addTab(cells_page, "Cells to look at")
        self.tabs.addTab(columns_page, "Columns and sheets")
        # Per activity already in the register, each field the import would change.
        self.changes = ImportChangesView(self)
        self.changes.hide()
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.details)
        layout.addWidget(self.changes, 1)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.buttons)
        self.resize(900, 560)

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

    def check_again(self) -> ProgressRunner:
        """Check the workbook again with the DPO's choices, and remember them for its layout."""
        for layout, chosen in self.mapping_panel.model.mapping_by_layout().items():
            self.settings.set_import_mapping(
                layout, to_remember(self.settings.import_mapping(layout), chosen)
            )
        self.mapping.update(self.mapping_panel.model.mapping())
        chosen_roles = self.mapping_panel.roles()
        self.roles.update(chosen_roles)
        if isinstance(self.report, ImportReport):
            for sheet in self.report.sheets:
                if sheet.sheet in chosen_roles:
                    self.settings.set_import_role(sheet.signature, chosen_roles[sheet.sheet].value)
        self.check_again_button.setEnabled(False)
        return self.run_preview()

    def _choices_changed(self) -> None:
        # What the preview shows is no longer what an import would do: check again first.
        self.check_again_button.setEnabled(True)
        self.import_button.setEnabled(False)
        self.heading.setText(
            "You changed how the workbook is read: press <b>Check again with these "
            "choices</b> to see what importing would do."
        )

    def save_report(self, path: Path | None = None) -> Path | None:
        """Save the report shown as a workbook; asks where unless `path` is given."""
        from ropa.spreadsheets.report_workbook import write_report
        from ui.file_dialogs import ask_save_path

        if self.report is None:
            return None
        if path is None:
            path = ask_save_path(
                self,
                "Save the import report",
                f"{self.path.stem} import report.xlsx",
                {"xlsx": "Excel workbooks (*.xlsx)"},
                purpose="import-report",
            )
            if path is None:
                return None
        try:
            written = write_report(self.report, path)
        except RopaError as error:
            self.details.setText(str(error))
            return None
        self.details.setText(f"{self._overview(self.report)}\nThe report was saved as {written}.")
        return written

    def _run(self, *, dry_run: bool) -> ProgressRunner:
        register, path = self.register, self.path
        mapping, roles = dict(self.mapping), dict(self.roles)
        rejected = frozenset() if dry_run else frozenset(self.changes.rejected())

        def task(progress: ProgressFn, cancelled: CancelledFn) -> Any:
            from ropa.spreadsheets import import_workbook

            return import_workbook(
                register,
                path,
                dry_run=dry_run,
                progress=progress,
                cancelled=cancelled,
                mapping=mapping or None,
                roles=roles or None,
                rejected=rejected,
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
            self.details.setText(str(message))
            return
        self.report = payload
        self.details.setText(self._overview(payload))
        if isinstance(payload, ImportReport):
            self.findings.set_findings(payload.findings())
            self.save_report_button.setEnabled(True)
            self.changes.set_changes(payload.changes, preview=dry_run)
            if dry_run and self._apply_remembered(payload):
                return  # checked again at once with the choices made for this layout
            self.mapping_panel.show_report(payload, self.mapping)
            attention = self.mapping_panel.model.unsure_count() + len(
                self.mapping_panel.unsure_sheets
            )
            self.tabs.setTabText(
                1, "Columns and sheets" + (f" ({attention} to confirm)" if attention else "")
            )
            if attention and dry_run:
                self.tabs.setCurrentIndex(1)
        if dry_run:
            self.heading.setText(
                f"This is what importing <b>{escape(self.path.name)}</b> would do. "
                "Nothing has been changed yet."
            )
            self.import_button.setEnabled(True)
            self.import_button.setDefault(True)
            self.preview_ready.emit(payload)
            return
        self.heading.setText(f"<b>{escape(self.path.name)}</b> was imported.")
        self.import_button.hide()
        cancel = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        cancel.setText("Close")
        self.imported.emit(payload)

    def _apply_remembered(self, report: ImportReport) -> bool:
        """After the first check: the DPO's earlier choices for these layouts, if any and
        not yet applied (ropa.spreadsheets.remembered_choices); True when the preview is
        being checked again with them."""
        if self._remembered_applied:
            return False
        self._remembered_applied = True
        layouts = {sheet.signature for sheet in report.sheets}
        remembered = Remembered(
            mappings={layout: self.settings.import_mapping(layout) for layout in layouts},
            roles={
                layout: role for layout in layouts if (role := self.settings.import_role(layout))
            },
        )
        choices = with_remembered(report.sheets, remembered, self.mapping, self.roles)
        if not choices.changed:
            return False
        self.mapping, self.roles = choices.mapping, choices.roles
        self.run_preview()
        return True

    @staticmethod
    def _overview(report: Any) -> str:
        """Per sheet and in all: what was read and what it does; the cells are in the table."""
        if not isinstance(report, ImportReport):
            return str(report)
        verb = "would be" if report.dry_run else "were"
        lines = [
            f"Sheet “{entry.sheet}” (headings in row {entry.header_row}): "
            f"{entry.rows} {'row' if entry.rows == 1 else 'rows'} read; {entry.created} "
            f"created, {entry.updated} updated, {entry.unchanged} already up to date."
            for entry in report.sheets
        ]
        lines += [entry.kind_line() for entry in report.sheets if entry.kind_unsure]
        lines += [f"Sheet “{sheet}” was not read: {why}." for sheet, why in report.skipped]
        lines += [line for entry in report.sheets if (line := entry.own_columns_line())]
        lines.append(
            f"In all, {len(report.created)} {verb} created, {len(report.updated)} updated, "
            f"{len(report.unchanged)} already up to date."
        )
        if report.organisation_updated:
            lines.append(f"The organisation's contact details {verb} updated.")
        unsure = sum(1 for entry in report.sheets for choice in entry.choices if choice.unsure)
        if unsure:
            lines.append(
                f"{unsure} {'heading was' if unsure == 1 else 'headings were'} matched only by "
                "a word in it: confirm under “Columns and sheets”."
            )
        if report.organisation_offered:
            offered = "; ".join(f"“{value}”" for value in report.organisation_offered.values())
            lines.append(f"Text above the table names the organisation's details: {offered}.")
        for key, (old, new) in report.organisation_kept.items():
            lines.append(
                f"The organisation's {key.replace('_', ' ')} is kept as “{old}” (the workbook "
                f"says “{new}”): change it on the Organisation page if the workbook is right."
            )
        count = len(report.findings())
        things = "cell or row" if count == 1 else "cells or rows"
        # From the ledger of every cell: said only when every cell went into the register.
        if report.all_understood and count == 0:
            lines.append("Every cell was understood.")
        elif report.all_understood:
            lines.append(f"Every cell was understood; {count} {things} to check, below.")
        else:
            lines.append(
                f"Not every cell went into the register: {count} {things} to look at, "
                "below, each with where it went."
            )
        return "\n".join(lines)
