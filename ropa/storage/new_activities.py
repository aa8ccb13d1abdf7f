"""New activities written fast, and the reference and text checks their writes share.

An import or an example register writes thousands of activities in one transaction. Through
the ORM's unit of work that took ten times as long, so their rows go straight to the driver's
cursor (db/raw.py: SQL spelled once for SQLite and PostgreSQL): the activity's row with the
models' defaults and column conversions worked out once per dialect, its child rows waiting
in ChildRows to be written a batch at a time. On a server the activities' own rows wait too,
with ids from the table's sequence, so that a batch is a few statements rather than a round
trip per activity. tests/unit/test_bulk_insert_parity.py and test_activities.py read what
these write back through the ORM, on both backends.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Callable, Iterable, Iterator
from typing import Any, NamedTuple

from sqlalchemy import Table, select
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session
from sqlalchemy.sql.schema import CallableColumnDefault, ScalarElementColumnDefault

from db.activity_tables import ACTIVITY_CHILD_TABLES, ChildTable, Shape
from db.models import Activity, LibraryItem, Status
from db.raw import RawCursor, session_cursor
from ropa.dates import default_next_review
from ropa.errors import ValidationError
from ropa.history import ChangeLog
from ropa.library import LibraryResolver
from ropa.records import SCALAR_FIELDS, ActivityRecord
from ropa.storage.activity_rows import wanted_rows, write_columns
from ropa.validation import normalise_changes

REFERENCE_PREFIX = "ACT-"
EDITABLE_FIELDS = ActivityRecord.editable_fields()


def insert_activity(
    session: Session,
    record: ActivityRecord,
    resolver: LibraryResolver,
    log: ChangeLog,
    pending: ChildRows | None = None,
    references: ReferenceAllocator | None = None,
) -> int:
    """Insert one activity and return its id.

    Rows are written with bulk Core inserts rather than through the ORM unit of work: an
    import or a demo of thousands of activities is then about ten times faster.  With
    `pending`, the child rows (links, conditions, transfers, retention, legislation) wait
    there to be written with other activities' (`pending.write`); without it they are
    written at once.  With `references`, a blank reference is given the allocator's next
    one (many inserts in a transaction); without it, the register's references are read.
    """
    changes = {name: getattr(record, name) for name in EDITABLE_FIELDS}
    if not str(changes["reference"]).strip():
        allocator = references if references is not None else ReferenceAllocator(session)
        changes["reference"] = allocator.next()
    if changes["next_review"] is None and changes["status"] != Status.RETIRED:
        changes["next_review"] = default_next_review(dt.date.today())
    changes = normalise_changes(changes)
    scalars = {name: changes[name] for name in SCALAR_FIELDS}
    dialect = session.connection().dialect
    if dialect.name == "postgresql":
        refuse_nul_characters(changes)
    row = _activity_row(scalars, dialect)
    # An activity given no reference is written at once: the importer reads back the one
    # it was given.
    if pending is not None and dialect.name == "postgresql" and record.reference.strip():
        activity_id = pending.defer_activity(session, changes["reference"], row)
    else:
        activity_id = _insert_activity_row(session, changes["reference"], row)
    if pending is None:
        waiting = ChildRows()
        _insert_children(session, activity_id, changes, resolver, waiting)
        waiting.write(session)
    else:
        _insert_children(session, activity_id, changes, resolver, pending)
    log.add("activity", activity_id, f"{changes['reference']} {changes['name']}".strip(), "create")
    return int(activity_id)


def _insert_activity_row(session: Session, reference: str, row: tuple[Any, ...]) -> int:
    cursor = session_cursor(session)
    try:
        # One statement both checks the reference is free and inserts (on a server each
        # statement is a round trip): a reference in use inserts nothing and returns no id.
        inserted = cursor.execute(_ACTIVITY_SQL, row).fetchone()
    finally:
        cursor.close()
    if inserted is None:
        raise _reference_taken(reference)
    return int(inserted[0])


def _table(model: Any) -> Table:
    table: Table = model.__table__
    return table


_ACTIVITY_TABLE = _table(Activity)


class _Insert(NamedTuple):
    """Rows of one table with these columns, written together (RawCursor.insert_rows)."""

    table: str
    columns: tuple[str, ...]


def _insert_of(child: ChildTable) -> _Insert:
    """The columns a child table's new rows are written with: the parent's id, the library
    item a link names (its id once known, ChildRows), then the row's values."""
    item = (child.item_key,) if child.shape is Shape.LIBRARY_ITEMS else ()
    return _Insert(child.table, (child.parent_key, *item, *write_columns(child)))


_ACTIVITY_COLUMNS = [column for column in _ACTIVITY_TABLE.columns if not column.primary_key]
_ACTIVITY_SQL = (
    f"INSERT INTO {_ACTIVITY_TABLE.name} ({', '.join(c.name for c in _ACTIVITY_COLUMNS)}) "
    f"VALUES ({', '.join('?' for _ in _ACTIVITY_COLUMNS)}) "
    "ON CONFLICT (reference) DO NOTHING RETURNING id"
)


def _activity_row(scalars: dict[str, Any], dialect: Dialect) -> tuple[Any, ...]:
    """An activity row as SQLAlchemy would write it: the models' defaults for what is not
    given, and each value converted by its column type (enums, dates, booleans)."""
    row = []
    for key, default, convert in _column_plan(dialect):
        value = scalars[key] if key in scalars else default()
        row.append(convert(value) if convert is not None else value)
    return tuple(row)


_ColumnPlan = list[tuple[str, Callable[[], Any], Callable[[Any], Any] | None]]
_COLUMN_PLANS: dict[str, _ColumnPlan] = {}


def _column_plan(dialect: Dialect) -> _ColumnPlan:
    """For each activity column: its key, its default and the column type's own conversion
    to what the driver stores; worked out once per dialect, not for every row."""
    if dialect.name not in _COLUMN_PLANS:
        _COLUMN_PLANS[dialect.name] = [
            (column.key, _default_of(column), column.type.bind_processor(dialect))
            for column in _ACTIVITY_COLUMNS
        ]
    return _COLUMN_PLANS[dialect.name]


def _default_of(column: Any) -> Callable[[], Any]:
    default = column.default
    if isinstance(default, CallableColumnDefault):
        return lambda: default.arg(None)  # type: ignore[arg-type]  # utc_now needs no context
    if isinstance(default, ScalarElementColumnDefault):
        return lambda: default.arg
    return lambda: None


# The child rows of a new activity go straight to the driver's cursor (db/raw.py): a Core
# statement costs more to prepare than the row costs to write, ten times over in a
# 10,000-activity import.
# A block of new activity ids from the table's own sequence (PostgreSQL).
_ACTIVITY_IDS_SQL = (
    f"SELECT nextval(pg_get_serial_sequence('{_ACTIVITY_TABLE.name}', 'id'))"
    " FROM generate_series(1, 500)"
)
# Each child table's insert (db/activity_tables.py), and the insert of the rows under its rows.
_INSERTS = {child.table: _insert_of(child) for child in ACTIVITY_CHILD_TABLES}
_NESTED_INSERTS = {
    child.table: _insert_of(child.nested) for child in ACTIVITY_CHILD_TABLES if child.nested
}


class ChildRows:
    """The child rows of new activities, written together: a few multi-row statements per
    table for a batch of activities cost far less than several per activity in a large
    import (on a server, each statement is a round trip)."""

    def __init__(self) -> None:
        self._rows: dict[_Insert, list[tuple[Any, ...]]] = {}
        # Rows linking to library items, as (owner id, item, position): an item the import
        # has just created gets its id when the session is flushed, once for the whole batch
        # rather than once for each activity that names a new item.
        # Anything after the position (a recipient's reason) is written as it is.
        self._item_rows: dict[_Insert, list[tuple[Any, ...]]] = {}
        # Rows with rows under them (a lawful basis and the legislation it cites), each
        # with the (item, position) of the rows under it: a row gets its id as the batch is
        # written.
        self._parents: dict[
            _Insert, list[tuple[tuple[Any, ...], _Insert, list[tuple[LibraryItem, int]]]]
        ] = {}
        self.activities = 0  # how many activities' rows are waiting
        # On a server the new activities' own rows wait too, with ids taken in blocks from
        # the table's sequence, and their references checked against `_references` (every
        # reference in the register, read when first needed after each write): one
        # statement a batch rather than a round trip an activity.
        self._activity_rows: list[tuple[Any, ...]] = []
        self._free_ids: list[int] = []
        self._references: set[str] | None = None

    def defer_activity(self, session: Session, reference: str, row: tuple[Any, ...]) -> int:
        """Keep a new activity's row to be written with the batch; its id."""
        if self._references is None:
            self._references = set(session.scalars(select(Activity.reference)))
        if reference in self._references:
            raise _reference_taken(reference)
        if not self._free_ids:
            cursor = session_cursor(session)
            try:
                block = cursor.execute(_ACTIVITY_IDS_SQL).fetchall()
            finally:
                cursor.close()
            self._free_ids = sorted((row[0] for row in block), reverse=True)
        activity_id = int(self._free_ids.pop())
        self._references.add(reference)
        self._activity_rows.append((activity_id, *row))
        return activity_id

    def add(self, insert: _Insert, rows: Iterable[tuple[Any, ...]]) -> None:
        self._rows.setdefault(insert, []).extend(rows)

    def add_items(self, insert: _Insert, rows: Iterable[tuple[Any, ...]]) -> None:
        self._item_rows.setdefault(insert, []).extend(rows)

    def add_parent(
        self,
        insert: _Insert,
        row: tuple[Any, ...],
        nested: _Insert,
        items: list[tuple[LibraryItem, int]],
    ) -> None:
        """A row (its parent's id first, its position last) with the library items of the
        rows under it, which are written once the row has its id."""
        self._parents.setdefault(insert, []).append((row, nested, items))

    def write(self, session: Session) -> None:
        """Store what is waiting; call before anything reads the new activities back."""
        # Another change (an activity renamed by the import) may come before the next new
        # activity: the references are read again then.
        self._references = None
        cursor = session_cursor(session)
        try:
            if self._activity_rows:
                cursor.insert_rows(
                    _ACTIVITY_TABLE.name,
                    ("id", *(column.name for column in _ACTIVITY_COLUMNS)),
                    self._activity_rows,
                )
                self._activity_rows.clear()
            if self._parents:
                self._write_parents(cursor)
            if self._item_rows:
                session.flush()  # new library items need their ids before they can be linked
                for insert, item_rows in self._item_rows.items():
                    self.add(
                        insert,
                        [(owner, item.id, at, *rest) for owner, item, at, *rest in item_rows],
                    )
                self._item_rows.clear()
            for insert, rows in self._rows.items():
                cursor.insert_rows(insert.table, insert.columns, rows)
        finally:
            cursor.close()
        self._rows.clear()
        self.activities = 0

    def _write_parents(self, cursor: RawCursor) -> None:
        """Each table's rows with rows under them in one go; their ids, matched by parent
        and position, go to the rows under them."""
        for insert, parents in self._parents.items():
            parent_key, order = insert.columns[0], insert.columns[-1]
            returned = cursor.insert_rows(
                insert.table,
                insert.columns,
                [row for row, _nested, _items in parents],
                returning=("id", parent_key, order),
            )
            ids = {(parent, position): own_id for own_id, parent, position in returned}
            for row, nested, items in parents:
                own_id = ids[(row[0], row[-1])]
                self.add_items(nested, [(own_id, item, position) for item, position in items])
        self._parents.clear()


def _insert_children(
    session: Session,
    activity_id: int,
    changes: dict[str, Any],
    resolver: LibraryResolver,
    pending: ChildRows,
) -> None:
    """Every child table's rows for a new activity (db/activity_tables.py), waiting in
    `pending`; their values are in the order of _insert_of's columns after the parent's."""
    for child in ACTIVITY_CHILD_TABLES:
        insert = _INSERTS[child.table]
        for rows in wanted_rows(child, changes, resolver.resolve).values():
            if child.shape is Shape.LIBRARY_ITEMS:
                pending.add_items(
                    insert, [(activity_id, item, *values) for values, item, _ in rows]
                )
            elif child.nested is not None:
                for values, _item, below in rows:
                    pending.add_parent(
                        insert,
                        (activity_id, *values),
                        _NESTED_INSERTS[child.table],
                        [(item, position) for (position, *_), item, _ in below],
                    )
            else:
                pending.add(insert, [(activity_id, *values) for values, _item, _ in rows])
    pending.activities += 1


_NUMBERED_REFERENCE = re.compile(rf"{REFERENCE_PREFIX}(\d+)")


class ReferenceAllocator:
    """Hands out new references (ACT-0001, ACT-0002, ...) after the highest in the register.

    The register's references are read once, when it is made: an import of thousands of
    activities without references asks for one per activity, and reading every reference
    each time made the import's time grow with the square of its rows."""

    def __init__(self, session: Session) -> None:
        references = session.scalars(
            select(Activity.reference).where(Activity.reference.like(f"{REFERENCE_PREFIX}%"))
        )
        self._highest = 0
        self.reserve(references)

    def reserve(self, references: Iterable[str]) -> None:
        """Never hand out these references (ones a workbook about to be imported names)."""
        for reference in references:
            match = _NUMBERED_REFERENCE.fullmatch(reference.strip())
            if match:
                self._highest = max(self._highest, int(match.group(1)))

    def next(self) -> str:
        self._highest += 1
        return f"{REFERENCE_PREFIX}{self._highest:04d}"


_REFERENCE_SQL = f"SELECT id FROM {_ACTIVITY_TABLE.name} WHERE reference = ?"


def check_reference_free(session: Session, reference: str, own_id: int | None) -> None:
    # Exact match, so SQLite answers from the unique index even in a 10,000-row import;
    # plain SQL, because building the statement cost more than answering it.
    cursor = session_cursor(session)
    try:
        found = cursor.execute(_REFERENCE_SQL, (reference,)).fetchone()
    finally:
        cursor.close()
    clash = None if found is None else found[0]
    if clash is not None and clash != own_id:
        raise _reference_taken(reference)


def refuse_nul_characters(changes: dict[str, Any]) -> None:
    """PostgreSQL's text cannot hold U+0000 (a file's can): name the field that holds one,
    before anything is written, so that an import can say which row and column it is."""
    for name, value in changes.items():
        if any("\x00" in text for text in _texts_in(value)):
            raise ValidationError(
                f"The text in {name.replace('_', ' ')} holds a NUL character (U+0000), which "
                "a team register on a PostgreSQL server cannot store; it comes from damaged "
                "pasted or imported text. Remove it and try again.",
                field=name,
            )


def _texts_in(value: Any) -> Iterator[str]:
    """Every piece of text in a field's value (lists, entries, own fields)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _texts_in(key)
            yield from _texts_in(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _texts_in(item)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        yield from _texts_in(dataclasses.astuple(value))


def _reference_taken(reference: str) -> ValidationError:
    return ValidationError(
        f"Another activity already has the reference \u201c{reference}\u201d. "
        "Give this one a different reference.",
        field="reference",
    )
