"""What an import or an export did, told in plain words for the CLI and the app."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ropa.spreadsheets.merge import ActivityChanges


@dataclass(frozen=True)
class Problem:
    """A cell the import could not understand; its text is kept on the activity's notes."""

    sheet: str
    cell: str
    value: str
    why: str

    def describe(self) -> str:
        shown = self.value if len(self.value) <= 80 else self.value[:77] + "..."
        shown = " ".join(shown.split())
        return f"{self.sheet}!{self.cell}: “{shown}”: {self.why}"


@dataclass(frozen=True)
class ExportResult:
    path: Path
    activity_count: int


@dataclass
class SheetReport:
    """What was read from one sheet of activities."""

    sheet: str
    header_row: int
    rows: int  # rows below the headings holding anything
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    # The organisation's own columns that held text, kept on the activities as their own
    # fields: (column letter, the name kept, whether the sheet gave it a heading).
    own_columns: list[tuple[str, str, bool]] = field(default_factory=list)

    def count(self, outcome: str) -> None:
        setattr(self, outcome, getattr(self, outcome) + 1)

    def own_columns_line(self, shown: Callable[[str], str] = str) -> str:
        """Where the text of columns the ICO layout does not have went, or "" if none."""
        if not self.own_columns:
            return ""
        named = ", ".join(
            f"{letter} “{shown(name)}”" + ("" if headed else " (no heading)")
            for letter, name, headed in self.own_columns
        )
        return (
            f"Sheet “{shown(self.sheet)}”: kept as the organisation's own columns (shown with "
            f"each activity and exported after the register's columns): {named}."
        )


@dataclass
class ImportReport:
    path: Path
    created: list[tuple[str, str]] = field(default_factory=list)
    updated: list[tuple[str, str]] = field(default_factory=list)
    unchanged: list[tuple[str, str]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    organisation_updated: bool = False
    dry_run: bool = False
    sheet: str = ""  # the first sheet read
    sheets: list[SheetReport] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (sheet, why)
    # Rows created because a match with another activity was not sure (cell = "12:13").
    unsure: list[Problem] = field(default_factory=list)
    # Cells understood, but with what they say put in another field, or to be confirmed.
    moved: list[Problem] = field(default_factory=list)
    # Per activity the register held, each field the import changed (or would change), and
    # those the DPO rejected (ropa.spreadsheets.merge.ActivityChanges).
    changes: list[ActivityChanges] = field(default_factory=list)
    # The copy of the register made before the import wrote (None: dry run or a server).
    backup: Path | None = None

    def summary(self, shown: Callable[[str], str] = str) -> str:
        """The report in lines; `shown` makes the workbook's own text (file, sheet and
        activity names, cells not understood) safe where it is shown, such as a terminal."""
        lines = []
        if self.dry_run:
            lines.append(f"Dry run of importing {shown(self.path.name)}: nothing has been changed.")
        else:
            lines.append(f"Imported {shown(self.path.name)} (sheet “{shown(self.sheet)}”).")
        verb = "would be" if self.dry_run else ("was" if len(self.created) == 1 else "were")
        if len(self.sheets) > 1 or self.skipped:
            for entry in self.sheets:
                lines.append(
                    f"Sheet “{shown(entry.sheet)}”: {_count(entry.rows, 'row', 'rows')} read below "
                    f"the headings in row {entry.header_row}; {entry.created} created, "
                    f"{entry.updated} updated, {entry.unchanged} already up to date."
                )
            for sheet, why in self.skipped:
                lines.append(f"Sheet “{shown(sheet)}” was not read: {why}.")
        lines += [line for entry in self.sheets if (line := entry.own_columns_line(shown))]
        lines.append(
            f"{_count(len(self.created), 'activity', 'activities')} {verb} created, "
            f"{len(self.updated)} updated, {len(self.unchanged)} already up to date."
        )
        headings = ("Would create", "Would update") if self.dry_run else ("Created", "Updated")
        for heading, entries in zip(headings, (self.created, self.updated), strict=True):
            if entries:
                lines.append(f"{heading}:")
                lines.extend(
                    f"  {shown(reference)} {shown(name)}".rstrip() for reference, name in entries
                )
        if self.organisation_updated:
            lines.append(
                "The organisation's contact details "
                + ("would be" if self.dry_run else "were")
                + " updated from rows 1 to 6."
            )
        if self.problems:
            lines.append(
                f"{_count(len(self.problems), 'cell', 'cells')} could not be understood; "
                + (
                    "the text would be kept in the notes of its activity:"
                    if self.dry_run
                    else "the text is kept in the notes of its activity:"
                )
            )
            lines.extend(f"  {shown(problem.describe())}" for problem in self.problems)
        else:
            lines.append("Every cell was understood.")
        if self.moved:
            lines.append(
                f"{_count(len(self.moved), 'cell was', 'cells were')} read with care; check them:"
            )
            lines.extend(f"  {shown(problem.describe())}" for problem in self.moved)
        if self.unsure:
            lines.append(
                f"{_count(len(self.unsure), 'row', 'rows')} may describe an activity already "
                "recorded; each was created as a new activity rather than merged:"
            )
            lines.extend(f"  {shown(problem.describe())}" for problem in self.unsure)
        return "\n".join(lines)

    def findings(self) -> list[Finding]:
        """Every cell and row the DPO should look at, in the order of the workbook."""
        found = [Finding("Not understood", problem) for problem in self.problems]
        found += [Finding("Check", problem) for problem in self.moved]
        found += [Finding("Created as new", problem) for problem in self.unsure]
        return sorted(found, key=lambda finding: finding.order)


@dataclass(frozen=True)
class Finding:
    """One line of the import report's table: what kind of thing, and where."""

    kind: str  # "Not understood", "Check" or "Created as new"
    problem: Problem

    @property
    def reference(self) -> str:
        return f"{self.problem.sheet}!{self.problem.cell}"

    @property
    def order(self) -> tuple[str, int, str]:
        digits = "".join(ch for ch in self.problem.cell.split(":")[0] if ch.isdigit())
        return (self.problem.sheet, int(digits or 0), self.problem.cell)


def _count(number: int, singular: str, plural: str) -> str:
    return f"{number} {singular if number == 1 else plural}"
