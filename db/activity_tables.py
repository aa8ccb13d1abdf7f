"""An activity's tables and fields, described once.

An activity is its row in `activities` and rows of its own in the child tables below, each
row keyed to its activity (or, for a lawful basis's legislation, to its basis) and kept in
the order of its position column.  Every way into these tables is derived from this
description rather than spelling the tables out again: the ORM mapping (`to_record` and
`_apply` in ropa/activities.py), the bulk reads (ropa/storage/bulk_reads.py), the bulk
inserts (ropa/storage/new_activities.py), the activities list's search
(ropa/storage/activity_list.py) and the team's grants and triggers (db/team_security.py).

A field kept in the activity's own row needs no table here: every reader and writer takes
the row's columns from the record's other fields (ropa.records.SCALAR_FIELDS).  Every field,
in the row or in a child table, has its words here (FIELDS: label, help, the law it serves,
what kind of value it holds), which the editor, validation, history, workbook and checks
read through ropa/fields.py.

Plain names, no SQLAlchemy: the activities list reads this before SQLAlchemy is imported
(so a large register's window appears quickly), and db/ must not import ropa/.
tests/unit/test_activity_tables.py checks it against db/models.py and ropa/records.py.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from db.enums import LibraryKind

ACTIVITY_TABLE = "activities"


class Shape(enum.Enum):
    """How a child table's rows become a record's fields."""

    # One record field, a list of entries (ropa.records), one a row; each column fills the
    # entry's attribute of the same name.
    ENTRIES = "entries"
    # Entries too, but shared between record fields by the value of one column (a condition's
    # scheme, 'article9' or 'schedule1', is the record field it belongs to).
    ENTRIES_BY_FIELD = "entries by field"
    # Names of library items: the record field is the item's kind's (ITEM_FIELDS).
    LIBRARY_ITEMS = "library items"
    # Header -> text, in the order of the rows (the organisation's own fields).
    NAMED_TEXTS = "named texts"


@dataclass(frozen=True)
class ItemNote:
    """A column of a library link holding text about the item, kept in a record field of
    its own as item name -> text, for the items of one record field only."""

    column: str
    field: str
    of_field: str


@dataclass(frozen=True)
class ChildTable:
    table: str
    # The parent model's relationship that holds the rows (db/models.py).
    relationship: str
    shape: Shape
    # The record fields the rows fill: one for ENTRIES and NAMED_TEXTS, each value of
    # `split_by` for ENTRIES_BY_FIELD, the kinds' fields for LIBRARY_ITEMS.
    fields: tuple[str, ...]
    # The columns read and written as they are (for ENTRIES, in the order of the entry's
    # attributes of the same names; for NAMED_TEXTS, the header then the text).
    columns: tuple[str, ...] = ()
    parent_key: str = "activity_id"
    order: str = "position"
    split_by: str = ""
    # LIBRARY_ITEMS: the column naming the item (library_items.id), and the kind of item
    # where one kind only is linked (a basis's legislation).
    item_key: str = ""
    kind: LibraryKind | None = None
    note: ItemNote | None = None
    # Rows of their own under each row (a basis's legislation), and the entry attribute
    # they fill; the rows of such a table are named by their own `id`.
    nested: ChildTable | None = None
    nested_attribute: str = ""
    # Within one parent, the column a row is known by when it is rewritten (its primary
    # key's other column): such a row is changed in place, never deleted and inserted again
    # in one flush under the same key.  "" = rows are replaced.
    row_key: str = ""
    # The columns whose text the activities list's search looks through (LIBRARY_ITEMS:
    # the item's name, always).
    searched: tuple[str, ...] = ()


# Activity fields that hold library items, with the kind of item each one holds.
ITEM_FIELDS: dict[str, LibraryKind] = {
    "purposes": LibraryKind.PURPOSE,
    "individuals": LibraryKind.INDIVIDUAL_CATEGORY,
    "data_categories": LibraryKind.DATA_CATEGORY,
    "sources": LibraryKind.SOURCE,
    "recipients": LibraryKind.RECIPIENT,
    "processors": LibraryKind.PROCESSOR,
    "legislation": LibraryKind.LEGISLATION,
    "security_measures": LibraryKind.SECURITY_MEASURE,
    "systems": LibraryKind.SYSTEM,
}

BASIS_LEGISLATION = ChildTable(
    table="basis_legislation",
    relationship="legislation_links",
    shape=Shape.LIBRARY_ITEMS,
    fields=(),  # the basis entry's `legislation` (nested_attribute below)
    parent_key="basis_id",
    item_key="item_id",
    kind=LibraryKind.LEGISLATION,
    row_key="item_id",
)

ACTIVITY_CHILD_TABLES: tuple[ChildTable, ...] = (
    ChildTable(
        table="activity_links",
        relationship="links",
        shape=Shape.LIBRARY_ITEMS,
        fields=tuple(ITEM_FIELDS),
        item_key="item_id",
        # Why the activity gives the data to each recipient (Article 13(1)(e)).
        note=ItemNote(column="reason", field="recipient_reasons", of_field="recipients"),
        row_key="item_id",
    ),
    ChildTable(
        table="activity_lawful_bases",
        relationship="lawful_bases",
        shape=Shape.ENTRIES,
        fields=("lawful_bases",),
        columns=("basis", "explanation", "annex1_condition", "outside_tasks_reason"),
        nested=BASIS_LEGISLATION,
        nested_attribute="legislation",
        searched=("explanation",),
    ),
    ChildTable(
        table="activity_conditions",
        relationship="conditions",
        shape=Shape.ENTRIES_BY_FIELD,
        fields=("article9", "schedule1"),
        columns=("code", "explanation"),
        split_by="scheme",
    ),
    ChildTable(
        table="transfers",
        relationship="transfers",
        shape=Shape.ENTRIES,
        fields=("transfers",),
        columns=(
            "destination",
            "mechanism",
            "safeguards",
            "data_protection_test",
            "data_protection_test_date",
            "data_protection_test_link",
        ),
        searched=("destination",),
    ),
    ChildTable(
        table="retention_rules",
        relationship="retention_rules",
        shape=Shape.ENTRIES,
        fields=("retention",),
        columns=("period", "trigger", "applies_to"),
        searched=("period",),
    ),
    ChildTable(
        table="activity_extra_fields",
        relationship="extra_field_rows",
        shape=Shape.NAMED_TEXTS,
        fields=("extra_fields",),
        columns=("name", "value"),
        row_key="position",
        searched=("value",),
    ),
)

# Every table holding part of an activity, the activity's own first.
ACTIVITY_TABLE_NAMES: tuple[str, ...] = (
    ACTIVITY_TABLE,
    *(child.table for child in ACTIVITY_CHILD_TABLES),
    *(child.nested.table for child in ACTIVITY_CHILD_TABLES if child.nested is not None),
)


def record_fields_of(child: ChildTable) -> tuple[str, ...]:
    """Every record field a child table's rows fill (a library link's note too)."""
    return (*child.fields, *((child.note.field,) if child.note else ()))


# The record fields kept in child tables rather than in the activity's own row.
CHILD_FIELDS: frozenset[str] = frozenset(
    name for child in ACTIVITY_CHILD_TABLES for name in record_fields_of(child)
)


# --- what each field is called, what it is for and the law it serves -----------------------
# The editor's labels and help, the validation messages, the history, the workbook and the
# checks read these (through ropa/fields.py), so a field is described here once, beside the
# table that keeps it.


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
    "shared_with_no_one": FieldInfo(
        "Shared with no one?",
        "Yes when no one receives this activity's data, not even a processor, so the "
        "privacy notice may say it is not shared. Until answered, an empty list of "
        "recipients says nothing.",
        "Article 30(1)(d)",
        kind=Kind.TRI_STATE,
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
