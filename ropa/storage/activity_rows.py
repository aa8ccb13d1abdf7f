"""An activity's child rows to its record's fields and back, for every reader and writer.

The tables are described once, in db/activity_tables.py.  This turns the description into
what the readers and writers share: which columns a reader brings for each row and how the
rows become record fields (the ORM's to_record and the bulk Core reads bring them as plain
tuples in the same order), and which rows a record's fields make (the ORM's _apply and the
bulk inserts write the same ones).  An entry's class is the one its record field holds
(ropa/records.py), so nothing here names a field or a column.
"""

from __future__ import annotations

import functools
import operator
import typing
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from db.activity_tables import (
    ACTIVITY_CHILD_TABLES,
    ITEM_FIELDS,
    ChildTable,
    Shape,
)
from db.enums import LibraryKind
from ropa.library import name_key
from ropa.records import ActivityRecord
from ropa.storage.unreadable_values import UnknownRowValueError

# The names a reader's row tuple holds beside the table's own columns: the linked library
# item's kind and name (read through the link's item).
ITEM_KIND = "item.kind"
ITEM_NAME = "item.name"

_KIND_TO_FIELD = {kind: name for name, kind in ITEM_FIELDS.items()}


def read_layout(child: ChildTable) -> tuple[str, ...]:
    """The values a reader brings for each row of `child`, in this order, rows sorted by
    parent and then by the order column: the parent's id first."""
    if child.shape is Shape.LIBRARY_ITEMS:
        note = (child.note.column,) if child.note else ()
        return (child.parent_key, ITEM_KIND, ITEM_NAME, *note)
    own_id = ("id",) if child.nested is not None else ()
    split = (child.split_by,) if child.split_by else ()
    return (child.parent_key, *own_id, *split, *child.columns)


@functools.cache
def entry_type(record_field: str) -> Any:
    """The entry class a record field holds a list of (list[TransferEntry] -> TransferEntry)."""
    return typing.get_args(typing.get_type_hints(ActivityRecord)[record_field])[0]


def empty_child_values() -> dict[str, Any]:
    """Each child field of a record with nothing in it."""
    values: dict[str, Any] = {}
    for child in ACTIVITY_CHILD_TABLES:
        for name in child.fields:
            values[name] = {} if child.shape is Shape.NAMED_TEXTS else []
        if child.note is not None:
            values[child.note.field] = {}
    return values


def names_by_parent(rows: Iterable[Sequence[Any]]) -> dict[int, list[str]]:
    """A nested library table's rows (parent id, kind, name) as the names of each parent."""
    names: dict[int, list[str]] = defaultdict(list)
    for parent, _kind, name, *_note in rows:
        names[parent].append(name)
    return names


def fill_from_rows(
    child: ChildTable,
    rows: Iterable[Sequence[Any]],
    records: Mapping[int, dict[str, Any]],
    nested: Mapping[int, list[str]] | None = None,
) -> None:
    """Put `child`'s rows (laid out as read_layout says) into the field values of the
    records they belong to (activity id -> values, from empty_child_values); a row whose
    activity is not among them is left out.  `nested`: the names under each row, by its id."""
    if child.shape is Shape.LIBRARY_ITEMS:
        note = child.note
        for activity_id, kind, name, *note_value in rows:
            values = records.get(activity_id)
            if values is None:
                continue
            record_field = _KIND_TO_FIELD[kind]
            values[record_field].append(name)
            if note is not None and record_field == note.of_field and note_value[0]:
                values[note.field][name] = note_value[0]
    elif child.shape is Shape.NAMED_TEXTS:
        target = child.fields[0]
        for activity_id, name, text in rows:
            if activity_id in records:
                records[activity_id][target][name] = text
    elif child.shape is Shape.ENTRIES_BY_FIELD:
        make = entry_type(child.fields[0])
        for activity_id, record_field, *columns in rows:
            if activity_id in records:
                if record_field not in child.fields:
                    raise UnknownRowValueError(
                        activity_id, f"{child.table}.{child.split_by}", record_field, child.fields
                    )
                records[activity_id][record_field].append(make(*columns))
    elif child.nested is not None:
        make, target = entry_type(child.fields[0]), child.fields[0]
        names, attribute = nested or {}, child.nested_attribute
        for activity_id, own_id, *columns in rows:
            if activity_id in records:
                entry = make(**dict(zip(child.columns, columns, strict=True)))
                setattr(entry, attribute, list(names.get(own_id, [])))
                records[activity_id][target].append(entry)
    else:
        make, target = entry_type(child.fields[0]), child.fields[0]
        for activity_id, *columns in rows:
            if activity_id in records:
                records[activity_id][target].append(make(*columns))


# --- writing -------------------------------------------------------------------------------

Resolve = Callable[[LibraryKind, list[str]], list[Any]]


# A row a record's fields make: (its values in write_columns order, the order column
# included; the library item it links to, whose id may not be known yet, or None; the rows
# under it).  A plain tuple: an import of 10,000 activities makes 400,000 of these, and a
# named tuple's constructor made the import a tenth slower.
WantedRow = tuple[tuple[Any, ...], Any, tuple[Any, ...]]


def write_columns(child: ChildTable) -> tuple[str, ...]:
    """The columns of a WantedRow's values, in order (the parent's id and the library item
    are beside them)."""
    if child.shape is Shape.LIBRARY_ITEMS:
        return (child.order, *((child.note.column,) if child.note else ()))
    split = (child.split_by,) if child.split_by else ()
    return (*split, *child.columns, child.order)


def _entry_getter(child: ChildTable) -> Callable[[Any], tuple[Any, ...]]:
    """An entry's attributes named by the child's columns, as a tuple."""
    getter = operator.attrgetter(*child.columns)
    if len(child.columns) == 1:
        return lambda entry: (getter(entry),)
    return getter


# By table name: looked up for every new activity, and a described table hashes slowly.
_ENTRY_VALUES = {
    child.table: _entry_getter(child) for child in ACTIVITY_CHILD_TABLES if child.columns
}


def touched_partitions(child: ChildTable, changed: Iterable[str]) -> tuple[str, ...]:
    """The record fields of `child` whose rows must be written again for these changes (a
    changed note rewrites the rows of the field it is about)."""
    changed = set(changed)
    if child.note is not None and child.note.field in changed:
        changed.add(child.note.of_field)
    return tuple(name for name in child.fields if name in changed)


def wanted_rows(
    child: ChildTable,
    values: Mapping[str, Any],
    resolve: Resolve,
    partitions: Sequence[str] | None = None,
) -> dict[str, list[WantedRow]]:
    """The rows `values` (record field -> value) make in `child`, by the record field they
    come from; only the `partitions` given (all by default)."""
    wanted: dict[str, list[WantedRow]] = {}
    for record_field in child.fields if partitions is None else partitions:
        value = values[record_field]
        if child.shape is Shape.LIBRARY_ITEMS:
            wanted[record_field] = _item_rows(child, record_field, value, values, resolve)
        elif child.shape is Shape.NAMED_TEXTS:
            wanted[record_field] = [
                ((name, content, position), None, ())
                for position, (name, content) in enumerate(value.items())
            ]
        else:
            entry_values = _ENTRY_VALUES[child.table]
            split = (record_field,) if child.split_by else ()
            wanted[record_field] = [
                (
                    (*split, *entry_values(entry), position),
                    None,
                    _nested_rows(child, entry, resolve),
                )
                for position, entry in enumerate(value)
            ]
    return wanted


def _item_rows(
    child: ChildTable,
    record_field: str,
    names: list[str],
    values: Mapping[str, Any],
    resolve: Resolve,
) -> list[WantedRow]:
    items = resolve(child.kind or ITEM_FIELDS[record_field], names)
    note = child.note
    if note is None:
        return [((position,), item, ()) for position, item in enumerate(items)]
    if record_field != note.of_field:
        return [((position, ""), item, ()) for position, item in enumerate(items)]
    notes = notes_by_name_key(values.get(note.field) or {})
    return [
        ((position, notes.get(name_key(item.name), "")), item, ())
        for position, item in enumerate(items)
    ]


def _nested_rows(child: ChildTable, entry: Any, resolve: Resolve) -> tuple[WantedRow, ...]:
    if child.nested is None:
        return ()
    names = getattr(entry, child.nested_attribute)
    return tuple(_item_rows(child.nested, child.nested_attribute, names, {}, resolve))


def notes_by_name_key(notes: Mapping[str, str]) -> dict[str, str]:
    """Notes on items (recipients' reasons) keyed as library names are matched
    (ropa.library.name_key), each note with its spacing folded."""
    return {name_key(name): " ".join(text.split()) for name, text in notes.items()}
