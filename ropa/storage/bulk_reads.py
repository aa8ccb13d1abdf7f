"""Loading many full activity records at once, fast.

Exports, notices and checks read thousands of activities.  Building ORM objects for each
activity and each of its links costs most of the time, so this reads the same rows with
plain Core queries, one for the activities and one for each of their tables
(db/activity_tables.py), and assembles the records directly (ropa/storage/activity_rows.py).
ActivityService.get() still goes through the ORM for one activity; a test checks that both
produce the same records.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Select, select
from sqlalchemy.orm import Session

from db.activity_tables import ACTIVITY_CHILD_TABLES, ChildTable, Shape
from db.models import Activity, LibraryItem
from ropa.records import ActivityRecord
from ropa.storage.activity_rows import (
    ITEM_KIND,
    ITEM_NAME,
    empty_child_values,
    fill_from_rows,
    names_by_parent,
    read_layout,
)
from ropa.storage.models import model_of
from ropa.storage.unreadable_values import (
    UnknownRowValueError,
    refuse_unknown_codes,
    unreadable_choice,
)

_SYSTEM_COLUMNS = ("id", "version", "created_at", "updated_at", "changed_since_approval")


def load_records(
    session: Session, which: Sequence[ColumnElement[bool]], scalar_fields: list[str]
) -> list[ActivityRecord]:
    """Full records for the activities that meet every criterion of `which` (all, if none)."""
    columns = [getattr(Activity, name) for name in (*scalar_fields, *_SYSTEM_COLUMNS)]
    try:
        rows = session.execute(
            select(*columns).where(Activity.id.in_(_ids(which))).order_by(Activity.reference)
        ).all()
    except LookupError:
        # A role or status the enum type cannot read: say which activity holds it.
        if unreadable := unreadable_choice(session, which):
            raise unreadable from None
        raise
    if not rows:
        return []
    keys = (*scalar_fields, *_SYSTEM_COLUMNS)
    scalars = [dict(zip(keys, row, strict=True)) for row in rows]
    children = {values["id"]: empty_child_values() for values in scalars}
    try:
        _fill_children(session, which, children)
    except UnknownRowValueError as unknown:
        holder = next(values for values in scalars if values["id"] == unknown.activity_id)
        raise unknown.named(holder["reference"], holder["name"]) from None
    records = [ActivityRecord(**values, **children[values["id"]]) for values in scalars]
    refuse_unknown_codes(records)
    return records


def _fill_children(
    session: Session, which: Sequence[ColumnElement[bool]], children: dict[int, dict[str, Any]]
) -> None:
    """Each activity's rows of every child table into `children` (activity id -> values)."""
    for child in ACTIVITY_CHILD_TABLES:
        nested = None
        if child.nested is not None:
            # The rows under this table's rows, for the activities wanted (through their
            # parent rows, which name the activity).
            parent, below = model_of(child.table), model_of(child.nested.table)
            nested = names_by_parent(
                session.execute(
                    _rows_of(child.nested)
                    .join(parent, parent.id == getattr(below, child.nested.parent_key))
                    .where(getattr(parent, child.parent_key).in_(_ids(which)))
                )
            )
        fill_from_rows(
            child,
            session.execute(
                _rows_of(child).where(
                    getattr(model_of(child.table), child.parent_key).in_(_ids(which))
                )
            ),
            children,
            nested,
        )


def _ids(which: Sequence[ColumnElement[bool]]) -> Select[Any]:
    """The ids of the activities wanted, as a new select for each statement: a select
    object shared by statements the session has run gives each a different cache key in
    turn, so that one statement of every read was compiled again."""
    return select(select(Activity.id).where(*which).subquery().c.id)


def _rows_of(child: ChildTable) -> Select[Any]:
    """The select of `child`'s rows laid out as read_layout says, in the order kept."""
    model = model_of(child.table)
    selected: list[Any] = []
    for name in read_layout(child):
        if name == ITEM_KIND:
            selected.append(LibraryItem.kind)
        elif name == ITEM_NAME:
            selected.append(LibraryItem.name)
        else:
            selected.append(getattr(model, name))
    query = select(*selected)
    if child.shape is Shape.LIBRARY_ITEMS:
        query = query.join(LibraryItem, LibraryItem.id == getattr(model, child.item_key))
    return query.order_by(getattr(model, child.parent_key), getattr(model, child.order))
