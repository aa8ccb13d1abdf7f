"""What a hand-typed cell means: lawful bases, conditions and yes/no answers, nothing left over."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from openpyxl import Workbook

from ropa.records import ConditionEntry, LawfulBasisEntry
from ropa.register import Register
from ropa.spreadsheets import export_workbook, import_workbook, lawtext
from ropa.spreadsheets.layout import CONTROLLER_LAYOUT
from tests.data.import_corpus import hand_made


@pytest.mark.parametrize(
    ("text", "bases", "elsewhere"),
    [
        ("Public task - Article 6(1)(e)", [("e", "")], []),
        ("Art 6(1)(f) Legit. Interest", [("f", "")], []),
        ("Art 6(1)(b) & Art 9(2)(h)", [("b", "")], [("article9", "h")]),
        (
            "Health/Social Care: Article 9(2)(h) - Provision of health or social care.",
            [],
            [("article9", "h")],
        ),
        ("Public task / legal obligation", [("e", ""), ("c", "")], []),
        ("Legal obligation (Article 6(1)(c))", [("c", "")], []),
        (
            "Consent: parents sign the form each year",
            [("a", "parents sign the form each year")],
            [],
        ),
        ("Public task and Sch 1 para 6", [("e", "")], [("schedule1", "6")]),
    ],
)
def test_a_basis_is_read_with_nothing_left_over(
    text: str, bases: list[tuple[str, str]], elsewhere: list[tuple[str, str]]
) -> None:
    parsed = lawtext.parse_lawful_bases(text)
    assert [(entry.basis, entry.explanation) for entry in parsed.values] == bases
    assert [(scheme, entry.code) for scheme, entry in parsed.elsewhere] == elsewhere
    assert parsed.not_understood == []


def test_a_condition_written_as_a_question_is_read_and_flagged() -> None:
    parsed = lawtext.parse_conditions("Substantial public interest?", "article9")
    assert parsed.values == [ConditionEntry("g", "")]
    assert parsed.uncertain == ["Substantial public interest?"]


def _workbook(path: Path, rows: list[dict[str, str]]) -> Path:
    return hand_made(path, rows)


ARTICLE6 = "Article 6 lawful basis for processing personal data"
ARTICLE9 = "Article 9 condition for processing special category data"
AUTOMATED = "Existence of automated decision-making, including profiling (if applicable)"
RIGHTS = "Rights available to individuals"


def test_what_a_dpo_typed_is_put_where_it_belongs_and_reported(
    register: Register, tmp_path: Path
) -> None:
    sentence = (
        "Under CP-IS, the data of looked after children is automatically sent as an alert "
        "to NHS Digital"
    )
    path = _workbook(
        tmp_path / "meaning.xlsx",
        [
            {
                "Business function": "Children's Social Care",
                "Purpose of processing": "Child protection",
                ARTICLE6: "Art 6(1)(b) & Art 9(2)(h)",
                ARTICLE9: "Substantial public interest?",
                AUTOMATED: sentence,
                RIGHTS: "All the usual ones",
            },
            {
                "Business function": "Health",
                "Purpose of processing": "Care",
                ARTICLE6: "Health/Social Care: Article 9(2)(h) - "
                "Provision of health or social care.",
            },
        ],
    )
    report = import_workbook(register, path)
    first, second = register.activities.load()
    assert first.lawful_bases == [LawfulBasisEntry("b", "", [])]
    assert [entry.code for entry in first.article9] == ["g", "h"]
    assert first.automated_decisions and first.automated_decision_details == sentence
    assert "All the usual ones" in first.notes
    assert [entry.code for entry in second.article9] == ["h"] and second.lawful_bases == []
    cells = {problem.cell for problem in report.moved}
    assert {"L2", "M2", "Q2", "L3"} <= cells
    noted = [problem.cell for problem in report.problems]
    assert [cell for cell in noted if cell != "L3"] == ["P2"]  # the Rights column
    # "Provision of health or social care." is kept: in the condition, or the whole cell
    # in the notes because its reader did not keep the word.
    kept = " ".join(entry.explanation for entry in second.article9)
    assert "Provision" in kept or ("L3" in noted and "Provision of health" in second.notes)
    summary = report.summary()
    assert "Substantial public interest?" in summary and "All the usual ones" in summary
    # The sentence goes back out in its own column.
    exported = export_workbook(register, tmp_path / "out.xlsx").path
    sheet = openpyxl.load_workbook(exported)["Template"]
    headers = [cell.value for cell in sheet[9]]
    column = headers.index(AUTOMATED) + 1
    assert sentence in str(sheet.cell(10, column).value)


DPIA = "Data Protection Impact Assessment required?"
BREACH = "Has a personal data breach occurred?"


def test_words_with_a_yes_or_no_go_back_out_in_their_column(
    register: Register, tmp_path: Path
) -> None:
    written = {
        DPIA: "Yes - completed March 2024",
        BREACH: "One laptop was lost on a train in 2023 and reported to the ICO",
    }
    path = _workbook(
        tmp_path / "yes-no.xlsx",
        [{"Business function": "HR", "Purpose of processing": "Payroll", **written}],
    )
    report = import_workbook(register, path)
    (stored,) = register.activities.load()
    assert stored.dpia_required is True and stored.breach_occurred is True
    assert report.problems == []
    assert [problem.cell for problem in report.moved] == ["X2"]  # the sentence read as Yes
    sheet = openpyxl.load_workbook(export_workbook(register, tmp_path / "out.xlsx").path)[
        "Template"
    ]
    headers = [cell.value for cell in sheet[9]]
    for header, text in written.items():
        assert text in str(sheet.cell(10, headers.index(header) + 1).value), header


def test_a_companys_register_is_not_told_it_is_a_public_authority(
    register: Register, tmp_path: Path
) -> None:
    """A Ltd company's workbook relying on legitimate interests, imported into a new
    register: whether it is a public authority is asked (with a guess from its name), never
    assumed, so legitimate interests are not held against it."""
    from ropa.checks import run_checks

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["Controller"])
    sheet.append(["Name and contact details", None, "Data Protection Officer (if applicable)"])
    sheet.append(["Name", "Brightside Care Ltd", "Name", "Alex Morgan"])
    sheet.append(["Address", "2 Mill Lane, Exampletown", "Address", "2 Mill Lane, Exampletown"])
    sheet.append([])
    headers = [column.header for column in CONTROLLER_LAYOUT.ico_columns]
    sheet.append(headers)
    values = {
        "Business function": "Marketing",
        "Purpose of processing": "Newsletters to past clients",
        ARTICLE6: "Art 6(1)(f) Legit. Interest",
        "Legitimate interests for the processing (if applicable)": "Keeping clients informed",
    }
    sheet.append([values.get(header) for header in headers])
    path = tmp_path / "company.xlsx"
    workbook.save(path)
    import_workbook(register, path)
    organisation = register.organisation.get()
    assert organisation.name == "Brightside Care Ltd"
    assert organisation.is_public_authority is None  # unknown until the DPO says
    findings = run_checks(register)
    assert "BASIS-PUBLIC-AUTHORITY" not in {finding.rule_id for finding in findings}
    assert not [f.message for f in findings if "public authority cannot" in f.message]
    asked = [f for f in findings if f.rule_id == "ORG-PUBLIC-AUTHORITY"]
    assert len(asked) == 1 and "not likely to be a public authority" in asked[0].message


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("Yes", True),
        ("No", False),
        ("Y", True),
        ("n", False),
        ("N/A", None),
        ("Not applicable", None),
        ("yes.", True),
    ],
)
def test_a_plain_answer_in_a_yes_no_column_is_taken_as_it_is(
    register: Register, tmp_path: Path, typed: str, stored: bool | None
) -> None:
    path = _workbook(
        tmp_path / "answers.xlsx",
        [
            {
                "Business function": "HR",
                "Purpose of processing": "Payroll",
                DPIA: typed,
                BREACH: typed,
            }
        ],
    )
    report = import_workbook(register, path)
    (record,) = register.activities.load()
    assert (record.dpia_required, record.breach_occurred) == (stored, stored)
    assert report.problems == [] and report.moved == []
    details = {name: text for name, text in record.extra_fields.items() if "details" in name}
    if stored is None:
        # "N/A" is the DPO's statement: the question stays open, the words are kept to be
        # written back where they were.
        assert details == {"DPIA required (details)": typed, "Breach occurred (details)": typed}
    else:
        assert details == {}


def test_words_in_a_link_column_of_an_xls_are_kept_and_reported(
    register: Register, tmp_path: Path
) -> None:
    """The reader gives an .xls's values, not where its links lead: "Link" is kept as
    written and the DPO told to import the workbook as .xlsx to keep the address."""
    from tests.data.import_corpus import ICO_HEADERS, Sheet, table, write_xls

    rows = [
        {"business_function": "HR", "purposes": "Payroll", "dpia_link": "Link"},
        {"business_function": "IT", "purposes": "Backups", "dpia_link": "https://x.example/d"},
    ]
    path = write_xls(tmp_path / "links.xls", [Sheet("ROPA", table(ICO_HEADERS, rows))])
    report = import_workbook(register, path)
    payroll, backups = register.activities.load()
    assert (payroll.dpia_link, backups.dpia_link) == ("Link", "https://x.example/d")
    (check,) = [problem for problem in report.moved if problem.value == "Link"]
    assert check.cell == "W2" and ".xlsx" in check.why
    assert not [problem for problem in report.moved if "x.example" in problem.value]
