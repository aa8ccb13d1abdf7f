"""Processing activities: create, read, edit, duplicate, retire and delete.

Every public method is one transaction, and every change it makes is written to the change
history field by field.  Records go in and out; ORM objects stay inside.  New activities and
many records at once are written and read by the fast paths in ropa/storage/.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session, selectinload

from db.activity_tables import ACTIVITY_CHILD_TABLES, CHILD_FIELDS, ChildTable, Shape
from db.models import Activity, Role, Status, utc_now
from ropa.errors import ConflictError, NotFoundError, ValidationError
from ropa.history import ChangeLog
from ropa.library import LibraryResolver, name_key
from ropa.records import LINK_FIELDS, SCALAR_FIELDS, ActivityRecord
from ropa.review_rules import changes_after_edit, status_refusal
from ropa.storage.activity_rows import (
    ITEM_KIND,
    ITEM_NAME,
    WantedRow,
    empty_child_values,
    fill_from_rows,
    read_layout,
    touched_partitions,
    wanted_rows,
    write_columns,
)
from ropa.storage.bulk_reads import load_records
from ropa.storage.models import model_of
from ropa.storage.new_activities import (
    ChildRows,
    ReferenceAllocator,
    check_reference_free,
    insert_activity,
    refuse_nul_characters,
)
from ropa.validation import normalise, normalise_changes

if TYPE_CHECKING:
    from ropa.store import Store

_KIND_TO_FIELD = {kind: name for name, kind in LINK_FIELDS.items()}


def _full_load_options() -> list[Any]:
    """Load every child table's rows with the activity (db/activity_tables.py), with the
    library items they link to."""
    options = []
    for child in ACTIVITY_CHILD_TABLES:
        option = selectinload(getattr(Activity, child.relationship))
        if child.shape is Shape.LIBRARY_ITEMS:
            option = option.joinedload(model_of(child.table).item)
        if child.nested is not None:
            option = option.selectinload(
                getattr(model_of(child.table), child.nested.relationship)
            ).joinedload(model_of(child.nested.table).item)
        options.append(option)
    return options


class ActivityService:
    def __init__(self, store: Store) -> None:
        self.store = store

    # --- reading -------------------------------------------------------------------------

    def get(self, activity_id: int) -> ActivityRecord:
        with self.store.reading() as session:
            found = load_records(session, [Activity.id == activity_id], SCALAR_FIELDS)
        if not found:
            raise _not_found(activity_id)
        return found[0]

    def find_by_reference(self, reference: str) -> ActivityRecord | None:
        """The activity with this reference: as typed first, else ignoring case (references
        are unique as typed, so "cs-001" beside "CS-001" is found exactly)."""
        wanted = reference.strip()
        with self.store.reading() as session:
            found = session.scalar(select(Activity.id).where(Activity.reference == wanted))
            if found is None:
                found = session.scalar(
                    select(Activity.id)
                    .where(func.lower(Activity.reference) == wanted.lower())
                    .order_by(Activity.id)
                    .limit(1)
                )
        return None if found is None else self.get(found)

    def load(
        self,
        ids: Sequence[int] | None = None,
        *,
        include_retired: bool = False,
        business_functions: Sequence[str] | None = None,
    ) -> list[ActivityRecord]:
        """Full records for many activities at once (for exports, notices and checks)."""
        which: list[ColumnElement[bool]] = []
        if ids is not None:
            which.append(Activity.id.in_(list(ids)))
        if not include_retired:
            which.append(Activity.status != Status.RETIRED)
        with self.store.reading() as session:
            if business_functions:
                # Matched as library names are (spacing and case folded, any alphabet):
                # SQLite's lower() folds ASCII letters only.
                keys = {name_key(name) for name in business_functions}
                functions = session.connection().execute(
                    select(Activity.id, Activity.business_function)
                )
                chosen = [row[0] for row in functions if name_key(row[1]) in keys]
                which.append(Activity.id.in_(chosen))
            return load_records(session, which, SCALAR_FIELDS)

    # --- changing ------------------------------------------------------------------------

    def create(self, record: ActivityRecord) -> ActivityRecord:
        with self.store.transaction() as session:
            activity_id = insert_activity(session, record, *_resolver_and_log(session))
            return to_record(_load(session, activity_id, full=True))

    def create_many(self, records: Iterable[ActivityRecord]) -> list[int]:
        """Insert many activities in one transaction (demo registers, benchmarks)."""
        with self.store.transaction() as session:
            resolver, log = _resolver_and_log(session)
            records = list(records)
            references = ReferenceAllocator(session)
            references.reserve(record.reference for record in records)
            return [
                insert_activity(session, record, resolver, log, references=references)
                for record in records
            ]

    def update(
        self, activity_id: int, changes: dict[str, Any], expected_version: int | None = None
    ) -> ActivityRecord:
        """Change some fields. With `expected_version`, refuse if someone saved in between."""
        with self.store.transaction() as session:
            activity = _load(session, activity_id, full=True)
            check_version(activity, expected_version)
            if (
                "status" in changes
                and (status := normalise("status", changes["status"])) != activity.status
            ):
                _refuse_review_status(status)
            update_activity(session, activity, changes, *_resolver_and_log(session))
            return to_record(activity)

    def duplicate(self, activity_id: int) -> ActivityRecord:
        with self.store.transaction() as session:
            original = to_record(_load(session, activity_id, full=True))
            copy = dataclasses.replace(
                original,
                reference="",
                name=f"{original.name} (copy)",
                status=Status.DRAFT,
                approved_by="",
                approved_on=None,
                last_reviewed=None,
                next_review=None,
            )
            resolver, log = _resolver_and_log(session)
            activity = _load(session, insert_activity(session, copy, resolver, log), full=True)
            log.add(
                "activity",
                activity.id,
                _label(activity),
                "duplicate",
                "reference",
                original.reference,
                activity.reference,
            )
            return to_record(activity)

    def retire(
        self, activity_ids: Sequence[int], expected_versions: Mapping[int, int] | None = None
    ) -> None:
        """Mark activities as retired: kept and reachable, left out of exports and notices."""
        self.set_status(activity_ids, Status.RETIRED, expected_versions)

    def set_status(
        self,
        activity_ids: Sequence[int],
        status: Status,
        expected_versions: Mapping[int, int] | None = None,
    ) -> None:
        """Change the status of several activities at once.

        With `expected_versions` (activity id -> the version the user saw), nothing is changed
        if any of them was saved by someone else in between.  In review and approved are
        given by the review steps (ropa.review), which record who and when.
        """
        _refuse_review_status(status)
        with self.store.transaction() as session:
            resolver, log = _resolver_and_log(session)
            for activity_id in activity_ids:
                activity = _load(session, activity_id, full=True)
                check_version(activity, (expected_versions or {}).get(activity_id))
                update_activity(session, activity, {"status": status}, resolver, log)

    def delete(
        self, activity_ids: Sequence[int], expected_versions: Mapping[int, int] | None = None
    ) -> None:
        """Delete activities for good. The change history keeps the whole of each one, as
        JSON in the old value, so that what was deleted can still be shown (Article 5(2)).

        With `expected_versions`, nothing is deleted if any of them was changed in between:
        a colleague's newer work is never thrown away unseen.
        """
        with self.store.transaction() as session:
            log = ChangeLog(session)
            for activity_id in activity_ids:
                activity = _load(session, activity_id, full=True)
                check_version(activity, (expected_versions or {}).get(activity_id))
                snapshot = json.dumps(
                    dataclasses.asdict(to_record(activity)), default=str, ensure_ascii=False
                )
                log.add("activity", activity.id, _label(activity), "delete", "", snapshot)
                session.delete(activity)


# --- shared with import and the demo ------------------------------------------------------


def _resolver_and_log(session: Session) -> tuple[LibraryResolver, ChangeLog]:
    """The change log of a transaction, and a resolver that records in it the library items
    it creates for names typed into an activity."""
    log = ChangeLog(session)
    return LibraryResolver(session, log), log


def update_activity(
    session: Session,
    activity: Activity,
    changes: dict[str, Any],
    resolver: LibraryResolver,
    log: ChangeLog,
) -> bool:
    """Apply changes to a loaded activity; return whether anything actually changed.

    A change of content after an approval also marks it as changed since approved
    (ropa.review_rules.changes_after_edit).  `changed_since_approval` is never typed: only
    the review steps pass it (approving clears it)."""
    changes = dict(changes)
    review_flag = changes.pop("changed_since_approval", None)
    changes = normalise_changes(changes)
    if session.connection().dialect.name == "postgresql":
        refuse_nul_characters(changes)
    if "reference" in changes:
        check_reference_free(session, changes["reference"], activity.id)
    before = to_record(activity)
    changed = {
        name: value for name, value in changes.items() if _differs(getattr(before, name), value)
    }
    if review_flag is None:
        changed.update(
            changes_after_edit(
                activity.status, activity.approved_on, changed, activity.changed_since_approval
            )
        )
    elif review_flag != activity.changed_since_approval:
        changed["changed_since_approval"] = review_flag
    if not changed:
        return False
    _apply(activity, changed, resolver, before)
    for name, value in changed.items():
        if name == "extra_fields":
            _log_extra_fields(log, activity, before.extra_fields, value)
            continue
        log.add(
            "activity", activity.id, _label(activity), "update", name, getattr(before, name), value
        )
    activity.version += 1
    activity.updated_at = utc_now()
    session.flush()
    return True


def _differs(old: Any, new: Any) -> bool:
    # Own fields are ordered: the same headers in another order is a change (dicts compare
    # equal whatever their order).
    if isinstance(old, dict) and isinstance(new, dict):
        return list(old.items()) != list(new.items())
    return bool(old != new)


def _log_extra_fields(
    log: ChangeLog, activity: Activity, before: dict[str, str], after: dict[str, str]
) -> None:
    """One history line per own field changed, named by its header ("System supplier:
    Capita"), rather than every own field of the activity each time one of them changes."""
    for header in [*before, *(h for h in after if h not in before)]:
        old, new = before.get(header), after.get(header)
        if old != new:
            log.add(
                "activity",
                activity.id,
                _label(activity),
                "update",
                "extra_fields",
                "" if old is None else f"{header}: {old}",
                "" if new is None else f"{header}: {new}",
            )


def _refuse_review_status(status: Status) -> None:
    reason = status_refusal(status)
    if reason is not None:
        raise ValidationError(reason, field="status")


def check_version(activity: Activity, expected_version: int | None) -> None:
    if expected_version is not None and activity.version != expected_version:
        raise ConflictError(
            f"Activity {activity.reference} \u201c{activity.name}\u201d was changed by someone "
            "else since you opened it. Reload it to see their change, then make yours again."
        )


def to_record(activity: Activity) -> ActivityRecord:
    """The record of a loaded activity: its row's fields, and its child rows read as the
    bulk reads read them (ropa/storage/activity_rows.py)."""
    values: dict[str, Any] = {name: getattr(activity, name) for name in SCALAR_FIELDS}
    # Rows not yet flushed have no ids: the activity is 0 and each row its place.
    children = {0: empty_child_values()}
    for child in ACTIVITY_CHILD_TABLES:
        rows = getattr(activity, child.relationship)
        nested = None
        if child.nested is not None:
            nested = {
                index: [link.item.name for link in getattr(row, child.nested.relationship)]
                for index, row in enumerate(rows)
            }
        fill_from_rows(child, _orm_rows(child, rows), children, nested)
    return ActivityRecord(
        **values,
        **children[0],
        id=activity.id,
        version=activity.version,
        changed_since_approval=activity.changed_since_approval,
        created_at=activity.created_at,
        updated_at=activity.updated_at,
    )


def _orm_rows(child: ChildTable, rows: list[Any]) -> list[tuple[Any, ...]]:
    """ORM rows as the tuples read_layout describes (activity 0, each row's id its place)."""
    layout = read_layout(child)
    tuples = []
    for index, row in enumerate(rows):
        values: list[Any] = []
        for name in layout:
            if name == child.parent_key:
                values.append(0)
            elif name == "id":
                values.append(index)
            elif name == ITEM_KIND:
                values.append(row.item.kind)
            elif name == ITEM_NAME:
                values.append(row.item.name)
            else:
                values.append(getattr(row, name))
        tuples.append(tuple(values))
    return tuples


# --- internals ----------------------------------------------------------------------------


def _apply(
    activity: Activity,
    changes: dict[str, Any],
    resolver: LibraryResolver,
    before: ActivityRecord,
) -> None:
    """Set the changed fields: the row's own, then the rows of each child table a change
    touches, made from the record as it will be (`before` with the changes)."""
    for name, value in changes.items():
        if name not in CHILD_FIELDS:
            setattr(activity, name, value)
    after = {name: changes.get(name, getattr(before, name)) for name in CHILD_FIELDS}
    for child in ACTIVITY_CHILD_TABLES:
        partitions = touched_partitions(child, changes)
        if partitions:
            _replace_rows(activity, child, wanted_rows(child, after, resolver.resolve, partitions))


def _replace_rows(
    activity: Activity, child: ChildTable, wanted: dict[str, list[WantedRow]]
) -> None:
    """Make the rows of `child` from these record fields those wanted, keeping the rows of
    its other fields.  A row with a key of its own within the activity (a library item,
    an own field's place) is changed in place: deleting it and inserting its key again in
    one flush is refused by the primary key."""
    model, columns = model_of(child.table), write_columns(child)
    current = getattr(activity, child.relationship)
    kept = [row for row in current if _field_of(child, row) not in wanted]
    reusable = {
        _existing_key(child, row): row
        for row in current
        if child.row_key and _field_of(child, row) in wanted
    }
    fresh = []
    for rows in wanted.values():
        for want in rows:
            row = reusable.pop(_wanted_key(child, columns, want), None)
            row = _fill_row(row if row is not None else model(), columns, want)
            if child.nested is not None:
                below, below_columns = model_of(child.nested.table), write_columns(child.nested)
                setattr(
                    row,
                    child.nested.relationship,
                    [_fill_row(below(), below_columns, nested) for nested in want[2]],
                )
            fresh.append(row)
    setattr(activity, child.relationship, kept + fresh)


def _fill_row(row: Any, columns: tuple[str, ...], want: WantedRow) -> Any:
    values, item, _below = want
    for name, value in zip(columns, values, strict=True):
        setattr(row, name, value)
    if item is not None:
        row.item = item
    return row


def _field_of(child: ChildTable, row: Any) -> str:
    """The record field a stored row belongs to."""
    if child.shape is Shape.LIBRARY_ITEMS:
        return _KIND_TO_FIELD[row.item.kind]
    if child.split_by:
        return str(getattr(row, child.split_by))
    return child.fields[0]


def _existing_key(child: ChildTable, row: Any) -> Any:
    return row.item.id if child.row_key == child.item_key else getattr(row, child.row_key)


def _wanted_key(child: ChildTable, columns: tuple[str, ...], want: WantedRow) -> Any:
    if not child.row_key:
        return None  # rows are replaced: none is reused
    if child.row_key == child.item_key:
        return want[1].id  # None for an item not yet stored: never one of the rows
    return want[0][columns.index(child.row_key)]


def _load(session: Session, activity_id: int, *, full: bool) -> Activity:
    options = _full_load_options() if full else []
    activity = session.get(Activity, activity_id, options=options)
    if activity is None:
        raise _not_found(activity_id)
    return activity


def _not_found(activity_id: int) -> NotFoundError:
    return NotFoundError(
        f"Activity {activity_id} is no longer in the register; someone may have deleted it."
    )


def _label(activity: Activity) -> str:
    return f"{activity.reference} {activity.name}".strip()


__all__ = [
    "ActivityService",
    "ChildRows",
    "ReferenceAllocator",
    "Role",
    "Status",
    "insert_activity",
    "to_record",
    "update_activity",
]
