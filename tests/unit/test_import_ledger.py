"""The ledger: every non-empty cell starts "not placed", and the report cannot hide one."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from ropa.spreadsheets.ledger import Destination, Ledger
from ropa.spreadsheets.reader import SheetData, Spreadsheet
from ropa.spreadsheets.report import ImportReport

UNDERSTOOD = "Every cell was understood."


def _spreadsheet() -> Spreadsheet:
    register = SheetData("Register")
    register.rows = {
        1: {1: "Purpose", 2: "Data subjects", 3: "Reviewed"},
        2: {1: "Payroll", 2: "Staff", 3: dt.date(2026, 11, 21)},
        3: {1: "   ", 2: True},  # a cell of spaces is empty
    }
    register.formulas = {(4, 1): "FALSE()"}
    register.rows[4] = {1: False}
    return Spreadsheet(Path("register.xlsx"), "xlsx", [register, SheetData("Empty")])


def test_every_non_empty_cell_starts_not_placed_and_is_quoted_as_written() -> None:
    ledger = Ledger(_spreadsheet())
    assert len(ledger) == 8
    assert [entry.ref for entry in ledger.not_placed] == [
        "A1",
        "B1",
        "C1",
        "A2",
        "B2",
        "C2",
        "B3",
        "A4",
    ]
    assert ledger.get("Register", 3, 2).text == "TRUE"  # as a spreadsheet shows it
    assert ledger.get("Register", 4, 1).text == "=FALSE() (showing FALSE)"
    assert not ledger.all_understood


def test_a_cell_left_unplaced_is_counted_quoted_and_stops_the_claim() -> None:
    ledger = Ledger(_spreadsheet())
    for entry in list(ledger.entries()):
        if entry.ref != "C2":
            ledger.place(entry.sheet, entry.row, entry.column, Destination.FIELD, "a field")
    report = ImportReport(Path("register.xlsx"), ledger=ledger)
    summary = report.summary()
    assert "1 cell NOT PLACED anywhere by the import (a fault: please report it)" in summary
    assert "Register!C2: “2026-11-21”: NOT PLACED" in summary
    assert UNDERSTOOD not in summary
    ledger.place("Register", 2, 3, Destination.FIELD, "Last reviewed")
    assert UNDERSTOOD in report.summary()


def test_a_later_more_telling_destination_wins() -> None:
    ledger = Ledger(_spreadsheet())
    ledger.place("Register", 2, 1, Destination.FIELD, "Purpose of processing")
    ledger.place("Register", 2, 1, Destination.NOTES, "not understood")
    ledger.place("Register", 2, 1, Destination.NOTHING, "an empty field")
    assert ledger.get("Register", 2, 1).destination == Destination.NOTES
    # A cell the file does not hold is never made up.
    ledger.place("Register", 9, 9, Destination.FIELD, "Purpose of processing")
    assert ledger.get("Register", 9, 9) is None
