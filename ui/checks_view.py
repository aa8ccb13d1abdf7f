"""The Checks view: what is missing or inconsistent in the register, and how to fix it.

Findings are grouped by severity, rule or activity; opening one (double-click or Enter)
asks the main window to show that activity at that field.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QStyle,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from ropa.checks import (
    CheckReport,
    Finding,
    Severity,
    check_register,
    is_about_organisation,
    rules,
)
from ropa.checks.rules import PROCESSOR_CONTRACT_RULE
from ropa.errors import RopaError
from ropa.fields import label as field_label
from ropa.register import Register
from ropa.wording import count_of
from ui.file_dialogs import ask_save_path, register_folder
from ui.item_models import horizontal_heading
from ui.prompts import Prompts, prompts_or_default
from ui.workers import CancelledFn, ProgressFn, ProgressRunner, Worker

Index = QModelIndex | QPersistentModelIndex
_NO_PARENT = QModelIndex()
_COLUMNS = ("Finding", "Activity", "Field", "Article")
GROUPINGS = ("Severity", "Rule", "Activity")


# How many incomplete activities "nothing found" names before it says "and N more".
NAMED_INCOMPLETE = 5


def nothing_found_text(report: CheckReport | None) -> str:
    """What to say when no check found anything, agreeing with the completeness beside it:
    completeness also counts recommended fields that no check asks for."""
    if report is None:
        return "The register has not been checked yet."
    if not report.activities:
        return "No activities to check: add one on the Activities page."
    incomplete = sorted(
        (share, reference, name)
        for reference, name, share in report.activities.values()
        if share < 1.0
    )
    if not incomplete:
        return "No gaps found: every check passed and every field that applies is filled in."
    named = [f"{reference} {name} ({share:.0%})" for share, reference, name in incomplete][
        :NAMED_INCOMPLETE
    ]
    more = len(incomplete) - len(named)
    listed = "; ".join(named) + (f"; and {more} more" if more else "")
    return (
        "Every check passed: the checks found nothing the law requires missing. The register "
        f"is {report.completeness:.0%} complete because recommended fields are still empty "
        f"in {count_of(len(incomplete), 'activity', 'activities')}: {listed}. "
        "Open an activity to fill them in."
    )


@dataclass
class _Group:
    title: str
    severity: Severity | None
    findings: list[Finding]


def _group(findings: list[Finding], grouping: str) -> list[_Group]:
    if grouping == "Severity":
        return [
            _Group(f"{severity.label}s", severity, [f for f in findings if f.severity == severity])
            for severity in Severity
            if any(f.severity == severity for f in findings)
        ]
    groups: dict[str, _Group] = {}
    if grouping == "Rule":
        titles = {rule.id: rule for rule in rules()}
        for finding in findings:
            rule = titles[finding.rule_id]
            key = finding.rule_id
            if key not in groups:
                groups[key] = _Group(rule.title, rule.severity, [])
            groups[key].findings.append(finding)
        return sorted(groups.values(), key=lambda g: (g.severity != Severity.ERROR, g.title))
    for finding in findings:
        key = finding.reference or f"~{finding.activity_name}"
        if key not in groups:
            title = f"{finding.reference} {finding.activity_name}".strip()
            groups[key] = _Group(title, None, [])
        groups[key].findings.append(finding)
    return [groups[key] for key in sorted(groups)]


class FindingsModel(QAbstractItemModel):
    """Two levels: groups, then their findings. A group row's internal id is 0; a finding
    row's internal id is its group's row + 1."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._groups: list[_Group] = []
        style = parent.style() if parent is not None else None
        self._icons = (
            {
                Severity.ERROR: style.standardIcon(QStyle.StandardPixmap.SP_MessageBoxCritical),
                Severity.WARNING: style.standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning),
            }
            if style is not None
            else {}
        )

    def set_findings(self, findings: list[Finding], grouping: str) -> None:
        self.beginResetModel()
        self._groups = _group(findings, grouping)
        self.endResetModel()

    def finding(self, index: Index) -> Finding | None:
        if not index.isValid() or index.internalId() == 0:
            return None
        return self._groups[index.internalId() - 1].findings[index.row()]

    # --- Qt's item model interface ---------------------------------------------------------

    def index(self, row: int, column: int, parent: Index = _NO_PARENT) -> QModelIndex:
        if not self.hasIndex(row, column, parent):
            return QModelIndex()
        if not parent.isValid():
            return self.createIndex(row, column, 0)
        return self.createIndex(row, column, parent.row() + 1)

    def parent(self, index: Index = _NO_PARENT) -> QModelIndex:  # type: ignore[override]
        if not index.isValid() or index.internalId() == 0:
            return QModelIndex()
        return self.createIndex(index.internalId() - 1, 0, 0)

    def rowCount(self, parent: Index = _NO_PARENT) -> int:
        if not parent.isValid():
            return len(self._groups)
        if parent.internalId() == 0 and parent.column() == 0:
            return len(self._groups[parent.row()].findings)
        return 0

    def columnCount(self, parent: Index = _NO_PARENT) -> int:
        return len(_COLUMNS)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        finding = self.finding(index)
        if finding is None:
            return self._group_data(self._groups[index.row()], index.column(), role)
        if role == Qt.ItemDataRole.DisplayRole:
            return (
                finding.message,
                f"{finding.reference} {finding.activity_name}".strip(),
                field_label(finding.field),
                finding.article,
            )[index.column()]
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{finding.message}\n\nHow to fix: {finding.fix}"
        if role == Qt.ItemDataRole.DecorationRole and index.column() == 0:
            return self._icons.get(finding.severity)
        return None

    def _group_data(self, group: _Group, column: int, role: int) -> Any:
        if column != 0:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{group.title} ({len(group.findings)})"
        if role == Qt.ItemDataRole.FontRole:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.DecorationRole and group.severity is not None:
            return self._icons.get(group.severity)
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        return horizontal_heading(_COLUMNS, section, orientation, role)

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable


class ChecksView(QWidget):
    """Findings of the compliance checks over `register`; call refresh() after changes."""

    # Activity id and the field name to show.
    open_activity = Signal(int, str)
    # A finding about the organisation's details: the field name to show.
    open_organisation = Signal(str)
    open_processor_contract = Signal(int)  # activity id: a processor of it has no contract
    # A new report is shown (after refresh() or check_now()).
    checked = Signal()

    def __init__(
        self, register: Register, parent: QWidget | None = None, prompts: Prompts | None = None
    ) -> None:
        super().__init__(parent)
        self.register = register
        self.prompts = prompts_or_default(prompts)
        self.report: CheckReport | None = None
        self._generation = 0
        self._export_title = ""

        self.grouping = QComboBox()
        self.grouping.addItems(GROUPINGS)
        self.grouping.setAccessibleName("Group findings by")
        self.summary = QLabel()
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.refresh_button = QPushButton("Check again")
        self.export_xlsx_button = QPushButton("Export to Excel\u2026")
        self.export_pdf_button = QPushButton("Save as PDF\u2026")

        group_label = QLabel("Group by:")
        group_label.setBuddy(self.grouping)
        bar = QHBoxLayout()
        bar.addWidget(group_label)
        bar.addWidget(self.grouping)
        bar.addSpacing(16)
        bar.addWidget(self.summary, 1)
        bar.addWidget(self.refresh_button)
        bar.addWidget(self.export_xlsx_button)
        bar.addWidget(self.export_pdf_button)

        self.model = FindingsModel(self)
        self.tree = QTreeView()
        self.tree.setAccessibleName("Findings")
        self.tree.setModel(self.model)
        self.tree.setUniformRowHeights(True)
        self.tree.setAlternatingRowColors(True)
        self.tree.setAllColumnsShowFocus(True)
        self.tree.setWordWrap(False)
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in (1, 2, 3):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(1, 260)
        header.resizeSection(2, 170)
        header.resizeSection(3, 200)

        self.details = QLabel()
        self.details.setTextFormat(Qt.TextFormat.PlainText)
        self.details.setWordWrap(True)
        self.details.setMinimumHeight(56)
        self.details.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.details.setFrameShape(QLabel.Shape.StyledPanel)
        self.details.setContentsMargins(8, 6, 8, 6)

        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.details)

        self.grouping.currentTextChanged.connect(self._regroup)
        self.refresh_button.clicked.connect(self.refresh)
        self.export_xlsx_button.clicked.connect(self._ask_export_xlsx)
        self.export_pdf_button.clicked.connect(self._ask_export_pdf)
        self.tree.activated.connect(self._open)
        self.tree.selectionModel().currentChanged.connect(self._show_details)
        self.refresh()

    # --- public ----------------------------------------------------------------------------

    def refresh(self) -> None:
        """Check the register again as it is now, in a worker thread: a big register takes
        seconds. `checked` fires once the new report is shown; meanwhile the page says
        "Checking…" and the last report stays readable."""
        self._generation += 1
        generation = self._generation
        register = self.register
        worker = Worker(lambda _progress, stop: check_register(register, cancelled=stop), self)
        worker.succeeded.connect(self._checked_in_worker)
        worker.failed.connect(self._check_failed)
        worker.finished.connect(worker.deleteLater)
        worker.setProperty("generation", generation)
        self._set_checking(True)
        worker.start()

    def check_now(self) -> CheckReport:
        """Check the register on this thread and show the result (small registers, tests)."""
        report = check_register(self.register)
        self._generation += 1  # a check still running in a worker is now out of date
        self.show_report(report)
        return report

    def show_report(self, report: CheckReport) -> None:
        """Show a report made elsewhere: a big register can be checked in a worker thread
        (ropa.checks.check_register) and the result handed over here."""
        self.report = report
        self._regroup()
        errors = count_of(report.errors, "error")
        warnings = count_of(report.warnings, "warning")
        activities = count_of(len(report.activities), "activity", "activities")
        self.summary.setText(
            f"{errors}  \u00b7  {warnings}  \u00b7  register {report.completeness:.0%} complete "
            f"({activities})"
        )
        self._set_checking(False)
        self.checked.emit()

    def set_grouping(self, grouping: str) -> None:
        self.grouping.setCurrentText(grouping)

    def export_xlsx(self, path: Path) -> None:
        from ropa.checks.report import write_report_xlsx

        write_report_xlsx(self._current_report(), path)

    def export_pdf(self, path: Path) -> None:
        from ui.report_print import write_report_pdf

        write_report_pdf(self._current_report(), path)

    # --- internals -------------------------------------------------------------------------

    def _current_report(self) -> CheckReport:
        return self.report if self.report is not None else self.check_now()

    def _checked_in_worker(self, report: CheckReport) -> None:
        sender = self.sender()
        if sender is not None and sender.property("generation") != self._generation:
            return  # an older check finished after a newer one was asked for
        self.show_report(report)

    def _check_failed(self, message: str) -> None:
        self._set_checking(False)
        self.summary.setText(f"The checks could not run: {message}")

    def _set_checking(self, checking: bool) -> None:
        self.refresh_button.setEnabled(not checking)
        if checking:
            self.summary.setText("Checking the register\u2026")
        for button in (self.export_xlsx_button, self.export_pdf_button):
            button.setEnabled(not checking and self.report is not None)

    def _regroup(self) -> None:
        findings = self.report.findings if self.report else []
        self.model.set_findings(findings, self.grouping.currentText())
        # Grouped by activity, the group row already names it.
        self.tree.setColumnHidden(1, self.grouping.currentText() == "Activity")
        self.tree.expandAll()
        self.details.setText(
            "Select a finding to see how to fix it; double-click it (or press Enter) to go to "
            "the field."
            if findings
            else nothing_found_text(self.report)
        )

    def _show_details(self, current: QModelIndex, _previous: QModelIndex) -> None:
        finding = self.model.finding(current)
        if finding is None:
            return
        self.details.setText(
            f"{finding.message}\nHow to fix: {finding.fix}\n"
            f"{finding.severity.label} \u00b7 {finding.rule_id} \u00b7 {finding.article}"
        )

    def _open(self, index: QModelIndex) -> None:
        finding = self.model.finding(index)
        if finding is None:
            return
        if finding.activity_id is not None and finding.rule_id == PROCESSOR_CONTRACT_RULE:
            # The contract is kept on the processor in the library, not on the activity.
            self.open_processor_contract.emit(finding.activity_id)
        elif finding.activity_id is not None:
            self.open_activity.emit(finding.activity_id, finding.field)
        elif is_about_organisation(finding):
            self.open_organisation.emit(finding.field)

    def _ask_export_xlsx(self) -> None:
        self._ask_and_write(
            "Export the checks report", {"xlsx": "Excel workbook (*.xlsx)"}, self.export_xlsx
        )

    def _ask_export_pdf(self) -> None:
        self._ask_and_write(
            "Save the checks report as PDF", {"pdf": "PDF document (*.pdf)"}, self.export_pdf
        )

    def _ask_and_write(
        self, title: str, filters: dict[str, str], write: Callable[[Path], None]
    ) -> ProgressRunner | None:
        suffix = next(iter(filters))
        path = ask_save_path(
            self,
            title,
            f"checks report.{suffix}",
            filters,
            beside=register_folder(self.register),
            prompts=self.prompts,
        )
        if path is None:
            return None
        return self.write_in_worker(title, path, write)

    def write_in_worker(
        self, title: str, path: Path, write: Callable[[Path], None]
    ) -> ProgressRunner:
        """Write `path` off the GUI thread behind a progress dialog. The file is written
        atomically: cancelling before the write is done leaves what was there before."""
        self._current_report()  # checked here, on the GUI thread, if it never was

        def task(_progress: ProgressFn, cancelled: CancelledFn) -> Path:
            if cancelled():
                raise RopaError("Cancelled: nothing was written.")
            write(path)
            return path

        self._export_title = title
        runner = ProgressRunner(self, title, f"Writing {path.name}\u2026", task)
        runner.finished.connect(self._written)
        return runner.start()

    def _written(self, ok: bool, payload: object) -> None:
        if not ok and payload:
            self.prompts.warning(self, self._export_title, str(payload))
