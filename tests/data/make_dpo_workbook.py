"""Build a controller workbook the way a DPO fills one in by hand (for the import tests).

Run `python tests/data/make_dpo_workbook.py OUT.xlsx` to look at it; the tests call build().
It has what real spreadsheets have: a renamed sheet, headings in other case and spacing with
"(if applicable)" dropped, an extra column of the organisation's own, several values in a
cell (new lines, semicolons, bullets, numbering), "N/A" and "-", one activity over two rows,
a merged business function, a hyperlink shown as "Link", law written in words, and text
the import cannot understand.
"""

from __future__ import annotations

import sys
from pathlib import Path

from openpyxl import Workbook

HEADERS = [
    "Business Function",
    "Purpose of  processing",
    "Name and contact details of joint controller",
    "categories of individuals",
    "Categories of personal data",
    "Categories of recipients",
    "Link to contract with processor",
    "Names of third countries or international organisations that personal data are transferred to",
    "Safeguards for exceptional transfers of personal data to third countries or "
    "international organisations",
    "Retention schedule",
    "General description of technical and organisational security measures",
    "Article 6 lawful basis for processing personal data",
    "Article 9 condition for processing special category data",
    "Our internal owner",  # the organisation's own column: ignored
    "Legitimate interests for the processing",
    "Rights available to individuals",
    "Existence of automated decision-making, including profiling",
    "The source of the personal data",
    "Link to record of consent",
    "Location of personal data",
    "Data Protection Impact Assessment required?",
    "Data Protection Impact Assessment progress",
    "Link to Data Protection Impact Assessment",
    "Has a personal data breach occurred?",
    "Link to record of personal data breach",
    "Data Protection Act 2018 Schedule 1 Condition for processing",
    "GDPR Article 6 lawful basis for processing",
    "Link to retention and erasure policy document",
    "Is personal data retained and erased in accordance with the policy document?",
    "Reasons for not adhering to policy document",
]

DPIA_URL = "https://intranet.example.gov.uk/dpia/EH-2024"


def build(path: Path) -> Path:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Council ROPA 2024"
    sheet["A1"] = "Controller"
    sheet["A2"] = "Name and contact details"
    sheet["C2"] = "Data Protection Officer (if applicable)"
    sheet["E2"] = "Representative (if applicable)"
    details = [
        ("Name", "Westshire County Council", "Sam Patel", "N/A"),
        ("Address", "County Hall, Westshire, WS1 2AB", "County Hall, Westshire", "N/A"),
        ("Email", "info@westshire.example", "dpo@westshire.example", "-"),
        ("Telephone", "01632 961000", "01632 961001", "N/A"),
    ]
    for offset, (label, own, dpo, representative) in enumerate(details):
        row = 3 + offset
        for column, value in (
            (1, label),
            (2, own),
            (3, label),
            (4, dpo),
            (5, label),
            (6, representative),
        ):
            sheet.cell(row, column, value)
    sheet["A8"] = "Article 30 Record of Processing Activities"
    for index, header in enumerate(HEADERS, start=1):
        sheet.cell(9, index, header)

    def put(row: int, header_start: str, value: str) -> None:
        for index, header in enumerate(HEADERS, start=1):
            if header.casefold().startswith(header_start.casefold()):
                sheet.cell(row, index, value)
                return
        raise KeyError(header_start)

    # Activity 1: early help, over rows 10 and 11 (row 11 continues it).
    put(10, "Business", "Early Help")
    put(10, "Purpose", "Supporting families\nEarly intervention")
    put(10, "Name and contact", "N/A")
    put(10, "categories of ind", "• Children\n• Parents and carers")
    put(10, "Categories of pers", "1. Name and address\n2. Health\n3. School records")
    put(10, "Categories of rec", "Schools; Health visitors; Police")
    put(10, "Link to contract", "Family Hub Systems Ltd")
    sheet.cell(
        10, HEADERS.index("Link to contract with processor") + 1
    ).hyperlink = "https://contracts.example.gov.uk/FH-001"
    put(10, "Names of third", "-")
    put(10, "Retention", "Until the child is 25")
    put(10, "General desc", "Role based access; Encryption")
    put(
        10,
        "Article 6",
        "Public task\nChildren Act 1989\nChildren Act 2004\n"
        "Working Together to Safeguard Children 2023",
    )
    put(
        10,
        "Article 9",
        "9(2)(h) health or social care\nArticle 9(2)(g) substantial public interest",
    )
    put(10, "Our internal", "Head of Early Help")
    put(10, "Existence", "No")
    put(10, "The source", "Referrals from schools")
    put(10, "Location", "Early help case system")
    put(10, "Data Protection Impact Assessment required", "Yes")
    put(10, "Link to Data", "Link")
    sheet.cell(
        10, HEADERS.index("Link to Data Protection Impact Assessment") + 1
    ).hyperlink = DPIA_URL
    put(10, "Has a personal", "No")
    put(
        10,
        "Data Protection Act 2018",
        "Schedule 1 Part 2 paragraph 18\nSch 1 para 6 statutory purposes",
    )
    put(10, "Is personal data", "Yes")
    # Row 11 continues activity 1: more recipients and a second retention rule.
    put(11, "Categories of rec", "Local authority social care")
    put(11, "Retention", "Contact records: 6 years")

    # Activities 2 and 3 share a merged business function.
    put(12, "Business", "School Admissions")
    sheet.merge_cells(start_row=12, start_column=1, end_row=13, end_column=1)
    put(12, "Purpose", "Allocating school places")
    put(12, "categories of ind", "Children; Parents")
    put(12, "Article 6", "Legal obligation - School Standards and Framework Act 1998")
    put(12, "Retention", "1 year after the appeal period")
    put(13, "Purpose", "Admission appeals")
    put(13, "categories of ind", "Children\nParents\nAppeal panel members")
    put(13, "Article 6", "6(1)(e)\nSchool Admission Appeals Code 2022\nsomething unclear: ask Jo")
    put(13, "Article 9", "because we need it")
    put(13, "Existence", "Perhaps in future")
    workbook.save(path)
    return path


if __name__ == "__main__":
    print(build(Path(sys.argv[1] if len(sys.argv) > 1 else "dpo_hand_made.xlsx")))
