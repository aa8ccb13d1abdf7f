"""Every field of an activity is described once, and what it holds agrees with the record."""

from __future__ import annotations

import pytest

from ropa.fields import FIELDS, ROLE_LABELS, STATUS_LABELS, Kind, fields_of_kind
from ropa.records import LINK_FIELDS, ActivityRecord, Role, Status
from ropa.spreadsheets.layout import CONTROLLER_LAYOUT, ENTRY_DETAIL_KEYS, PROCESSOR_LAYOUT

BLANK = ActivityRecord()


def test_every_editable_field_is_described_and_nothing_else() -> None:
    assert set(FIELDS) == set(ActivityRecord.editable_fields())


@pytest.mark.parametrize("name", sorted(FIELDS))
def test_the_kind_agrees_with_the_value_the_record_holds(name: str) -> None:
    kind = FIELDS[name].kind
    value = getattr(BLANK, name)
    expected: dict[Kind, type | tuple[type, ...]] = {
        Kind.TEXT: str,
        Kind.LONG_TEXT: str,
        Kind.LINK: str,
        Kind.DATE: type(None),
        Kind.YES_NO: bool,
        Kind.TRI_STATE: type(None),
        Kind.CHOICE: (str, Role, Status),
        Kind.LIBRARY: list,
        Kind.ENTRIES: list,
        Kind.OWN_FIELDS: dict,
        Kind.REASONS: dict,
    }
    assert isinstance(value, expected[kind]), (name, kind, value)


def test_library_fields_are_the_records_links() -> None:
    assert fields_of_kind(Kind.LIBRARY) == set(LINK_FIELDS)


def test_every_role_and_status_has_one_label() -> None:
    assert set(ROLE_LABELS) == set(Role)
    assert set(STATUS_LABELS) == set(Status)


def test_the_register_columns_use_the_field_labels() -> None:
    for layout in (CONTROLLER_LAYOUT, PROCESSOR_LAYOUT):
        for column in layout.register_columns:
            if column.key in ENTRY_DETAIL_KEYS:
                continue  # what entries hold beyond the ICO's columns: not a field
            info = FIELDS[column.key]
            assert column.header == (info.column or info.label), column.key
