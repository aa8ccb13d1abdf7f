"""Finding the tables of activities in a spreadsheet: which sheets, which row, which columns,
and whether each is the organisation's own processing or a processor's record.

A sheet is a table when a row of it (in the first 40) has headings that mean the fields of a
register (ropa.spreadsheets.vocabulary: the ICO's, their re-wordings, the words in them),
wherever that row is and whatever else is above it.  Whether the table records processing
as a controller or as a processor is told by what the sheet says (a "Controller" column,
"Sub-processors", "on behalf of", a sheet called so), never assumed: where the sheet says
both, the table is read as a processor's record (so clients' processing never reaches the
organisation's own privacy notices) and the question is put to the DPO.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl.utils import get_column_letter

import ropa.spreadsheets.layout as layout
from ropa.spreadsheets.reader import SheetData, Spreadsheet
from ropa.spreadsheets.vocabulary import (
    CORE_KEYS,
    IGNORE,
    OWN,
    Certainty,
    Meaning,
    header_key,
    meaning_of,
)

HEADER_SEARCH_ROWS = 40
MIN_RECOGNISED_HEADERS = 3
# A sheet named as a list (such as "Personal data") with headings of at most this many
# other fields of a register (a GRC tool's personal data sheet has a retention column, its
# purposes sheet a legal basis and an Article 9 condition) is a list, not a register.
_LIST_SHEET_MAX_OTHER_FIELDS = 2

# A DPO's choices: heading (as header_key folds it) -> field key, OWN or IGNORE.
Mapping = dict[str, str]
# A DPO's choice of record per sheet title.
Roles = dict[str, layout.Kind]

# Fields only a controller's record has (a processor acts on its controllers' bases).
_CONTROLLER_KEYS = frozenset(
    {
        "business_function",
        "lawful_bases",
        "article9",
        "schedule1",
        "legitimate_interests",
        "lia_link",
        "rights",
        "consent_record_link",
        "joint_controllers",
        "article10_basis",
    }
)
_PROCESSOR_HEADING = re.compile(
    r"(?<!joint )\bcontrollers?\b|sub ?processor|on behalf|categories of processing|\bclients?\b"
)
# Headings ROPA desk writes in a controller's workbook, some naming controllers (the
# register's "Controllers we act for" column): no sign of a processor's record.
_CONTROLLER_HEADINGS = frozenset(
    header_key(column.header) for column in layout.CONTROLLER_LAYOUT.columns
)
# The processor workbook's own columns for what a controller's record holds (a processor
# activity's lawful bases as the register keeps them), by heading, word for word: no sign
# of a controller's record, and the only headings that fill those fields on a processor's
# sheet (elsewhere "Lawful basis (controller's)" is the controller's, kept as written).
_CONTROLLER_RECORD_FIELDS = (
    (_CONTROLLER_KEYS | {column.key for column in layout.CONTROLLER_LAYOUT.ico_columns})
    # Kept in a processor's record too, as DPOs' processor sheets hold them.
    - {"business_function", "individuals", "data_categories"}
    - {column.key for column in layout.PROCESSOR_LAYOUT.ico_columns}
)
_PROCESSOR_REGISTER_HEADINGS = {
    header_key(column.header): column.key
    for column in layout.PROCESSOR_LAYOUT.register_columns
    if column.key in _CONTROLLER_RECORD_FIELDS
}
_PROCESSOR_TITLE = re.compile(r"\bprocessor\b|on behalf|\bclients?\b", re.IGNORECASE)
_CONTROLLER_TITLE = re.compile(r"\bcontroller\b", re.IGNORECASE)
_ON_BEHALF = re.compile(r"\bon behalf of\b", re.IGNORECASE)
# A row saying the organisation is the processor for it ("Propvora is processor", "acting as
# a processor", "as processor for the operator", "we are processor"): a sign about that row
# only, so unlike "on behalf of" it does not make the whole sheet a processor's record; the
# row is reported to check (processor_role_cells).  Sub-processors are another party's.
_PROCESSOR_ROLE = re.compile(
    r"\b(?:is|are|acts?|acting|we're)\s+(?:as\s+)?(?:an?\s+|the\s+)?(?:data\s+)?processor\b"
    r"|\bas\s+(?:an?\s+|the\s+)?(?:data\s+)?processor\s+(?:for|to|of)\b",
    re.IGNORECASE,
)
# Columns naming other parties (a recipient "is a processor" there is the supplier, not the
# organisation) or the row's role as the register writes it.
_PARTY_KEYS = frozenset(
    {
        "recipients",
        "processors",
        "recipient_reasons",
        "controllers",
        "controller_representatives",
        "joint_controllers",
        "role",
    }
)


@dataclass
class ColumnChoice:
    """One source column as the mapping step shows it."""

    column: int
    heading: str
    key: str | None  # the field, or None for an own column
    certainty: Certainty | None  # None: no meaning found (an own column), or the DPO chose
    how: str
    ignored: bool = False

    @property
    def letter(self) -> str:
        letter: str = get_column_letter(self.column)
        return letter

    @property
    def unsure(self) -> bool:
        """Matched only by a word in the heading: the DPO is asked to confirm it."""
        return self.certainty is not None and self.certainty <= Certainty.WORD


@dataclass
class Table:
    path: Path
    sheet: SheetData
    header_row: int
    kind: layout.Kind
    columns: dict[int, tuple[str, str]]  # column number -> (key, heading as written)
    # The organisation's own columns: column number -> heading as written.
    own_columns: dict[int, str] = field(default_factory=dict)
    # Columns the DPO chose not to read: column number -> heading.
    ignored: dict[int, str] = field(default_factory=dict)
    # Every column with a heading or data, as matched (for the report and the mapping step).
    choices: list[ColumnChoice] = field(default_factory=list)
    # Why the table was read as a controller's or a processor's record, and whether the
    # sheet said both (then the DPO is asked).
    kind_reason: str = ""
    kind_unsure: bool = False
    # On an Example sheet read because no other sheet holds rows: why it was read, and its
    # rows that are the template's own sample rows (never read as activities).
    read_because: str = ""
    sample_rows: frozenset[int] = frozenset()

    @property
    def signature(self) -> str:
        """Names the layout of the headings, so a DPO's mapping is remembered for it."""
        headings = self.sheet.rows.get(self.header_row, {})
        keys = sorted(header_key(str(value)) for value in headings.values() if str(value).strip())
        return hashlib.sha256("|".join(keys).encode()).hexdigest()[:16]


@dataclass
class Skipped:
    sheet: str
    why: str


# Sheets that list the items of one field (a GRC tool's related sheets): never activities.
_LIST_SHEETS = {
    "purposes": "purposes",
    "purpose": "purposes",
    "personal data": "data_categories",
    "data categories": "data_categories",
    "categories of personal data": "data_categories",
    "data subjects": "individuals",
    "categories of individuals": "individuals",
    "data recipients": "recipients",
    "recipients": "recipients",
    "contractors": "processors",
    "transfers": "transfer_destinations",
    "international transfers": "transfer_destinations",
}


def list_sheet_field(title: str) -> str | None:
    """The field whose items a sheet of this title lists, or None."""
    return _LIST_SHEETS.get(header_key(title))


def _no_sample_rows(_values: Sequence[object]) -> bool:
    return False


def find_tables(
    spreadsheet: Spreadsheet,
    mapping: Mapping | None = None,
    roles: Roles | None = None,
    *,
    is_sample_row: Callable[[Sequence[object]], bool] = _no_sample_rows,
) -> tuple[list[Table], list[Skipped]]:
    """Every sheet holding a table of activities, and every other sheet with the reason it
    was left out.  An Example sheet (the ICO's, or one ROPA desk wrote) is read only when no
    other table holds rows, and then without the template's own sample rows, which
    `is_sample_row` knows (ropa/spreadsheets/placeholders.py, given by the importer: it
    knows them from the export, which this module must not import): those are the
    template's, not the organisation's record."""
    found: list[Table] = []
    skipped: list[Skipped] = []
    examples: list[Table] = []
    for sheet in spreadsheet.sheets:
        table = table_of(spreadsheet.path, sheet, mapping or {}, roles or {})
        if table is None:
            why = (
                "it is empty"
                if not sheet.rows
                else f"it has no row of register headings in its first {HEADER_SEARCH_ROWS} rows"
            )
            skipped.append(Skipped(sheet.title, why))
        elif sheet.title.strip().casefold() == layout.EXAMPLE_SHEET.casefold():
            examples.append(table)
        else:
            found.append(table)
    if any(_has_rows(table) for table in found):
        skipped.extend(
            Skipped(table.sheet.title, "it is the ICO's example, not the organisation's record")
            for table in examples
        )
        return found, skipped
    for table in examples:
        rows = sorted(row for row in table.sheet.rows if row > table.header_row)
        samples = frozenset(
            row for row in rows if is_sample_row(list(table.sheet.rows[row].values()))
        )
        if rows and len(samples) == len(rows):
            why = (
                f"it holds only the template's own sample rows ({_row_span(rows)}), "
                "not the organisation's record"
            )
            skipped.append(Skipped(table.sheet.title, why))
            continue
        table.sample_rows = samples
        table.read_because = "it was read because no other sheet holds rows"
        if samples:
            which = (
                f"its row {_row_span(sorted(samples))} is the template's own sample row and was"
                if len(samples) == 1
                else f"its rows {_row_span(sorted(samples))} are the template's own sample "
                "rows and were"
            )
            table.read_because += f"; {which} not read"
        found.append(table)
    return found, skipped


def _row_span(rows: list[int]) -> str:
    if rows == list(range(rows[0], rows[-1] + 1)) and len(rows) > 1:
        return f"{rows[0]}-{rows[-1]}"
    return ", ".join(str(row) for row in rows)


def _has_rows(table: Table) -> bool:
    return any(row > table.header_row for row in table.sheet.rows)


def _heading_row(sheet: SheetData, mapping: Mapping) -> tuple[int, dict[int, Meaning]] | None:
    """The row most like a register's headings, and what each of its headings means."""
    best: tuple[tuple[int, int, int], int, dict[int, Meaning]] | None = None
    for row_number in range(1, HEADER_SEARCH_ROWS + 1):
        cells = sheet.rows.get(row_number)
        if not cells or len(cells) < MIN_RECOGNISED_HEADERS:
            continue
        meanings: dict[int, Meaning] = {}
        for column, value in cells.items():
            if not isinstance(value, str) or not value.strip():
                continue
            meaning = _meaning(value, mapping)
            if meaning is not None:
                meanings[column] = meaning
        keys = {meaning.key for meaning in meanings.values()}
        core = len(keys & CORE_KEYS)
        if len(keys) < MIN_RECOGNISED_HEADERS or core == 0:
            continue
        sure = sum(1 for meaning in meanings.values() if meaning.certainty >= Certainty.VARIANT)
        # Rows of prose match words by chance: the row with the most sure headings wins.
        score = (sure, core, len(keys))
        if sure == 0:
            continue
        if best is None or score > best[0]:
            best = (score, row_number, meanings)
    if best is None:
        return None
    return best[1], best[2]


def _meaning(heading: str, mapping: Mapping) -> Meaning | None:
    chosen = mapping.get(header_key(heading))
    if chosen is not None:
        if chosen in {OWN, IGNORE}:
            return None
        return Meaning(chosen, Certainty.EXACT, "chosen by the DPO")
    return meaning_of(heading)


def table_of(path: Path, sheet: SheetData, mapping: Mapping, roles: Roles) -> Table | None:
    found = _heading_row(sheet, mapping)
    if found is None:
        return None
    header_row, meanings = found
    listed = list_sheet_field(sheet.title)
    if listed is not None:
        # A sheet called "Personal data" or "Purposes" lists the items of one field (read
        # with its processing, if any), unless its headings are a whole register's.
        others = {m.key for m in meanings.values()} & CORE_KEYS - {"name", listed}
        if len(others) < _LIST_SHEET_MAX_OTHER_FIELDS + 1:
            return None
    kind, reason, unsure = _kind_of(sheet, header_row, meanings)
    if sheet.title in roles:
        chosen = roles[sheet.title]
        kind, unsure = chosen, False
        reason = f"chosen by the DPO as a {chosen.value}'s record"
    table = Table(path, sheet, header_row, kind, {}, kind_reason=reason, kind_unsure=unsure)
    _columns(table, meanings, mapping)
    return table


def _kind_of(
    sheet: SheetData, header_row: int, meanings: dict[int, Meaning]
) -> tuple[layout.Kind, str, bool]:
    """Controller or processor, why, and whether the sheet said both."""
    headings = {
        column: str(value).strip()
        for column, value in sheet.rows.get(header_row, {}).items()
        if str(value).strip()
    }
    processor_signs: list[str] = []
    controller_signs: list[str] = []
    if _PROCESSOR_TITLE.search(sheet.title) and not re.search(
        r"sub.?processor", sheet.title, re.IGNORECASE
    ):
        processor_signs.append(f"the sheet is called “{sheet.title}”")
    elif _CONTROLLER_TITLE.search(sheet.title):
        controller_signs.append(f"the sheet is called “{sheet.title}”")
    # The ICO's templates say which they are in A1.
    title_cell = str(sheet.rows.get(1, {}).get(1, "")).strip().casefold()
    if header_row > 1 and title_cell == "processor":
        processor_signs.append("cell A1 says “Processor”")
    ours_from = _register_section_column(sheet, header_row)
    if ours_from != math.inf and title_cell in {"controller", "processor"}:
        # A workbook ROPA desk wrote says in A1 which record it is, and each row's role in
        # its own column; words in its cells ("on behalf of" in a description) are the
        # DPO's text, not a sign of the other kind.
        kind = layout.Kind.PROCESSOR if title_cell == "processor" else layout.Kind.CONTROLLER
        return kind, f"cell A1 says “{title_cell.capitalize()}” (a workbook ROPA desk wrote)", False
    for column, heading in headings.items():
        if column >= ours_from:
            # The register's own columns of a workbook ROPA desk wrote are written for a
            # controller's record and a processor's alike: they say nothing of which it is.
            continue
        folded = header_key(heading)
        if _PROCESSOR_HEADING.search(folded) and folded not in _CONTROLLER_HEADINGS:
            processor_signs.append(f"the heading “{heading}”")
        elif (
            column in meanings
            and meanings[column].key in _CONTROLLER_KEYS
            and (folded in _CONTROLLER_HEADINGS or folded not in _PROCESSOR_REGISTER_HEADINGS)
        ):
            controller_signs.append(f"the heading “{heading}”")
    behalf = [
        (row, column)
        for row, cells in sheet.rows.items()
        if row > header_row
        for column, value in cells.items()
        if isinstance(value, str) and _ON_BEHALF.search(value)
    ]
    if behalf:
        row, column = behalf[0]
        processor_signs.append(f"cell {get_column_letter(column)}{row} says “on behalf of”")
    if processor_signs and not controller_signs:
        return layout.Kind.PROCESSOR, "; ".join(processor_signs), False
    if not processor_signs:
        nothing = "nothing on the sheet says it is done for another controller"
        parties = {column for column, meaning in meanings.items() if meaning.key in _PARTY_KEYS}
        rows = processor_role_cells(sheet, header_row, parties)
        if rows:
            cells = ", ".join(f"{get_column_letter(c)}{r}" for r, c in rows)
            nothing = (
                "nothing on the sheet as a whole says it is done for another controller, but "
                f"{_count_cells(rows)} ({cells}) {'says' if len(rows) == 1 else 'say'} the "
                "organisation is a processor for its row: each is listed below to check"
            )
        return layout.Kind.CONTROLLER, nothing, False
    both = (
        f"it says both: {'; '.join(processor_signs)} (processor), but "
        f"{'; '.join(controller_signs)} (controller). Read as a processor's record, so that "
        "none of it reaches the organisation's own privacy notices; if it is the "
        "organisation's own processing, choose “controller” for this sheet"
    )
    return layout.Kind.PROCESSOR, both, True


def processor_role_cells(
    sheet: SheetData, header_row: int, party_columns: set[int]
) -> list[tuple[int, int]]:
    """The cells (row, column) below the headings that say the organisation is the
    processor for their row, outside the columns naming other parties; the first of a row."""
    found: dict[int, int] = {}
    for row, cells in sorted(sheet.rows.items()):
        if row <= header_row:
            continue
        for column, value in sorted(cells.items()):
            if column in party_columns:
                continue
            if isinstance(value, str) and says_processor_role(value):
                found.setdefault(row, column)
                break
    return list(found.items())


def says_processor_role(text: str) -> bool:
    """Whether the text says the organisation is (acting as) a processor."""
    return bool(_PROCESSOR_ROLE.search(text))


def party_columns(table: Table) -> set[int]:
    """The table's columns naming other parties or the row's role (see _PARTY_KEYS)."""
    return {column for column, (key, _) in table.columns.items() if key in _PARTY_KEYS}


def _count_cells(rows: list[tuple[int, int]]) -> str:
    return "a cell" if len(rows) == 1 else f"{len(rows)} cells"


# Fields of the other kind of record (a controller's lawful bases on a processor's sheet,
# the controllers a processor acts for on a controller's): the register keeps them for any
# activity, and the workbook writes them in its own columns, but on a sheet of the other
# kind the words mean the other party's ("Lawful basis (controller's)"), so they fill the
# field only under the register's own heading, word for word.
_OTHER_RECORD_FIELDS = {
    layout.Kind.PROCESSOR: _CONTROLLER_RECORD_FIELDS,
    layout.Kind.CONTROLLER: frozenset(
        {column.key for column in layout.PROCESSOR_LAYOUT.ico_columns}
        - {column.key for column in layout.CONTROLLER_LAYOUT.ico_columns}
    ),
}
_OWN_HEADINGS = {
    kind: {header_key(column.header): column.key for column in spec.register_columns}
    for kind, spec in layout.LAYOUTS.items()
}


def _may_fill(kind: layout.Kind, key: str, heading: str) -> bool:
    """Whether a column may fill a field of the sheet's record (see _OTHER_RECORD_FIELDS)."""
    if key not in _OTHER_RECORD_FIELDS[kind]:
        return True
    return _OWN_HEADINGS[kind].get(header_key(heading)) == key


def _register_section_column(sheet: SheetData, header_row: int) -> float:
    """The first column under the title of the register's own columns, in the row above
    the headings, in a workbook ROPA desk wrote; infinity in any other."""
    for column, value in sorted(sheet.rows.get(header_row - 1, {}).items()):
        if str(value).strip() == layout.REGISTER_SECTION_TITLE:
            return column
    return math.inf


def _columns(table: Table, meanings: dict[int, Meaning], mapping: Mapping) -> None:
    """The register's columns (the first of each meaning the layout has) and the
    organisation's own: any other column with a heading or with anything below it."""
    sheet = table.sheet
    allowed = {column.key for column in layout.LAYOUTS[table.kind].columns}
    headings = sheet.rows.get(table.header_row, {})
    used = {
        column for row, cells in sheet.rows.items() if row > table.header_row for column in cells
    }
    own: dict[int, str] = {}
    # Each field goes to the surest column that means it (the leftmost of equals): a word
    # in "System supplier" does not take the field of "Location of personal data".
    winner: dict[str, int] = {}
    for column, found in sorted(meanings.items()):
        best = winner.get(found.key)
        if best is None or found.certainty > meanings[best].certainty:
            winner[found.key] = column
    for column in sorted(set(headings) | used):
        heading = headings.get(column)
        text = str(heading).strip() if heading is not None else ""
        chosen = mapping.get(header_key(text)) if text else None
        meaning = meanings.get(column)
        if chosen == IGNORE:
            table.ignored[column] = text
            table.choices.append(
                ColumnChoice(column, text, None, None, "ignored, as the DPO chose", True)
            )
            continue
        if (
            meaning is not None
            and meaning.key in allowed
            and winner[meaning.key] == column
            and _may_fill(table.kind, meaning.key, text)
        ):
            table.columns[column] = (meaning.key, text)
            table.choices.append(
                ColumnChoice(column, text, meaning.key, meaning.certainty, meaning.how)
            )
            continue
        own[column] = text or f"Column {get_column_letter(column)}"
        if chosen == OWN:
            how = "kept as an own column, as the DPO chose"
        elif meaning is None:
            how = "no field of the register has this heading"
        elif winner[meaning.key] != column:
            how = "another column already fills that field"
        else:
            how = f"a {table.kind.value}'s record has no such field"
        table.choices.append(ColumnChoice(column, text, None, None, how))
    # Two own columns with one heading stay apart.
    names: dict[str, int] = {}
    for column, name in own.items():
        count = names.get(name.casefold(), 0) + 1
        names[name.casefold()] = count
        if count > 1:
            own[column] = f"{name} ({count})"
    table.own_columns = own
