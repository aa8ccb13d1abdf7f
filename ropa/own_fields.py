"""Rows of a name and its text, as the register keeps them: an ordered mapping name -> text.

The organisation's own fields (ActivityRecord.extra_fields) and the reason each recipient
gets the data (ActivityRecord.recipient_reasons) are typed as such rows in the activity
editor.  How rows become the mapping is a rule of the register, not of the table widget:
written here once, so that the editor, a script and the tests agree.  Whether the result is
acceptable (a name each, each named once whatever its case) is ropa.validation's to say.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

NamedText = tuple[str, str]


def fields_from_rows(rows: Iterable[NamedText]) -> dict[str, str]:
    """The rows as the register keeps them, in their order, names trimmed.  A name given
    twice is one field holding both rows' text, one line each: a mapping cannot hold the name
    twice, and neither text is lost.  A row with no name is kept under "" so that validation
    can ask for its name rather than the text vanishing."""
    fields: dict[str, str] = {}
    for name, value in rows:
        key = name.strip()
        fields[key] = f"{fields[key]}\n{value}" if key in fields else value
    return fields


def reasons_from_rows(rows: Iterable[NamedText]) -> dict[str, str]:
    """The reasons per recipient: as `fields_from_rows`, leaving out a row that names no
    recipient yet (a reason is only kept for someone) or gives no reason yet (the register
    keeps no empty reason, so an empty one would differ from what is stored and be wiped
    while it is being typed)."""
    return {name: text for name, text in fields_from_rows(rows).items() if name and text.strip()}


def rows_from_fields(fields: Mapping[str, str] | None) -> list[NamedText]:
    """The stored mapping as rows to show, in its order."""
    return list((fields or {}).items())
