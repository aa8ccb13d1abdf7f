"""The import never presents a template's example or placeholders as the organisation's
record (review 2, findings 2 and 5), nor a row done as a processor as the controller's own
processing without saying so (finding 1).

Each test imports a real workbook (the ICO's processor template, the published registers in
tests/data/real-registers, or one built here with openpyxl) into a real SQLite register and
reads back what was stored and what the report says.
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook, load_workbook

from ropa.register import Register
from ropa.spreadsheets import import_workbook
from ropa.spreadsheets.export import export_workbook
from ropa.spreadsheets.ledger import Destination
from tests.helpers.conservation import UNDERSTOOD

DATA = Path(__file__).resolve().parents[1] / "data"
REAL = DATA / "real-registers"
ICO_PROCESSOR = DATA / "ico-ropa-template-processor.xlsx"


def _ledger_detail(report: object, sheet: str, ref: str) -> tuple[Destination, str]:
    ledger = report.ledger  # type: ignore[attr-defined]
    for entry in ledger.entries():
        if entry.sheet == sheet and entry.ref == ref:
            return entry.destination, entry.detail
    raise AssertionError(f"{sheet}!{ref} is not in the ledger")


# --- finding 2: the ICO's Example sheet and its placeholder words ---------------------------


def test_the_icos_sample_rows_are_not_read_as_the_organisations_activities(
    register: Register,
) -> None:
    report = import_workbook(register, ICO_PROCESSOR)
    assert register.activities.load() == []
    assert (
        "Example",
        "it holds only the template's own sample rows (10-13), not the organisation's record",
    ) in report.skipped
    summary = report.summary()
    assert "Sheet “Example” was not read: it holds only the template's own sample rows" in summary
    # Nor its contact block's words: the organisation has none of them.
    organisation = register.organisation.get()
    assert organisation.name == "" and organisation.email == "" and organisation.telephone == ""
    assert not report.organisation_updated
    assert _ledger_detail(report, "Example", "B5")[0] == Destination.NOT_READ
    assert UNDERSTOOD not in summary


def _ico_template_with_own_row(tmp_path: Path, *, keep_samples: bool) -> Path:
    workbook = load_workbook(ICO_PROCESSOR)
    example = workbook["Example"]
    if not keep_samples:
        example.delete_rows(10, 4)
    example.append(
        [
            "https://contracts.example.org/acme",
            "Acme Academy Trust, 3 Mill Road, Northtown",
            "N/A",
            "Payroll for Acme Academy Trust",
            "N/A",
            "N/A",
            "Encrypted storage",
        ]
    )
    path = tmp_path / "typed-into-example.xlsx"
    workbook.save(path)
    return path


def test_rows_the_dpo_typed_into_the_example_sheet_are_read_and_the_samples_are_not(
    register: Register, tmp_path: Path
) -> None:
    source = _ico_template_with_own_row(tmp_path, keep_samples=True)
    report = import_workbook(register, source)
    records = register.activities.load()
    assert [record.controllers for record in records] == [
        "Acme Academy Trust, 3 Mill Road, Northtown"
    ]
    summary = report.summary()
    assert (
        "Sheet “Example”: it was read because no other sheet holds rows; its rows 10-13 are "
        "the template's own sample rows and were not read." in summary
    )
    destination, detail = _ledger_detail(report, "Example", "D10")
    assert destination == Destination.NOT_READ and "sample rows" in detail
    # The contact block still holds the ICO's placeholder words: none of them is stored.
    organisation = register.organisation.get()
    assert organisation.name == "" and organisation.dpo_name == "" and organisation.email == ""
    destination, detail = _ledger_detail(report, "Example", "B3")
    assert destination == Destination.NOT_READ
    assert detail == "the template's example wording, not an answer: fill it in"
    assert "Example!B4: “Street, city, postcode”: not read" in summary


def test_an_example_sheet_holding_only_the_dpos_rows_is_read_and_said_so(
    register: Register, tmp_path: Path
) -> None:
    source = _ico_template_with_own_row(tmp_path, keep_samples=False)
    report = import_workbook(register, source)
    assert len(register.activities.load()) == 1
    assert "Sheet “Example”: it was read because no other sheet holds rows." in report.summary()


def test_an_export_of_an_empty_register_gives_back_no_example_activity(
    register: Register, tmp_path: Path
) -> None:
    for processor in (False, True):
        exported = tmp_path / f"empty-{processor}.xlsx"
        export_workbook(register, exported, processor=processor)
        assert load_workbook(exported, read_only=True)["Example"].max_row > 9
        report = import_workbook(register, exported)
        assert register.activities.load() == []
        assert any(
            sheet == "Example" and "the template's own sample rows" in why
            for sheet, why in report.skipped
        )


# --- finding 5: a tool's template placeholders ----------------------------------------------


def test_template_placeholders_in_the_organisation_block_are_not_stored(
    register: Register,
) -> None:
    report = import_workbook(register, REAL / "checktick-ropa-ico.xlsx")
    organisation = register.organisation.get()
    assert "{{" not in organisation.name and "{{" not in organisation.dpo_name
    destination, detail = _ledger_detail(report, "Template", "B3")
    assert destination == Destination.NOT_READ
    assert detail == "a template's placeholder ({{ platform_name }}), not an answer: fill it in"
    assert "Template!D3: “{{ dpo_name }}”: not read (a template's placeholder" in report.summary()


def test_a_placeholder_in_a_line_above_the_table_is_not_offered(
    register: Register, tmp_path: Path
) -> None:
    workbook = Workbook()
    sheet = workbook.worksheets[0]
    sheet.append(["Controller: {{ platform_name }} Ltd, ICO ZA123456"])
    sheet.append([])
    sheet.append(["Purpose of processing", "Categories of individuals", "Retention schedule"])
    sheet.append(["Payroll", "Staff", "6 years"])
    path = tmp_path / "line.xlsx"
    workbook.save(path)
    report = import_workbook(register, path)
    assert report.organisation_offered == {}
    assert register.organisation.get().name == ""
    assert _ledger_detail(report, "Sheet", "A1")[0] == Destination.NOT_READ


def test_a_placeholder_in_an_activity_is_stored_as_written_and_reported(
    register: Register,
) -> None:
    report = import_workbook(register, REAL / "checktick-ropa-ico.xlsx")
    categories = {name for record in register.activities.load() for name in record.individuals}
    assert "{{ platform_name }} Staff" in categories
    assert [(p.sheet, p.cell, p.value) for p in report.placeholders] == [
        ("Template", "D12", "{{ platform_name }} Staff")
    ]
    summary = report.summary()
    assert (
        "1 cell holds a template's placeholder, not an answer; it was stored as written, to be "
        "filled in:\n  Template!D12: “{{ platform_name }} Staff”: stored as written, but "
        "{{ platform_name }} is a template's placeholder, not an answer: fill it in" in summary
    )
    assert UNDERSTOOD not in summary
    assert ("Placeholder", "Template!D12") in {(f.kind, f.reference) for f in report.findings()}


def test_the_iar_with_a_placeholder_is_not_every_cell_understood(register: Register) -> None:
    report = import_workbook(register, REAL / "checktick-iar-ico.xlsx")
    assert UNDERSTOOD not in report.summary()
    assert "{{" not in register.organisation.get().name


def test_an_activity_placeholder_alone_stops_every_cell_understood(
    register: Register, tmp_path: Path
) -> None:
    workbook = Workbook()
    sheet = workbook.worksheets[0]
    sheet.append(["Purpose of processing", "Categories of individuals", "Retention schedule"])
    sheet.append(["Payroll", "{{ org }} staff", "6 years"])
    path = tmp_path / "one.xlsx"
    workbook.save(path)
    report = import_workbook(register, path)
    assert report.ledger is not None and report.ledger.all_understood
    assert not report.all_understood
    assert UNDERSTOOD not in report.summary()


# --- finding 1: a row done as a processor on a controller's sheet -------------------------


def test_a_row_saying_the_organisation_is_processor_is_reported_and_its_basis_is_not_reasoned(
    register: Register,
) -> None:
    report = import_workbook(register, REAL / "propvora-ropa.xlsx")
    records = {record.name: record for record in register.activities.load()}
    contacts = records["Contact management"]
    # Its basis is the basis, without the role statement as the reason for it...
    assert [(e.basis, e.explanation) for e in contacts.lawful_bases] == [("f", "")]
    # ...which is kept, as written, in the activity's notes, and reported.
    assert "operator is controller of their contacts; Propvora is processor" in contacts.notes
    assert any(p.cell == "D7" and "not the reason for the basis" in p.why for p in report.problems)
    # The row (not the sheet) is named to check; the sheet's reason no longer says that
    # nothing on it says it is done for another controller.
    flagged = [p for p in report.moved if "is a processor for this row" in p.why]
    assert [(p.sheet, p.cell) for p in flagged] == [("ROPA", "D7")]
    (sheet,) = report.sheets
    assert sheet.kind == "controller"
    assert sheet.kind_reason.startswith(
        "nothing on the sheet as a whole says it is done for another controller, but a cell "
        "(D7) says the organisation is a processor for its row"
    )
    assert UNDERSTOOD not in report.summary()
    # Every other activity stays as it was read.
    assert [(e.basis, e.explanation) for e in records["AI Copilot"].lawful_bases] == [
        ("f", "with controls"),
        ("a", "where required"),
    ]


def _one_sheet(tmp_path: Path, rows: list[list[str]]) -> Path:
    workbook = Workbook()
    sheet = workbook.worksheets[0]
    sheet.append(
        ["Purpose of processing", "Categories of individuals", "Categories of recipients",
         "Article 6 lawful basis for processing personal data", "Retention schedule"]
    )  # fmt: skip
    for row in rows:
        sheet.append(row)
    path = tmp_path / "rows.xlsx"
    workbook.save(path)
    return path


def test_only_the_rows_that_say_so_are_flagged_and_a_supplier_named_processor_is_not(
    register: Register, tmp_path: Path
) -> None:
    source = _one_sheet(
        tmp_path,
        [
            ["Payroll", "Staff", "Supabase is a processor", "Contract", "6 years"],
            ["Client mailing, acting as a processor for schools", "Pupils", "", "", "1 year"],
            ["Admissions", "Applicants", "", "Public task", "2 years"],
            ["Hosting", "Users", "", "Contract (we are processor; the school is controller)",
             "1 year"],
        ],
    )  # fmt: skip
    report = import_workbook(register, source)
    flagged = [p.cell for p in report.moved if "is a processor for this row" in p.why]
    assert flagged == ["A3", "D5"]
    assert {record.role.value for record in register.activities.load()} == {"controller"}
    assert report.sheets[0].kind == "controller"
    hosting = next(r for r in register.activities.load() if r.purposes == ["Hosting"])
    assert [(e.basis, e.explanation) for e in hosting.lawful_bases] == [("b", "")]
    assert "we are processor; the school is controller" in hosting.notes


def test_a_dpos_row_on_an_exports_example_sheet_is_read_without_the_example_organisation(
    register: Register, tmp_path: Path
) -> None:
    exported = tmp_path / "empty.xlsx"
    export_workbook(register, exported)
    workbook = load_workbook(exported)
    example = workbook["Example"]
    example.append(["Finance", "Paying suppliers", "", "Suppliers", "Bank details"])
    workbook.save(exported)
    report = import_workbook(register, exported)
    assert [record.purposes for record in register.activities.load()] == [["Paying suppliers"]]
    assert (
        "Sheet “Example”: it was read because no other sheet holds rows; its row 10 is the "
        "template's own sample row and was not read." in report.summary()
    )
    organisation = register.organisation.get()
    assert (organisation.name, organisation.email, organisation.dpo_name) == ("", "", "")
    destination, detail = _ledger_detail(report, "Example", "B3")
    assert destination == Destination.NOT_READ and "example organisation" in detail
