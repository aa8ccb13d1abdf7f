"""Finding the tables of activities in a spreadsheet: which sheets, which row, which columns.

Headings are matched by what they mean, not as typed: case, spacing, punctuation, a dropped
"(if applicable)", and the older or re-worded headings DPOs have ("Categories of data
subjects", "Purposes of the processing", "Lawful basis", "Retention period").  A heading the
ICO layout does not have is the organisation's own column, kept under its own name.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from pathlib import Path

from ropa.spreadsheets import layout
from ropa.spreadsheets.reader import SheetData, Spreadsheet

HEADER_SEARCH_ROWS = 40
MIN_RECOGNISED_HEADERS = 3


@functools.lru_cache(maxsize=4_096)
def header_key(text: str) -> str:
    """A heading as it is compared: case, spacing, punctuation and "(if applicable)" folded."""
    folded = text.casefold().replace("’", "'").replace("‘", "'").replace("&", " and ")
    folded = re.sub(
        r"\((?:if applicable|if possible|optional|if any|where applicable)\)", " ", folded
    )
    folded = folded.replace("(s)", "s").replace("'s", "s")
    folded = re.sub(r"[^\w]+", " ", folded)
    words = folded.split()
    # "the" and "a" carry no meaning in a heading: "Purposes of the processing".
    return " ".join(word for word in words if word not in {"the", "a", "an"})


# Older and re-worded headings, as DPOs and earlier ICO templates write them.
_ALIASES = {
    "business_function": (
        "department",
        "service",
        "service area",
        "business area",
        "directorate",
        "function",
        "team",
    ),
    "purposes": (
        "purposes of processing",
        "purposes of the processing",
        "purpose of the processing",
        "purposes",
        "purpose",
        "purpose s of processing",
    ),
    "individuals": (
        "categories of data subjects",
        "data subjects",
        "categories of individual",
        "individuals",
        "whose data",
    ),
    "data_categories": (
        "personal data",
        "categories of data",
        "types of personal data",
        "data categories",
        "personal data held",
    ),
    "recipients": ("recipients", "recipients of personal data", "who data is shared with"),
    "processors": ("processors", "data processors", "processor"),
    "transfer_destinations": (
        "international transfers",
        "third countries",
        "transfers to third countries",
        "transfers outside uk",
    ),
    "retention": ("retention", "retention period", "retention periods", "how long it is kept"),
    "security_measures": (
        "security measures",
        "technical and organisational security measures",
        "technical and organisational measures",
    ),
    "lawful_bases": (
        "lawful basis",
        "lawful bases",
        "lawful basis for processing",
        "article 6 lawful basis",
        "article 6 basis",
        "legal basis",
        "lawful basis article 6",
    ),
    "article9": (
        "article 9 condition",
        "article 9 basis",
        "special category condition",
        "condition for processing special category data",
    ),
    "schedule1": ("schedule 1 condition", "dpa 2018 schedule 1 condition"),
    "sources": ("source of personal data", "source of data", "sources", "source"),
    "systems": ("systems", "system", "where data is held"),
    "automated_decisions": (
        "automated decision making",
        "automated decision making including profiling",
        "automated decisions",
        "profiling",
    ),
    "joint_controllers": ("joint controller", "joint controllers"),
    "dpia_required": ("dpia required", "is a dpia required"),
    "dpia_link": ("link to dpia", "dpia link"),
    "name": ("activity name", "processing activity", "name of processing activity", "activity"),
    "reference": ("ref", "ref no", "reference number"),
    "controllers": ("controller", "name of controller", "controllers"),
}


def _header_map(spec: layout.Layout) -> dict[str, str]:
    mapping = {header_key(column.header): column.key for column in spec.columns}
    keys = {column.key for column in spec.columns}
    for key, aliases in _ALIASES.items():
        if key in keys:
            for alias in aliases:
                mapping.setdefault(header_key(alias), key)
    return mapping


HEADER_MAPS = {kind: _header_map(spec) for kind, spec in layout.LAYOUTS.items()}
# Headings only one of the two layouts has: they tell which layout a sheet is in.
_DISTINCTIVE = {
    kind: set(HEADER_MAPS[kind])
    - {key for other in layout.Kind if other != kind for key in HEADER_MAPS[other]}
    for kind in layout.Kind
}


@dataclass
class Table:
    path: Path
    sheet: SheetData
    header_row: int
    kind: layout.Kind
    columns: dict[int, tuple[str, str]]  # column number -> (key, heading as written)
    # The organisation's own columns: column number -> heading as written.
    own_columns: dict[int, str] = field(default_factory=dict)


@dataclass
class Skipped:
    sheet: str
    why: str


def find_tables(spreadsheet: Spreadsheet) -> tuple[list[Table], list[Skipped]]:
    """Every sheet holding a table of activities, and every other sheet with the reason it
    was left out.  The ICO's own Example sheet is read only when no other sheet is."""
    found: list[Table] = []
    skipped: list[Skipped] = []
    examples: list[Table] = []
    for sheet in spreadsheet.sheets:
        table = _table_of(spreadsheet.path, sheet)
        if table is None:
            why = (
                "empty"
                if not sheet.rows
                else f"no row of ICO headings in its first {HEADER_SEARCH_ROWS} rows"
            )
            skipped.append(Skipped(sheet.title, why))
        elif sheet.title.strip().casefold() == layout.EXAMPLE_SHEET.casefold():
            examples.append(table)
        else:
            found.append(table)
    if found:
        skipped.extend(
            Skipped(table.sheet.title, "the ICO's example sheet, not the organisation's record")
            for table in examples
        )
    else:
        found = examples
    return found, skipped


def _table_of(path: Path, sheet: SheetData) -> Table | None:
    best: tuple[int, int, layout.Kind, dict[int, tuple[str, str]]] | None = None
    for row_number in range(1, HEADER_SEARCH_ROWS + 1):
        cells = sheet.rows.get(row_number)
        if not cells:
            continue
        headings = {
            column: value.strip()
            for column, value in cells.items()
            if isinstance(value, str) and value.strip()
        }
        for kind in layout.Kind:
            mapping = HEADER_MAPS[kind]
            matched = {
                column: (mapping[header_key(text)], text)
                for column, text in headings.items()
                if header_key(text) in mapping
            }
            distinctive = sum(
                1 for text in headings.values() if header_key(text) in _DISTINCTIVE[kind]
            )
            if len(matched) < MIN_RECOGNISED_HEADERS or distinctive == 0:
                continue
            score = distinctive * 1000 + len(matched)
            if best is None or score > best[0]:
                best = (score, row_number, kind, matched)
    if best is None:
        return None
    _, header_row, kind, matched = best
    columns, own = _columns(sheet, header_row, matched)
    return Table(path, sheet, header_row, kind, columns, own)


def _columns(
    sheet: SheetData, header_row: int, matched: dict[int, tuple[str, str]]
) -> tuple[dict[int, tuple[str, str]], dict[int, str]]:
    """The ICO columns (the first of each meaning) and the organisation's own: any other
    column with a heading or with anything below the headings, wherever it is."""
    columns: dict[int, tuple[str, str]] = {}
    own: dict[int, str] = {}
    seen: set[str] = set()
    headings = sheet.rows.get(header_row, {})
    used = {column for row, cells in sheet.rows.items() if row > header_row for column in cells}
    for column in sorted(set(headings) | used):
        if column in matched and matched[column][0] not in seen:
            seen.add(matched[column][0])
            columns[column] = matched[column]
            continue
        heading = headings.get(column)
        text = str(heading).strip() if heading is not None else ""
        own[column] = text or f"Column {_letter(column)}"
    # Two own columns with one heading stay apart.
    names: dict[str, int] = {}
    for column, name in own.items():
        count = names.get(name.casefold(), 0) + 1
        names[name.casefold()] = count
        if count > 1:
            own[column] = f"{name} ({count})"
    return columns, own


def _letter(column: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(column)
