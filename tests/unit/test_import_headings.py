"""Columns by meaning, and controller or processor told from what a sheet says.

Each workbook is written with openpyxl as a DPO or a tool wrote it, imported into a real
SQLite register, and the register (or its export) read back.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import openpyxl
import pytest

from ropa.records import Role
from ropa.register import Register
from ropa.spreadsheets import export_workbook, import_workbook
from ropa.spreadsheets.cli import mapping_from
from ropa.spreadsheets.errors import SpreadsheetError
from ropa.spreadsheets.layout import Kind
from tests.helpers.cli import run_ropa
from tests.helpers.conservation import UNDERSTOOD, check_conservation, workbook_text


def _write(path: Path, sheets: Mapping[str, Sequence[Sequence[object]]]) -> Path:
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    workbook.save(path)
    return path


def test_a_processor_record_with_its_own_headings_is_read_as_a_processors(
    register: Register, tmp_path: Path
) -> None:
    headings = [
        "#",
        "Processing activity",
        "Data subjects",
        "Personal data categories",
        "What happens",
        "Sub-processors involved",
        "Transfers",
        "Security measures (summary)",
    ]
    row = [
        1,
        "Survey hosting for NHS trusts",
        "Patients",
        "Survey answers; NHS number",
        "We store and display answers for the trust",
        "AWS (hosting)",
        "None",
        "Encryption at rest",
    ]
    source = _write(tmp_path / "processor.xlsx", {"Records": [headings, row]})
    report = import_workbook(register, source)
    (record,) = register.activities.load()
    assert record.role == Role.PROCESSOR
    assert record.name == "Survey hosting for NHS trusts"
    assert record.individuals == ["Patients"]
    assert record.data_categories == ["Survey answers", "NHS number"]
    assert record.security_measures == ["Encryption at rest"]
    assert "Sub-processors involved" in report.sheets[0].kind_reason
    check_conservation(register, source, report, tmp_path)
    # Clients' processing is in the processor workbook, not the controller one.
    controller = export_workbook(register, tmp_path / "c.xlsx").path
    processor = export_workbook(register, tmp_path / "p.xlsx", processor=True).path
    assert "survey hosting" not in workbook_text(controller)
    assert "survey hosting" in workbook_text(processor)


def test_four_ico_headings_and_nothing_else_make_a_table(
    register: Register, tmp_path: Path
) -> None:
    headings = [
        "Business function",
        "Purpose of processing",
        "Categories of individuals",
        "Categories of personal data",
    ]
    source = _write(
        tmp_path / "plain.xlsx", {"Sheet1": [headings, ["HR", "Payroll", "Staff", "Bank details"]]}
    )
    report = import_workbook(register, source)
    (record,) = register.activities.load()
    assert (record.business_function, record.purposes) == ("HR", ["Payroll"])
    assert record.role == Role.CONTROLLER
    assert UNDERSTOOD in report.summary()


def test_a_controller_column_and_the_controllers_basis_make_a_processor_record(
    register: Register, tmp_path: Path
) -> None:
    headings = ["Controller", "Purpose", "Lawful Basis (Controller's)", "Sub-processors"]
    source = _write(
        tmp_path / "clients.xlsx",
        {"Sheet1": [headings, ["Acme Ltd", "Payroll bureau", "Contract", "Sage"]]},
    )
    report = import_workbook(register, source)
    (record,) = register.activities.load()
    assert record.role == Role.PROCESSOR and record.controllers == "Acme Ltd"
    assert not report.sheets[0].kind_unsure
    # The controller's basis is not the organisation's own: kept under its heading.
    assert record.lawful_bases == []
    assert record.extra_fields["Lawful Basis (Controller's)"] == "Contract"
    check_conservation(register, source, report, tmp_path)


def test_a_sheet_that_says_both_is_not_silently_made_the_organisations_own(
    register: Register, tmp_path: Path
) -> None:
    headings = ["Business function", "Purpose", "Lawful basis", "Controller", "Data subjects"]
    rows = [headings, ["Payroll", "Pay staff", "Contract", "Acme Ltd", "Staff"]]
    source = _write(tmp_path / "both.xlsx", {"Register": rows})
    report = import_workbook(register, source, dry_run=True)
    entry = report.sheets[0]
    assert entry.kind == "processor" and entry.kind_unsure
    assert "CHECK: Sheet “Register” was read as a processor's record" in report.summary()
    assert "choose “controller” for this sheet" in report.summary()
    # The DPO's choice settles it.
    report = import_workbook(register, source, roles={"Register": Kind.CONTROLLER})
    (record,) = register.activities.load()
    assert record.role == Role.CONTROLLER and record.lawful_bases[0].basis == "b"


@pytest.mark.parametrize(
    ("heading", "field", "text"),
    [
        ("Recipients/processors", "recipients", "Supabase"),
        ("Third Party Recipients", "recipients", "HMRC"),
        ("Lawful basis (proposed)", "lawful_bases", "Consent"),
        ("Categories", "data_categories", "Contact details"),
        ("Data Type", "data_categories", "Email address"),
        ("Int'l Transfer?", "transfer_destinations", "United States"),
        ("Sub-processors", "processors", "Stripe"),
        (
            "Article 9 basis for processing special category data",
            "article9",
            "Article 9(2)(h) health or social care",
        ),
        ("Categories of individuals", "individuals", "Pupils"),
        ("Retention (years)", "retention", "6 years"),
    ],
)
def test_reworded_headings_fill_the_field_they_mean(
    register: Register, tmp_path: Path, heading: str, field: str, text: str
) -> None:
    source = _write(
        tmp_path / "reworded.xlsx",
        {"Sheet1": [["Business function", "Purpose", heading], ["Sales", "Selling", text]]},
    )
    # As the organisation's own processing ("Sub-processors" alone would make the sheet
    # a processor's record, asked about: see the test above).
    import_workbook(register, source, roles={"Sheet1": Kind.CONTROLLER})
    (record,) = register.activities.load()
    assert record.extra_fields == {}, f"{heading} became an own column"
    value = {
        "transfer_destinations": [entry.destination for entry in record.transfers],
        "lawful_bases": [entry.basis for entry in record.lawful_bases],
        "article9": [entry.code for entry in record.article9],
        "retention": [entry.period for entry in record.retention],
    }.get(field, getattr(record, field, None))
    expected = {"lawful_bases": ["a"], "article9": ["h"]}.get(field, [text])
    assert value == expected


def test_the_dpo_maps_a_heading_from_the_command_line(tmp_path: Path) -> None:
    source = _write(
        tmp_path / "odd.xlsx",
        {
            "Sheet1": [
                ["Business function", "Purpose", "Who gets it", "Scribbles"],
                ["Sales", "Selling", "Couriers", "ring Bob"],
            ]
        },
    )
    map_file = tmp_path / "mapping.txt"
    map_file.write_text("# my layout\nScribbles=ignore\n", encoding="utf-8")
    database = tmp_path / "r.ropa"
    done = run_ropa(
        "import",
        str(source),
        "--db",
        str(database),
        "--new",
        "--map",
        "Who gets it=recipients",
        "--map-file",
        str(map_file),
    )
    assert done.returncode == 0, done.stderr
    assert "Sheet1!D2: “ring Bob”: not read (in a column the DPO ignored)" in done.stdout
    assert UNDERSTOOD not in done.stdout
    with Register.open(database) as register:
        (record,) = register.activities.load()
    assert record.recipients == ["Couriers"]
    assert record.extra_fields == {}


def test_a_mapping_that_names_no_field_is_refused_with_its_place(tmp_path: Path) -> None:
    with pytest.raises(SpreadsheetError, match=r"--map: “Colour” is not a field"):
        mapping_from(["Stuff=Colour"])
    bad = tmp_path / "map.txt"
    bad.write_text("Stuff=recipients\nno sign here\n", encoding="utf-8")
    with pytest.raises(SpreadsheetError, match=r"map\.txt, line 2: “no sign here” is not"):
        mapping_from([], [bad])


@pytest.mark.parametrize(
    ("title", "rows", "why"),
    [
        (
            "Processor record",
            [["Purpose", "Data subjects", "Retention"], ["Payroll bureau", "Staff", "6 years"]],
            "the sheet is called “Processor record”",
        ),
        (
            "Sheet1",
            [
                ["Purpose", "Data subjects", "Retention"],
                ["Payroll run on behalf of Acme Ltd", "Staff", "6 years"],
            ],
            "cell A2 says “on behalf of”",
        ),
    ],
)
def test_a_sheet_named_so_or_cells_saying_on_behalf_of_make_a_processor_record(
    register: Register, tmp_path: Path, title: str, rows: Sequence[Sequence[object]], why: str
) -> None:
    source = _write(tmp_path / "named.xlsx", {title: rows})
    report = import_workbook(register, source)
    (record,) = register.activities.load()
    assert record.role == Role.PROCESSOR
    assert why in report.sheets[0].kind_reason
    check_conservation(register, source, report, tmp_path)


# A GRC tool's main sheet: two processings, each with a reference its list sheets name.
_PROCESSING = (
    ("ref_id", "name", "description", "status"),
    ("P-1", "Payroll", "Paying staff", "Draft"),
    ("P-2", "Recruitment", "Hiring staff", "Draft"),
)


def test_related_sheets_are_read_into_the_processing_they_name(
    register: Register, tmp_path: Path
) -> None:
    source = _write(
        tmp_path / "related.xlsx",
        {
            "Processing": _PROCESSING,
            "Personal data": [
                ["processing", "name", "retention"],
                ["P-1", "Bank details", "6 years"],
                ["Recruitment", "CVs", "1 year"],
                ["P-9", "Shoe size", None],
            ],
        },
    )
    report = import_workbook(register, source)
    records = {record.name: record for record in register.activities.load()}
    assert sorted(records) == ["Payroll", "Recruitment"]  # never "Bank details"
    assert records["Payroll"].data_categories == ["Bank details"]
    assert records["Recruitment"].data_categories == ["CVs"]
    # A row naming no processing of the workbook is reported, not guessed.
    assert "Personal data!B4: “Shoe size”: not read (a list row naming no processing" in (
        report.summary()
    )
    check_conservation(register, source, report, tmp_path)


def test_related_sheets_that_do_not_say_which_processing_are_refused(
    register: Register, tmp_path: Path
) -> None:
    source = _write(
        tmp_path / "unkeyed.xlsx",
        {
            "Processing": _PROCESSING,
            "Personal data": [["name", "retention"], ["Bank details", "6 years"]],
        },
    )
    refusal = r"unkeyed\.xlsx, sheet “Personal data”: it lists .* “Processing”"
    with pytest.raises(SpreadsheetError, match=refusal):
        import_workbook(register, source)
    assert register.activities.load() == []


def test_clients_processing_never_reaches_the_organisations_notice(
    register: Register, tmp_path: Path
) -> None:
    from ropa.notices.content import compose
    from ropa.notices.records import NoticeRecord

    headings = ["Controller", "Purpose", "Lawful Basis (Controller's)", "Sub-processors"]
    source = _write(
        tmp_path / "clients.xlsx",
        {"Sheet1": [headings, ["Acme Ltd", "Payroll bureau for Acme", "Contract", "Sage"]]},
    )
    import_workbook(register, source)
    activities = register.activities.load()
    document = compose(
        NoticeRecord(title="Privacy notice"),
        register.organisation.get(),
        activities,
        special_categories=set(),
        criminal_categories=set(),
    )
    assert document.activities == []
    text = "\n".join(str(block) for section in document.sections for block in section.blocks)
    assert "Payroll bureau" not in text


def test_a_whole_register_on_a_sheet_called_personal_data_is_read_as_one(
    register: Register, tmp_path: Path
) -> None:
    headings = ["Purpose", "Data subjects", "Lawful basis", "Recipients", "Retention"]
    row = ["Payroll", "Staff", "Contract", "HMRC", "6 years"]
    source = _write(tmp_path / "named.xlsx", {"Personal data": [headings, row]})
    report = import_workbook(register, source)
    (record,) = register.activities.load()
    assert record.purposes == ["Payroll"] and record.recipients == ["HMRC"]
    check_conservation(register, source, report, tmp_path)


def test_a_note_below_the_table_is_reported_not_made_an_activity(
    register: Register, tmp_path: Path
) -> None:
    rows: list[list[object]] = [
        ["Business function", "Purpose of processing", "Categories of individuals"],
        ["HR", "Payroll", "Staff"],
        ["Finance", "Invoicing", "Suppliers"],
        [],
        ["* Reviewed by the DPO in May 2026; next review due in May 2027"],
    ]
    source = _write(tmp_path / "footnote.xlsx", {"Register": rows})
    report = import_workbook(register, source)
    names = sorted(record.business_function for record in register.activities.load())
    assert names == ["Finance", "HR"]
    assert (
        "Register!A5: “* Reviewed by the DPO in May 2026; next review due in May 2027”: "
        "not read (a line below the table, apart from it (a note, not an activity))"
    ) in report.summary()
    assert UNDERSTOOD not in report.summary()
    check_conservation(register, source, report, tmp_path)
