"""What an import or an export did, told in plain words for the CLI and the app."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ropa.spreadsheets.ledger import TOLD_LAYOUT, CellEntry, Destination, Ledger
from ropa.spreadsheets.vocabulary import Certainty, field_label

if TYPE_CHECKING:
    from ropa.spreadsheets.headers import ColumnChoice
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
    kind: str = "controller"  # "controller" or "processor": which record it went to
    kind_reason: str = ""
    kind_unsure: bool = False  # the sheet said both: the DPO is asked
    # Why an Example sheet was read (no other sheet holds rows), or "".
    read_because: str = ""
    # Each column as matched: what the mapping step shows.
    choices: list[ColumnChoice] = field(default_factory=list)
    signature: str = ""  # names the layout of the headings (a mapping is kept for it)

    def kind_line(self, shown: Callable[[str], str] = str) -> str:
        record = "a processor's record" if self.kind == "processor" else "the organisation's own"
        if self.kind == "controller":
            record += " processing (controller)"
        line = f"Sheet “{shown(self.sheet)}” was read as {record}: {shown(self.kind_reason)}."
        if self.kind_unsure:
            line = "CHECK: " + line
        return line

    def matching_lines(self, shown: Callable[[str], str] = str) -> list[str]:
        """The columns matched by a wording or a word rather than the ICO's heading."""
        found = []
        for choice in self.choices:
            if choice.key is None or choice.certainty is None:
                continue
            if choice.certainty == Certainty.EXACT:
                continue
            found.append(
                f"  {choice.letter} “{shown(choice.heading)}” read as “{field_label(choice.key)}”"
                f": {choice.certainty.words}"
            )
        if found:
            found.insert(
                0,
                f"Sheet “{shown(self.sheet)}”: headings matched by meaning (to choose another "
                "field, use the preview's mapping step or --map “HEADING=field”):",
            )
        return found

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
    # Cells of activities stored as written that hold a template's placeholder
    # ("{{ platform_name }} Staff"): not yet an answer, so never "understood".
    placeholders: list[Problem] = field(default_factory=list)
    # Where every non-empty cell of the file went (None only for reports made by hand).
    ledger: Ledger | None = None
    # The organisation's details from the ICO contact block, and those stated in text
    # above a table (offered to the DPO; see `organisation_kept`).
    contacts: dict[str, str] = field(default_factory=dict)
    organisation_offered: dict[str, str] = field(default_factory=dict)
    # Offered details not written because the register already says otherwise:
    # field -> (in the register, in the workbook).
    organisation_kept: dict[str, tuple[str, str]] = field(default_factory=dict)

    @property
    def all_understood(self) -> bool:
        """True only when the ledger shows every cell went into the register (or is the
        sheet's layout) and no cell was put in the notes."""
        if self.ledger is None:
            return not self.problems and not self.skipped and not self.placeholders
        return self.ledger.all_understood and not self.problems and not self.placeholders

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
        for entry in self.sheets:
            lines.append(
                f"Sheet “{shown(entry.sheet)}”: {_count(entry.rows, 'row', 'rows')} read below "
                f"the headings in row {entry.header_row}; {entry.created} created, "
                f"{entry.updated} updated, {entry.unchanged} already up to date."
            )
            lines.append(entry.kind_line(shown))
            if entry.read_because:
                lines.append(f"Sheet “{shown(entry.sheet)}”: {shown(entry.read_because)}.")
            lines += entry.matching_lines(shown)
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
                + " updated from the workbook."
            )
        lines += self._organisation_lines(shown)
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
        if self.moved:
            lines.append(
                f"{_count(len(self.moved), 'cell was', 'cells were')} read with care; check them:"
            )
            lines.extend(f"  {shown(problem.describe())}" for problem in self.moved)
        if self.placeholders:
            lines.append(
                f"{_count(len(self.placeholders), 'cell holds', 'cells hold')} a template's "
                "placeholder, not an answer; "
                + ("it would be" if self.dry_run else "it was")
                + " stored as written, to be filled in:"
            )
            lines.extend(f"  {shown(problem.describe())}" for problem in self.placeholders)
        if self.unsure:
            lines.append(
                f"{_count(len(self.unsure), 'row', 'rows')} may describe an activity already "
                "recorded; each was created as a new activity rather than merged:"
            )
            lines.extend(f"  {shown(problem.describe())}" for problem in self.unsure)
        lines += self._ledger_lines(shown)
        if self.all_understood:
            lines.append("Every cell was understood.")
        else:
            lines.append(
                "Not every cell went into the register: the cells above say where each of "
                "the others went."
            )
        return "\n".join(lines)

    def _organisation_lines(self, shown: Callable[[str], str]) -> list[str]:
        found = []
        if self.organisation_offered:
            where = []
            if self.ledger is not None:
                where = [
                    f"{e.sheet}!{e.ref}"
                    for e in self.ledger.entries()
                    if e.destination == Destination.ORGANISATION and "offered" in e.detail
                ]
            found.append(
                "Text above the table ("
                + shown(", ".join(where))
                + ") names the organisation's details: "
                + "; ".join(
                    f"{_ORGANISATION_WORDS.get(key, key)} “{shown(value)}”"
                    for key, value in self.organisation_offered.items()
                )
                + "."
            )
        for key, (old, new) in self.organisation_kept.items():
            found.append(
                f"  {_ORGANISATION_WORDS.get(key, key)} not changed: the register says "
                f"“{shown(old)}”, the workbook “{shown(new)}” (change it on the Organisation "
                "page if the workbook is right)."
            )
        return found

    def _ledger_lines(self, shown: Callable[[str], str]) -> list[str]:
        """The ledger in lines: how many cells went where, and every cell that did not go
        into the register quoted as written (cells in the notes are quoted above)."""
        if self.ledger is None:
            return []
        ledger = self.ledger
        grouped = ledger.by_destination()
        counts = {d: len(grouped[d]) for d in Destination}
        lines = [
            f"Every one of the file's {len(ledger):,} non-empty cells is accounted for: "
            + ", ".join(f"{counts[d]:,} {_LEDGER_WORDS[d]}" for d in _LEDGER_ORDER if counts[d])
            + "."
        ]
        for destination in (
            Destination.NOT_PLACED,
            Destination.NOT_READ,
            Destination.NOTHING,
            Destination.ORGANISATION,
        ):
            entries = grouped[destination]
            if not entries:
                continue
            lines.append(
                _LEDGER_HEADINGS[destination].format(count=_count(len(entries), "cell", "cells"))
            )
            lines += _quoted(entries, shown, limit=_QUOTED_PER_KIND)
        told = [e for e in grouped[Destination.LAYOUT] if e.detail in TOLD_LAYOUT]
        if told:
            lines.append("Titles and headings of empty columns, not kept in any field:")
            lines += _quoted(told, shown, limit=_QUOTED_PER_KIND)
        return lines

    def findings(self) -> list[Finding]:
        """Every cell and row the DPO should look at, in the order of the workbook."""
        found = [Finding("Not understood", problem) for problem in self.problems]
        found += [Finding("Check", problem) for problem in self.moved]
        found += [Finding("Placeholder", problem) for problem in self.placeholders]
        found += [Finding("Created as new", problem) for problem in self.unsure]
        if self.ledger is not None:
            for entry in self.ledger.entries():
                kind = _FINDING_KINDS.get(entry.destination)
                if entry.destination == Destination.LAYOUT and entry.detail in TOLD_LAYOUT:
                    kind = "Layout, not kept"
                if kind is not None:
                    found.append(
                        Finding(
                            kind,
                            Problem(entry.sheet, entry.ref, entry.text, entry.destination_words()),
                        )
                    )
        return sorted(found, key=lambda finding: finding.order)


@dataclass(frozen=True)
class Finding:
    """One line of the import report's table: what kind of thing, and where."""

    kind: str  # "Not understood", "Check", "Placeholder" or "Created as new"
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


_ORGANISATION_WORDS = {
    "name": "controller",
    "ico_registration": "ICO registration number",
    "dpo_name": "DPO or contact",
    "dpo_email": "DPO email",
}
_QUOTED_PER_KIND = 60


_LEDGER_WORDS = {
    Destination.FIELD: "read into fields",
    Destination.OWN_FIELD: "kept as own fields",
    Destination.LAYOUT: "headings, labels and titles",
    Destination.NOTES: "kept in the notes (not understood)",
    Destination.NOTHING: "saying there was nothing to record",
    Destination.ORGANISATION: "the organisation's details",
    Destination.NOT_READ: "not read",
    Destination.NOT_PLACED: "NOT PLACED anywhere",
}
_LEDGER_ORDER = list(Destination)
_LEDGER_HEADINGS = {
    Destination.NOT_PLACED: "{count} NOT PLACED anywhere by the import "
    "(a fault: please report it); as written:",
    Destination.NOT_READ: "{count} not read, each as written and why:",
    Destination.NOTHING: "{count} saying there was nothing to record (read as an empty field):",
    Destination.ORGANISATION: "{count} with the organisation's details:",
}
_FINDING_KINDS = {
    Destination.NOT_PLACED: "NOT PLACED",
    Destination.NOT_READ: "Not read",
    Destination.NOTHING: "Nothing to record",
    Destination.ORGANISATION: "Organisation",
}


def _quoted(entries: list[CellEntry], shown: Callable[[str], str], *, limit: int) -> list[str]:
    lines = [f"  {shown(entry.describe())}" for entry in entries[:limit]]
    if len(entries) > limit:
        lines.append(
            f"  ... and {len(entries) - limit:,} more, each listed in the report workbook "
            "(--report FILE.xlsx, or Save report in the app)."
        )
    return lines
