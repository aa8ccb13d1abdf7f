"""The organisation's own fields in the activity editor: rows of a name and its text.

Shown in the same kind of table as the bases and transfers (ui.widgets.entry_tables); the
register keeps them as an ordered mapping, header -> text (ActivityRecord.extra_fields), made
from the rows by ropa.own_fields.  Only the widgets' side is here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from ropa.own_fields import fields_from_rows, reasons_from_rows, rows_from_fields
from ui.widgets.entry_tables import EntryColumn, EntryKind


@dataclass
class OwnField:
    name: str
    value: str = ""


def own_field_kind() -> EntryKind:
    return EntryKind(
        lambda: OwnField(name=""),
        (
            EntryColumn(
                "name",
                "Field",
                tip="The heading of your own column, such as \u201cInformation asset owner\u201d",
            ),
            EntryColumn("value", "What it says for this activity", stretch=True),
        ),
        "field",
    )


def recipient_reason_kind() -> EntryKind:
    """The reason each recipient gets the data: rows of a recipient and why."""
    return EntryKind(
        lambda: OwnField(name=""),
        (
            EntryColumn("name", "Recipient", tip="As named in Categories of recipients"),
            EntryColumn("value", "Why they get it", stretch=True),
        ),
        "reason",
    )


def own_field_rows(fields: Mapping[str, str] | None) -> list[OwnField]:
    return [OwnField(name, value) for name, value in rows_from_fields(fields)]


def own_fields_of(rows: Iterable[OwnField]) -> dict[str, str]:
    """The rows as the register keeps them (the rule is ropa.own_fields')."""
    return fields_from_rows((row.name, row.value) for row in rows)


def reasons_of(rows: Iterable[OwnField]) -> dict[str, str]:
    """The reasons per recipient as the register keeps them (ropa.own_fields)."""
    return reasons_from_rows((row.name, row.value) for row in rows)
