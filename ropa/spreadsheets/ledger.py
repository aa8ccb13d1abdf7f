"""Where every cell of an imported spreadsheet went: the ledger the import report is made from.

Every non-empty cell of every sheet starts as "not placed" the moment the file is read.  The
import then records, cell by cell, what became of it: the field(s) it filled, an own field,
the activity's notes, the organisation's details, the sheet's layout (headings, the ICO's
labels), or "not read" and why.  A cell nobody recorded stays "not placed", and the report
counts and quotes those, so a cell without a destination cannot be missed; the report says
that every cell was understood only when the ledger shows it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from enum import Enum

from openpyxl.utils import get_column_letter

from ropa.spreadsheets.reader import Spreadsheet, Value


class Destination(Enum):
    """What became of a cell.  `understood` destinations put what it says into the
    register (or are the spreadsheet's own layout); the others are for the DPO to see."""

    NOT_PLACED = "not placed"  # nothing recorded where it went: always reported
    FIELD = "field"  # filled one or more of the activity's fields
    OWN_FIELD = "own field"  # kept as written under the organisation's own column
    NOTES = "notes"  # not understood; kept as written in the activity's notes
    NOTHING = "nothing to record"  # "N/A", "None", "-": the DPO's "nothing here"
    ORGANISATION = "organisation"  # the organisation's (or DPO's) details
    LAYOUT = "layout"  # a heading, a section title, a label of the ICO template
    NOT_READ = "not read"  # left out, with the reason

    @property
    def understood(self) -> bool:
        return self in _UNDERSTOOD


# The organisation's details are understood: written where the register had none, and
# reported where it already held others (ImportReport.organisation_kept).
_UNDERSTOOD = frozenset(
    {Destination.FIELD, Destination.OWN_FIELD, Destination.LAYOUT, Destination.ORGANISATION}
)


@dataclass(slots=True)
class CellEntry:
    """One cell: where it is, its text as written, and where it went."""

    sheet: str
    row: int
    column: int
    text: str
    destination: Destination = Destination.NOT_PLACED
    # The field(s) or own field it filled, the organisation field, or why it was not read.
    detail: str = ""
    activity: str = ""  # the activity it went to, when it went to one

    @property
    def ref(self) -> str:
        return f"{get_column_letter(self.column)}{self.row}"

    def describe(self) -> str:
        quoted = " ".join(self.text.split())
        if len(quoted) > 120:
            quoted = quoted[:117] + "..."
        where = f"{self.sheet}!{self.ref}"
        return f"{where}: “{quoted}”: {self.destination_words()}"

    def destination_words(self) -> str:
        detail = f" ({self.detail})" if self.detail else ""
        target = f" of {self.activity}" if self.activity else ""
        return {
            Destination.NOT_PLACED: "NOT PLACED: the import recorded nowhere for this cell",
            Destination.FIELD: f"read into{target}: {self.detail}",
            Destination.OWN_FIELD: f"kept as written in the own field{target}{detail}",
            Destination.NOTES: f"not understood; kept as written in the notes{target}{detail}",
            Destination.NOTHING: "read as “nothing to record” for this field" + detail,
            Destination.ORGANISATION: f"the organisation's details{detail}",
            Destination.LAYOUT: f"part of the sheet's layout{detail}",
            Destination.NOT_READ: f"not read{detail}",
        }[self.destination]


def as_text(value: Value) -> str:
    """A cell's value as the person sees it, for quoting in the report."""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


class Ledger:
    """Every non-empty cell of a spreadsheet, each with its destination."""

    def __init__(self, spreadsheet: Spreadsheet) -> None:
        self._cells: dict[str, dict[tuple[int, int], CellEntry]] = {}
        self.sheet_order = [sheet.title for sheet in spreadsheet.sheets]
        for sheet in spreadsheet.sheets:
            cells: dict[tuple[int, int], CellEntry] = {}
            for row, values in sheet.rows.items():
                for column, value in values.items():
                    text = as_text(value)
                    if text.strip():
                        cells[(row, column)] = CellEntry(sheet.title, row, column, text)
            # A formula's text is what the person wrote, whatever value it last showed.
            for (row, column), written in sheet.formulas.items():
                formula = written if written.startswith("=") else f"={written}"
                entry = cells.get((row, column))
                if entry is None:
                    cells[(row, column)] = CellEntry(sheet.title, row, column, formula)
                elif not entry.text.startswith("="):
                    entry.text = f"{formula} (showing {entry.text})"
            self._cells[sheet.title] = cells

    def get(self, sheet: str, row: int, column: int) -> CellEntry | None:
        return self._cells.get(sheet, {}).get((row, column))

    def place(
        self,
        sheet: str,
        row: int,
        column: int,
        destination: Destination,
        detail: str = "",
        activity: str = "",
    ) -> None:
        """Record where a cell went.  A later, more telling destination (notes over a field,
        a field over "nothing to record") replaces an earlier one; an empty cell is none."""
        entry = self.get(sheet, row, column)
        if entry is None:
            return
        if _RANK[destination] < _RANK[entry.destination]:
            return
        entry.destination, entry.detail = destination, detail
        if activity:
            entry.activity = activity

    def place_sheet(self, sheet: str, destination: Destination, detail: str) -> None:
        """Every cell of a sheet not yet placed (a sheet not read, for instance)."""
        for entry in self._cells.get(sheet, {}).values():
            if entry.destination == Destination.NOT_PLACED:
                entry.destination, entry.detail = destination, detail

    def entries(self) -> Iterator[CellEntry]:
        """Every cell, sheet by sheet in the workbook's order, row by row."""
        for title in self.sheet_order:
            yield from sorted(
                self._cells.get(title, {}).values(), key=lambda entry: (entry.row, entry.column)
            )

    def of_sheet(self, sheet: str) -> list[CellEntry]:
        return sorted(self._cells.get(sheet, {}).values(), key=lambda e: (e.row, e.column))

    def by_destination(self) -> dict[Destination, list[CellEntry]]:
        """Every cell, in the workbook's order, grouped by where it went (one pass: a large
        register has a million cells)."""
        found: dict[Destination, list[CellEntry]] = {destination: [] for destination in Destination}
        for entry in self.entries():
            found[entry.destination].append(entry)
        return found

    def count(self, destination: Destination) -> int:
        return sum(
            1
            for cells in self._cells.values()
            for entry in cells.values()
            if entry.destination == destination
        )

    def __len__(self) -> int:
        return sum(len(cells) for cells in self._cells.values())

    def telling(self) -> list[CellEntry]:
        """The layout cells that hold words the register keeps nowhere (titles above a
        table, headings of empty columns): quoted in the report so that none is lost."""
        return [
            entry
            for entry in self.entries()
            if entry.destination == Destination.LAYOUT and entry.detail in TOLD_LAYOUT
        ]

    @property
    def not_placed(self) -> list[CellEntry]:
        return [entry for entry in self.entries() if entry.destination == Destination.NOT_PLACED]

    @property
    def all_understood(self) -> bool:
        """True only when every non-empty cell went into the register or is its layout."""
        return all(
            entry.destination.understood
            for cells in self._cells.values()
            for entry in cells.values()
        )


# Layout details whose cells the report quotes (see Ledger.telling).
TOLD_LAYOUT = frozenset(
    {
        "the sheet's title",
        "the heading of a column with nothing below it; no field keeps it",
    }
)

# Which destination wins when a cell is recorded twice: what needs the DPO's eyes most.
_RANK = {
    Destination.NOT_PLACED: 0,
    Destination.LAYOUT: 1,
    Destination.NOTHING: 2,
    Destination.OWN_FIELD: 3,
    Destination.FIELD: 4,
    Destination.ORGANISATION: 4,
    Destination.NOT_READ: 5,
    Destination.NOTES: 6,
}
