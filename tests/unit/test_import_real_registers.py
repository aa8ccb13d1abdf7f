"""Registers other organisations published, imported and exported as they are.

The files in tests/data/real-registers (copied as they are from the project's shared
reference folder; SOURCES.md says where each was published) and the ICO's processor workbook
with its Example sheet: nobody on this project wrote them.  Each is
imported into an empty register and exported both ways; every word of every non-empty
cell must be in the export or the import report (in the export whenever the report does
not say otherwise), every cell must have a destination in the ledger, and the report
says every cell was understood only when that is so (tests/helpers/conservation.py).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ropa.records import Role
from ropa.register import Register
from ropa.spreadsheets import import_workbook
from ropa.spreadsheets.ledger import Destination
from tests.helpers.conservation import UNDERSTOOD, check_conservation

DATA = Path(__file__).resolve().parents[1] / "data"
REAL = DATA / "real-registers"
ICO_PROCESSOR = DATA / "ico-ropa-template-processor.xlsx"
FILES = [*sorted(REAL.glob("*.xlsx")), ICO_PROCESSOR]


def test_every_published_register_is_here() -> None:
    assert len(FILES) == 6 and all(path.is_file() for path in FILES)


@pytest.mark.parametrize("source", FILES, ids=[path.name for path in FILES])
def test_every_word_of_a_real_register_is_exported_or_reported(
    register: Register, source: Path, tmp_path: Path
) -> None:
    report = import_workbook(register, source)
    counts = check_conservation(register, source, report, tmp_path)
    # The ICO's workbook holds nothing but its own sample rows, which are not read.
    assert (counts.get(Destination.FIELD.value, 0) > 0) == (source != ICO_PROCESSOR)


def test_the_ico_processor_examples_sample_rows_are_not_the_organisations_record(
    register: Register, tmp_path: Path
) -> None:
    report = import_workbook(register, ICO_PROCESSOR)
    # Its Template sheet is empty and its Example sheet holds only the ICO's sample rows
    # (tests/unit/test_import_review_k.py says more): no activity is made of them.
    assert register.activities.load() == []
    assert any(sheet == "Example" and "sample rows" in why for sheet, why in report.skipped)
    # The Notes sheet is the ICO's guidance: not read, quoted, and no "understood".
    assert ("Notes", "it has no row of register headings in its first 40 rows") in report.skipped
    assert UNDERSTOOD not in report.summary()
    assert report.ledger is not None
    assert any(
        entry.ref == "A2" and entry.text.startswith("Use this template")
        for entry in report.ledger.by_destination()[Destination.NOT_READ]
        if entry.sheet == "Notes"
    )


def test_a_register_with_its_controller_above_the_table(register: Register, tmp_path: Path) -> None:
    source = REAL / "propvora-ropa.xlsx"
    report = import_workbook(register, source)
    records = {record.name: record for record in register.activities.load()}
    assert len(records) == 11
    # "Recipients/processors" is the recipients column, not an own column.
    assert records["AI Copilot"].recipients == ["AI provider (OpenAI)"]
    assert records["Billing & subscriptions"].recipients == ["Stripe"]
    assert records["Billing & subscriptions"].lawful_bases[0].basis == "b"
    assert records["Account registration & auth"].individuals == ["Users"]
    assert {record.role for record in records.values()} == {Role.CONTROLLER}
    # The controller, its ICO number and contact, above the headings, offered and (the
    # register having none) taken, and said so.
    organisation = register.organisation.get()
    assert organisation.name == "Blackwellen Ltd (Propvora)"
    assert organisation.ico_registration.startswith("ZC1608")
    assert organisation.dpo_email.endswith("@propvora.com")
    summary = report.summary()
    assert "Text above the table (ROPA!A2) names the organisation's details" in summary
    assert "G “Recipients/processors” read as “Categories of recipients”" in summary


def test_offered_details_never_overwrite_the_organisations_own(
    register: Register,
) -> None:
    register.organisation.update({"name": "Our Trust"})
    report = import_workbook(register, REAL / "propvora-ropa.xlsx")
    assert register.organisation.get().name == "Our Trust"
    assert report.organisation_kept["name"] == ("Our Trust", "Blackwellen Ltd (Propvora)")
    assert "controller not changed: the register says “Our Trust”" in report.summary()


def test_a_grc_tools_related_sheets_make_one_processing(
    register: Register,
) -> None:
    report = import_workbook(register, REAL / "ciso-sample-processing-workbook.xlsx")
    (record,) = register.activities.load()
    assert (record.reference, record.name) == ("PRC-001", "HR Payroll")
    # The personal data sheet lists personal data: never an activity of its own.
    assert record.data_categories == ["Bank details"]
    assert record.purposes == ["Salary payment"]
    assert record.individuals == ["Employees"]
    assert record.recipients == ["Payroll provider"]
    assert record.processors == ["Payroll SaaS"]
    assert [entry.destination for entry in record.transfers] == ["Cloud backup (US)"]
    # The law the list rows state goes to the register's own fields (the checks and the
    # ICO's columns read those), each reading named for the DPO to check.
    assert [(entry.basis, entry.explanation) for entry in record.lawful_bases] == [
        ("b", "Salary payment")
    ]
    assert [(rule.applies_to, rule.period) for rule in record.retention] == [
        ("Bank details", "5 years")
    ]
    assert [(t.destination, t.mechanism) for t in record.transfers] == [
        ("Cloud backup (US)", "uk_addendum")
    ]
    checked = {(problem.sheet, problem.cell): problem.why for problem in report.moved}
    assert "read as the lawful basis Article 6(1)(b)" in checked[("Purposes", "C2")]
    assert "read as the retention period of “Bank details”" in checked[("Personal data", "D2")]
    assert "read as the transfer mechanism" in checked[("Transfers", "E2")]
    assert "Personal data: retention" not in record.extra_fields
    assert [sheet.sheet for sheet in report.sheets] == ["Processing"]
    # Each list sheet is named by the heading that named its items, quoted as the cell says.
    moved = {problem.sheet: problem for problem in report.moved}
    assert (moved["Purposes"].cell, moved["Purposes"].value) == ("A1", "name")
    assert (
        moved["Purposes"]
        .describe()
        .startswith(
            "Purposes!A1: “name”: the items of the list sheet “Purposes”: purposes, read into"
        )
    )
