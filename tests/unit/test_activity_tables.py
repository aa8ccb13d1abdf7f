"""The one description of an activity's tables (db/activity_tables.py) agrees with the
models and the records, and what is derived from it writes and reads every child row."""

from __future__ import annotations

import dataclasses
import typing

import pytest
from sqlalchemy import ForeignKey, inspect

from db import team_security
from db.activity_tables import (
    ACTIVITY_CHILD_TABLES,
    ACTIVITY_TABLE,
    ACTIVITY_TABLE_NAMES,
    CHILD_FIELDS,
    ChildTable,
    Shape,
)
from db.models import Activity, Base
from ropa.records import SCALAR_FIELDS, ActivityRecord, ConditionEntry, TransferEntry
from ropa.register import Register
from ropa.storage.activity_rows import entry_type
from ropa.storage.models import model_of
from tests.helpers.activities import sample_activity

DESCRIBED = [*ACTIVITY_CHILD_TABLES, *(c.nested for c in ACTIVITY_CHILD_TABLES if c.nested)]
# Tables that name an activity but belong to another aggregate: a notice lists activities.
OTHER_AGGREGATES = {"notice_activities"}


def _foreign_keys(table: str) -> dict[str, str]:
    """column -> the table it refers to."""
    return {
        key.parent.name: key.column.table.name
        for key in Base.metadata.tables[table].foreign_keys
        if isinstance(key, ForeignKey)
    }


def test_every_table_that_hangs_off_an_activity_is_described() -> None:
    naming_an_activity = {
        name
        for name, table in Base.metadata.tables.items()
        if ACTIVITY_TABLE in _foreign_keys(name).values()
    }
    assert naming_an_activity - OTHER_AGGREGATES == {c.table for c in ACTIVITY_CHILD_TABLES}
    for child in ACTIVITY_CHILD_TABLES:
        if child.nested is not None:
            assert _foreign_keys(child.nested.table)[child.nested.parent_key] == child.table


@pytest.mark.parametrize("child", DESCRIBED, ids=lambda c: c.table)
def test_each_described_column_and_relationship_is_the_models(child: ChildTable) -> None:
    columns = set(Base.metadata.tables[child.table].columns.keys())
    named = {
        child.parent_key,
        child.order,
        *child.columns,
        *filter(None, (child.split_by, child.item_key, child.row_key)),
        *((child.note.column,) if child.note else ()),
    }
    assert named <= columns, named - columns
    parent = ACTIVITY_TABLE if child in ACTIVITY_CHILD_TABLES else None
    if parent is not None:
        assert _foreign_keys(child.table)[child.parent_key] == parent
        relationship = inspect(Activity).relationships[child.relationship]
        assert relationship.mapper.class_.__tablename__ == child.table
    if child.item_key:
        assert _foreign_keys(child.table)[child.item_key] == "library_items"
    # Every column is read and written: none is left to its default by one path only.
    unwritten = columns - named - {"id"}
    assert unwritten == set(), unwritten


@pytest.mark.parametrize(
    "child", [c for c in ACTIVITY_CHILD_TABLES if c.columns and c.shape is not Shape.NAMED_TEXTS]
)
def test_an_entrys_attributes_are_its_tables_columns_in_order(child: ChildTable) -> None:
    """Readers make entries from the columns in the order described."""
    for name in child.fields:
        attributes = [f.name for f in dataclasses.fields(entry_type(name))]
        assert [a for a in attributes if a != child.nested_attribute] == list(child.columns)


def test_the_record_is_the_activity_row_and_the_described_fields() -> None:
    system = {"id", "version", "created_at", "updated_at", "changed_since_approval"}
    assert set(Activity.__table__.columns.keys()) == {*SCALAR_FIELDS, *system}
    assert CHILD_FIELDS | set(SCALAR_FIELDS) == set(ActivityRecord.editable_fields())
    hints = typing.get_type_hints(ActivityRecord)
    for name in CHILD_FIELDS:
        assert typing.get_origin(hints[name]) in (list, dict), name


def test_the_team_grants_and_triggers_cover_the_described_tables() -> None:
    assert team_security.ACTIVITY_TABLES == ACTIVITY_TABLE_NAMES
    assert set(team_security.ACTIVITY_CHILD_TABLES) == {c.table for c in ACTIVITY_CHILD_TABLES}
    assert "basis_legislation" in team_security.ACTIVITY_ROW_TABLES
    assert model_of("basis_legislation").__tablename__ == "basis_legislation"


@pytest.mark.both_backends
def test_an_edit_rewrites_only_the_rows_of_the_fields_it_changes(register: Register) -> None:
    """Conditions of both schemes share a table, links of every kind another: changing the
    Article 9 conditions or one kind of link leaves the other rows as they were (on a team
    register the server records every row it changes)."""
    created = register.activities.create(
        sample_activity(
            article9=[ConditionEntry("h", "care")],
            schedule1=[ConditionEntry("2", "health")],
            recipients=["Ofsted", "NHS"],
            recipient_reasons={"NHS": "to treat you"},
            transfers=[TransferEntry("Canada", "adequacy")],
            extra_fields={"Supplier": "Capita"},
        )
    )
    activity_id = created.id or 0

    def rows() -> dict[str, list[tuple[object, ...]]]:
        with register.plain_reading() as connection:
            return {
                "conditions": connection.execute(
                    "SELECT id, scheme, code FROM activity_conditions WHERE activity_id = ?"
                    " ORDER BY id",
                    (activity_id,),
                ).fetchall(),
                "links": connection.execute(
                    "SELECT item_id, position, reason FROM activity_links"
                    " JOIN library_items ON library_items.id = item_id"
                    " WHERE activity_id = ? AND kind = 'recipient' ORDER BY item_id",
                    (activity_id,),
                ).fetchall(),
            }

    before = rows()
    changed = register.activities.update(
        activity_id,
        {"article9": [ConditionEntry("g", "substantial public interest")], "purposes": ["Pay"]},
    )
    after = rows()
    schedule1_before = [r for r in before["conditions"] if r[1] == "schedule1"]
    assert [r for r in after["conditions"] if r[1] == "schedule1"] == schedule1_before
    assert [r[1:] for r in after["conditions"] if r[1] == "article9"] == [("article9", "g")]
    assert after["links"] == before["links"] and len(before["links"]) == 2
    assert changed.recipient_reasons == {"NHS": "to treat you"}
    assert changed.purposes == ["Pay"] and changed.schedule1 == created.schedule1
    assert changed.transfers == created.transfers and changed.extra_fields == {"Supplier": "Capita"}
    # A reason alone changed keeps each recipient's link and its place.
    reasons = register.activities.update(
        activity_id, {"recipient_reasons": {"Ofsted": "to inspect"}}
    )
    assert reasons.recipients == ["Ofsted", "NHS"]
    assert reasons.recipient_reasons == {"Ofsted": "to inspect"}
    assert register.activities.load(ids=[activity_id]) == [reasons]
