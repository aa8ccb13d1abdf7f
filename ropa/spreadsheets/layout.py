"""The shape of the ICO's Article 30 workbooks: sheets, contact block, sections, headers, fills.

The controller headers are the ICO's own words, verbatim (see the ICO controller template);
the processor layout matches the ICO's processor file.  Everything here is data, so the
export writes it and the import recognises it from one description.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import fields as record_fields
from enum import Enum

from ropa.fields import FIELDS, column_header
from ropa.records import OrganisationRecord

TEMPLATE_SHEET = "Template"
EXAMPLE_SHEET = "Example"
NOTES_SHEET = "Notes"

CONTACT_FIRST_ROW = 1
SECTION_ROW = 8
HEADER_ROW = 9
FIRST_DATA_ROW = 10
HEADER_ROW_HEIGHT = 60.75

# Fills as the ICO files show them (their theme colours resolved to RGB, so the colours stay
# right whatever theme the reader's Excel uses).
GREEN = "E2EFDA"  # required by Article 30 or DPA 2018 Schedule 1 paragraph 41
BLUE = "DDEBF7"  # good practice, not required
GREY = "EDEDED"  # section titles
LIGHT_GREY = "F2F2F2"  # the Controller / Processor title and the Notes headings
REGISTER_FILL = "FFF2CC"  # the register's own columns, set apart from the ICO's


class Kind(Enum):
    CONTROLLER = "controller"
    PROCESSOR = "processor"


@dataclass(frozen=True)
class Column:
    """One column: `key` names what it holds (an activity field or a derived value)."""

    key: str
    header: str
    required: bool = False
    register: bool = False  # the register's own column, after the ICO's

    @property
    def fill(self) -> str:
        if self.register:
            return REGISTER_FILL
        return GREEN if self.required else BLUE


@dataclass(frozen=True)
class Section:
    title: str
    columns: tuple[Column, ...]


def _c(key: str, header: str, required: bool = False) -> Column:
    return Column(key, header, required)


CONTROLLER_SECTIONS: tuple[Section, ...] = (
    Section(
        "Article 30 Record of Processing Activities",
        (
            _c("business_function", "Business function"),
            _c("purposes", "Purpose of processing", True),
            _c(
                "joint_controllers",
                "Name and contact details of joint controller (if applicable)",
                True,
            ),
            _c("individuals", "Categories of individuals", True),
            _c("data_categories", "Categories of personal data", True),
            _c("recipients", "Categories of recipients", True),
            _c("processors", "Link to contract with processor"),
            _c(
                "transfer_destinations",
                "Names of third countries or international organisations that personal "
                "data are transferred to (if applicable)",
                True,
            ),
            _c(
                "transfer_safeguards",
                "Safeguards for exceptional transfers of personal data to third countries "
                "or international organisations (if applicable)",
                True,
            ),
            _c("retention", "Retention schedule (if possible)", True),
            _c(
                "security_measures",
                "General description of technical and organisational security measures "
                "(if possible)",
                True,
            ),
        ),
    ),
    Section(
        "Privacy Notices",
        (
            _c("lawful_bases", "Article 6 lawful basis for processing personal data"),
            _c("article9", "Article 9 condition for processing special category data"),
            _c(
                "legitimate_interests",
                "Legitimate interests for the processing (if applicable)",
            ),
            _c("lia_link", "Link to record of legitimate interests assessment (if applicable)"),
            _c("rights", "Rights available to individuals"),
            _c(
                "automated_decisions",
                "Existence of automated decision-making, including profiling (if applicable)",
            ),
            _c("sources", "The source of the personal data (if applicable)"),
        ),
    ),
    Section("Consent", (_c("consent_record_link", "Link to record of consent"),)),
    Section("Access Requests", (_c("systems", "Location of personal data"),)),
    Section(
        "Data Protection Impact Assessments",
        (
            _c("dpia_required", "Data Protection Impact Assessment required?"),
            _c("dpia_progress", "Data Protection Impact Assessment progress"),
            _c("dpia_link", "Link to Data Protection Impact Assessment"),
        ),
    ),
    Section(
        "Personal Data Breaches",
        (
            _c("breach_occurred", "Has a personal data breach occurred?"),
            _c("breach_link", "Link to record of personal data breach"),
        ),
    ),
    Section(
        "Data Protection Act 2018 - Special Category or Criminal Conviction and Offence data",
        (
            _c(
                "schedule1",
                "Data Protection Act 2018 Schedule 1 Condition for processing",
                True,
            ),
            _c("apd_lawful_bases", "GDPR Article 6 lawful basis for processing", True),
            _c("apd_link", "Link to retention and erasure policy document"),
            _c(
                "retention_follows_apd",
                "Is personal data retained and erased in accordance with the policy document?",
                True,
            ),
            _c(
                "apd_deviation_reason",
                "Reasons for not adhering to policy document (if applicable)",
                True,
            ),
        ),
    ),
)

PROCESSOR_SECTIONS: tuple[Section, ...] = (
    Section(
        "Article 30 Record of Processing Activities",
        (
            _c("controller_contract_link", "Link to contract with controller"),
            _c("controllers", "Name and contact details of controller", True),
            _c(
                "controller_representatives",
                "Name and contact details of controller's representative (if applicable)",
                True,
            ),
            _c("purposes", "Categories of processing", True),
            _c(
                "transfer_destinations",
                "Names of third countries or international organisations that personal "
                "data are transferred to (if applicable)",
                True,
            ),
            _c(
                "transfer_safeguards",
                "Safeguards for exceptional transfers of personal data to third countries "
                "or international organisations (if applicable)",
                True,
            ),
            _c(
                "security_measures",
                "General description of technical and organisational security measures "
                "(if possible)",
                True,
            ),
        ),
    ),
)

REGISTER_SECTION_TITLE = "ROPA desk register (not part of the ICO template)"
# The organisation's own columns (its activities' own fields) come last, under their headings.
OWN_SECTION_TITLE = "Our own columns (not part of the ICO template)"


# ICO columns that carry a field other than the one they are named by (a transfer's
# destination and safeguard, the details written after an automated-decisions answer).
_CARRIED_ALSO: dict[str, tuple[str, ...]] = {
    "transfer_destinations": ("transfers",),
    "transfer_safeguards": ("transfers",),
    "automated_decisions": ("automated_decision_details",),
}
# Kept in columns of their own after the register's (the organisation's own columns).
_NOT_A_COLUMN = frozenset({"extra_fields"})


@dataclass(frozen=True)
class EntryDetail:
    """What no ICO column writes of a field's entries (a basis's Annex 1 condition, a
    transfer's data protection test): a register column of its own, a line for each entry
    that has one, naming the entry ("United States: Yes")."""

    field: str
    attribute: str
    header: str

    @property
    def key(self) -> str:
        return f"{self.field}.{self.attribute}"


# Every attribute of an entry that the ICO's columns do not write (lawtext writes a basis's
# code, explanation and legislation, a condition's code and explanation, a transfer's
# destination, mechanism and safeguards, a retention rule's period, trigger and what it
# applies to); tests/unit/test_workbook_carries_every_field.py fails on one left out.
ENTRY_DETAILS: tuple[EntryDetail, ...] = (
    EntryDetail(
        "lawful_bases",
        "annex1_condition",
        "Recognised legitimate interest: Annex 1 condition (Articles 6(1)(ea) and 6(5))",
    ),
    EntryDetail(
        "lawful_bases",
        "outside_tasks_reason",
        "Why the basis is used outside our public tasks (Article 6(1))",
    ),
    EntryDetail(
        "transfers", "data_protection_test", "Transfer: data protection test met? (Article 46(1A))"
    ),
    EntryDetail("transfers", "data_protection_test_date", "Transfer: data protection test date"),
    EntryDetail("transfers", "data_protection_test_link", "Transfer: data protection test record"),
)
ENTRY_DETAIL_KEYS = {detail.key: detail for detail in ENTRY_DETAILS}


def _register_columns(sections: tuple[Section, ...]) -> tuple[Column, ...]:
    """The register's own columns, after the ICO's: every field of the activity's
    description (db/activity_tables.py FIELDS) that no ICO column of the layout carries,
    under its label, in the description's order, each followed by the columns of what its
    entries hold beyond the ICO's columns.  Derived, so a field added to the description
    is exported (and read back) without a list here to remember."""
    carried = {
        name
        for section in sections
        for column in section.columns
        for name in (column.key, *_CARRIED_ALSO.get(column.key, ()))
    }
    columns: list[Column] = []
    for name in FIELDS:
        if name not in carried and name not in _NOT_A_COLUMN:
            columns.append(Column(name, column_header(name), register=True))
            carried.update(_CARRIED_ALSO.get(name, ()))
        columns += [
            Column(detail.key, detail.header, register=True)
            for detail in ENTRY_DETAILS
            if detail.field == name
        ]
    return tuple(columns)


CONTROLLER_REGISTER_COLUMNS = _register_columns(CONTROLLER_SECTIONS)
PROCESSOR_REGISTER_COLUMNS = _register_columns(PROCESSOR_SECTIONS)


@dataclass(frozen=True)
class Layout:
    kind: Kind
    title: str  # A1: "Controller" or "Processor"
    sections: tuple[Section, ...]
    register_columns: tuple[Column, ...]
    notes: tuple[tuple[str, tuple[str, ...]], ...]
    # The column that says which row is which, kept in view while scrolling right (with
    # the columns before it): the business function, or for a processor the controller.
    kept_in_view: str

    @property
    def columns_kept_in_view(self) -> int:
        """How many columns, from A, stay on screen while scrolling right (panes are frozen
        right of them and above FIRST_DATA_ROW)."""
        return [column.key for column in self.columns].index(self.kept_in_view) + 1

    @property
    def ico_columns(self) -> tuple[Column, ...]:
        return tuple(column for section in self.sections for column in section.columns)

    @property
    def columns(self) -> tuple[Column, ...]:
        return (*self.ico_columns, *self.register_columns)


CONTACT_HEADINGS = (
    "Name and contact details",
    "Data Protection Officer (if applicable)",
    "Representative (if applicable)",
)
CONTACT_LABELS = ("Name", "Address", "Email", "Telephone")
# Organisation fields filling B3-B6, D3-D6 and F3-F6.
CONTACT_FIELDS = (
    ("name", "address", "email", "telephone"),
    ("dpo_name", "dpo_address", "dpo_email", "dpo_telephone"),
    (
        "representative_name",
        "representative_address",
        "representative_email",
        "representative_telephone",
    ),
)

# The organisation's details the ICO's contact block has no place for, in a block of our
# own beside it (label, detail; four rows a block, from column H, clear of the ICO's A-G):
# every detail of the organisation's record but the contact block's, so that a register
# made from the workbook has them too.  Labels for the ones a person reads; a detail added
# later is written under its name.
OTHER_DETAILS_HEADING = "Our other details (not part of the ICO template)"
OTHER_DETAILS_FIRST_COLUMN = 8
_OTHER_DETAIL_LABELS = {
    "website": "Website",
    "ico_registration": "ICO registration number",
    "is_public_authority": "Public authority?",
    "complaints_contact": "Complaints contact",
    "complaints_form_url": "Complaint form (DPA 2018 s.164A)",
    "complaints_acknowledgement": "How complaints are acknowledged (DPA 2018 s.164A)",
}


def _other_details() -> tuple[tuple[str, str], ...]:
    in_block = {name for block in CONTACT_FIELDS for name in block}
    return tuple(
        (item.name, _OTHER_DETAIL_LABELS.get(item.name, item.name.replace("_", " ").capitalize()))
        for item in record_fields(OrganisationRecord)
        if item.name not in in_block and item.name != "version"
    )


OTHER_DETAILS = _other_details()


def other_detail_cell(index: int) -> tuple[int, int]:
    """(row, label column) of the index-th other detail; its text is in the next column."""
    rows = len(CONTACT_LABELS)
    return CONTACT_FIRST_ROW + 2 + index % rows, OTHER_DETAILS_FIRST_COLUMN + 2 * (index // rows)


_REGISTER_NOTE = (
    "The columns after the ICO's, under the heading “" + REGISTER_SECTION_TITLE + "”, "
    "hold what the register records beyond the template (its reference, name, status and "
    "review dates, among others), so that this workbook can be read back into ROPA desk "
    "without losing anything. You may hide them before sending the workbook to anyone."
)

CONTROLLER_LAYOUT = Layout(
    Kind.CONTROLLER,
    "Controller",
    CONTROLLER_SECTIONS,
    CONTROLLER_REGISTER_COLUMNS,
    (
        (
            "Notes",
            (
                "This workbook is the organisation's record of processing activities as a "
                "controller (UK GDPR Article 30(1)), laid out as in the ICO's documentation "
                "template and written by ROPA desk from its register.",
                "Headings highlighted green are required areas of documentation under "
                "Article 30 of the GDPR or Schedule 1 of the Data Protection Act 2018. "
                "Headings highlighted blue are optional areas of documentation that are not "
                "required under Article 30 of the GDPR or Schedule 1 of the Data Protection "
                "Act 2018.",
                _REGISTER_NOTE,
            ),
        ),
        (
            "How to read it",
            (
                "The controller's, data protection officer's and representative's details "
                "are in cells B3 to F6. Each processing activity is one row, from row 10.",
                "Where a cell holds several things, each is on its own line.",
                "The rights column is worked out from the Article 6 lawful bases recorded "
                "for the activity.",
                "The Data Protection Act 2018 columns are completed for activities that rely "
                "on a Schedule 1 condition for which an appropriate policy document is needed.",
            ),
        ),
        (
            "Guidance",
            (
                "The ICO's guide to UK GDPR explains what a record of processing activities "
                "must contain and how to keep it.",
            ),
        ),
    ),
    kept_in_view="business_function",
)

PROCESSOR_LAYOUT = Layout(
    Kind.PROCESSOR,
    "Processor",
    PROCESSOR_SECTIONS,
    PROCESSOR_REGISTER_COLUMNS,
    (
        (
            "Notes",
            (
                "This workbook records the processing the organisation carries out as a "
                "processor on behalf of controllers (UK GDPR Article 30(2)), laid out as in "
                "the ICO's processor documentation template.",
                "Headings highlighted green are required areas of documentation under "
                "Article 30 of the GDPR.",
                "The heading highlighted blue is an optional area of documentation that is "
                "not required under Article 30 of the GDPR.",
                _REGISTER_NOTE,
            ),
        ),
        (
            "How to read it",
            (
                "The processor's, data protection officer's and representative's details are "
                "in cells B3 to F6. Each processing activity is one row, from row 10.",
                "Where a cell holds several things, each is on its own line.",
            ),
        ),
        (
            "Guidance",
            (
                "The ICO's guide to UK GDPR explains what a record of processing activities "
                "must contain and how to keep it.",
            ),
        ),
    ),
    kept_in_view="controllers",
)

LAYOUTS = {Kind.CONTROLLER: CONTROLLER_LAYOUT, Kind.PROCESSOR: PROCESSOR_LAYOUT}
