"""Reading ICO Article 30 workbooks (controller or processor) into the register.

Our own exports and the ones DPOs keep by hand, in any format (ropa.spreadsheets.reader):
every sheet holding a table of activities is read (ropa.spreadsheets.headers finds them),
multi-value cells are split, rows that continue one activity are merged, the
organisation's own columns are kept as its own fields, and what cannot be understood is
kept in the activity's notes and listed in the report.  Everything happens in one
transaction: a workbook is imported whole, or not at all.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from openpyxl.utils import column_index_from_string, get_column_letter
from sqlalchemy import select
from sqlalchemy.orm import Session

import ropa.spreadsheets.kept_words as kept_words
import ropa.spreadsheets.law_elsewhere as law_elsewhere
import ropa.spreadsheets.lawtext as lawtext
import ropa.spreadsheets.layout as layout
from db.models import Activity, ActivityLink, LibraryItem, LibraryKind
from db.raw import session_cursor
from ropa.activities import (
    ChildRows,
    ReferenceAllocator,
    insert_activity,
    to_record,
    update_activity,
)
from ropa.errors import RopaError
from ropa.fields import Kind as FieldKind
from ropa.fields import fields_of_kind
from ropa.history import ChangeLog
from ropa.library import LibraryResolver, name_key
from ropa.organisation import apply_organisation
from ropa.placeholders import template_marker
from ropa.records import ActivityRecord, Role
from ropa.spreadsheets.bounds import MAX_ROWS, RowBudget
from ropa.spreadsheets.categories import settle_categories
from ropa.spreadsheets.cells import EXCEL_CELL_LIMIT, format_date, is_empty, is_url, lines
from ropa.spreadsheets.columns import (
    DATE_FIELDS,
    DERIVED_KEYS,
    KEEPS_NONE_AS_WRITTEN,
    CellIn,
    Draft,
    apply_named_lines,
    derived_text,
    empty_defaults,
    is_template_default,
    read,
    read_plain,
    says_none,
)
from ropa.spreadsheets.errors import ImportCancelled, SpreadsheetError
from ropa.spreadsheets.headers import (
    Mapping,
    Roles,
    Table,
    find_tables,
    party_columns,
    processor_role_cells,
)
from ropa.spreadsheets.ledger import Destination, Ledger
from ropa.spreadsheets.merge import (
    ActivityChanges,
    Rejected,
    backup_before_import,
    differences,
    merged_values,
    without_rejected,
)
from ropa.spreadsheets.placeholders import is_sample_row, placeholder_reason
from ropa.spreadsheets.reader import SheetData, Spreadsheet, Value, read_spreadsheet
from ropa.spreadsheets.related import related_sheets
from ropa.spreadsheets.report import ImportReport, Problem, SheetReport
from ropa.spreadsheets.surroundings import mark_around
from ropa.spreadsheets.vocabulary import field_label
from ropa.validation import normalise_changes

if TYPE_CHECKING:
    from ropa.register import Register

Progress = Callable[[int, int], None]
Cancelled = Callable[[], bool]


def import_workbook(
    register: Register,
    path: Path | str,
    *,
    dry_run: bool = False,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
    mapping: Mapping | None = None,
    roles: Roles | None = None,
    rejected: Rejected = frozenset(),
    max_rows: int = MAX_ROWS,
) -> ImportReport:
    """Import a workbook into the register; with `dry_run`, report and change nothing.

    `mapping` gives the DPO's choice of field for headings (header_key -> field key, "own"
    or "ignore"), `roles` their choice of controller or processor record for sheets.
    An activity the register holds is merged into (ropa.spreadsheets.merge): the report
    lists each field changed, and `rejected` names the (activity id, field) changes of a
    preview that the DPO turned down, which keep the register's value.  Before it writes,
    the import backs the register file up.  A file with more than `max_rows` rows holding
    something is refused before they are read (ropa.spreadsheets.bounds), and `cancelled`
    is asked while the rows are read as well as while they are stored."""
    path = Path(path)
    tables, contacts, drafts, report = read_workbook(
        path,
        dry_run=dry_run,
        mapping=mapping,
        roles=roles,
        max_rows=max_rows,
        cancelled=cancelled,
    )
    # Storing needs the tables' titles, layouts and columns, not their cells: those (a
    # third of the memory of an import of 100,000 rows) are let go first.
    tables = [_without_cells(table) for table in tables]
    if not dry_run:
        report.backup = backup_before_import(register)
    try:
        with register.transaction() as session:
            _store(session, tables, drafts, contacts, report, progress, cancelled, rejected)
            if dry_run:
                raise _RollBack
    except _RollBack:
        pass
    return report


def read_workbook(
    path: Path,
    *,
    dry_run: bool = False,
    mapping: Mapping | None = None,
    roles: Roles | None = None,
    max_rows: int = MAX_ROWS,
    cancelled: Cancelled | None = None,
) -> tuple[list[Table], dict[str, str], list[Draft], ImportReport]:
    """The tables, the contact details above the first, a draft of each activity in them,
    and the report begun: the ledger of where every cell of the file went."""
    spreadsheet = read_spreadsheet(path, max_rows=max_rows, cancelled=cancelled)
    ledger = Ledger(spreadsheet)
    tables, skipped = find_tables(spreadsheet, mapping, roles, is_sample_row=is_sample_row)
    related = related_sheets(tables, skipped, spreadsheet)
    if not tables:
        raise SpreadsheetError(_no_table_message(path, spreadsheet))
    report = ImportReport(path, dry_run=dry_run, sheet=tables[0].sheet.title, ledger=ledger)
    report.skipped = [
        (entry.sheet, entry.why) for entry in skipped if entry.sheet not in related.sheets
    ]
    for entry in skipped:
        if entry.sheet not in related.sheets:
            ledger.place_sheet(entry.sheet, Destination.NOT_READ, f"sheet not read: {entry.why}")
    contacts: dict[str, str] = {}
    drafts: list[Draft] = []
    for table in tables:
        _leave_out_sample_rows(table, ledger)
        _refuse_formulas(table, report)
        contacts = contacts or read_contacts(table)
        offered = mark_around(table, ledger, contacts)
        for key, value in offered.items():
            report.organisation_offered.setdefault(key, value)
        sheet_drafts = read_drafts(table, ledger, RowBudget.cancel_only(path, cancelled))
        rows = sum(1 for row in table.sheet.rows if row > table.header_row)
        report.sheets.append(
            SheetReport(
                table.sheet.title,
                table.header_row,
                rows,
                own_columns=_own_columns_used(table, sheet_drafts),
                kind=table.kind.value,
                kind_reason=table.kind_reason,
                kind_unsure=table.kind_unsure,
                read_because=table.read_because,
                choices=table.choices,
                signature=table.signature,
            )
        )
        for draft in sheet_drafts:
            report.problems.extend(draft.problems)
            report.moved.extend(draft.moved)
        report.placeholders.extend(_placeholder_cells(table))
        report.moved.extend(_processor_rows(table))
        if spreadsheet.format == "xls":
            report.moved.extend(_xls_link_words(table))
        drafts.extend(sheet_drafts)
        for row in lines_below(table):
            for column in table.sheet.rows[row]:
                ledger.place(
                    table.sheet.title,
                    row,
                    column,
                    Destination.NOT_READ,
                    "a line below the table, apart from it (a note, not an activity)",
                )
        _mark_nothing_cells(table, ledger)
    related.read_into(drafts, tables, ledger, report)
    report.contacts = dict(contacts)
    return tables, contacts, drafts, report


def _processor_rows(table: Table) -> list[Problem]:
    """On a sheet read as the organisation's own processing, each row whose text says the
    organisation is the processor for it: read as the sheet is, and named to check, as a
    processor's activity must stay out of the organisation's own privacy notices."""
    if table.kind != layout.Kind.CONTROLLER:
        return []
    rows = processor_role_cells(table.sheet, table.header_row, party_columns(table))
    return [
        Problem(
            table.sheet.title,
            f"{_LETTERS[column]}{row}",
            str(table.sheet.rows[row][column]),
            "says the organisation is a processor for this row, but the row was read as the "
            "organisation's own processing (controller) like the rest of the sheet: if it is "
            "done for another controller, set the activity's role to processor",
        )
        for row, column in rows
    ]


def _placeholder_cells(table: Table) -> list[Problem]:
    """The cells of the table's activities that hold a template's placeholder ("{{
    platform_name }} Staff"): stored as written (the words around it may be the DPO's), but
    each is named in the report to be filled in, never counted as understood."""
    read = set(table.columns) | set(table.own_columns)
    found = []
    for row, cells in sorted(table.sheet.rows.items()):
        if row <= table.header_row:
            continue
        for column, value in sorted(cells.items()):
            if column in read and isinstance(value, str):
                marker = template_marker(value)
                if marker is not None:
                    found.append(
                        Problem(
                            table.sheet.title,
                            f"{_LETTERS[column]}{row}",
                            value,
                            f"stored as written, but {marker} is a template's placeholder, "
                            "not an answer: fill it in",
                        )
                    )
    return found


def _leave_out_sample_rows(table: Table, ledger: Ledger) -> None:
    """The template's own sample rows on an Example sheet read for the DPO's rows: recorded
    as not read, and taken out of the table so that no activity is made of them."""
    for row in sorted(table.sample_rows):
        for column in table.sheet.rows.pop(row, {}):
            ledger.place(
                table.sheet.title,
                row,
                column,
                Destination.NOT_READ,
                "one of the template's own sample rows, not the organisation's record",
            )


def _no_table_message(path: Path, spreadsheet: Spreadsheet) -> str:
    shown = ", ".join(f"“{sheet.title}”" for sheet in spreadsheet.sheets[:8])
    return (
        f"{path.name} has no table of processing activities: none of its sheets ({shown}) "
        f"has, in its first 40 rows, a row of at least three headings of a register such as "
        "“Purpose of processing”, “Data subjects”, “Lawful basis”, “Recipients” or "
        "“Retention”. Put the headings in one row above the activities and try again, or "
        "name the columns with --map “HEADING=field”."
    )


def lines_below(table: Table) -> set[int]:
    """Rows below the table that are a note, not an activity: at the foot of the sheet,
    apart from the table by an empty row, each holding one text and nothing else ("* Last
    reviewed by the DPO in May"); an activity is never made of them."""
    rows = table.sheet.rows
    data = sorted(row for row in rows if row > table.header_row)
    found: list[int] = []
    for row in reversed(data):
        cells = rows[row]
        if len(cells) != 1 or not isinstance(next(iter(cells.values())), str):
            break
        found.append(row)
    if not found or len(found) == len(data):
        return set()
    first = min(found)
    if first - 1 in rows or any((first, column) in table.sheet.merged for column in rows[first]):
        return set()  # not apart from the table: a row that continues the activity above
    return set(found)


def _mark_nothing_cells(table: Table, ledger: Ledger) -> None:
    """The cells of the table's columns that say there is nothing ("N/A", "None", "-"):
    the DPO's statement, recorded as such."""
    title = table.sheet.title
    for row, column, text in ledger.not_placed_of_sheet(title):
        if row > table.header_row and column in table.columns and is_empty(text):
            key = table.columns[column][0]
            ledger.place(
                title, row, column, Destination.NOTHING, f"“{field_label(key)}” left empty"
            )


_LINK_KEYS = fields_of_kind(FieldKind.LINK)


def _xls_link_words(table: Table) -> list[Problem]:
    """Words in a link column of an .xls ("Link", "DPIA"), which may stand over a web
    address: the reader gives an .xls's values but not where its links lead, so each is
    kept as written and reported to check."""
    columns = [column for column, (key, _) in table.columns.items() if key in _LINK_KEYS]
    found = []
    for row, cells in sorted(table.sheet.rows.items()):
        if row <= table.header_row:
            continue
        for column in columns:
            value = cells.get(column)
            if isinstance(value, str) and not is_empty(value) and not is_url(value):
                found.append(
                    Problem(
                        table.sheet.title,
                        f"{_LETTERS[column]}{row}",
                        value,
                        "kept as written; a link behind it in an .xls is not read (save the "
                        "workbook as .xlsx and import that to keep where it leads)",
                    )
                )
    return found


def _own_columns_used(table: Table, drafts: list[Draft]) -> list[tuple[str, str, bool]]:
    """The table's own columns that gave an activity an own field: (letter, name, whether
    the column had a heading)."""
    used = {name for draft in drafts for name in draft.values.get("extra_fields", {})}
    headings = table.sheet.rows.get(table.header_row, {})
    return [
        (_LETTERS[column], name, bool(str(headings.get(column) or "").strip()))
        for column, name in sorted(table.own_columns.items())
        if name in used
    ]


def _without_cells(table: Table) -> Table:
    return dataclasses.replace(table, sheet=SheetData(table.sheet.title))


class _RollBack(Exception):  # noqa: N818 (a signal, not an error)
    """Raised inside the transaction of a dry run, so that nothing it did is kept."""


# --- reading cells -------------------------------------------------------------------------


# Formulas whose value cannot be stale: a constant (=FALSE(), =TRUE(), a number or a text).
_CONSTANT_FORMULA = re.compile(
    r'^=?\s*(?:(?:TRUE|FALSE)\(\)|"[^"]*"|-?\d+(?:\.\d+)?)\s*$', re.IGNORECASE
)


def _refuse_formulas(table: Table, report: ImportReport) -> None:
    """A formula or an error value in the table is refused: what it shows is not what a
    person wrote, and the value a program last worked out may be stale or missing.  A
    constant (=FALSE(), as some tools export a yes/no) is read as its value, and reported."""
    sheet = table.sheet
    wanted = set(table.columns) | set(table.own_columns)
    for (row, column), formula in sorted(sheet.formulas.items()):
        if column in wanted:
            shows_a_value = column in sheet.rows.get(row, {})
            key = table.columns[column][0] if column in table.columns else ""
            if shows_a_value and is_template_default(key, formula):
                continue  # a yes/no question left open, and said so, by columns.read
            if _CONSTANT_FORMULA.match(formula) and shows_a_value:
                shown = formula if formula.startswith("=") else f"={formula}"
                report.moved.append(
                    Problem(
                        sheet.title,
                        f"{_LETTERS[column]}{row}",
                        shown,
                        "a formula that always gives the same value; read as that value",
                    )
                )
                continue
            raise SpreadsheetError(
                f"{sheet.where(table.path, row, column)} holds a formula ({formula[:60]}). "
                "Replace formulas in the record with their values (copy, then Paste Values) "
                "and import again."
            )
    for (row, column), value in sorted(sheet.errors.items()):
        if column in wanted:
            raise SpreadsheetError(
                f"{sheet.where(table.path, row, column)} holds the error value {value}. "
                "Correct or clear that cell and import again."
            )


def cell_text(
    table: Table, row: int, column: int, value: Value | None, *, date_allowed: bool
) -> str | None:
    """A cell's value as text; dates in text columns, times and huge cells are refused."""
    if value is None:
        return None
    if type(value) is str:  # nearly every cell: checked first
        if len(value) >= EXCEL_CELL_LIMIT:
            _refuse_long(table, row, column)
        return value
    where = table.sheet.where(table.path, row, column)
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, dt.datetime | dt.date):
        day = value.date() if isinstance(value, dt.datetime) else value
        if date_allowed:
            return day.isoformat()
        raise SpreadsheetError(
            f"{where} holds a date ({format_date(day)}) where text is expected. Type it as text "
            "(for example “Reviewed 21 November 2026”) and import again."
        )
    if isinstance(value, dt.time | dt.timedelta):
        raise SpreadsheetError(
            f"{where} holds a time ({value}) where text is expected. Type it as text and "
            "import again."
        )
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else str(value)
    return str(value)


def _refuse_long(table: Table, row: int, column: int) -> None:
    # Excel cannot hold more in a cell, so a cell at the limit was most likely cut short
    # by the program that wrote it: refuse it rather than import a truncated text.
    raise SpreadsheetError(
        f"{table.sheet.where(table.path, row, column)} "
        f"holds {EXCEL_CELL_LIMIT:,} characters or more, the most an Excel cell "
        "can hold, so its text may have been cut short. Shorten that cell (keep long "
        "documents elsewhere and link to them) and import again."
    )


def read_contacts(table: Table) -> dict[str, str]:
    """Organisation, DPO and representative details from the block above the headings."""
    labels = [label.casefold() for label in layout.CONTACT_LABELS]
    found: dict[str, str] = {}
    for row_number in range(1, table.header_row):
        cells = table.sheet.rows.get(row_number, {})
        for block, fields in enumerate(layout.CONTACT_FIELDS):
            label_column, value_column = block * 2 + 1, block * 2 + 2
            label = cells.get(label_column)
            if not isinstance(label, str) or label.strip().casefold() not in labels:
                continue
            text = cell_text(
                table, row_number, value_column, cells.get(value_column), date_allowed=False
            )
            if (
                not is_empty(text)
                and text is not None
                and placeholder_reason(text, table.sheet.title) is None
            ):
                found[fields[labels.index(label.strip().casefold())]] = text.strip()
    # The organisation's other details, in the block ROPA desk writes beside the ICO's.
    for index, (name, label) in enumerate(layout.OTHER_DETAILS):
        row_number, column = layout.other_detail_cell(index)
        if row_number >= table.header_row:
            break
        cells = table.sheet.rows.get(row_number, {})
        written = cells.get(column)
        if not isinstance(written, str) or written.strip().casefold() != label.casefold():
            continue
        text = cell_text(table, row_number, column + 1, cells.get(column + 1), date_allowed=False)
        if (
            text is not None
            and text.strip()
            and placeholder_reason(text, table.sheet.title) is None
        ):
            found[name] = text.strip()
    return found


_KEY_COLUMNS = {
    layout.Kind.CONTROLLER: ("reference", "name", "business_function", "purposes"),
    layout.Kind.PROCESSOR: (
        "reference",
        "name",
        "controllers",
        "purposes",
        "controller_contract_link",
    ),
}


@dataclass
class _RowCell:
    text: str | None
    link: str | None
    from_above: bool  # the row is covered by a merged cell that starts higher up


def read_drafts(
    table: Table, ledger: Ledger | None = None, reading: RowBudget | None = None
) -> list[Draft]:
    """One draft per activity: a row, with the rows that continue it; where each cell
    went is recorded in `ledger`, and `reading` is asked whether the user cancelled as the
    rows go by."""
    keys = _KEY_COLUMNS[table.kind]
    key_columns = [index for index, (key, _) in table.columns.items() if key in keys]
    drafts: list[Draft] = []
    group: list[tuple[int, dict[int, _RowCell]]] = []
    plan = _Columns(table)
    below = lines_below(table)
    for row_number, cells in _rows(table):
        if reading is not None:
            reading.add(1, table.sheet.title)  # and stops here if the user cancelled
        if row_number in below:
            continue
        own = [
            cells[index]
            for index in key_columns
            if index in cells and not cells[index].from_above and not is_empty(cells[index].text)
        ]
        if own and group:
            drafts.append(_draft(table, group, plan, ledger))
            group = []
        group.append((row_number, cells))
    if group:
        drafts.append(_draft(table, group, plan, ledger))
    return drafts


def _rows(table: Table) -> Iterator[tuple[int, dict[int, _RowCell]]]:
    """The data rows that hold anything, as {column number: cell}; a cell's text is None
    when it is empty or says there is nothing ("N/A", "-"), and a cell with neither text
    nor a link is left out.  The organisation's own columns, and the columns where "None"
    is the DPO's statement (columns.KEEPS_NONE_AS_WRITTEN), keep their text as typed."""
    sheet = table.sheet
    columns = [
        (index, key in DATE_FIELDS, key in KEEPS_NONE_AS_WRITTEN)
        for index, (key, _) in table.columns.items()
    ] + [(index, False, True) for index in table.own_columns]
    columns.sort()
    merged, links, rows = sheet.merged, sheet.links, sheet.rows
    no_cells: dict[int, Value] = {}
    # Most rows have no merged cell and no link: their cells are read without looking for
    # either (the same cells, in the same order, a good deal quicker).
    plain_rows = set(rows) - {row for row, _ in merged} - {row for row, _ in links}
    for row_number in range(table.header_row + 1, sheet.last_row + 1):
        row = rows.get(row_number, no_cells)
        cells: dict[int, _RowCell] = {}
        if row_number in plain_rows:
            for index, date_allowed, as_typed in columns:
                raw = row.get(index)
                if raw is not None:
                    text = cell_text(table, row_number, index, raw, date_allowed=date_allowed)
                    if text is not None and (as_typed or not is_empty(text)):
                        cells[index] = _RowCell(text, None, False)
            if cells:
                yield row_number, cells
            continue
        for index, date_allowed, as_typed in columns:
            place = (row_number, index)
            origin = merged.get(place) if merged else None
            if origin is None:
                raw = row.get(index)
                link = links.get(place) if links else None
                if raw is None and link is None:
                    continue
                text = cell_text(table, row_number, index, raw, date_allowed=date_allowed)
                from_above = False
            else:
                raw = rows.get(origin[0], no_cells).get(origin[1])
                link = links.get(origin)
                text = cell_text(table, *origin, raw, date_allowed=date_allowed)
                from_above = origin[0] < row_number
            if text is not None and not as_typed and is_empty(text):
                text = None
            if text is None and link is None:
                continue
            cells[index] = _RowCell(text, link, from_above)
        if cells:
            yield row_number, cells


class _Columns:
    """The table's columns as the drafts are read: what the empty cells of most columns
    mean is put into each draft at once, and only the cells that hold something, and the
    columns whose empty cells must still be read, are read one by one, in column order."""

    def __init__(self, table: Table) -> None:
        self.defaults = empty_defaults(key for key, _ in table.columns.values())
        self.lists = [key for key, value in self.defaults.items() if isinstance(value, list)]
        self.read_when_empty = {
            index
            for index, (key, _) in table.columns.items()
            if key not in self.defaults and key not in DERIVED_KEYS
        }

    def start(self, draft: Draft) -> None:
        draft.values.update(self.defaults)
        for key in self.lists:
            draft.values[key] = []  # a list of the draft's own

    def to_read(self, cells: dict[int, _RowCell]) -> list[int]:
        return sorted(self.read_when_empty.union(cells))


def _draft(
    table: Table,
    group: list[tuple[int, dict[int, _RowCell]]],
    plan: _Columns,
    ledger: Ledger | None = None,
) -> Draft:
    first_row, last_row = group[0][0], group[-1][0]
    draft = Draft(first_row)
    draft.sheet = table.sheet.title
    draft.last_row = last_row
    title = table.sheet.title
    own_fields: dict[str, str] = {}
    # Cells read by a reader that words what it read its own way: their words are looked
    # for in the activity afterwards (kept_words).
    checked: list[CellIn] = []
    # Cells of continued rows that said "None" beside others that list something.
    said_none: set[tuple[int, int]] = set()
    if len(group) == 1:
        cells = group[0][1]
        plan.start(draft)
        for index in plan.to_read(cells):
            cell = cells.get(index)
            text, link = (None, None) if cell is None else (cell.text, cell.link)
            if index in table.own_columns:
                if text is not None:
                    own_fields[table.own_columns[index]] = text
                continue
            key, heading = table.columns[index]
            if key in DERIVED_KEYS and text is not None:
                draft.derived.append(CellIn(title, f"{_LETTERS[index]}{first_row}", key, text))
            elif not read_plain(key, draft, text, link):
                ref = f"{_LETTERS[index]}{first_row}"
                formula = table.sheet.formulas.get((first_row, index))
                # What a template's default formula shows is no answer (columns.read).
                shown = None if is_template_default(key, formula) else text
                cell_in = CellIn(title, ref, heading, shown, link, formula)
                read(key, draft, cell_in)
                if text is not None:
                    checked.append(cell_in)
    else:
        # Rows that continue one activity: each column's texts joined, line after line.
        for index in sorted([*table.columns, *table.own_columns]):
            texts: list[tuple[int, str]] = []
            link = None
            for position, (row, cells) in enumerate(group):
                cell = cells.get(index)
                if cell is None or (cell.from_above and position > 0):
                    continue
                if cell.text is not None:
                    texts.append((row, cell.text))
                link = link or cell.link
            formula = None
            if index not in table.own_columns:
                texts = _without_none_statements(texts, index, said_none)
                texts, formula = _without_template_defaults(table, index, texts)
            text = "\n".join(text for _row, text in texts) or None
            if index in table.own_columns:
                if text is not None:
                    own_fields[table.own_columns[index]] = text
                continue
            key, heading = table.columns[index]
            ref = f"{_LETTERS[index]}{first_row}:{_LETTERS[index]}{last_row}"
            if key in DERIVED_KEYS and text is not None:
                draft.derived.append(CellIn(title, ref, key, text))
            elif not read_plain(key, draft, text, link):
                cell_in = CellIn(title, ref, heading, text, link, formula)
                read(key, draft, cell_in)
                if text is not None:
                    checked.append(cell_in)
    draft.values.setdefault("extra_fields", {}).update(own_fields)
    _complete(table, draft, checked)
    if ledger is not None:
        _place(table, group, draft, ledger, said_none)
    return draft


def _without_none_statements(
    texts: list[tuple[int, str]], index: int, said_none: set[tuple[int, int]]
) -> list[tuple[int, str]]:
    """The texts of one column over continued rows, without those that say "None" when
    others say something (they are recorded in `said_none`, reported as nothing to
    record); when all say "None", the first stands for them, as the DPO's statement."""
    statements = [(row, text) for row, text in texts if says_none(text)]
    if not statements:
        return texts
    kept = [(row, text) for row, text in texts if not says_none(text)] or statements[:1]
    said_none.update((row, index) for row, _text in texts if (row, _text) not in kept)
    return kept


def _without_template_defaults(
    table: Table, index: int, texts: list[tuple[int, str]]
) -> tuple[list[tuple[int, str]], str | None]:
    """The texts of a continued activity's yes/no column without those a template's default
    formula showed (columns.is_template_default), and the first such formula."""
    key = table.columns[index][0]
    kept: list[tuple[int, str]] = []
    default: str | None = None
    for row, text in texts:
        formula = table.sheet.formulas.get((row, index))
        if is_template_default(key, formula):
            default = default or formula
        else:
            kept.append((row, text))
    return kept, default


def _place(
    table: Table,
    group: list[tuple[int, dict[int, _RowCell]]],
    draft: Draft,
    ledger: Ledger,
    said_none: set[tuple[int, int]],
) -> None:
    """Record in the ledger where each cell of the draft's rows went."""
    title = table.sheet.title
    activity = str(draft.values.get("name", ""))
    for row, cells in group:
        for index, cell in cells.items():
            if cell.from_above:
                continue
            if (row, index) in said_none:
                key = table.columns[index][0]
                ledger.place(
                    title,
                    row,
                    index,
                    Destination.NOTHING,
                    f"“{field_label(key)}” has what other rows of the activity list",
                    activity,
                )
                continue
            if index in table.own_columns:
                ledger.place(
                    title, row, index, Destination.OWN_FIELD, table.own_columns[index], activity
                )
            else:
                key = table.columns[index][0]
                ledger.place(
                    title, row, index, Destination.FIELD, f"“{field_label(key)}”", activity
                )
    for scheme, _entry, source in draft.elsewhere:
        label = "Article 9 condition" if scheme == "article9" else "Schedule 1 condition"
        for row, column in _cells_of(source.ref):
            entry = ledger.get(title, row, column)
            if (
                entry is not None
                and entry.destination == Destination.FIELD
                and label not in entry.detail
            ):
                ledger.place(
                    title, row, column, Destination.FIELD, f"{entry.detail} and its {label}"
                )
    read = {
        (row, index) for row, cells in group for index in cells if (row, index) not in said_none
    }
    for problem in draft.problems:
        # A problem of rows that continue one activity names them all ("B6:B7"): only
        # the cells that held something went into the notes.
        for row, column in _cells_of(problem.cell):
            if (row, column) in read:
                ledger.place(title, row, column, Destination.NOTES, problem.why, activity)


_REF = re.compile(r"^([A-Z]{1,3})(\d+)(?::([A-Z]{1,3})(\d+))?$")


def _cells_of(ref: str) -> list[tuple[int, int]]:
    """The (row, column) of each cell of "B10" or "B10:B12"."""
    match = _REF.match(ref)
    if match is None:
        return []
    first_column = column_index_from_string(match.group(1))
    first_row = int(match.group(2))
    last_column = column_index_from_string(match.group(3) or match.group(1))
    last_row = int(match.group(4) or match.group(2))
    return [
        (row, column)
        for row in range(first_row, last_row + 1)
        for column in range(first_column, last_column + 1)
    ]


class _ColumnLetters(dict[int, str]):
    def __missing__(self, index: int) -> str:
        self[index] = get_column_letter(index)
        return self[index]


_LETTERS = _ColumnLetters()


def _complete(table: Table, draft: Draft, checked: list[CellIn] | None = None) -> None:
    """Fill what the sheet left to be worked out: name, role, legislation, notes."""
    values = draft.values
    if not str(values.get("name", "")).strip():
        parts = [str(values.get("business_function", "")).strip()]
        purposes = values.get("purposes") or []
        parts.append(purposes[0] if purposes else "")
        name = " – ".join(part for part in parts if part)
        values["name"] = name or f"Activity from row {draft.first_row}"
    if "role" not in values:
        if table.kind == layout.Kind.PROCESSOR:
            values["role"] = Role.PROCESSOR
        elif not is_empty(str(values.get("joint_controllers", ""))):
            values["role"] = Role.JOINT_CONTROLLER
        else:
            values["role"] = Role.CONTROLLER
    if "legislation" not in values and values.get("lawful_bases"):
        names: list[str] = []
        for entry in values["lawful_bases"]:
            names += [name for name in entry.legislation if name not in names]
        values["legislation"] = names
    # Bases and conditions written in another column go to their own field (law_elsewhere).
    draft.moved += law_elsewhere.place(values, draft.elsewhere)
    # Reasons beside recipients and what entries hold beyond the ICO's columns, now that
    # the recipients and entries are all read.
    apply_named_lines(draft)
    for cell in draft.derived:
        # A column the register works out (the rights, from the lawful bases): text in it
        # that is not what would be worked out is kept in the notes, and reported.
        worked_out = {line.casefold() for line in derived_text(cell.header, values)}
        other = [line for line in lines(cell.text) if line.casefold() not in worked_out]
        if other:
            draft.problems.append(
                Problem(
                    cell.sheet,
                    cell.ref,
                    "\n".join(other),
                    "this column is worked out from the lawful bases, so what it says is "
                    "kept in the notes",
                )
            )
    _keep_lost_words(draft, checked or [])
    if draft.problems:
        kept = [
            f"Not understood when importing {table.path.name} ({problem.sheet}!{problem.cell}, "
            f"{problem.why}): {problem.value}"
            for problem in draft.problems
        ]
        values["notes"] = "\n".join(
            part for part in (str(values.get("notes", "")).rstrip(), *kept) if part
        )


def _keep_lost_words(draft: Draft, checked: list[CellIn]) -> None:
    """A cell whose words (four letters or more) are not all found in the activity it was
    read into is kept whole in the notes and reported, whatever its reader made of it."""
    if not checked:
        return
    noted = {problem.cell for problem in draft.problems}
    kept: str | None = None
    for cell in checked:
        if cell.ref in noted or cell.text is None or not kept_words.words(cell.text):
            continue
        if kept is None:
            kept = kept_words.activity_text(draft.values, draft.processor_links)
        missing = kept_words.missing_words(cell.text, kept)
        if missing:
            shown = ", ".join(f"“{word}”" for word in missing[:8])
            draft.not_understood(
                cell,
                cell.text,
                f"read into “{cell.header}”, but {shown} "
                + ("is" if len(missing) == 1 else "are")
                + " in no field, so the whole cell is kept in the notes",
            )


# --- storing -------------------------------------------------------------------------------


def _store(
    session: Session,
    tables: list[Table],
    drafts: list[Draft],
    contacts: dict[str, str],
    report: ImportReport,
    progress: Progress | None,
    cancelled: Cancelled | None,
    rejected: Rejected = frozenset(),
) -> None:
    log = ChangeLog(session)
    resolver = LibraryResolver(session, log)
    _offer_organisation(session, {**report.organisation_offered, **contacts}, report, log)
    kinds = {table.sheet.title: table.kind for table in tables}
    source_keys = {
        table.sheet.title: frozenset(key for key, _ in table.columns.values()) for table in tables
    }
    matcher = _Matcher(session, [(draft.values, kinds[draft.sheet]) for draft in drafts])
    pending = ChildRows()
    references = ReferenceAllocator(session)
    references.reserve(str(draft.values.get("reference", "")) for draft in drafts)
    sheets = {entry.sheet: entry for entry in report.sheets}
    total = len(drafts)
    path = tables[0].path
    for done, draft in enumerate(drafts, start=1):
        if cancelled is not None and cancelled():
            raise ImportCancelled("The import was stopped; the register has not been changed.")
        try:
            outcome = _store_one(
                session,
                draft,
                kinds[draft.sheet],
                matcher,
                resolver,
                log,
                report,
                pending,
                references,
                _Merge(source_keys[draft.sheet], rejected),
            )
        except RopaError as error:
            if isinstance(error, ImportCancelled):
                raise
            raise SpreadsheetError(
                f"{path.name}, sheet “{draft.sheet}”, row {draft.first_row}: "
                f"{error} Nothing was imported."
            ) from error
        sheets[draft.sheet].count(outcome)
        if progress is not None:
            progress(done, total)
    pending.write(session)


def _offer_organisation(
    session: Session, details: dict[str, str], report: ImportReport, log: ChangeLog
) -> None:
    """The organisation's details from the workbook, written only where the register has
    none: a detail the register already holds differently is never written over without
    the DPO asking; it is reported (report.organisation_kept) for them to decide."""
    if not details:
        return
    from ropa.organisation import load_organisation

    organisation = load_organisation(session)
    before = organisation.version
    blank: dict[str, Any] = {}
    for key, value in details.items():
        stored: Any = getattr(organisation, key, "")
        if key == "is_public_authority":
            # Yes or No as written; anything else leaves the question unanswered.
            answer, rest = lawtext.parse_yes_no(value)
            if answer is None or rest:
                report.organisation_kept[key] = (lawtext.format_yes_no(stored) or "", value)
            elif stored is None:
                blank[key] = answer
            elif stored != answer:
                report.organisation_kept[key] = (lawtext.format_yes_no(stored) or "", value)
            continue
        held = str(stored or "")
        if not held.strip():
            blank[key] = value
        elif held.strip() != value.strip():
            report.organisation_kept[key] = (held, value)
    if blank:
        apply_organisation(session, blank, log)
    report.organisation_updated = load_organisation(session).version != before


def _store_one(
    session: Session,
    draft: Draft,
    kind: layout.Kind,
    matcher: _Matcher,
    resolver: LibraryResolver,
    log: ChangeLog,
    report: ImportReport,
    pending: ChildRows,
    references: ReferenceAllocator,
    merge: _Merge | None = None,
) -> str:
    """Store one draft; "created", "updated" or "unchanged"."""
    values = draft.values
    existing_id, unsure = matcher.find(values, kind)
    # A comma list the library knows as one category is kept whole; categories new to the
    # library are marked special category or criminal offence data as their words suggest.
    settle_categories(resolver, values, draft.comma_split, report.moved)
    if existing_id is None:
        record = ActivityRecord(**values)
        activity_id = insert_activity(session, record, resolver, log, pending, references)
        if pending.activities >= _CHILD_ROWS_BATCH:
            pending.write(session)
        # Stored as given, the reference trimmed; only a new reference must be read back.
        reference, name = record.reference.strip(), record.name
        if not reference:
            # Plain SQL on the connection: no ORM flush and no statement to build.
            cursor = session_cursor(session)
            try:
                reference, name = cursor.execute(_CREATED_SQL, (activity_id,)).fetchone()
            finally:
                cursor.close()
        report.created.append((reference, name))
        outcome = "created"
        if unsure:
            report.unsure.append(
                Problem(
                    draft.sheet,
                    f"{draft.first_row}:{draft.last_row}",
                    f"{reference} {name}",
                    f"created as a new activity: {unsure}, but that does not show it is the "
                    "same activity. If it is, copy what is new into that one and retire this one.",
                )
            )
    else:
        pending.write(session)  # the activity may be one this import has just created
        activity = session.get_one(Activity, existing_id)
        merge = merge or _Merge(frozenset(values), frozenset())
        before = to_record(activity)
        incoming = dict(values)
        if draft.problems:
            incoming["notes"] = _merge_notes(activity.notes, values.get("notes", ""))
        # A blank or unreadable cell never clears a value (ropa.spreadsheets.merge).
        changes = normalise_changes(merged_values(before, incoming, source_keys=merge.source_keys))
        _keep_what_the_workbook_has_no_column_for(activity, changes)
        found = differences(before, changes)
        accepted, refused = without_rejected(activity.id, changes, merge.rejected)
        changed = update_activity(session, activity, accepted, resolver, log)
        activity_id, reference = activity.id, activity.reference
        entry = (activity.reference, activity.name)
        (report.updated if changed else report.unchanged).append(entry)
        outcome = "updated" if changed else "unchanged"
        if found:
            rows = str(draft.first_row)
            if draft.last_row != draft.first_row:
                rows += f":{draft.last_row}"
            report.changes.append(
                ActivityChanges(
                    activity.id,
                    activity.reference,
                    activity.name,
                    draft.sheet,
                    rows,
                    [change for change in found if change.field not in refused],
                    [change for change in found if change.field in refused],
                )
            )
    matcher.remember(activity_id, reference, values, kind)
    for name, link in draft.processor_links.items():
        item = resolver.find(LibraryKind.PROCESSOR, name)
        if item is not None and not item.contract_link:
            item.contract_link = link
            log.add(
                "library_item",
                item.id,
                f"processor: {item.name}",
                "update",
                "contract_link",
                "",
                link,
            )
    return outcome


# New activities whose child rows are written together (see ChildRows).
_CHILD_ROWS_BATCH = 500
_CREATED_SQL = f"SELECT reference, name FROM {Activity.__tablename__} WHERE id = ?"


@dataclass(frozen=True)
class _Merge:
    """How rows merge into the activities they match: the fields their sheet has columns
    for, and the changes the DPO rejected in the preview."""

    source_keys: frozenset[str]
    rejected: Rejected


def _keep_what_the_workbook_has_no_column_for(activity: Activity, changes: dict[str, Any]) -> None:
    """A basis's Annex 1 condition and reason outside public tasks, and a transfer's data
    protection test, have columns only in the workbook ROPA desk writes: a row of another
    workbook (or a blank cell of ours) keeps them from the same basis or transfer already in
    the register (a blank cell never clears a value)."""
    bases = {basis.basis: basis for basis in activity.lawful_bases}
    for entry in changes.get("lawful_bases") or []:
        kept = bases.get(entry.basis)
        if kept is not None:
            entry.annex1_condition = entry.annex1_condition or kept.annex1_condition
            entry.outside_tasks_reason = entry.outside_tasks_reason or kept.outside_tasks_reason
    transfers = {(t.destination.casefold(), t.mechanism): t for t in activity.transfers}
    for entry in changes.get("transfers") or []:
        found = transfers.get((entry.destination.casefold(), entry.mechanism))
        if found is not None:
            entry.data_protection_test = entry.data_protection_test or found.data_protection_test
            entry.data_protection_test_date = (
                entry.data_protection_test_date or found.data_protection_test_date
            )
            entry.data_protection_test_link = (
                entry.data_protection_test_link or found.data_protection_test_link
            )


def _merge_notes(existing: str, incoming: str) -> str:
    if not existing.strip():
        return incoming
    new_lines = [line for line in incoming.splitlines() if line not in existing]
    return "\n".join([existing.rstrip(), *new_lines]) if new_lines else existing


_ContentKey = tuple[str, str, frozenset[str]]


class _Matcher:
    """Finds the existing activity a workbook row describes, only when sure.

    The same reference is the same activity.  A row without a reference is matched by its
    business function and purposes (and, for a processor, its controller: Article 30(2)
    needs a record for each controller) only to an activity that was in the register
    before this import, and only when that activity is the one with them and the row the
    only one of the workbook with them: two rows alike in those are not one activity.
    Otherwise the row is created, and `find` says why it might have been a match."""

    def __init__(
        self, session: Session, incoming: list[tuple[dict[str, Any], layout.Kind]]
    ) -> None:
        self.by_reference: dict[str, int] = {}
        self.by_content: dict[_ContentKey, list[tuple[int, str]]] = {}
        purposes: dict[int, set[str]] = {}
        for activity_id, purpose_key in session.execute(
            select(ActivityLink.activity_id, LibraryItem.name_key)
            .join(LibraryItem, LibraryItem.id == ActivityLink.item_id)
            .where(LibraryItem.kind == LibraryKind.PURPOSE)
        ):
            purposes.setdefault(activity_id, set()).add(purpose_key)
        for activity_id, reference, function, controllers, role in session.execute(
            select(
                Activity.id,
                Activity.reference,
                Activity.business_function,
                Activity.controllers,
                Activity.role,
            )
        ):
            self.by_reference[reference.strip().casefold()] = activity_id
            content = (
                name_key(function),
                name_key(controllers) if role == Role.PROCESSOR else "",
                frozenset(purposes.get(activity_id, set())),
            )
            self.by_content.setdefault(content, []).append((activity_id, reference))
        self.in_workbook: dict[_ContentKey, int] = {}
        for values, kind in incoming:
            if not str(values.get("reference", "")).strip():
                key = self._content_key(values, kind)
                self.in_workbook[key] = self.in_workbook.get(key, 0) + 1
        self.created: dict[_ContentKey, str] = {}

    def find(self, values: dict[str, Any], kind: layout.Kind) -> tuple[int | None, str]:
        """The activity to update (None to create), and what makes a match unsure."""
        reference = str(values.get("reference", "")).strip().casefold()
        if reference:
            return self.by_reference.get(reference), ""
        key = self._content_key(values, kind)
        existing = self.by_content.get(key, [])
        what = "the same business function and purposes"
        if kind == layout.Kind.PROCESSOR:
            what = "the same controller, business function and purposes"
        if len(existing) == 1 and self.in_workbook.get(key, 0) == 1:
            return existing[0][0], ""
        if existing:
            shown = ", ".join(reference for _, reference in existing[:5])
            return None, f"it has {what} as {shown} in the register"
        if key in self.created:
            return None, f"it has {what} as {self.created[key]}, made from another row"
        return None, ""

    def remember(
        self, activity_id: int, reference: str, values: dict[str, Any], kind: layout.Kind
    ) -> None:
        self.by_reference[reference.strip().casefold()] = activity_id
        self.created.setdefault(self._content_key(values, kind), reference)

    @staticmethod
    def _content_key(values: dict[str, Any], kind: layout.Kind) -> _ContentKey:
        purposes = frozenset(name_key(p) for p in values.get("purposes", []) if name_key(p))
        controllers = (
            name_key(str(values.get("controllers", ""))) if kind == layout.Kind.PROCESSOR else ""
        )
        return (name_key(str(values.get("business_function", ""))), controllers, purposes)
