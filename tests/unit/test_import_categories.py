"""Categories of personal data as DPOs list them: split, and special category (UK GDPR
Art 9(1)) and criminal offence data (Art 10) recognised by meaning, with the words that
showed it, marked on the library items an import adds, and reported for the DPO to confirm."""

from __future__ import annotations

from pathlib import Path

import pytest

from db.enums import LibraryKind
from ropa.checks import run_checks
from ropa.records import LibraryItemRecord
from ropa.register import Register
from ropa.spreadsheets import import_workbook
from ropa.spreadsheets.categories import CRIMINAL, SPECIAL, split_categories, suggest
from tests.data.import_corpus import hand_made

CATEGORIES = "Categories of personal data"


@pytest.mark.parametrize(
    ("category", "expected"),
    [
        ("Medical conditions", [(SPECIAL, "health", ("Medical",))]),
        ("medication", [(SPECIAL, "health", ("medication",))]),
        ("Allergies and dietary needs", [(SPECIAL, "health", ("Allergies",))]),
        ("GP details", [(SPECIAL, "health", ("GP",))]),
        ("Health data", [(SPECIAL, "health", ("Health",))]),
        ("Sickness absence records", [(SPECIAL, "health", ("Sickness",))]),
        ("Disability and access needs", [(SPECIAL, "health", ("Disability",))]),
        ("Ethnicity", [(SPECIAL, "racial or ethnic origin", ("Ethnicity",))]),
        (
            "Race and ethnic origin",
            [(SPECIAL, "racial or ethnic origin", ("Race", "ethnic origin"))],
        ),
        (
            "Religion or belief",
            [(SPECIAL, "religious or philosophical beliefs", ("Religion", "belief"))],
        ),
        (
            "Sexual orientation",
            [(SPECIAL, "sex life or sexual orientation", ("Sexual orientation",))],
        ),
        ("Sex life", [(SPECIAL, "sex life or sexual orientation", ("Sex life",))]),
        ("Fingerprints for the canteen till", [(SPECIAL, "biometric data", ("Fingerprints",))]),
        ("Biometric data", [(SPECIAL, "biometric data", ("Biometric",))]),
        ("Genetic test results", [(SPECIAL, "genetic data", ("Genetic",))]),
        (
            "Trade union membership",
            [(SPECIAL, "trade union membership", ("Trade union membership",))],
        ),
        ("Political opinions", [(SPECIAL, "political opinions", ("Political opinions",))]),
        (
            "Criminal convictions",
            [(CRIMINAL, "criminal convictions and offences", ("Criminal convictions",))],
        ),
        ("DBS checks", [(CRIMINAL, "criminal convictions and offences", ("DBS checks",))]),
        (
            "Offences and cautions",
            [(CRIMINAL, "criminal convictions and offences", ("Offences", "cautions"))],
        ),
        (
            "Health and criminal records of volunteers",
            [
                (SPECIAL, "health", ("Health",)),
                (CRIMINAL, "criminal convictions and offences", ("criminal records",)),
            ],
        ),
        # Words that look alike but are not special category or criminal offence data.
        ("Health and safety training records", []),
        ("GPS location of vehicles", []),
        ("Bank details", []),
        ("Name and address", []),
        ("Nationality", []),
        ("Photographs", []),
        ("No health data is collected", []),
        ("Trace logs", []),
    ],
)
def test_a_category_is_recognised_by_its_meaning_with_the_words_that_showed_it(
    category: str, expected: list[tuple[str, str, tuple[str, ...]]]
) -> None:
    assert [(s.kind, s.what, s.words) for s in suggest(category)] == expected


@pytest.mark.parametrize(
    ("text", "categories", "at_commas"),
    [
        (
            "Medical conditions, medication, allergies, GP details",
            ("Medical conditions", "medication", "allergies", "GP details"),
            True,
        ),
        (
            "Survey responses, Patient ID (e.g. MRN, NHS number), Demographic data (if collected).",
            (
                "Survey responses",
                "Patient ID (e.g. MRN, NHS number)",
                "Demographic data (if collected)",
            ),
            True,
        ),
        ("Names, addresses, and phone numbers", ("Names", "addresses", "phone numbers"), True),
        ("Salary over 1,000 a month", ("Salary over 1,000 a month",), False),
        ("Ethnicity; religion", ("Ethnicity", "religion"), False),
        # Several lines are a list already, as our export writes it: commas stay.
        (
            "Name, address and contact details\nHealth",
            ("Name, address and contact details", "Health"),
            False,
        ),
        ("• Contact details\n• Health", ("Contact details", "Health"), False),
        ("N/A", (), False),
    ],
)
def test_a_cell_is_split_into_categories_and_says_when_at_commas(
    text: str, categories: tuple[str, ...], at_commas: bool
) -> None:
    split = split_categories(text)
    assert (split.categories, split.at_commas) == (categories, at_commas)


def test_every_word_of_a_category_cell_is_in_its_categories() -> None:
    text = "CV, references, DBS checks, criminal convictions (unspent, spent)"
    joined = " ".join(split_categories(text).categories)
    for word in (
        "CV",
        "references",
        "DBS",
        "checks",
        "criminal",
        "convictions",
        "unspent",
        "spent",
    ):
        assert word in joined


def test_an_import_marks_and_reports_special_category_and_criminal_offence_data(
    register: Register, tmp_path: Path
) -> None:
    """Issue 18: "Medical conditions, medication, allergies, GP details" and "CV, references,
    DBS checks, criminal convictions" were not flagged, so the Article 9 and 10 checks gave a
    false all-clear.  A category the library already has keeps what the DPO set."""
    register.library.create(LibraryItemRecord(LibraryKind.DATA_CATEGORY, "Allergies"))
    path = hand_made(
        tmp_path / "categories.xlsx",
        [
            {
                "Business function": "Schools",
                "Purpose of processing": "School trips",
                CATEGORIES: "Medical conditions, medication, allergies, GP details",
            },
            {
                "Business function": "HR",
                "Purpose of processing": "Recruitment",
                CATEGORIES: "CV, references, DBS checks, criminal convictions",
            },
        ],
    )
    report = import_workbook(register, path)
    trips, recruitment = register.activities.load()
    # "allergies" is the library's "Allergies", as the DPO named it.
    assert trips.data_categories == ["Medical conditions", "medication", "Allergies", "GP details"]
    assert recruitment.data_categories == ["CV", "references", "DBS checks", "criminal convictions"]
    items = {
        item.name: (item.special_category, item.criminal_offence)
        for item in register.library.items(LibraryKind.DATA_CATEGORY)
    }
    assert (
        items["Medical conditions"] == items["medication"] == items["GP details"] == (True, False)
    )
    assert items["Allergies"] == (False, False)  # the DPO's item, as they set it
    assert items["DBS checks"] == items["criminal convictions"] == (False, True)
    assert items["CV"] == items["references"] == (False, False)
    told = {(problem.cell, problem.value): problem.why for problem in report.moved}
    assert (
        "read as 4 categories of personal data"
        in told[("E2", "Medical conditions, medication, allergies, GP details")]
    )
    assert "health, from “GP”" in told[("E2", "GP details")]
    assert (
        "Article 10" in told[("E3", "DBS checks")] and "“DBS checks”" in told[("E3", "DBS checks")]
    )
    assert ("E3", "CV") not in told
    summary = report.summary()
    assert "GP details" in summary and "criminal convictions" in summary
    messages = [finding.message for finding in run_checks(register)]
    assert any("without an Article 9 condition" in message for message in messages)
    assert any("without an Article 10 basis" in message for message in messages)


def test_a_category_whose_name_has_a_comma_comes_back_whole(
    register: Register, tmp_path: Path
) -> None:
    """Our export writes a lone category on one line; a comma in its name must not split it
    when the library has it, so a re-import of our own workbook changes nothing."""
    from ropa.spreadsheets import export_workbook

    name = "Name, address and contact details"
    register.library.create(LibraryItemRecord(LibraryKind.DATA_CATEGORY, name))
    path = hand_made(
        tmp_path / "comma.xlsx",
        [{"Business function": "Housing", "Purpose of processing": "Tenancies", CATEGORIES: name}],
    )
    report = import_workbook(register, path)
    (record,) = register.activities.load()
    assert record.data_categories == [name]
    (told,) = [problem for problem in report.moved if problem.value == name]
    assert told.why.startswith("kept as one category")
    exported = export_workbook(register, tmp_path / "out.xlsx").path
    again = import_workbook(register, exported)
    assert [entry for entry in again.updated] == []
    assert [record.data_categories for record in register.activities.load()] == [[name]]
    # In a register without it, the same cell is read as a list, and the report says so.
    with Register.open(tmp_path / "fresh.ropa") as fresh:
        report = import_workbook(fresh, path)
        (record,) = fresh.activities.load()
        assert record.data_categories == ["Name", "address and contact details"]
        assert any(problem.why.startswith("read as 2 categories") for problem in report.moved)
