"""Workbooks of related sheets: one sheet of processing, others listing its purposes,
personal data, data subjects, recipients, contractors and transfers (as GRC tools export).

A sheet that lists the items of one field is never read as activities (its "Bank details"
is personal data, not a processing activity).  Its rows are read into the processing they
belong to: the one that a column of the list names (by name or reference), or, when the
workbook holds only one processing, that one.  Where it cannot be told, the import is
refused with words naming the sheets.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from openpyxl.utils import get_column_letter

import ropa.spreadsheets.layout as layout
from ropa import law
from ropa.records import LawfulBasisEntry, RetentionEntry, TransferEntry
from ropa.spreadsheets import lawtext
from ropa.spreadsheets.columns import Draft
from ropa.spreadsheets.errors import SpreadsheetError
from ropa.spreadsheets.headers import Skipped, Table, list_sheet_field
from ropa.spreadsheets.ledger import Destination, Ledger, as_text
from ropa.spreadsheets.reader import SheetData, Spreadsheet, Value
from ropa.spreadsheets.report import ImportReport, Problem
from ropa.spreadsheets.surroundings import EMPTY_COLUMN
from ropa.spreadsheets.vocabulary import field_label, header_key

# Headings of a column that names the processing a list row belongs to.
_KEY_HEADINGS = {
    "processing",
    "processing activity",
    "processing name",
    "processing ref",
    "processing ref id",
    "processing id",
    "activity",
    "activity name",
    "activity ref",
}
_LIST_WORDS = {
    "purposes": "purposes",
    "data_categories": "personal data",
    "individuals": "data subjects",
    "recipients": "recipients",
    "processors": "processors (contractors)",
    "transfer_destinations": "international transfers",
}
# Headings of the column that holds the item itself.
_ITEM_HEADINGS = {"name", "item", "title", "value"}


@dataclass
class Related:
    spreadsheet: Spreadsheet | None = None
    sheets: dict[str, str] = field(default_factory=dict)  # sheet title -> field key

    def read_into(
        self, drafts: list[Draft], tables: list[Table], ledger: Ledger, report: ImportReport
    ) -> None:
        if not self.sheets or self.spreadsheet is None:
            return
        by_title = {sheet.title: sheet for sheet in self.spreadsheet.sheets}
        kinds = {table.sheet.title: table.kind for table in tables}
        for title, key in self.sheets.items():
            _read_list(by_title[title], key, drafts, kinds, ledger, report)


def related_sheets(
    tables: list[Table], skipped: list[Skipped], spreadsheet: Spreadsheet
) -> Related:
    """The sheets that list the items of one field, with that field."""
    related = Related(spreadsheet)
    for entry in skipped:
        key = list_sheet_field(entry.sheet)
        sheet = next(s for s in spreadsheet.sheets if s.title == entry.sheet)
        if key is not None and sheet.rows:
            related.sheets[entry.sheet] = key
    if related.sheets and not tables:
        names = ", ".join(f"“{title}”" for title in related.sheets)
        raise SpreadsheetError(
            f"{spreadsheet.path.name}: the sheets {names} list items of a record (purposes, "
            "personal data, data subjects, recipients...), but no sheet holds the processing "
            "activities they belong to. Import the workbook with its sheet of processing "
            "activities, or put the items in columns of one table of activities."
        )
    return related


def _header_row(sheet: SheetData) -> int:
    return min(sheet.rows)


def _read_list(
    sheet: SheetData,
    key: str,
    drafts: list[Draft],
    kinds: dict[str, layout.Kind],
    ledger: Ledger,
    report: ImportReport,
) -> None:
    header_row = _header_row(sheet)
    headings = {column: as_text(value).strip() for column, value in sheet.rows[header_row].items()}
    filled = {column for row, cells in sheet.rows.items() if row > header_row for column in cells}
    for column in headings:
        detail = "a heading of a list" if column in filled else EMPTY_COLUMN
        ledger.place(sheet.title, header_row, column, Destination.LAYOUT, detail)
    key_column = next(
        (c for c, text in headings.items() if header_key(text) in _KEY_HEADINGS), None
    )
    item_column = next(
        (c for c, text in headings.items() if header_key(text) in _ITEM_HEADINGS),
        min(headings) if headings else 1,
    )
    if key_column is None and len(drafts) != 1:
        listed = ", ".join(f"“{t.sheet}”" for t in report.sheets)
        raise SpreadsheetError(
            f"{report.path.name}, sheet “{sheet.title}”: it lists "
            f"{_LIST_WORDS.get(key, key)} without a column saying which processing each "
            f"belongs to, and the sheet(s) {listed} hold {len(drafts)} processing activities. "
            "Add a column “Processing” naming the processing activity of each row, or import "
            "the sheets apart."
        )
    for row in sorted(sheet.rows):
        if row <= header_row:
            continue
        cells = sheet.rows[row]
        draft = drafts[0] if key_column is None else _draft_named(drafts, cells.get(key_column))
        if draft is None:
            for column in cells:
                ledger.place(
                    sheet.title,
                    row,
                    column,
                    Destination.NOT_READ,
                    "a list row naming no processing activity of this workbook",
                )
            continue
        activity = str(draft.values.get("name", ""))
        allowed = {c.key for c in layout.LAYOUTS[kinds[draft.sheet]].columns}
        item = as_text(cells[item_column]).strip() if item_column in cells else ""
        if item and key in allowed | {"transfer_destinations"}:
            _add_item(draft, key, item, cells, headings)
            ledger.place(
                sheet.title,
                row,
                item_column,
                Destination.FIELD,
                f"“{field_label(key)}”, from the list sheet “{sheet.title}”",
                activity,
            )
        for column, value in cells.items():
            if column == key_column:
                ledger.place(sheet.title, row, column, Destination.LAYOUT, "names the processing")
                continue
            if column == item_column and item and key in allowed | {"transfer_destinations"}:
                continue
            read_as = _LAW_COLUMNS.get((key, header_key(headings.get(column, ""))))
            said = read_as(draft, item, as_text(value).strip()) if read_as and item else ""
            if said:
                ledger.place(sheet.title, row, column, Destination.FIELD, said, activity)
                ref = f"{get_column_letter(column)}{row}"
                report.moved.append(Problem(sheet.title, ref, as_text(value), f"{said}; check it"))
                continue
            own = f"{sheet.title}: {headings.get(column) or 'item'}"
            text = as_text(value).strip()
            line = f"{item}: {text}" if item and column != item_column else text
            extra = draft.values.setdefault("extra_fields", {})
            extra[own] = "\n".join(part for part in (extra.get(own, ""), line) if part)
            ledger.place(sheet.title, row, column, Destination.OWN_FIELD, own, activity)
    report.moved.append(
        Problem(
            sheet.title,
            f"{get_column_letter(item_column)}{header_row}",
            headings.get(item_column, ""),
            f"the items of the list sheet “{sheet.title}”: {_LIST_WORDS.get(key, key)}, read "
            "into the processing each belongs to (each item in that field, its other columns "
            "as own fields)",
        )
    )


# --- the law a list row states, in a column of its own (as GRC tools export it) ------------
#
# Read into the register's own fields, so that the checks and the ICO's columns see it: a
# value such a tool writes as a code ("privacy_contract") is read by its words. Each reading
# is reported for the DPO to check; what is not understood stays an own field, as written.


def _tool_words(text: str) -> str:
    """ "privacy_standard_contractual_clauses" as words: "standard contractual clauses"."""
    return text.removeprefix("privacy_").replace("_", " ").strip()


def _read_basis(draft: Draft, purpose: str, text: str) -> str:
    found = lawtext.parse_lawful_bases(_tool_words(text))
    if len(found.values) != 1 or found.not_understood:
        return ""
    (entry,) = found.values
    bases: list[LawfulBasisEntry] = list(draft.values.get("lawful_bases") or [])
    same = next((known for known in bases if known.basis == entry.basis), None)
    if same is None:
        bases.append(LawfulBasisEntry(entry.basis, purpose))
    elif purpose not in same.explanation.split("; "):
        same.explanation = "; ".join(part for part in (same.explanation, purpose) if part)
    draft.values["lawful_bases"] = bases
    return f"read as the lawful basis {lawtext.basis_title(entry.basis)}, for “{purpose}”"


def _read_retention(draft: Draft, data: str, text: str) -> str:
    rules: list[RetentionEntry] = list(draft.values.get("retention") or [])
    rules.append(RetentionEntry(text, applies_to=data))
    draft.values["retention"] = rules
    return f"read as the retention period of “{data}”"


def _read_mechanism(draft: Draft, destination: str, text: str) -> str:
    mechanism, _rest = lawtext.parse_transfer_safeguard(_tool_words(text))
    transfers: list[TransferEntry] = list(draft.values.get("transfers") or [])
    entry = next((t for t in reversed(transfers) if t.destination.startswith(destination)), None)
    if not mechanism or entry is None or entry.mechanism:
        return ""
    entry.mechanism = mechanism
    name = law.transfer_mechanisms()[mechanism].name
    return f"read as the transfer mechanism of “{entry.destination}”: {name}"


_LAW_COLUMNS = {
    **{("purposes", heading): _read_basis for heading in ("legal basis", "lawful basis")},
    **{
        ("data_categories", heading): _read_retention
        for heading in ("retention", "retention period")
    },
    **{
        ("transfer_destinations", heading): _read_mechanism
        for heading in ("transfer mechanism", "mechanism", "transfer safeguard")
    },
}


def _draft_named(drafts: list[Draft], value: object) -> Draft | None:
    if value is None:
        return None
    wanted = header_key(str(value))
    for draft in drafts:
        for known in (draft.values.get("name"), draft.values.get("reference")):
            if known and header_key(str(known)) == wanted:
                return draft
    return None


def _add_item(
    draft: Draft, key: str, item: str, cells: dict[int, Value], headings: dict[int, str]
) -> None:
    if key == "transfer_destinations":
        country = next(
            (
                as_text(value)
                for column, value in cells.items()
                if header_key(headings.get(column, "")) == "country"
            ),
            "",
        )
        destination = f"{item} ({country})" if country else item
        transfers = list(draft.values.get("transfers", []))
        transfers.append(TransferEntry(destination))
        draft.values["transfers"] = transfers
        return
    items = list(draft.values.get(key) or [])
    if item not in items:
        items.append(item)
    draft.values[key] = items
