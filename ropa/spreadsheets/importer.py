"""Reading an ICO Article 30 workbook (controller or processor) into the register.

Our own exports and the ones DPOs fill in by hand: the header row is found by its headings,
multi-value cells are split, rows that continue one activity are merged, and what cannot be
understood is kept in the activity's notes and listed in the report.  Everything happens in
one transaction: a workbook is imported whole, or not at all.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import openpyxl
from openpyxl.cell.cell import Cell, MergedCell
from openpyxl.utils import get_column_letter
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import Activity, ActivityLink, LibraryItem, LibraryKind
from ropa.activities import insert_activity, update_activity
from ropa.errors import RopaError
from ropa.history import ChangeLog
from ropa.library import LibraryResolver, name_key
from ropa.organisation import apply_organisation
from ropa.records import ActivityRecord, Role
from ropa.spreadsheets import layout
from ropa.spreadsheets.cells import EXCEL_CELL_LIMIT, format_date, is_empty
from ropa.spreadsheets.columns import DATE_FIELDS, CellIn, Draft, read
from ropa.spreadsheets.errors import ImportCancelled, SpreadsheetError
from ropa.spreadsheets.report import ImportReport

if TYPE_CHECKING:
    from ropa.register import Register

# Workbooks larger than this are refused before they are opened: a record of processing
# activities with thousands of rows is a few megabytes, and reading a much larger file
# would hold the app for minutes and use gigabytes of memory.
MAX_FILE_BYTES = 20 * 1024 * 1024
# The same limit for what the file unpacks to (a small file can unpack to gigabytes).
MAX_UNPACKED_BYTES = 400 * 1024 * 1024
HEADER_SEARCH_ROWS = 40
MIN_RECOGNISED_HEADERS = 3

_OLE_HEADER = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_HEADER = b"PK\x03\x04"

Progress = Callable[[int, int], None]
Cancelled = Callable[[], bool]


def import_workbook(
    register: Register,
    path: Path | str,
    *,
    dry_run: bool = False,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> ImportReport:
    """Import a workbook into the register; with `dry_run`, report and change nothing."""
    path = Path(path)
    workbook = open_workbook(path)
    table = find_table(workbook, path)
    contacts = read_contacts(table)
    drafts = read_drafts(table)
    report = ImportReport(path, dry_run=dry_run, sheet=table.sheet.title)
    for draft in drafts:
        report.problems.extend(draft.problems)
    try:
        with register.transaction() as session:
            _store(session, table, drafts, contacts, report, progress, cancelled)
            if dry_run:
                raise _RollBack
    except _RollBack:
        pass
    return report


class _RollBack(Exception):  # noqa: N818 (a signal, not an error)
    """Raised inside the transaction of a dry run, so that nothing it did is kept."""


# --- the file ------------------------------------------------------------------------------


def open_workbook(path: Path) -> Workbook:
    """Open a workbook after checking, without parsing, that it is one we can read."""
    check_file(path)
    try:
        return openpyxl.load_workbook(path, data_only=False, rich_text=False)
    except Exception as error:  # openpyxl raises many kinds for a damaged file
        raise SpreadsheetError(
            f"{path.name} cannot be read as an Excel workbook ({_first_line(error)}). "
            "Open it in Excel, save it as an Excel Workbook (.xlsx) and try again."
        ) from error


def check_file(path: Path) -> None:
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            start = handle.read(8)
    except FileNotFoundError as error:
        raise SpreadsheetError(f"There is no file {path}. Check the name and folder.") from error
    except IsADirectoryError as error:
        raise SpreadsheetError(f"{path} is a folder, not an Excel workbook.") from error
    except OSError as error:
        raise SpreadsheetError(f"{path} cannot be read: {error.strerror or error}.") from error
    if size == 0:
        raise SpreadsheetError(f"{path.name} is empty (0 bytes). Choose the saved workbook.")
    if size > MAX_FILE_BYTES:
        raise SpreadsheetError(
            f"{path.name} is {size / 1024 / 1024:.0f} MB, larger than the "
            f"{MAX_FILE_BYTES // 1024 // 1024} MB a record of processing activities can be. "
            "Remove images and unrelated sheets, or split it into several workbooks."
        )
    if start == _OLE_HEADER:
        if _is_encrypted(path):
            raise SpreadsheetError(
                f"{path.name} is protected with a password. Open it in Excel, remove the "
                "password (File, Info, Protect Workbook) and save a copy to import."
            )
        raise SpreadsheetError(
            f"{path.name} is an old-style Excel 97-2003 workbook (.xls). Open it in Excel and "
            "save it as an Excel Workbook (.xlsx), then import that."
        )
    if not start.startswith(_ZIP_HEADER) or not zipfile.is_zipfile(path):
        raise SpreadsheetError(
            f"{path.name} is not an Excel workbook (.xlsx). Save the spreadsheet as an Excel "
            "Workbook (.xlsx) and import that."
        )
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError) as error:
        raise SpreadsheetError(f"{path.name} is damaged: {_first_line(error)}.") from error
    if "xl/workbook.xml" not in names:
        raise SpreadsheetError(
            f"{path.name} is a zip file but not an Excel workbook (.xlsx). Choose the workbook."
        )
    if unpacked > MAX_UNPACKED_BYTES:
        raise SpreadsheetError(
            f"{path.name} unpacks to {unpacked / 1024 / 1024:.0f} MB, more than a record of "
            "processing activities can hold. Remove images and unrelated sheets and try again."
        )


def _is_encrypted(path: Path) -> bool:
    # A password-protected .xlsx is an OLE compound file holding an "EncryptionInfo" stream.
    with path.open("rb") as handle:
        head = handle.read(1024 * 1024)
    return "EncryptionInfo".encode("utf-16-le") in head


def _first_line(error: BaseException) -> str:
    text = str(error).strip() or type(error).__name__
    return text.splitlines()[0]


# --- finding the table ---------------------------------------------------------------------


def header_key(text: str) -> str:
    """A heading as it is compared: case, spacing, quotes and "(if applicable)" folded."""
    folded = text.casefold().replace("’", "'").replace("‘", "'")
    folded = re.sub(r"\((?:if applicable|if possible|optional)\)", " ", folded)
    folded = re.sub(r"[^\w']+", " ", folded)
    return " ".join(folded.split())


_ALIASES = {
    "purposes of processing": "purposes",
    "purpose s of processing": "purposes",
    "purposes": "purposes",
    "lawful basis": "lawful_bases",
    "lawful basis for processing": "lawful_bases",
    "article 6 lawful basis": "lawful_bases",
    "article 9 condition": "article9",
    "retention": "retention",
    "retention period": "retention",
    "retention schedule": "retention",
    "security measures": "security_measures",
    "activity name": "name",
    "processing activity": "name",
    "ref": "reference",
}


def _header_map(spec: layout.Layout) -> dict[str, str]:
    mapping = {header_key(column.header): column.key for column in spec.columns}
    for alias, key in _ALIASES.items():
        if any(column.key == key for column in spec.columns):
            mapping.setdefault(alias, key)
    return mapping


_HEADER_MAPS = {kind: _header_map(spec) for kind, spec in layout.LAYOUTS.items()}
# Headings only one of the two templates has: they tell which template a sheet is.
_DISTINCTIVE = {
    kind: {header_key(c.header) for c in spec.ico_columns}
    - {
        header_key(c.header)
        for other, other_spec in layout.LAYOUTS.items()
        if other != kind
        for c in other_spec.ico_columns
    }
    for kind, spec in layout.LAYOUTS.items()
}


@dataclass
class Table:
    path: Path
    sheet: Worksheet
    header_row: int
    kind: layout.Kind
    columns: dict[int, tuple[str, str]]  # column number -> (key, heading as written)
    merged: dict[tuple[int, int], tuple[int, int]] = field(default_factory=dict)


def find_table(workbook: Workbook, path: Path) -> Table:
    """The sheet and row holding the ICO headings; the Template sheet first, however named."""
    best: tuple[int, int, Worksheet, int, layout.Kind, dict[int, tuple[str, str]]] | None = None
    for order, sheet in enumerate(workbook.worksheets):
        # The ICO's own example sheet is a fallback, never the first choice.
        preference = 1 if sheet.title.strip().casefold() == "example" else 0
        for row_number, row in enumerate(
            sheet.iter_rows(min_row=1, max_row=HEADER_SEARCH_ROWS, values_only=True), start=1
        ):
            headings = {
                index: str(value)
                for index, value in enumerate(row, start=1)
                if isinstance(value, str) and value.strip()
            }
            for kind in layout.Kind:
                mapping = _HEADER_MAPS[kind]
                found = {
                    index: (mapping[header_key(text)], text.strip())
                    for index, text in headings.items()
                    if header_key(text) in mapping
                }
                distinctive = sum(
                    1 for text in headings.values() if header_key(text) in _DISTINCTIVE[kind]
                )
                if len(found) < MIN_RECOGNISED_HEADERS or distinctive == 0:
                    continue
                score = (-preference, distinctive * 1000 + len(found))
                candidate = (score[0], score[1], sheet, row_number, kind, found)
                if best is None or candidate[:2] > best[:2]:
                    best = candidate
        del order
    if best is None:
        raise SpreadsheetError(
            f"{path.name} has no row of ICO template headings (such as “Business function” "
            "and “Purpose of processing”, or “Categories of processing” for processors) in "
            f"its first {HEADER_SEARCH_ROWS} rows. Put the headings in one row and try again."
        )
    _, _, sheet, header_row, kind, columns = best
    table = Table(path, sheet, header_row, kind, _first_of_each_key(columns))
    for merged in sheet.merged_cells.ranges:
        for row in range(merged.min_row, merged.max_row + 1):
            for column in range(merged.min_col, merged.max_col + 1):
                if (row, column) != (merged.min_row, merged.min_col):
                    table.merged[(row, column)] = (merged.min_row, merged.min_col)
    return table


def _first_of_each_key(columns: dict[int, tuple[str, str]]) -> dict[int, tuple[str, str]]:
    seen: set[str] = set()
    kept = {}
    for index in sorted(columns):
        key = columns[index][0]
        if key not in seen:
            seen.add(key)
            kept[index] = columns[index]
    return kept


# --- reading cells -------------------------------------------------------------------------


def cell_text(table: Table, cell: Cell | MergedCell, *, date_allowed: bool) -> str | None:
    """A cell's value as text; formulas, errors, dates in text and huge cells are refused."""
    where = f"{table.path.name}, sheet “{table.sheet.title}”, cell {cell.coordinate}"
    value = cell.value
    if value is None:
        return None
    if cell.data_type == "f" or not isinstance(
        value, str | int | float | bool | dt.date | dt.datetime | dt.time
    ):
        raise SpreadsheetError(
            f"{where} holds a formula ({str(value)[:60]}). Replace formulas in the record with "
            "their values (copy, then Paste Values) and import again."
        )
    if cell.data_type == "e":
        raise SpreadsheetError(
            f"{where} holds the error value {value}. Correct or clear that cell and import again."
        )
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
    if isinstance(value, dt.time):
        raise SpreadsheetError(
            f"{where} holds a time ({value.isoformat()}) where text is expected. Type it as "
            "text and import again."
        )
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else str(value)
    text = str(value)
    # openpyxl cuts longer text to Excel's limit as it reads, so reaching the limit means
    # the cell was at least that long: refuse it rather than import a truncated text.
    if len(text) >= EXCEL_CELL_LIMIT:
        raise SpreadsheetError(
            f"{where} holds {EXCEL_CELL_LIMIT:,} characters or more, the most an Excel cell "
            "can hold, so its text may have been cut short. Shorten that cell (keep long "
            "documents elsewhere and link to them) and import again."
        )
    return text


def read_contacts(table: Table) -> dict[str, str]:
    """Organisation, DPO and representative details from the block above the headings."""
    labels = [label.casefold() for label in layout.CONTACT_LABELS]
    found: dict[str, str] = {}
    for row in table.sheet.iter_rows(min_row=1, max_row=table.header_row - 1, max_col=6):
        for block, fields in enumerate(layout.CONTACT_FIELDS):
            label_cell = row[block * 2] if len(row) > block * 2 else None
            value_cell = row[block * 2 + 1] if len(row) > block * 2 + 1 else None
            if label_cell is None or value_cell is None:
                continue
            label = label_cell.value
            if not isinstance(label, str) or label.strip().casefold() not in labels:
                continue
            text = cell_text(table, value_cell, date_allowed=False)
            if not is_empty(text) and text is not None:
                found[fields[labels.index(label.strip().casefold())]] = text.strip()
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


def read_drafts(table: Table) -> list[Draft]:
    """One draft per activity: a row, with the rows that continue it."""
    keys = _KEY_COLUMNS[table.kind]
    key_columns = [index for index, (key, _) in table.columns.items() if key in keys]
    drafts: list[Draft] = []
    group: list[tuple[int, dict[int, _RowCell]]] = []
    for row_number, cells in _rows(table):
        own = [
            cells[index]
            for index in key_columns
            if index in cells and not cells[index].from_above and not is_empty(cells[index].text)
        ]
        if own and group:
            drafts.append(_draft(table, group))
            group = []
        group.append((row_number, cells))
    if group:
        drafts.append(_draft(table, group))
    return drafts


def _rows(table: Table) -> Iterator[tuple[int, dict[int, _RowCell]]]:
    """The data rows that hold anything, as {column number: cell}."""
    sheet = table.sheet
    last = max(table.columns)
    for row in sheet.iter_rows(min_row=table.header_row + 1, max_col=last):
        cells: dict[int, _RowCell] = {}
        for index, (key, _heading) in table.columns.items():
            cell = row[index - 1]
            row_number = cell.row
            origin = table.merged.get((row_number, index))
            source = sheet.cell(*origin) if origin else cell
            text = cell_text(table, source, date_allowed=key in DATE_FIELDS)
            link = source.hyperlink.target if source.hyperlink is not None else None
            if text is None and link is None:
                continue
            from_above = origin is not None and origin[0] < row_number
            cells[index] = _RowCell(text, link, from_above)
        if any(not is_empty(cell.text) or cell.link for cell in cells.values()):
            yield row[0].row, cells


def _draft(table: Table, group: list[tuple[int, dict[int, _RowCell]]]) -> Draft:
    first_row = group[0][0]
    draft = Draft(first_row)
    for index, (key, heading) in table.columns.items():
        texts: list[str] = []
        link = None
        for position, (_row, cells) in enumerate(group):
            cell = cells.get(index)
            if cell is None or (cell.from_above and position > 0):
                continue
            if cell.text is not None and not is_empty(cell.text):
                texts.append(cell.text)
            link = link or cell.link
        letter = get_column_letter(index)
        ref = (
            f"{letter}{first_row}"
            if len(group) == 1
            else (f"{letter}{first_row}:{letter}{group[-1][0]}")
        )
        read(key, draft, CellIn(table.sheet.title, ref, heading, "\n".join(texts) or None, link))
    _complete(table, draft)
    return draft


def _complete(table: Table, draft: Draft) -> None:
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
        elif str(values.get("joint_controllers", "")).strip():
            values["role"] = Role.JOINT_CONTROLLER
        else:
            values["role"] = Role.CONTROLLER
    if "legislation" not in values and values.get("lawful_bases"):
        names: list[str] = []
        for entry in values["lawful_bases"]:
            names += [name for name in entry.legislation if name not in names]
        values["legislation"] = names
    if draft.problems:
        kept = [
            f"Not understood when importing {table.path.name} ({problem.sheet}!{problem.cell}, "
            f"{problem.why}): {problem.value}"
            for problem in draft.problems
        ]
        values["notes"] = "\n".join(
            part for part in (str(values.get("notes", "")).rstrip(), *kept) if part
        )


# --- storing -------------------------------------------------------------------------------


def _store(
    session: Session,
    table: Table,
    drafts: list[Draft],
    contacts: dict[str, str],
    report: ImportReport,
    progress: Progress | None,
    cancelled: Cancelled | None,
) -> None:
    log = ChangeLog(session)
    resolver = LibraryResolver(session, log)
    if contacts:
        from ropa.organisation import load_organisation

        before = load_organisation(session).version
        apply_organisation(session, contacts, log)
        report.organisation_updated = load_organisation(session).version != before
    matcher = _Matcher(session)
    total = len(drafts)
    for done, draft in enumerate(drafts, start=1):
        if cancelled is not None and cancelled():
            raise ImportCancelled("The import was stopped; the register has not been changed.")
        try:
            _store_one(session, draft, matcher, resolver, log, report)
        except RopaError as error:
            if isinstance(error, ImportCancelled):
                raise
            raise SpreadsheetError(
                f"{table.path.name}, sheet “{table.sheet.title}”, row {draft.first_row}: "
                f"{error} Nothing was imported."
            ) from error
        if progress is not None:
            progress(done, total)


def _store_one(
    session: Session,
    draft: Draft,
    matcher: _Matcher,
    resolver: LibraryResolver,
    log: ChangeLog,
    report: ImportReport,
) -> None:
    values = draft.values
    existing_id = matcher.find(values)
    if existing_id is None:
        activity_id = insert_activity(session, ActivityRecord(**values), resolver, log)
        # On the connection, not the session: no ORM flush for every row of a big import.
        reference, name = (
            session.connection()
            .execute(select(Activity.reference, Activity.name).where(Activity.id == activity_id))
            .one()
        )
        report.created.append((reference, name))
    else:
        activity = session.get_one(Activity, existing_id)
        changes = dict(values)
        if "reference" in changes and not str(changes["reference"]).strip():
            del changes["reference"]
        if draft.problems:
            changes["notes"] = _merge_notes(activity.notes, values.get("notes", ""))
        changed = update_activity(session, activity, changes, resolver, log)
        activity_id, reference = activity.id, activity.reference
        entry = (activity.reference, activity.name)
        (report.updated if changed else report.unchanged).append(entry)
    matcher.remember(activity_id, reference, values)
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


def _merge_notes(existing: str, incoming: str) -> str:
    if not existing.strip():
        return incoming
    new_lines = [line for line in incoming.splitlines() if line not in existing]
    return "\n".join([existing.rstrip(), *new_lines]) if new_lines else existing


class _Matcher:
    """Finds the existing activity a workbook row describes: same reference, else same
    business function and the same purposes."""

    def __init__(self, session: Session) -> None:
        self.by_reference: dict[str, int] = {}
        self.by_content: dict[tuple[str, frozenset[str]], int] = {}
        purposes: dict[int, set[str]] = {}
        for activity_id, purpose_key in session.execute(
            select(ActivityLink.activity_id, LibraryItem.name_key)
            .join(LibraryItem, LibraryItem.id == ActivityLink.item_id)
            .where(LibraryItem.kind == LibraryKind.PURPOSE)
        ):
            purposes.setdefault(activity_id, set()).add(purpose_key)
        for activity_id, reference, function in session.execute(
            select(Activity.id, Activity.reference, Activity.business_function)
        ):
            self.by_reference[reference.strip().casefold()] = activity_id
            content = (name_key(function), frozenset(purposes.get(activity_id, set())))
            self.by_content.setdefault(content, activity_id)

    def find(self, values: dict[str, Any]) -> int | None:
        reference = str(values.get("reference", "")).strip().casefold()
        if reference:
            return self.by_reference.get(reference)
        return self.by_content.get(self._content_key(values))

    def remember(self, activity_id: int, reference: str, values: dict[str, Any]) -> None:
        self.by_reference[reference.strip().casefold()] = activity_id
        self.by_content.setdefault(self._content_key(values), activity_id)

    @staticmethod
    def _content_key(values: dict[str, Any]) -> tuple[str, frozenset[str]]:
        purposes = frozenset(name_key(p) for p in values.get("purposes", []) if name_key(p))
        return (name_key(str(values.get("business_function", ""))), purposes)
