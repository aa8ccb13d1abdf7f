"""Spreadsheets that cannot be imported: one clear line naming the file and the place, and
the register exactly as it was."""

from __future__ import annotations

from pathlib import Path

import pytest
from msoffcrypto.format.ooxml import OOXMLFile

from ropa.register import Register
from ropa.spreadsheets import SpreadsheetError, import_workbook
from tests.data.import_corpus import ico_with_contacts


def _broken_quote(folder: Path) -> Path:
    path = folder / "export.csv"
    path.write_text(
        "Business function,Purpose of processing,Categories of individuals\n"
        'Housing,"Tenancy management,Tenants\n'
        "Education,Admissions,Pupils\n",
        encoding="utf-8",
    )
    return path


def _html_named_xls(folder: Path) -> Path:
    path = folder / "report.xls"
    path.write_text(
        "<html><body><table><tr><td>Business function</td><td>Purpose of processing</td>"
        "</tr></table></body></html>",
        encoding="utf-8",
    )
    return path


def _no_headings(folder: Path) -> Path:
    path = folder / "list.csv"
    path.write_text("Name,Phone\nSam,01632 961000\n", encoding="utf-8")
    return path


def _encrypted(folder: Path) -> Path:
    plain = ico_with_contacts(folder).path
    path = folder / "locked.xlsx"
    with plain.open("rb") as source, path.open("wb") as target:
        OOXMLFile(source).encrypt("Passw0rd!", target)
    return path


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (_broken_quote, r"export\.csv, line \d+: .*quotation mark"),
        (_html_named_xls, r"report\.xls is a web page \(HTML\)"),
        (_no_headings, r"list\.csv has no row of ICO template headings"),
        (_encrypted, r"locked\.xlsx is protected with a password"),
    ],
    ids=["broken quote", "HTML named .xls", "no headings", "password"],
)
def test_bad_input_is_refused_and_changes_nothing(
    demo_register: Register, tmp_path: Path, make: object, message: str
) -> None:
    history = len(demo_register.history.changes())
    count = len(demo_register.activity_list.summaries())
    path = make(tmp_path)  # type: ignore[operator]
    with pytest.raises(SpreadsheetError, match=message) as refused:
        import_workbook(demo_register, path)
    assert "\n" not in str(refused.value)
    assert len(demo_register.history.changes()) == history
    assert len(demo_register.activity_list.summaries()) == count


def test_a_broken_quote_is_placed_on_the_line_where_it_opens(tmp_path: Path) -> None:
    from ropa.spreadsheets.reader import read_spreadsheet

    with pytest.raises(SpreadsheetError, match="line 2:"):
        read_spreadsheet(_broken_quote(tmp_path))
