"""What each field of an activity is called, what it is for, and the law it serves.

The words are given with the activity's tables, in their one description
(db/activity_tables.py FIELDS), so that adding a field touches that description and not
this module too.  The editor's labels and help, the validation messages, the history, the
workbook and the checks all read them through here.
"""

from __future__ import annotations

from db.activity_tables import FIELDS, FieldInfo, Kind
from db.enums import LibraryKind, Role, Status

__all__ = [
    "FIELDS",
    "KIND_LABELS",
    "ROLE_LABELS",
    "STATUS_LABELS",
    "FieldInfo",
    "Kind",
    "column_header",
    "fields_of_kind",
    "label",
]


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
