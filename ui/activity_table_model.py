"""The activities table: a model over activity summaries and a proxy that searches and filters.

Built for registers of thousands of activities: the model holds plain summaries, sorting is
one Python sort of those (not thousands of Qt comparisons), and each search keystroke is one
pass over pre-folded text followed by a set lookup per row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from enum import IntEnum
from typing import Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtWidgets import QApplication, QStyle

from ropa.records import ActivityRecord, ActivitySummary, Status
from ropa.review_rules import (
    ReviewState,
    is_changed_since_approved,
    review_state,
    status_label,
)

ModelIndex = QModelIndex | QPersistentModelIndex
ItemRole = Qt.ItemDataRole

ID_ROLE = ItemRole.UserRole + 1
CHANGED_SINCE_APPROVED_TIP = (
    "Its content changed after it was approved. Submit it for review, then approve it again "
    "once the change has been checked."
)
CHANGED_IN_REVIEW_TIP = (
    "In review, and its content has changed since it was approved: approve it again once the "
    "change has been checked."
)
# The list's filter value for approved activities changed since (not a Status of its own).
STATUS_CHANGED = "changed_since_approved"


def status_text(status: Status, changed_since_approval: bool) -> str:
    """The status as the list, the editor and the exported workbook say it."""
    return status_label(status, changed_since_approval)


def status_state(summary: ActivitySummary) -> str:
    """The value the status filter compares: a Status value, or STATUS_CHANGED."""
    if is_changed_since_approved(summary.status, summary.changed_since_approval):
        return STATUS_CHANGED
    return str(summary.status.value)


def review_state_of(summary: ActivitySummary, today: dt.date) -> ReviewState:
    """Due, overdue, changed since approved: ropa.review_rules' one rule, for a row."""
    return review_state(
        summary.status, summary.next_review, summary.changed_since_approval, today=today
    )


class Column(IntEnum):
    REFERENCE = 0
    NAME = 1
    BUSINESS_FUNCTION = 2
    STATUS = 3
    NEXT_REVIEW = 4
    GAPS = 5


HEADERS = {
    Column.REFERENCE: "Reference",
    Column.NAME: "Name",
    Column.BUSINESS_FUNCTION: "Business function",
    Column.STATUS: "Status",
    Column.NEXT_REVIEW: "Next review",
    Column.GAPS: "Gaps",
}


def format_date(value: dt.date | None) -> str:
    """Dates as a British reader writes them: 21 November 2026."""
    return f"{value.day} {value:%B %Y}" if value else ""


class ActivityTableModel(QAbstractTableModel):
    """One row per activity summary; the Gaps column is filled in when the checks finish."""

    def __init__(
        self,
        rows: Iterable[ActivitySummary] = (),
        parent: Any = None,
        *,
        clock: Callable[[], dt.date] = dt.date.today,
    ) -> None:
        super().__init__(parent)
        self._rows: list[ActivitySummary] = list(rows)
        self._gaps: dict[int, int] | None = None
        self._clock = clock
        style = QApplication.style() if QApplication.instance() else None
        self._overdue_icon = (
            style.standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning) if style else None
        )

    # --- reading -------------------------------------------------------------------------

    @property
    def rows(self) -> list[ActivitySummary]:
        return self._rows

    @property
    def today(self) -> dt.date:
        """The day due and overdue are measured against, from the model's clock (the
        computer's by default): a window left open overnight shows the new day's state."""
        return self._clock()

    def summary(self, row: int) -> ActivitySummary:
        return self._rows[row]

    def gaps(self, activity_id: int) -> int | None:
        return None if self._gaps is None else self._gaps.get(activity_id, 0)

    def row_of(self, activity_id: int) -> int | None:
        for row, summary in enumerate(self._rows):
            if summary.id == activity_id:
                return row
        return None

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(Column)

    def data(self, index: ModelIndex, role: int = ItemRole.DisplayRole) -> Any:
        if not index.isValid() or not self.checkIndex(index):
            return None
        summary = self._rows[index.row()]
        column = Column(index.column())
        if role in (ItemRole.DisplayRole, ItemRole.AccessibleTextRole):
            return self._display(summary, column)
        if role == ID_ROLE:
            return summary.id
        if role == ItemRole.ToolTipRole:
            return self._tooltip(summary, column)
        if role == ItemRole.DecorationRole and column == Column.NEXT_REVIEW:
            return self._overdue_icon if self._is_overdue(summary) else None
        if role == ItemRole.TextAlignmentRole and column == Column.GAPS:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = ItemRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(Column):
            return None
        if role == ItemRole.DisplayRole:
            return HEADERS[Column(section)]
        if role == ItemRole.TextAlignmentRole and section == Column.GAPS:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def _display(self, summary: ActivitySummary, column: Column) -> str:
        if column == Column.REFERENCE:
            return summary.reference
        if column == Column.NAME:
            return summary.name
        if column == Column.BUSINESS_FUNCTION:
            return summary.business_function
        if column == Column.STATUS:
            return status_text(summary.status, summary.changed_since_approval)
        if column == Column.NEXT_REVIEW:
            return format_date(summary.next_review)
        gaps = self.gaps(summary.id)
        return "" if gaps is None else (str(gaps) if gaps else "None")

    def _tooltip(self, summary: ActivitySummary, column: Column) -> str | None:
        if column == Column.STATUS and summary.changed_since_approval:
            if is_changed_since_approved(summary.status, True):
                return CHANGED_SINCE_APPROVED_TIP
            return CHANGED_IN_REVIEW_TIP
        if column == Column.NEXT_REVIEW and self._is_overdue(summary):
            return "The review date has passed: review this activity."
        if column == Column.GAPS:
            gaps = self.gaps(summary.id)
            if gaps is None:
                return "The checks are still running."
            return f"{gaps} gap(s) found by the checks. Open the activity to see them."
        return None

    def _is_overdue(self, summary: ActivitySummary) -> bool:
        return review_state_of(summary, self.today).overdue

    # --- changing ------------------------------------------------------------------------

    def set_rows(self, rows: Iterable[ActivitySummary]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def set_gaps(self, gaps: dict[int, int] | None) -> None:
        self._gaps = gaps
        if self._rows:
            self.dataChanged.emit(
                self.index(0, Column.GAPS), self.index(len(self._rows) - 1, Column.GAPS)
            )

    def update_from_record(self, record: ActivityRecord) -> None:
        """Show an edit at once, without reading the whole register again."""
        row = self.row_of(record.id) if record.id is not None else None
        if row is None:
            return
        self._rows[row] = self._rows[row]._replace(
            reference=record.reference,
            name=record.name,
            business_function=record.business_function,
            status=record.status,
            role=record.role,
            next_review=record.next_review,
            last_reviewed=record.last_reviewed,
            updated_at=record.updated_at,
            version=record.version,
            changed_since_approval=record.changed_since_approval,
        )
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(Column) - 1))

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(Column):
            return
        key = self._sort_key(Column(column))
        self.layoutAboutToBeChanged.emit()
        before = self.persistentIndexList()
        ids = [self._rows[index.row()].id for index in before]
        self._rows.sort(key=key, reverse=order == Qt.SortOrder.DescendingOrder)
        where = {summary.id: row for row, summary in enumerate(self._rows)}
        self.changePersistentIndexList(
            before,
            [self.index(where[i], index.column()) for i, index in zip(ids, before, strict=True)],
        )
        self.layoutChanged.emit()

    def _sort_key(self, column: Column) -> Callable[[ActivitySummary], Any]:
        if column == Column.NEXT_REVIEW:
            return lambda s: (s.next_review is None, s.next_review or dt.date.min)
        if column == Column.GAPS:
            return lambda s: self.gaps(s.id) or 0
        if column == Column.STATUS:
            order = list(Status)
            return lambda s: order.index(s.status)
        return lambda s: self._display(s, column).casefold()


# Filter choices for status: "current" hides retired activities, which is what a DPO
# usually wants; "all" shows everything.
STATUS_CURRENT = "current"
STATUS_ALL = "all"
# The review quick views: activities in use whose next review is soon, or has passed.
STATUS_DUE = "due"
STATUS_OVERDUE = "overdue"


class ActivityFilterProxy(QSortFilterProxyModel):
    """Search-as-you-type over all the text of each activity, plus the list's filters."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._texts: dict[int, str] = {}
        self._search = ""
        self._matching: set[int] | None = None
        self._business_function = ""
        self._status = STATUS_CURRENT
        self._special_only = False
        self._gaps_only = False
        self._source: ActivityTableModel | None = None
        self.setDynamicSortFilter(False)

    def setSourceModel(self, model: QAbstractItemModel) -> None:
        if not isinstance(model, ActivityTableModel):
            raise TypeError("ActivityFilterProxy filters an ActivityTableModel")
        # Kept typed here: filterAcceptsRow runs for every row on every keystroke.
        self._source = model
        super().setSourceModel(model)

    def source(self) -> ActivityTableModel:
        assert self._source is not None, "no source model set"
        return self._source

    # Sorting happens in the source model: one Python sort instead of n log n calls.
    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self.source().sort(column, order)

    def set_search_texts(self, texts: dict[int, str]) -> None:
        """The case-folded text of each activity (ActivityList.search_texts())."""
        self._change(lambda: setattr(self, "_texts", texts), recompute=True)

    def set_search(self, text: str) -> None:
        needle = " ".join(text.split()).casefold()
        if needle == self._search:
            return
        # Typing on narrows the search: a text holding every word of the longer needle holds
        # every word of the shorter one (each old word lies inside a new word), so only the
        # activities that matched before need looking at.
        narrowing = bool(self._search) and self._search in needle and self._matching is not None
        within = self._matching if narrowing else None
        self._change(lambda: setattr(self, "_search", needle), recompute=True, within=within)

    def search(self) -> str:
        return self._search

    def set_business_function(self, name: str) -> None:
        self._change(lambda: setattr(self, "_business_function", name.strip().casefold()))

    def set_status(self, status: str) -> None:
        """A Status value, STATUS_CURRENT (all but retired), STATUS_ALL, STATUS_DUE (next
        review within DUE_SOON_DAYS or passed) or STATUS_OVERDUE (next review passed)."""
        self._change(lambda: setattr(self, "_status", status))

    def set_special_only(self, on: bool) -> None:
        self._change(lambda: setattr(self, "_special_only", on))

    def set_gaps_only(self, on: bool) -> None:
        self._change(lambda: setattr(self, "_gaps_only", on))

    def _change(
        self,
        apply: Callable[[], None],
        *,
        recompute: bool = False,
        within: set[int] | None = None,
    ) -> None:
        self.beginFilterChange()
        apply()
        if recompute:
            self._matching = self._match(self._search, within)
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def _match(self, needle: str, within: set[int] | None = None) -> set[int] | None:
        """The ids whose text holds every word of `needle` (looking only at `within`)."""
        if not needle:
            return None
        words = needle.split()
        texts = self._texts
        candidates = texts.items() if within is None else _items_of(texts, within)
        if len(words) == 1:
            return {key for key, text in candidates if needle in text}
        return {key for key, text in candidates if all(word in text for word in words)}

    def _review_wanted(self, summary: ActivitySummary, today: dt.date) -> bool:
        """The same rule as ReviewService.due/overdue, on the rows the table already holds."""
        state = review_state_of(summary, today)
        return state.overdue if self._status == STATUS_OVERDUE else state.due

    def filterAcceptsRow(self, source_row: int, source_parent: ModelIndex) -> bool:
        model = self._source
        assert model is not None
        summary = model.rows[source_row]
        if self._matching is not None and summary.id not in self._matching:
            return False
        if self._status == STATUS_CURRENT:
            if summary.status == Status.RETIRED:
                return False
        elif self._status in (STATUS_DUE, STATUS_OVERDUE):
            if not self._review_wanted(summary, model.today):
                return False
        elif self._status != STATUS_ALL and status_state(summary) != self._status:
            return False
        if (
            self._business_function
            and summary.business_function.strip().casefold() != self._business_function
        ):
            return False
        if self._special_only and not (
            summary.has_special_category or summary.has_criminal_offence
        ):
            return False
        return not self._gaps_only or bool(model.gaps(summary.id))


def _items_of(texts: dict[int, str], ids: set[int]) -> list[tuple[int, str]]:
    return [(key, texts[key]) for key in ids if key in texts]
