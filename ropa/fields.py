"""What each field of an activity is called, what it is for, and the law it serves.

The editor's labels and help, the validation messages and the checks all read this table,
so a field is described in one place only.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from db.enums import LibraryKind, Role, Status


class Kind(enum.Enum):
    """What a field holds, which decides how it is checked, edited, written and read."""

    TEXT = "text"  # one line
    LONG_TEXT = "long text"  # a paragraph or more
    LINK = "link"  # a web address or where a document is kept
    DATE = "date"
    YES_NO = "yes or no"
    TRI_STATE = "yes, no or not answered"
    CHOICE = "one of a fixed list"  # ROLE_LABELS, STATUS_LABELS or the law's own list
    LIBRARY = "library items"  # names of reusable items (records.LINK_FIELDS)
    ENTRIES = "entries"  # rows of their own: bases, conditions, transfers, retention
    OWN_FIELDS = "own fields"  # the organisation's own columns, header -> text
    REASONS = "a reason for each item"  # item name -> why (a reason per recipient)


@dataclass(frozen=True)
class FieldInfo:
    label: str
    help: str
    article: str = ""
    required: bool = False
    kind: Kind = Kind.TEXT
    # Set only by the review steps (ropa.review), so that who approved and when is always
    # recorded: shown by the editor, never typed.
    set_by_review: bool = False
    # The header of the register's own workbook column for the field, where it cannot be the
    # label (an ICO column already has those words).
    column: str = ""


FIELDS: dict[str, FieldInfo] = {
    "reference": FieldInfo("Reference", "Your own short code for the activity, such as CS-014."),
    "name": FieldInfo("Name", "A short name people in your organisation recognise.", required=True),
    "business_function": FieldInfo(
        "Business function",
        "The service or team the activity belongs to; used to group "
        "activities and to pick them for a notice.",
    ),
    "description": FieldInfo(
        "Description", "What happens, in two or three plain sentences.", kind=Kind.LONG_TEXT
    ),
    "owner": FieldInfo("Owner", "The person or post accountable for the activity."),
    "role": FieldInfo(
        "Our role",
        "Whether you decide why and how the data is used "
        "(controller), decide it with others (joint controller), or act on "
        "someone else's instructions (processor).",
        "Article 30(1) and 30(2)",
        kind=Kind.CHOICE,
    ),
    "joint_controllers": FieldInfo(
        "Joint controllers",
        "Name and contact details of each joint controller.",
        "Article 30(1)(a)",
        kind=Kind.LONG_TEXT,
    ),
    "controllers": FieldInfo(
        "Controllers we act for",
        "When you act as a processor: the name and contact details of each controller.",
        "Article 30(2)(a)",
        kind=Kind.LONG_TEXT,
    ),
    "controller_representatives": FieldInfo(
        "Controllers' representatives",
        "The controller's representative, if it has one.",
        "Article 30(2)(a)",
        kind=Kind.LONG_TEXT,
    ),
    "controller_contract_link": FieldInfo(
        "Contract with the controller",
        "Link to the contract under which you process.",
        "Article 28(3)",
        kind=Kind.LINK,
    ),
    "status": FieldInfo(
        "Status", "Draft, in review, approved or retired.", kind=Kind.CHOICE, set_by_review=True
    ),
    "approved_by": FieldInfo("Approved by", "Who approved this entry.", set_by_review=True),
    "approved_on": FieldInfo(
        "Approved on", "When it was approved.", kind=Kind.DATE, set_by_review=True
    ),
    "last_reviewed": FieldInfo(
        "Last reviewed", "When the entry was last checked.", kind=Kind.DATE, set_by_review=True
    ),
    "next_review": FieldInfo("Next review", "When it is due to be checked again.", kind=Kind.DATE),
    "purposes": FieldInfo(
        "Purposes",
        "Why the personal data is used.",
        "Article 30(1)(b)",
        required=True,
        kind=Kind.LIBRARY,
    ),
    "individuals": FieldInfo(
        "Categories of individuals",
        "Whose data it is.",
        "Article 30(1)(c)",
        required=True,
        kind=Kind.LIBRARY,
    ),
    "data_categories": FieldInfo(
        "Categories of personal data",
        "What kinds of data are used.",
        "Article 30(1)(c)",
        required=True,
        kind=Kind.LIBRARY,
    ),
    "sources": FieldInfo(
        "Sources",
        "Where the data comes from when not from the person.",
        "Article 14(2)(f)",
        kind=Kind.LIBRARY,
    ),
    "recipients": FieldInfo(
        "Categories of recipients",
        "Who the data is shared with, including in other countries.",
        "Article 30(1)(d)",
        required=True,
        kind=Kind.LIBRARY,
    ),
    "recipient_reasons": FieldInfo(
        "Why each recipient gets it",
        "For each recipient, why we give them the data; the privacy notice says it beside them.",
        "Article 13(1)(e)",
        kind=Kind.REASONS,
    ),
    "processors": FieldInfo(
        "Processors",
        "Suppliers that handle the data for you, each with its contract.",
        "Article 28",
        kind=Kind.LIBRARY,
    ),
    "legislation": FieldInfo(
        "Legislation",
        "Acts, regulations and statutory guidance the activity rests on.",
        "Article 6(3)",
        kind=Kind.LIBRARY,
    ),
    "security_measures": FieldInfo(
        "Security measures",
        "Technical and organisational measures that protect the data.",
        "Article 30(1)(g)",
        required=True,
        kind=Kind.LIBRARY,
    ),
    "systems": FieldInfo(
        "Systems and locations", "Where the data is held.", "Article 30", kind=Kind.LIBRARY
    ),
    "security_description": FieldInfo(
        "Security notes", "Anything more about security.", "Article 32", kind=Kind.LONG_TEXT
    ),
    "location_of_data": FieldInfo(
        "Location of personal data",
        "Where the records are kept, to find them for an access request.",
        "Article 15",
        kind=Kind.LONG_TEXT,
        column="Where the records are kept",
    ),
    "lawful_bases": FieldInfo(
        "Lawful bases",
        "The Article 6 basis for each purpose, why it applies and the law behind it.",
        "Article 6(1)",
        required=True,
        kind=Kind.ENTRIES,
    ),
    "article9": FieldInfo(
        "Article 9 conditions",
        "The condition for special category data.",
        "Article 9(2)",
        kind=Kind.ENTRIES,
    ),
    "schedule1": FieldInfo(
        "Schedule 1 conditions",
        "The DPA 2018 Schedule 1 condition, where Article 9 or 10 needs one.",
        "DPA 2018 s.10, Sch 1",
        kind=Kind.ENTRIES,
    ),
    "article10_basis": FieldInfo(
        "Criminal offence data basis",
        "How Article 10 is met.",
        "Article 10",
        kind=Kind.CHOICE,
        column="Criminal offence data basis (Article 10)",
    ),
    "legitimate_interests": FieldInfo(
        "Legitimate interests",
        "The interests relied on, when the basis is legitimate interests.",
        "Article 6(1)(f)",
        kind=Kind.LONG_TEXT,
    ),
    "lia_link": FieldInfo(
        "Legitimate interests assessment",
        "Link to the assessment.",
        "Article 6(1)(f)",
        kind=Kind.LINK,
    ),
    "consent_record_link": FieldInfo(
        "Record of consent", "Link to where consent is recorded.", "Article 7(1)", kind=Kind.LINK
    ),
    "automated_decisions": FieldInfo(
        "Automated decisions",
        "Whether decisions are made by computer without a person involved, or people profiled.",
        "Articles 13(2)(f), 22A to 22D",
        kind=Kind.TRI_STATE,
    ),
    "automated_decision_details": FieldInfo(
        "About the automated decisions",
        "The logic involved and the effects on people.",
        "Articles 13(2)(f) and 22C",
        kind=Kind.LONG_TEXT,
    ),
    "transfers": FieldInfo(
        "Transfers abroad",
        "Countries or international organisations the data is sent to, and the safeguard used.",
        "Article 30(1)(e)",
        kind=Kind.ENTRIES,
    ),
    "retention": FieldInfo(
        "Retention",
        "How long the data is kept and from when.",
        "Article 30(1)(f)",
        required=True,
        kind=Kind.ENTRIES,
    ),
    "dpia_required": FieldInfo(
        "DPIA required",
        "Whether a data protection impact assessment is needed.",
        "Article 35",
        kind=Kind.TRI_STATE,
    ),
    "dpia_progress": FieldInfo("DPIA progress", "Where the DPIA has got to."),
    "dpia_link": FieldInfo("DPIA link", "Link to the DPIA.", kind=Kind.LINK),
    "breach_occurred": FieldInfo(
        "Breach occurred",
        "Whether a personal data breach has happened in this activity.",
        "Article 33(5)",
        kind=Kind.TRI_STATE,
    ),
    "breach_link": FieldInfo(
        "Breach record", "Link to the breach record.", "Article 33(5)", kind=Kind.LINK
    ),
    "apd_link": FieldInfo(
        "Appropriate policy document",
        "Link to the retention and erasure policy document.",
        "DPA 2018 Sch 1 para 39",
        kind=Kind.LINK,
    ),
    "retention_follows_apd": FieldInfo(
        "Retention follows the policy document",
        "Whether data is kept and erased as the policy document says.",
        "DPA 2018 Sch 1 para 41(c)",
        kind=Kind.TRI_STATE,
    ),
    "apd_deviation_reason": FieldInfo(
        "Why not",
        "Reasons for not following the policy document.",
        "DPA 2018 Sch 1 para 41(c)",
        kind=Kind.LONG_TEXT,
    ),
    "statutory_requirement": FieldInfo(
        "Must people provide the data?",
        "Whether giving the "
        "data is a legal or contractual requirement, and what "
        "happens if people do not.",
        "Article 13(2)(e)",
        kind=Kind.LONG_TEXT,
    ),
    "involves_children": FieldInfo(
        "Involves children",
        "Whether children's data is used (a DPIA screening question).",
        "Article 35",
        kind=Kind.TRI_STATE,
    ),
    "large_scale": FieldInfo(
        "Large scale",
        "Whether the processing is on a large scale (a DPIA screening question).",
        "Article 35(3)",
        kind=Kind.TRI_STATE,
    ),
    "dpia_criteria": FieldInfo(
        "ICO high-risk list",
        "Tick each kind of processing on the ICO's list that this activity does; any one "
        "of them means a DPIA is needed.",
        "Article 35(1) and (4)",
        kind=Kind.CHOICE,
    ),
    "consent_reviewed_on": FieldInfo(
        "Consent last reviewed",
        "When the consent relied on (its wording, records and whether it is still valid) was "
        "last reviewed.",
        "Articles 7(1) and 5(2)",
        kind=Kind.DATE,
    ),
    "child_consent_arrangements": FieldInfo(
        "Children's consent",
        "Where consent is relied on and children are involved: how age is checked and, for "
        "online services offered to a child under 13, how a parent gives or authorises "
        "consent.",
        "Article 8(1) and (2)",
        kind=Kind.LONG_TEXT,
    ),
    "notes": FieldInfo(
        "Notes", "Anything else, including text an import could not place.", kind=Kind.LONG_TEXT
    ),
    "extra_fields": FieldInfo(
        "Your own fields",
        "Columns your organisation keeps that the ICO template has not, such as "
        "\u201cInformation asset owner\u201d; exported after the ICO columns.",
        kind=Kind.OWN_FIELDS,
    ),
}


def label(field: str) -> str:
    info = FIELDS.get(field)
    return info.label if info else field.replace("_", " ").capitalize()


def column_header(field: str) -> str:
    """The header of the field's column among the register's own in the workbook."""
    info = FIELDS[field]
    return info.column or info.label


def fields_of_kind(*kinds: Kind) -> frozenset[str]:
    return frozenset(name for name, info in FIELDS.items() if info.kind in kinds)


# The words for each choice, the same in the editor, the activities list and the workbook
# (which the import reads back).
ROLE_LABELS: dict[Role, str] = {
    Role.CONTROLLER: "Controller",
    Role.JOINT_CONTROLLER: "Joint controller",
    Role.PROCESSOR: "Processor",
}
STATUS_LABELS: dict[Status, str] = {
    Status.DRAFT: "Draft",
    Status.IN_REVIEW: "In review",
    Status.APPROVED: "Approved",
    Status.RETIRED: "Retired",
}


# What each kind of library item is called: (one item, the whole list).
KIND_LABELS: dict[LibraryKind, tuple[str, str]] = {
    LibraryKind.PURPOSE: ("purpose", "Purposes"),
    LibraryKind.INDIVIDUAL_CATEGORY: ("category of individuals", "Categories of individuals"),
    LibraryKind.DATA_CATEGORY: ("category of personal data", "Categories of personal data"),
    LibraryKind.SOURCE: ("source", "Sources"),
    LibraryKind.RECIPIENT: ("recipient", "Recipients"),
    LibraryKind.PROCESSOR: ("processor", "Processors"),
    LibraryKind.LEGISLATION: ("piece of legislation", "Legislation"),
    LibraryKind.SECURITY_MEASURE: ("security measure", "Security measures"),
    LibraryKind.SYSTEM: ("system or location", "Systems and locations"),
    LibraryKind.COUNTRY: ("country", "Countries"),
}
