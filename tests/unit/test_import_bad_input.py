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
        (_no_headings, r"list\.csv has no table of processing activities"),
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


def _ods_with_spans(folder: Path, spans: str) -> Path:
    """The corpus's .ods with merged cells, its first merge's height set to `spans`."""
    import re
    import zipfile

    from tests.data.import_corpus import libreoffice_rows_merges_links

    source = libreoffice_rows_merges_links(folder).path
    path = folder / f"spans-{len(spans)}.ods"
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(path, "w") as changed:
        for item in original.infolist():
            data = original.read(item.filename)
            if item.filename == "content.xml":
                data = re.sub(rb'number-rows-spanned="\d+"', spans.encode(), data, count=1)
            changed.writestr(item, data)
    return path


def test_an_ods_with_a_damaged_merge_is_refused_and_changes_nothing(
    demo_register: Register, tmp_path: Path
) -> None:
    path = _ods_with_spans(tmp_path, 'number-rows-spanned="two"')
    count = len(demo_register.activity_list.summaries())
    with pytest.raises(SpreadsheetError, match=r"spans-\d+\.ods is damaged"):
        import_workbook(demo_register, path)
    assert len(demo_register.activity_list.summaries()) == count


def test_an_ods_merge_reaching_a_billion_rows_stops_at_the_last_row(
    register: Register, tmp_path: Path
) -> None:
    path = _ods_with_spans(tmp_path, 'number-rows-spanned="1000000000"')
    report = import_workbook(register, path)
    # Cut at the last row: the rows below the merged business function are under it.
    assert len(report.created) == 3
    functions = [record.business_function for record in register.activities.load()]
    assert functions == ["Children's Social Care", "Human Resources", "Human Resources"]
