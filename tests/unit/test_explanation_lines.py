"""Line breaks a DPO typed in the law an activity relies on (a basis's or condition's
explanation, a transfer's safeguards, a retention rule) survive our own export and import.

They were written on one line and came back joined by spaces, so a register exported,
opened in Excel and imported again came back changed in a field nobody touched. Each text is
now written with its further lines indented under its first (cells.with_continuations).
A further line that reads as something of its own (a basis, legislation, a whole retention
rule, a named destination's safeguard) is read on its own and reported instead, as a line a
DPO indented by hand (test_hand_indented_lines): such a text cannot come back as typed, and
the tests here show it never comes back changed without a note.
"""

from __future__ import annotations

import dataclasses
import io
import string
from pathlib import Path

import openpyxl
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from ropa.records import (
    ActivityRecord,
    ConditionEntry,
    LawfulBasisEntry,
    RetentionEntry,
    TransferEntry,
)
from ropa.register import Register
from ropa.spreadsheets import columns, export_workbook, import_workbook, lawtext
from ropa.spreadsheets.cells import strip_marker
from ropa.spreadsheets.legal_refs import looks_like_legislation
from ropa.spreadsheets.report import ImportReport
from tests.helpers.register_files import copy_register_file

# How the export indents a text's further lines, as the reader of the workbook sees it.
CONTINUATION_INDENT = "    "

TWO_LINES = "We must pay staff.\nHMRC requires RTI returns."
# Further lines that read, on their own, as legislation, as a basis's title and as a condition.
LOOKS_LIKE_LAW = (
    "We must pay staff.\n"
    "Data Protection Act 2018 section 8 applies.\n"
    "Article 6(1)(e) Public task\n"
    "Article 9(2)(b) Employment, social security and social protection"
)
# Spaces at the ends of inner lines and an empty line inside are kept; the text's own edges
# are trimmed, as every cell's are on import (a description's too).
SPACED = "  We must pay staff.  \n   HMRC requires RTI returns.\n\n   \nSee the payroll policy.  "
# A question ending the DPO's words is theirs to keep, on the first line as on the last.
QUESTIONS = "Which Act requires this?\nAsk legal services?"
# Further lines that name a basis or condition in words only: in a cell the export wrote,
# those never started an entry of their own, so they stay the explanation's.
NAMES_IN_WORDS = "We must pay staff.\nConsent is not relied on.\nNor is a public task."
TEXTS = {
    "two lines": TWO_LINES,
    "names in words": NAMES_IN_WORDS,
    "spaced": SPACED,
    "questions": QUESTIONS,
    "a question on one line": "Which Act requires this?",
}


def as_kept(text: str) -> str:
    """The text as the register holds it after the round trip: its edges trimmed."""
    return text.strip()


def with_text(text: str) -> ActivityRecord:
    """An activity holding `text` in every field this module covers, each time among other
    entries (legislation lines, a second basis, condition or rule) that must stay apart."""
    return ActivityRecord(
        reference="PAY-1",
        name="Payroll",
        purposes=["Paying staff"],
        lawful_bases=[
            LawfulBasisEntry("c", text, ["Finance Act 2004", "Employment Rights Act 1996"]),
            LawfulBasisEntry("b", text, []),
            LawfulBasisEntry("e", "", ["Education Act 1996"]),
        ],
        article9=[ConditionEntry("b", text), ConditionEntry("h", "Occupational health.")],
        schedule1=[ConditionEntry("1", text), ConditionEntry("6", "")],
        transfers=[
            TransferEntry("United States", "idta", text),
            TransferEntry("India", "", text),
        ],
        retention=[
            RetentionEntry(text, "leaving\nor retiring", "Pay records and payslips"),
            RetentionEntry("6 years", "the end of the tax year"),
        ],
    )


LAW_FIELDS = ("lawful_bases", "article9", "schedule1", "transfers", "retention")


def kept(record: ActivityRecord) -> dict[str, object]:
    """The fields this module covers, as the register would hold them after a round trip."""
    return {
        name: [
            dataclasses.replace(
                entry,
                **{
                    key: as_kept(value)
                    for key, value in dataclasses.asdict(entry).items()
                    if key in ("explanation", "safeguards", "period", "trigger", "applies_to")
                },
            )
            for entry in getattr(record, name)
        ]
        for name in LAW_FIELDS
    }


def export_and_import(
    record: ActivityRecord, folder: Path, new_register_file: Path
) -> tuple[ActivityRecord, ActivityRecord, Path]:
    """The record saved in a real register, exported to a real workbook, and imported into
    another new register, which reads no line as set apart from the text above it: (as
    saved, as imported, the workbook)."""
    saved, imported, report = export_and_import_with_report(record, folder, new_register_file)
    assert set_apart(report) == set()
    return saved, imported, report.path


def export_and_import_with_report(
    record: ActivityRecord, folder: Path, new_register_file: Path
) -> tuple[ActivityRecord, ActivityRecord, ImportReport]:
    """As export_and_import, whatever the report notes: (as saved, as imported, the
    report)."""
    workbook = folder / "exported.xlsx"
    source = copy_register_file(new_register_file, folder / "source.ropa")
    with Register.open(source, daily_backup=False) as register:
        register.activities.create_many([record])
        (saved,) = register.activities.load()
        export_workbook(register, workbook)
    target = copy_register_file(new_register_file, folder / "target.ropa")
    with Register.open(target, daily_backup=False) as register:
        report = import_workbook(register, workbook)
        assert not report.problems
        (imported,) = register.activities.load()
    return saved, imported, report


def set_apart(report: ImportReport) -> set[tuple[str, str]]:
    """(cell, line) for each line the report says was indented under another but read on
    its own."""
    return {
        (problem.cell, problem.value)
        for problem in report.moved
        if problem.why.startswith("indented under the line above")
    }


def template_cells(workbook: Path) -> list[str]:
    sheet = openpyxl.load_workbook(workbook)["Template"]
    return [
        cell for row in sheet.iter_rows(values_only=True) for cell in row if isinstance(cell, str)
    ]


@pytest.mark.parametrize("text", TEXTS.values(), ids=TEXTS.keys())
def test_every_law_field_comes_back_as_typed(
    text: str, tmp_path: Path, _new_register_file: Path
) -> None:
    saved, imported, _ = export_and_import(with_text(text), tmp_path, _new_register_file)
    assert kept(imported) == kept(saved) == kept(with_text(text))
    assert imported.lawful_bases[0].explanation == as_kept(text)  # the line breaks too


def test_a_further_line_that_reads_as_law_is_read_on_its_own_and_flagged(
    tmp_path: Path, _new_register_file: Path
) -> None:
    """Three lines each, the second looking like legislation, the third like a basis: in a
    law cell these can no longer come back as typed (a DPO indents Acts and bases by hand,
    and those must not vanish into an explanation), so they are read line by line as before
    line breaks were kept, and the report names each such line; never changed silently.
    Safeguards and retention rules take them as the ordinary lines they are there."""
    text = "We must pay staff.\nData Protection Act 2018 section 8 applies.\nArticle 6(1)(f)"
    saved, imported, report = export_and_import_with_report(
        with_text(text), tmp_path, _new_register_file
    )
    assert [(e.basis, e.explanation, e.legislation) for e in imported.lawful_bases] == [
        ("c", "We must pay staff.", ["Data Protection Act 2018 section 8 applies."]),
        # What follows a line read on its own goes where it went before: the Acts the
        # export wrote under (c) go to (f), the basis read last.
        ("f", "", ["Finance Act 2004", "Employment Rights Act 1996"]),
        ("b", "We must pay staff.", ["Data Protection Act 2018 section 8 applies."]),
        ("e", "", ["Education Act 1996"]),
    ]
    # No legislation in a condition: that line goes on with the explanation, as typed.
    assert [(e.code, e.explanation) for e in imported.article9] == [
        ("b", "We must pay staff.\nData Protection Act 2018 section 8 applies."),
        ("h", "Occupational health."),
    ]
    assert [(e.code, e.explanation) for e in imported.schedule1] == [
        ("1", "We must pay staff.\nData Protection Act 2018 section 8 applies."),
        ("6", ""),
    ]
    assert kept(imported)["transfers"] == kept(saved)["transfers"]
    assert kept(imported)["retention"] == kept(saved)["retention"]
    assert set_apart(report) == {
        ("L10", "Data Protection Act 2018 section 8 applies."),
        ("L10", "Article 6(1)(f)"),
        ("M10", "Article 6(1)(f)"),
        ("Z10", "Article 6(1)(f)"),
    }


def test_the_cell_shows_further_lines_indented_under_their_own(
    tmp_path: Path, _new_register_file: Path
) -> None:
    """What a person reading the workbook in Excel sees, read back with openpyxl."""
    _, _, workbook = export_and_import(with_text(TWO_LINES), tmp_path, _new_register_file)
    cells = template_cells(workbook)
    indented = f"{CONTINUATION_INDENT}HMRC requires RTI returns."
    assert (
        "Article 6(1)(c) Legal obligation: We must pay staff.\n"
        f"{indented}\n"
        "Finance Act 2004\n"
        "Employment Rights Act 1996\n"
        "Article 6(1)(b) Contract: We must pay staff.\n"
        f"{indented}\n"
        "Article 6(1)(e) Public task\n"
        "Education Act 1996"
    ) in cells
    assert (
        "United States: International Data Transfer Agreement (IDTA) – We must pay staff.\n"
        f"{indented}\n"
        "India: We must pay staff.\n"
        f"{indented}"
    ) in cells
    assert (
        f"Pay records and payslips: We must pay staff.\n"
        f"{indented} (from leaving\n{CONTINUATION_INDENT}or retiring)\n"
        "6 years (from the end of the tax year)"
    ) in cells


def test_an_empty_line_inside_is_written_empty(tmp_path: Path, _new_register_file: Path) -> None:
    _, imported, workbook = export_and_import(with_text(SPACED), tmp_path, _new_register_file)
    assert (
        "Article 9(2)(b) Employment, social security and social protection: We must pay staff.  \n"
        f"{CONTINUATION_INDENT}   HMRC requires RTI returns.\n"
        "\n"
        f"{CONTINUATION_INDENT}   \n"
        f"{CONTINUATION_INDENT}See the payroll policy.\n"
        "Article 9(2)(h) Health or social care: Occupational health."
    ) in template_cells(workbook)
    assert imported.article9[0].explanation == SPACED.strip()


def test_importing_the_export_again_changes_nothing(register: Register, tmp_path: Path) -> None:
    """The import's report says nothing changed: no field reads as edited by the DPO."""
    register.activities.create_many([with_text(NAMES_IN_WORDS)])
    before = register.activities.load()
    export_workbook(register, tmp_path / "again.xlsx")

    report = import_workbook(register, tmp_path / "again.xlsx")

    assert (report.created, report.updated, len(report.unchanged)) == ([], [], 1)
    assert register.activities.load() == before


def test_importing_again_a_further_line_that_reads_as_law_says_so(
    register: Register, tmp_path: Path
) -> None:
    """Such an explanation cannot come back as typed (above); importing the export over the
    register it came from changes the activity, and the report names every line that
    caused it, in each cell."""
    register.activities.create_many([with_text(LOOKS_LIKE_LAW)])
    export_workbook(register, tmp_path / "again.xlsx")

    report = import_workbook(register, tmp_path / "again.xlsx")

    assert [reference for reference, _ in report.updated] == ["PAY-1"]
    assert set_apart(report) == {
        ("L10", "Data Protection Act 2018 section 8 applies."),
        ("L10", "Article 6(1)(e) Public task"),
        ("L10", "Article 9(2)(b) Employment, social security and social protection"),
        ("M10", "Article 6(1)(e) Public task"),
        ("M10", "Article 9(2)(b) Employment, social security and social protection"),
        ("Z10", "Article 6(1)(e) Public task"),
        ("Z10", "Article 9(2)(b) Employment, social security and social protection"),
    }


# --- cells typed by hand read as before -----------------------------------------------------


def test_a_question_mark_after_a_title_typed_by_hand_is_still_a_doubt() -> None:
    parsed = lawtext.parse_lawful_bases("Article 6(1)(e) Public task?\nArt 6(1)(c): maybe?")
    assert [(e.basis, e.explanation) for e in parsed.values] == [("e", ""), ("c", "maybe")]
    assert parsed.uncertain == ["Article 6(1)(e) Public task?", "Art 6(1)(c): maybe?"]


def test_an_unindented_line_after_an_exported_basis_is_still_its_legislation() -> None:
    parsed = lawtext.parse_lawful_bases(
        "Article 6(1)(c) Legal obligation: We must pay staff.\nFinance Act 2004"
    )
    assert [(e.basis, e.explanation, e.legislation) for e in parsed.values] == [
        ("c", "We must pay staff.", ["Finance Act 2004"])
    ]


@pytest.mark.parametrize(
    ("typed", "bases", "elsewhere"),
    [
        (
            "Art 6(1)(e) public task\nEducation Act 1996\nArt 6(1)(c) legal obligation",
            [("e", "", ["Education Act 1996"]), ("c", "", [])],
            [],
        ),
        (
            "Public task - Education Act 1996\nto run the school\nArticle 9(2)(g)",
            [("e", "to run the school", ["Education Act 1996"])],
            [("article9", "g")],
        ),
        (
            "Article 6(1)(e) Public task\nEducation Act 1996",
            [("e", "", ["Education Act 1996"])],
            [],
        ),
    ],
)
def test_indenting_under_a_line_typed_by_hand_changes_nothing(
    typed: str, bases: list[tuple[str, str, list[str]]], elsewhere: list[tuple[str, str]]
) -> None:
    """Under a line that is not the export's "title: explanation", an indented line is read
    exactly as it was before indenting meant anything: what a reader of the cell takes it to
    say, indented or not."""
    first, *further = typed.split("\n")
    indented = "\n".join([first, *(CONTINUATION_INDENT + line for line in further)])
    for text in (typed, indented):
        parsed = lawtext.parse_lawful_bases(text)
        assert [(e.basis, e.explanation, e.legislation) for e in parsed.values] == bases
        assert [(scheme, entry.code) for scheme, entry in parsed.elsewhere] == elsewhere
        assert parsed.not_understood == []
    assert lawtext.parse_conditions(indented, "article9") == lawtext.parse_conditions(
        typed, "article9"
    )


def _read(cells: dict[str, str | None]) -> columns.Draft:
    """The cells read by the import's own column readers, in the order given."""
    draft = columns.Draft(first_row=2, sheet="Template")
    for column, (key, text) in enumerate(cells.items()):
        columns.read(key, draft, columns.CellIn("Template", f"{'ABCDE'[column]}2", key, text))
    return draft


def test_a_line_indented_by_hand_under_a_retention_rule_continues_it() -> None:
    """A rule has no title to anchor it, so any indented line is read as the rest of the
    rule above, as a person reads it (it used to be a rule of its own: "Pupil records:" a
    period, "until the pupil is 25" another)."""
    draft = _read({"retention": "Pupil records:\n  until the pupil is 25\nStaff: 6 years"})
    assert draft.values["retention"] == [
        RetentionEntry("until the pupil is 25", "", "Pupil records"),
        RetentionEntry("6 years", "", "Staff"),
    ]


def test_a_line_indented_by_hand_under_a_safeguard_belongs_to_its_transfer() -> None:
    """It used to be "not understood" where the cell names two destinations."""
    draft = _read(
        {
            "transfer_destinations": "USA\nIndia",
            "transfer_safeguards": "USA: IDTA\n\tsigned 2024\nIndia: SCCs",
        }
    )
    assert draft.problems == []
    assert [(t.destination, t.mechanism, t.safeguards) for t in draft.values["transfers"]] == [
        ("USA", "idta", "IDTA\nsigned 2024"),
        ("India", "uk_addendum", "SCCs"),
    ]


def test_unindented_lines_typed_by_hand_are_rules_and_safeguards_of_their_own() -> None:
    draft = _read(
        {
            "transfer_destinations": "USA\nIndia",
            "transfer_safeguards": "USA: IDTA\n\nIndia: SCCs",
            "retention": "Pupil records: until the pupil is 25\n\n6 years",
        }
    )
    assert [(t.destination, t.safeguards) for t in draft.values["transfers"]] == [
        ("USA", "IDTA"),
        ("India", "SCCs"),
    ]
    assert draft.values["retention"] == [
        RetentionEntry("until the pupil is 25", "", "Pupil records"),
        RetentionEntry("6 years"),
    ]


# --- a property over many texts -------------------------------------------------------------

# ASCII letters, spaces, punctuation and line breaks. Left out: in a retention rule, a ":"
# cannot be told from the one after what the rule applies to, nor "(from ...)" in its period
# from its trigger, on one line or several alike (as before; see the report).
_PUNCTUATION = " .,;'!?-&/\n"
_texts = st.text(alphabet=string.ascii_letters + _PUNCTUATION + "()", min_size=1, max_size=60)
_rule_texts = st.text(alphabet=string.ascii_letters + _PUNCTUATION, min_size=1, max_size=60)
_KEYS = (
    "lawful_bases",
    "article9",
    "transfer_destinations",
    "transfer_safeguards",
    "retention",
)


@settings(max_examples=60, deadline=None)
@given(
    explanation=_texts.filter(str.strip),
    safeguards=_texts.filter(str.strip),
    period=_rule_texts.filter(str.strip),
    trigger=_rule_texts.filter(str.strip),
)
def test_any_text_over_lines_comes_back_through_a_written_cell(
    explanation: str, safeguards: str, period: str, trigger: str
) -> None:
    """Each cell written by the export's own column writer, saved in a real xlsx, read back
    with openpyxl and read by the import's own column reader: every text comes back as
    typed, edges trimmed. (The round trip through registers is above; this runs the cells
    alone, so that many texts take well under 2 seconds.)"""
    # A rule that starts like a numbered or bulleted item ("a. ", "- ") loses the marker on
    # import, on one line as on several (as before).
    assume(strip_marker(period) == period.strip())
    # A further line of an explanation that reads as legislation ("an Act", "in order")
    # is read on its own and reported (test_a_further_line_that_reads_as_law_...).
    assume(not any(looks_like_legislation(line) for line in explanation.splitlines()[1:]))
    record = ActivityRecord(
        name="Payroll",
        lawful_bases=[
            LawfulBasisEntry("c", explanation, ["Finance Act 2004"]),
            LawfulBasisEntry("f"),
        ],
        article9=[ConditionEntry("b", explanation), ConditionEntry("h", explanation)],
        transfers=[TransferEntry("Canada", "adequacy", safeguards), TransferEntry("Peru", "idta")],
        retention=[RetentionEntry(period, trigger, "Records"), RetentionEntry(period)],
    )
    written = [columns.render(key, record, {}).text for key in _KEYS]
    draft = _read(dict(zip(_KEYS, _through_a_workbook(written), strict=True)))

    assert draft.problems == []
    assert draft.values["lawful_bases"] == [
        LawfulBasisEntry("c", explanation.strip(), ["Finance Act 2004"]),
        LawfulBasisEntry("f"),
    ]
    assert draft.values["article9"] == [
        ConditionEntry("b", explanation.strip()),
        ConditionEntry("h", explanation.strip()),
    ]
    assert draft.values["transfers"] == [
        TransferEntry("Canada", "adequacy", safeguards.strip()),
        TransferEntry("Peru", "idta"),
    ]
    assert draft.values["retention"] == [
        RetentionEntry(period.strip(), trigger.strip(), "Records"),
        RetentionEntry(period.strip()),
    ]


def _through_a_workbook(values: list[str | None]) -> list[str | None]:
    """The values saved in cells of a real xlsx (in memory) and read back with openpyxl."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for column, value in enumerate(values, start=1):
        sheet.cell(1, column, value)
    saved = io.BytesIO()
    book.save(saved)
    read = openpyxl.load_workbook(saved).active
    assert read is not None
    cells = [read.cell(1, column).value for column in range(1, len(values) + 1)]
    assert all(cell is None or isinstance(cell, str) for cell in cells)
    return [str(cell) if cell is not None else None for cell in cells]


def test_a_rule_over_lines_with_its_trigger_comes_back_as_typed(
    tmp_path: Path, _new_register_file: Path
) -> None:
    """The export writes the trigger after the period's last line, indented: that line
    reads as a period "(from" a trigger"), and is still the rest of the rule above."""
    rule = RetentionEntry("6 years\nafter the file is closed", "leaving", "Staff files")
    record = dataclasses.replace(with_text(TWO_LINES), retention=[rule])
    _, imported, _ = export_and_import(record, tmp_path, _new_register_file)
    assert imported.retention == [rule]


def test_what_a_rule_applies_to_over_lines_is_read_as_two_rules_and_said(
    tmp_path: Path, _new_register_file: Path
) -> None:
    """Its colon falls on a further line, which reads as a whole rule ("and payslips: 6
    years"): two rules come back, and the report names the line; never changed silently."""
    rule = RetentionEntry("6 years", "leaving", "Pay records\nand payslips")
    record = dataclasses.replace(with_text(TWO_LINES), retention=[rule])
    _, imported, report = export_and_import_with_report(record, tmp_path, _new_register_file)
    assert imported.retention == [
        RetentionEntry("Pay records"),
        RetentionEntry("6 years", "leaving", "and payslips"),
    ]
    assert set_apart(report) == {("J10", "and payslips: 6 years (from leaving)")}
