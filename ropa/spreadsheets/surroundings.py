"""The cells around a table of activities: what is above it, its headings, ignored columns.

Each is recorded in the ledger: the ICO template's own labels and titles are the sheet's
layout; the contact block and lines such as "Controller: Example Ltd, ICO ZA123456.
DPO/contact: dpo@example.org" are the organisation's details, offered to the DPO (never
written over what the register holds without asking); anything else above the table is
"not read" and quoted in the report.
"""

from __future__ import annotations

import re

import ropa.spreadsheets.layout as layout
from ropa.spreadsheets.cells import is_empty
from ropa.spreadsheets.headers import Table
from ropa.spreadsheets.ledger import Destination, Ledger
from ropa.spreadsheets.placeholders import placeholder_reason
from ropa.spreadsheets.vocabulary import field_label

_LAYOUT_TEXTS = {
    text.casefold()
    for text in (
        "Controller",
        "Processor",
        *layout.CONTACT_HEADINGS,
        *layout.CONTACT_LABELS,
        *(section.title for spec in layout.LAYOUTS.values() for section in spec.sections),
        layout.REGISTER_SECTION_TITLE,
        layout.OTHER_DETAILS_HEADING,
        *(label for _name, label in layout.OTHER_DETAILS),
        layout.OWN_SECTION_TITLE,
    )
}
_TITLE = re.compile(
    r"record of processing|\bropa\b|article 30|art\.? ?30|register of processing|"
    r"processing activities|information asset register",
    re.IGNORECASE,
)
# An ICO registration number: Z and seven characters ("Z1234567", "ZA123456"); published
# registers also show shortened ones ("ZC1608").
_ICO_NUMBER = re.compile(r"\b(Z[A-Z]?\d{4,7})\b")
_CONTROLLER = re.compile(
    r"\b(?:data )?controller\s*(?:name)?\s*[:\-–]\s*(?P<name>[^,;\n]+?)"
    r"\s*(?=,|;|\.\s|\n|$|\bICO\b)",
    re.IGNORECASE,
)
_DPO = re.compile(
    r"\b(?:DPO|data protection officer)(?:\s*/\s*contact)?\s*[:\-–]\s*(?P<who>[^;\n]+)",
    re.IGNORECASE,
)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


def organisation_statements(text: str) -> dict[str, str]:
    """Organisation fields a line of text states: the controller's name, the ICO
    registration number, the DPO or contact (their email address where one is given)."""
    found: dict[str, str] = {}
    controller = _CONTROLLER.search(text)
    if controller:
        found["name"] = controller.group("name").strip().rstrip(".")
    number = _ICO_NUMBER.search(text)
    if number and re.search(r"\bICO\b|registration", text, re.IGNORECASE):
        found["ico_registration"] = number.group(1)
    dpo = _DPO.search(text)
    if dpo:
        who = dpo.group("who").strip().rstrip(".")
        email = _EMAIL.search(who)
        if email:
            found["dpo_email"] = email.group(0)
            rest = who.replace(email.group(0), "").strip(" ,()<>-")
            if rest:
                found["dpo_name"] = rest
        else:
            found["dpo_name"] = who
    return found


def mark_around(table: Table, ledger: Ledger, contacts: dict[str, str]) -> dict[str, str]:
    """Record in the ledger the cells above the table and its headings; the organisation
    details stated in lines above it (beside those of the ICO contact block, `contacts`,
    already read), each with the cell it came from."""
    sheet = table.sheet
    title = sheet.title
    offered: dict[str, str] = {}
    contact_values = {
        (row, block * 2 + 2)
        for row in range(layout.CONTACT_FIRST_ROW, layout.FIRST_DATA_ROW)
        for block in range(len(layout.CONTACT_FIELDS))
        if str(sheet.rows.get(row, {}).get(block * 2 + 1, "")).strip().casefold()
        in {label.casefold() for label in layout.CONTACT_LABELS}
    }
    # The organisation's other details, beside their labels in the block ROPA desk writes.
    for index, (_name, label) in enumerate(layout.OTHER_DETAILS):
        row, column = layout.other_detail_cell(index)
        if str(sheet.rows.get(row, {}).get(column, "")).strip().casefold() == label.casefold():
            contact_values.add((row, column + 1))
    for row in range(1, table.header_row):
        for column, value in sheet.rows.get(row, {}).items():
            text = str(value).strip()
            if not text:
                continue
            placeholder = placeholder_reason(text, title)
            if (row, column) in contact_values:
                if placeholder is not None:
                    ledger.place(title, row, column, Destination.NOT_READ, placeholder)
                elif is_empty(text):
                    ledger.place(title, row, column, Destination.NOTHING, "organisation details")
                else:
                    ledger.place(
                        title,
                        row,
                        column,
                        Destination.ORGANISATION,
                        (
                            "the ICO contact block"
                            if column < layout.OTHER_DETAILS_FIRST_COLUMN
                            else "the organisation's other details"
                        )
                        + ("" if contacts else "; not used: another sheet's block was"),
                    )
                continue
            if text.casefold() in _LAYOUT_TEXTS:
                ledger.place(title, row, column, Destination.LAYOUT, "the ICO template's label")
                continue
            stated = organisation_statements(text)
            if stated and placeholder is not None:
                # "Controller: {{ platform_name }} Ltd" names a blank, not the organisation.
                ledger.place(title, row, column, Destination.NOT_READ, placeholder)
                continue
            if stated:
                for key, found in stated.items():
                    offered.setdefault(key, found)
                ledger.place(
                    title,
                    row,
                    column,
                    Destination.ORGANISATION,
                    "offered as the organisation's details: "
                    + "; ".join(f"{_ORGANISATION_LABELS[k]} “{v}”" for k, v in stated.items()),
                )
                continue
            if _TITLE.search(text) and len(text) < 200:
                ledger.place(title, row, column, Destination.LAYOUT, TITLE)
                continue
            ledger.place(
                title,
                row,
                column,
                Destination.NOT_READ,
                "text above the table's headings, not part of any activity",
            )
    headings = sheet.rows.get(table.header_row, {})
    for column in headings:
        if column in table.columns:
            key = table.columns[column][0]
            detail = f"the heading of “{field_label(key)}”"
            ledger.place(title, table.header_row, column, Destination.LAYOUT, detail)
        elif column in table.ignored:
            ledger.place(
                title, table.header_row, column, Destination.NOT_READ, "a column the DPO ignored"
            )
        elif column in table.own_columns and not _has_data(table, column):
            ledger.place(title, table.header_row, column, Destination.LAYOUT, EMPTY_COLUMN)
        else:
            ledger.place(
                title, table.header_row, column, Destination.LAYOUT, "the heading of an own column"
            )
    if table.ignored:
        for row, cells in sheet.rows.items():
            if row <= table.header_row:
                continue
            for column in cells:
                if column in table.ignored:
                    ledger.place(
                        title, row, column, Destination.NOT_READ, "in a column the DPO ignored"
                    )
    return offered


# The heading of an own column with nothing below it: no field keeps it, so it is reported.
EMPTY_COLUMN = "the heading of a column with nothing below it; no field keeps it"
TITLE = "the sheet's title"


def _has_data(table: Table, column: int) -> bool:
    return any(column in cells for row, cells in table.sheet.rows.items() if row > table.header_row)


_ORGANISATION_LABELS = {
    "name": "controller",
    "ico_registration": "ICO registration number",
    "dpo_name": "DPO or contact",
    "dpo_email": "DPO email",
}
