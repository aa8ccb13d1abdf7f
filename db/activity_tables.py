"""An activity's tables, described once.

An activity is its row in `activities` and rows of its own in the child tables below, each
row keyed to its activity (or, for a lawful basis's legislation, to its basis) and kept in
the order of its position column.  Every way into these tables is derived from this
description rather than spelling the tables out again: the ORM mapping (`to_record` and
`_apply` in ropa/activities.py), the bulk reads (ropa/storage/bulk_reads.py), the bulk
inserts (ropa/storage/new_activities.py), the activities list's search
(ropa/storage/activity_list.py) and the team's grants and triggers (db/team_security.py).

A field kept in the activity's own row needs nothing here: every reader and writer takes
the row's columns from the record's other fields (ropa.records.SCALAR_FIELDS).

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
