"""The organisation's own fields in the activity editor: rows of a name and its text.

Shown in the same kind of table as the bases and transfers (ui.widgets.entry_tables); the
register keeps them as an ordered mapping, header -> text (ActivityRecord.extra_fields).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

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


def own_field_rows(fields: Mapping[str, str]) -> list[OwnField]:
    return [OwnField(name, value) for name, value in fields.items()]


def own_fields_of(rows: Iterable[OwnField]) -> dict[str, str]:
    """The rows as the register keeps them.  A name given twice is one field holding both
    rows' text, one line each: a mapping cannot hold the name twice, and neither text is
    lost."""
    fields: dict[str, str] = {}
    for row in rows:
        name = row.name.strip()
        if name in fields:
            fields[name] = f"{fields[name]}\n{row.value}"
        else:
            fields[name] = row.value
    return fields
