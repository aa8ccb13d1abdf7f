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


@dataclass(frozen=True, slots=True)
class CellEntry:
    """One cell: where it is, its text as written, and where it went (a view of the ledger
    at the moment it was asked for; the ledger changes through `Ledger.place`)."""

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
            Destination.FIELD: f"read into {self.activity or 'the register'}: {self.detail}",
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


# What the ledger keeps of a cell: its text, its destination's value, the detail and the
# activity.  A tuple of strings, not an object: Python's cycle collector stops tracking such a
# tuple once it has seen it, and a large import holds one per cell (176,000 at 10,000 rows),
# which the collector's full passes would otherwise walk again and again (issue 22).
_CellState = tuple[str, str, str, str]
_NOT_PLACED = Destination.NOT_PLACED.value


class Ledger:
    """Every non-empty cell of a spreadsheet, each with its destination."""

    def __init__(self, spreadsheet: Spreadsheet) -> None:
        self._cells: dict[str, dict[tuple[int, int], _CellState]] = {}
        self.sheet_order = [sheet.title for sheet in spreadsheet.sheets]
        for sheet in spreadsheet.sheets:
            cells: dict[tuple[int, int], _CellState] = {}
            for row, values in sheet.rows.items():
                for column, value in values.items():
                    text = as_text(value)
                    if text.strip():
                        cells[(row, column)] = (text, _NOT_PLACED, "", "")
            # A formula's text is what the person wrote, whatever value it last showed.
            for (row, column), written in sheet.formulas.items():
                formula = written if written.startswith("=") else f"={written}"
                state = cells.get((row, column))
                if state is None:
                    cells[(row, column)] = (formula, _NOT_PLACED, "", "")
                elif not state[0].startswith("="):
                    cells[(row, column)] = (f"{formula} (showing {state[0]})", *state[1:])
            self._cells[sheet.title] = cells

    def get(self, sheet: str, row: int, column: int) -> CellEntry | None:
        state = self._cells.get(sheet, {}).get((row, column))
        return None if state is None else _entry(sheet, (row, column), state)

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
        cells = self._cells.get(sheet, {})
        state = cells.get((row, column))
        if state is None:
            return
        text, was, _detail, was_activity = state
        if _RANK[destination] < _RANK_OF_VALUE[was]:
            return
        cells[(row, column)] = (text, destination.value, detail, activity or was_activity)

    def place_sheet(self, sheet: str, destination: Destination, detail: str) -> None:
        """Every cell of a sheet not yet placed (a sheet not read, for instance)."""
        cells = self._cells.get(sheet, {})
        for key, (text, was, _detail, activity) in cells.items():
            if was == _NOT_PLACED:
                cells[key] = (text, destination.value, detail, activity)

    def entries(self) -> Iterator[CellEntry]:
        """Every cell, sheet by sheet in the workbook's order, row by row."""
        for title in self.sheet_order:
            yield from self.of_sheet(title)

    def not_placed_of_sheet(self, sheet: str) -> list[tuple[int, int, str]]:
        """The (row, column, text) of the sheet's cells not placed yet, row by row: what the
        import still has to account for, without making an entry of every cell."""
        cells = self._cells.get(sheet, {})
        return sorted(
            (row, column, state[0])
            for (row, column), state in cells.items()
            if state[1] == _NOT_PLACED
        )

    def of_sheet(self, sheet: str) -> list[CellEntry]:
        cells = self._cells.get(sheet, {})
        return [_entry(sheet, key, cells[key]) for key in sorted(cells)]

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
            for state in cells.values()
            if state[1] == destination.value
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
            Destination(state[1]).understood
            for cells in self._cells.values()
            for state in cells.values()
        )


def _entry(sheet: str, key: tuple[int, int], state: _CellState) -> CellEntry:
    text, destination, detail, activity = state
    return CellEntry(sheet, key[0], key[1], text, Destination(destination), detail, activity)


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
_RANK_OF_VALUE = {destination.value: rank for destination, rank in _RANK.items()}
