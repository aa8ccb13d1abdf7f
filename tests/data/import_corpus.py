"""Hand-made registers in every shape and format a DPO keeps, for the import tests.

Each builder writes one file as a person or another program would, never through our own
export: plain openpyxl (.xlsx, .xlsm), xlwt (.xls, Excel 97-2003), odfpy (.ods, LibreOffice)
and the csv module (Excel's "CSV UTF-8", Windows-1252, semicolons).  Run
`python tests/data/import_corpus.py FOLDER` to write them all and look at them.
"""

from __future__ import annotations

import csv
import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
from openpyxl import Workbook

from ropa.spreadsheets.layout import CONTROLLER_LAYOUT

# The ICO's processor workbook, as the ICO publishes it (a copy of shared/reference's).
PROCESSOR_TEMPLATE = Path(__file__).with_name("ico-ropa-template-processor.xlsx")

ICO_HEADERS = {column.key: column.header for column in CONTROLLER_LAYOUT.ico_columns}
# Older and re-worded headings, as DPOs' own spreadsheets have them.
REWORDED = {
    **ICO_HEADERS,
    "business_function": "DEPARTMENT",
    "purposes": "Purposes of the processing",
    "individuals": "Categories of data subjects",
    "data_categories": "categories of personal   data",
    "lawful_bases": "Lawful basis",
    "retention": "Retention period",
    "joint_controllers": "Name and contact details of joint controller",
    "automated_decisions": "Existence of automated decision-making, including profiling",
    "security_measures": "Security measures",
}

CP_IS = (
    "Under CP-IS, the data of looked after children is automatically sent as an alert to "
    "NHS Digital when they attend an unscheduled care setting"
)

# Activities as DPOs type them, with free text in every yes/no column.
ACTIVITIES: list[dict[str, str]] = [
    {
        "business_function": "Children's Social Care",
        "purposes": "Child protection\nSupporting looked after children",
        "individuals": "• Children\n• Parents and carers",
        "data_categories": "Name and address; Health; Ethnic origin",
        "recipients": "Police\nNHS trusts",
        "processors": "Case System Ltd",
        "transfer_destinations": "N/A",
        "retention": "Until the child turns 25",
        "security_measures": "Role-based access; Encryption at rest",
        "lawful_bases": "Public task - Article 6(1)(e)\nChildren Act 1989",
        "article9": "Article 9(2)(h) health or social care",
        "rights": "All the usual ones",
        "automated_decisions": CP_IS,
        "sources": "Referrals from schools",
        "systems": "Children's case management system",
        "dpia_required": "Yes - completed March 2024",
        "dpia_progress": "Signed off by the information governance board",
        "breach_occurred": "No",
        "schedule1": "Sch 1 para 6 statutory purposes",
        "retention_follows_apd": "Yes",
    },
    {
        "business_function": "Human Resources",
        "purposes": "Paying staff",
        "individuals": "Employees",
        "data_categories": "Bank details\nSalary",
        "recipients": "HMRC; Pension fund",
        "retention": "6 years after employment ends",
        "security_measures": "Payroll team only",
        "lawful_bases": "Art 6(1)(b) contract\nArt 6(1)(c) legal obligation",
        "automated_decisions": "No",
        "sources": "The employee",
        "dpia_required": "No",
        "breach_occurred": "A laptop was lost on a train in 2023 and reported to the ICO",
        "retention_follows_apd": "We follow the corporate retention schedule for all records",
    },
    {
        "business_function": "Revenues and Benefits",
        "purposes": "Collecting council tax",
        "individuals": "Residents",
        "data_categories": "Financial details",
        "recipients": "Enforcement agents",
        "retention": "6 years",
        "lawful_bases": "Public task / legal obligation",
        "automated_decisions": "Yes - council tax reduction is assessed automatically",
        "dpia_required": "Y",
        "breach_occurred": "N",
        "retention_follows_apd": "Yes - except archived paper files",
    },
]
OWN_COLUMNS = {
    "Information asset owner": ["Head of Children's Services", "HR Manager", ""],
    "System supplier": ["Liquidlogic", "", "Capita"],
}


@dataclass
class Sheet:
    title: str
    rows: list[list[str | None]] = field(default_factory=list)
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)  # r1, c1, r2, c2
    links: dict[tuple[int, int], str] = field(default_factory=dict)
    processor: bool = False  # a processor's activities (Article 30(2))


@dataclass
class Built:
    path: Path
    activities: int
    sheets: list[Sheet]  # what was written, to compare the import and export with
    sheets_skipped: tuple[str, ...] = ()


def contact_block(title: str = "Controller") -> list[list[str | None]]:
    return [
        [title],
        ["Name and contact details", None, "Data Protection Officer (if applicable)"],
        ["Name", "Westshire County Council", "Name", "Sam Patel"],
        ["Address", "County Hall, Westshire", "Address", "County Hall, Westshire"],
        ["Email", "info@westshire.example", "Email", "dpo@westshire.example"],
        ["Telephone", "01632 961000", "Telephone", "01632 961001"],
        [],
        ["Article 30 Record of Processing Activities"],
    ]


def table(
    headers: dict[str, str],
    activities: list[dict[str, str]],
    *,
    own: dict[str, list[str]] | None = None,
    own_after: str | None = None,
) -> list[list[str | None]]:
    """The headings row and one row per activity; the organisation's own columns after the
    ICO's, or after the column `own_after`."""
    keys: list[str] = list(headers)
    names = list(own or {})
    place = keys.index(own_after) + 1 if own_after else len(keys)
    layout: list[tuple[str, str]] = [("ico", key) for key in keys]
    layout[place:place] = [("own", name) for name in names]
    rows: list[list[str | None]] = [
        [headers[key] if kind == "ico" else key for kind, key in layout]
    ]
    for index, activity in enumerate(activities):
        rows.append(
            [
                (activity.get(key) if kind == "ico" else (own or {})[key][index]) or None
                for kind, key in layout
            ]
        )
    return rows


# --- writers, one a format -------------------------------------------------------------------


def write_xlsx(path: Path, sheets: list[Sheet]) -> Path:
    workbook = Workbook()
    workbook.remove(workbook.worksheets[0])
    for spec in sheets:
        sheet = workbook.create_sheet(spec.title)
        for values in spec.rows:
            sheet.append(values)
        for r1, c1, r2, c2 in spec.merges:
            sheet.merge_cells(start_row=r1, start_column=c1, end_row=r2, end_column=c2)
        for (row, column), url in spec.links.items():
            sheet.cell(row, column).hyperlink = url
    workbook.save(path)
    return path


def write_xls(path: Path, sheets: list[Sheet]) -> Path:
    import xlwt

    workbook = xlwt.Workbook(encoding="utf-8")
    for spec in sheets:
        sheet = workbook.add_sheet(spec.title)
        covered = {
            (row, column)
            for r1, c1, r2, c2 in spec.merges
            for row in range(r1, r2 + 1)
            for column in range(c1, c2 + 1)
        }
        for r1, c1, r2, c2 in spec.merges:
            sheet.write_merge(r1 - 1, r2 - 1, c1 - 1, c2 - 1, spec.rows[r1 - 1][c1 - 1])
        for row_number, row in enumerate(spec.rows, start=1):
            for column, value in enumerate(row, start=1):
                if value is not None and (row_number, column) not in covered:
                    sheet.write(row_number - 1, column - 1, value)
    workbook.save(str(path))
    return path


def write_ods(path: Path, sheets: list[Sheet]) -> Path:
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import CoveredTableCell, Table, TableCell, TableRow
    from odf.text import A, P

    document = OpenDocumentSpreadsheet()
    for spec in sheets:
        ods_table = Table(name=spec.title)
        # As LibreOffice writes a merge: the first cell spans, the others are "covered".
        spans = {(r1, c1): (r2 - r1 + 1, c2 - c1 + 1) for r1, c1, r2, c2 in spec.merges}
        covered = {
            (row, column)
            for r1, c1, r2, c2 in spec.merges
            for row in range(r1, r2 + 1)
            for column in range(c1, c2 + 1)
        } - set(spans)
        for row_number, row in enumerate(spec.rows, start=1):
            ods_row = TableRow()
            for column, value in enumerate(row, start=1):
                if (row_number, column) in covered:
                    ods_row.addElement(CoveredTableCell())
                    continue
                rows_spanned, columns_spanned = spans.get((row_number, column), (1, 1))
                merge = (
                    {"numberrowsspanned": rows_spanned, "numbercolumnsspanned": columns_spanned}
                    if (row_number, column) in spans
                    else {}
                )
                if value is None:
                    ods_row.addElement(TableCell(**merge))
                    continue
                cell = TableCell(valuetype="string", **merge)
                link = spec.links.get((row_number, column))
                for line in value.split("\n"):  # LibreOffice keeps each line as a paragraph
                    paragraph = P()
                    if link:
                        paragraph.addElement(A(href=link, text=line))
                    else:
                        paragraph.addText(line)
                    cell.addElement(paragraph)
                ods_row.addElement(cell)
            ods_table.addElement(ods_row)
        document.spreadsheet.addElement(ods_table)
    document.save(str(path))
    return path


def write_csv(path: Path, sheet: Sheet, *, encoding: str, delimiter: str = ",") -> Path:
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle, delimiter=delimiter)
        for row in sheet.rows:
            writer.writerow(["" if value is None else value for value in row])
    return path


def hand_made(path: Path, rows: list[dict[str, str]], *, register_columns: bool = False) -> Path:
    """A sheet of the ICO's headings (and with `register_columns`, ours after them) and one
    row per activity, each given as heading -> text; for tests about a few cells."""
    spec = CONTROLLER_LAYOUT
    headers = [column.header for column in (spec.columns if register_columns else spec.ico_columns)]
    grid: list[list[str | None]] = [list(headers)]
    grid += [[values.get(header) for header in headers] for values in rows]
    return write_xlsx(path, [Sheet("Sheet1", grid)])


# --- the corpus ------------------------------------------------------------------------------


def ico_with_contacts(folder: Path) -> Built:
    """The ICO layout as the template has it, with the organisation's own columns."""
    sheets = [Sheet("ROPA", contact_block() + table(ICO_HEADERS, ACTIVITIES, own=OWN_COLUMNS))]
    return Built(write_xlsx(folder / "ico-with-contacts.xlsx", sheets), 3, sheets)


def headings_lower_down(folder: Path) -> Built:
    """No contact block; the headings in row 20 under a title and some notes."""
    rows: list[list[str | None]] = [["Westshire Council – information asset register"]]
    blank: list[str | None] = [None]
    rows += [blank] * 5 + [["Kept by the information governance team"]] + [blank] * 11
    rows.append([])
    rows += table(ICO_HEADERS, ACTIVITIES, own=OWN_COLUMNS, own_after="purposes")
    assert len(rows) == 20 + len(ACTIVITIES)
    sheets = [Sheet("Register", rows)]
    return Built(write_xlsx(folder / "headings-lower-down.xlsx", sheets), 3, sheets)


# A note typed beside a row, in a column with no heading right of the ICO columns.
ASIDE = "Ask head about this one"


def reworded_headings(folder: Path) -> Built:
    """Older and re-worded headings, in odd case and spacing, and a note beside a row in a
    column with no heading."""
    rows = table(REWORDED, ACTIVITIES)
    rows[2] += [None, ASIDE]
    sheets = [Sheet("Sheet1", rows)]
    return Built(write_xlsx(folder / "reworded-headings.xlsx", sheets), 3, sheets)


def several_sheets(folder: Path) -> Built:
    """One sheet per department, and a sheet of look-up lists that is not a register."""
    children = Sheet("Children's Services", contact_block() + table(ICO_HEADERS, ACTIVITIES[:1]))
    others = Sheet("Corporate", table(ICO_HEADERS, ACTIVITIES[1:]))
    lookups = Sheet("Lookups", [["Yes"], ["No"], ["Public task"], ["Consent"]])
    sheets = [children, lookups, others]
    path = write_xlsx(folder / "several-sheets.xlsx", sheets)
    return Built(path, 3, sheets, sheets_skipped=("Lookups",))


def one_activity_over_rows(folder: Path) -> Built:
    """An activity over three rows, a merged business function shared by two activities,
    and a hyperlink shown as "Link"."""
    sheet = _rows_merges_links()
    return Built(write_xlsx(folder / "rows-merges-links.xlsx", [sheet]), 3, [sheet])


def libreoffice_rows_merges_links(folder: Path) -> Built:
    """The same in LibreOffice (.ods), which keeps merges and links its own way."""
    sheet = _rows_merges_links()
    return Built(write_ods(folder / "rows-merges-links.ods", [sheet]), 3, [sheet])


def _rows_merges_links() -> Sheet:
    headers = ICO_HEADERS
    keys = list(headers)
    rows = table(headers, [ACTIVITIES[0]])
    extra: list[list[str | None]] = [[None] * len(keys) for _ in range(2)]
    extra[0][keys.index("recipients")] = "Local authority designated officer"
    extra[1][keys.index("retention")] = "Contact records: 6 years"
    second = {**ACTIVITIES[1], "business_function": "Human Resources"}
    third = {**ACTIVITIES[2], "business_function": ""}
    rows += extra + table(headers, [second, third])[1:]
    rows[-1][keys.index("business_function")] = None
    rows[1][keys.index("dpia_link")] = "Link"
    first_data = 2
    merged_row = first_data + 3  # "Human Resources" and the row below
    return Sheet(
        "ROPA",
        rows,
        merges=[(merged_row, 1, merged_row + 1, 1)],
        links={(first_data, keys.index("dpia_link") + 1): "https://intranet.example/dpia/42"},
    )


def macro_enabled(folder: Path) -> Built:
    """A macro-enabled workbook (.xlsm), as councils that automate their register keep."""
    built = ico_with_contacts(folder)
    path = built.path.rename(folder / "macro-enabled.xlsm")
    return Built(path, 3, built.sheets)


def excel_97(folder: Path) -> Built:
    """Excel 97-2003 (.xls), still common in councils, with the ICO's merged title and a
    business function merged over two activities."""
    activities = [dict(activity) for activity in ACTIVITIES]
    activities[1]["business_function"] = ""  # under the merge
    rows = contact_block() + table(ICO_HEADERS, activities, own=OWN_COLUMNS)
    first_data = len(contact_block()) + 2
    merges = [(1, 1, 1, 6), (first_data, 1, first_data + 1, 1)]
    sheet = Sheet("ROPA", rows, merges=merges)
    return Built(write_xls(folder / "excel-97.xls", [sheet]), 3, [sheet])


def controller_and_processor_sheets(folder: Path) -> Built:
    """A controller sheet and a processor sheet (the ICO's example rows) in one workbook."""
    controller = Sheet("Controller", contact_block() + table(ICO_HEADERS, ACTIVITIES))
    processor = ico_processor_example(folder).sheets[0]
    processor = Sheet("Processor", processor.rows, processor=True)
    sheets = [controller, processor]
    return Built(write_xlsx(folder / "controller-and-processor.xlsx", sheets), 7, sheets)


def libreoffice(folder: Path) -> Built:
    """An OpenDocument spreadsheet (.ods) from LibreOffice."""
    sheets = [Sheet("ROPA", contact_block() + table(REWORDED, ACTIVITIES, own=OWN_COLUMNS))]
    return Built(write_ods(folder / "libreoffice.ods", sheets), 3, sheets)


def csv_utf8_bom(folder: Path) -> Built:
    """Excel's "CSV UTF-8": a byte order mark, commas, cells over several lines."""
    sheet = Sheet("csv", table(ICO_HEADERS, ACTIVITIES, own=OWN_COLUMNS))
    return Built(write_csv(folder / "excel-utf8.csv", sheet, encoding="utf-8-sig"), 3, [sheet])


def csv_windows_1252(folder: Path) -> Built:
    """Excel's "CSV (Comma delimited)" on a British Windows machine: Windows-1252."""
    activities = [dict(activity) for activity in ACTIVITIES]
    activities[1]["data_categories"] = "Bank details\nSalary (£ per year)\nPension – “final salary”"
    sheet = Sheet("csv", table(ICO_HEADERS, activities, own=OWN_COLUMNS))
    return Built(write_csv(folder / "windows-1252.csv", sheet, encoding="cp1252"), 3, [sheet])


def csv_semicolons(folder: Path) -> Built:
    """Semicolon-separated, as Excel writes CSV where the comma is the decimal mark."""
    sheet = Sheet("csv", contact_block() + table(REWORDED, ACTIVITIES))
    path = write_csv(folder / "semicolons.csv", sheet, encoding="utf-8", delimiter=";")
    return Built(path, 3, [sheet])


def ico_processor_example(folder: Path) -> Built:
    """The ICO's own processor workbook, its Example sheet renamed Template: four rows,
    one per controller and processing (Article 30(2)), two with the same purpose."""
    path = folder / "ico-processor-example.xlsx"
    shutil.copy(PROCESSOR_TEMPLATE, path)
    workbook = openpyxl.load_workbook(path)
    del workbook["Template"]
    example = workbook["Example"]
    example.title = "Template"
    rows = [list(row) for row in example.iter_rows(values_only=True)]
    workbook.save(path)
    grid = [[None if value is None else str(value) for value in row] for row in rows]
    sheet = Sheet("Template", grid, processor=True)
    return Built(path, 4, [sheet], sheets_skipped=("Notes",))


CORPUS: list[Callable[[Path], Built]] = [
    ico_with_contacts,
    headings_lower_down,
    reworded_headings,
    several_sheets,
    one_activity_over_rows,
    libreoffice_rows_merges_links,
    controller_and_processor_sheets,
    macro_enabled,
    excel_97,
    libreoffice,
    csv_utf8_bom,
    csv_windows_1252,
    csv_semicolons,
    ico_processor_example,
]


if __name__ == "__main__":
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "import-corpus")
    out.mkdir(parents=True, exist_ok=True)
    for build in CORPUS:
        print(build(out).path)
