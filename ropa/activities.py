"""Processing activities: create, read, edit, duplicate, retire and delete.

Every public method is one transaction, and every change it makes is written to the change
history field by field.  Records go in and out; ORM objects stay inside.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from sqlalchemy import Table, func, select
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.sql.schema import CallableColumnDefault, ScalarElementColumnDefault

from db.models import (
    Activity,
    ActivityCondition,
    ActivityExtraField,
    ActivityLawfulBasis,
    ActivityLink,
    BasisLegislation,
    LibraryItem,
    LibraryKind,
    RetentionRule,
    Role,
    Status,
    Transfer,
    utc_now,
)
from db.raw import RawCursor, session_cursor
from ropa.bulk_load import load_records
from ropa.dates import default_next_review
from ropa.errors import ConflictError, NotFoundError, ValidationError
from ropa.history import ChangeLog
from ropa.library import LibraryResolver, name_key
from ropa.records import (
    LINK_FIELDS,
    SCALAR_FIELDS,
    ActivityRecord,
    ConditionEntry,
    LawfulBasisEntry,
    RetentionEntry,
    TransferEntry,
)
from ropa.review_rules import changes_after_edit, status_refusal
from ropa.validation import normalise, normalise_changes

if TYPE_CHECKING:
    from ropa.register import Register

REFERENCE_PREFIX = "ACT-"
_KIND_TO_FIELD = {kind: name for name, kind in LINK_FIELDS.items()}


def _full_load_options() -> list[Any]:
    return [
        selectinload(Activity.links).joinedload(ActivityLink.item),
        selectinload(Activity.lawful_bases)
        .selectinload(ActivityLawfulBasis.legislation_links)
        .joinedload(BasisLegislation.item),
        selectinload(Activity.conditions),
        selectinload(Activity.transfers),
        selectinload(Activity.retention_rules),
        selectinload(Activity.extra_field_rows),
    ]


class ActivityService:
    def __init__(self, register: Register) -> None:
        self.register = register

    # --- reading -------------------------------------------------------------------------

    def get(self, activity_id: int) -> ActivityRecord:
        with self.register.reading() as session:
            found = load_records(
                session, select(Activity.id).where(Activity.id == activity_id), SCALAR_FIELDS
            )
        if not found:
            raise _not_found(activity_id)
        return found[0]

    def find_by_reference(self, reference: str) -> ActivityRecord | None:
        """The activity with this reference: as typed first, else ignoring case (references
        are unique as typed, so "cs-001" beside "CS-001" is found exactly)."""
        wanted = reference.strip()
        with self.register.reading() as session:
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
        query = select(Activity.id)
        if ids is not None:
            query = query.where(Activity.id.in_(list(ids)))
        if not include_retired:
            query = query.where(Activity.status != Status.RETIRED)
        with self.register.reading() as session:
            if business_functions:
                # Matched as library names are (spacing and case folded, any alphabet):
                # SQLite's lower() folds ASCII letters only.
                keys = {name_key(name) for name in business_functions}
                functions = session.connection().execute(
                    select(Activity.id, Activity.business_function)
                )
                chosen = [row[0] for row in functions if name_key(row[1]) in keys]
                query = query.where(Activity.id.in_(chosen))
            return load_records(session, query, SCALAR_FIELDS)

    # --- changing ------------------------------------------------------------------------

    def create(self, record: ActivityRecord) -> ActivityRecord:
        with self.register.transaction() as session:
            activity_id = insert_activity(session, record, *_resolver_and_log(session))
            return to_record(_load(session, activity_id, full=True))

    def create_many(self, records: Iterable[ActivityRecord]) -> list[int]:
        """Insert many activities in one transaction (demo registers, benchmarks)."""
        with self.register.transaction() as session:
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
        with self.register.transaction() as session:
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
        with self.register.transaction() as session:
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
        with self.register.transaction() as session:
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
        with self.register.transaction() as session:
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
    changes = {name: getattr(record, name) for name in _EDITABLE_FIELDS}
    if not str(changes["reference"]).strip():
        allocator = references if references is not None else ReferenceAllocator(session)
        changes["reference"] = allocator.next()
    if changes["next_review"] is None and changes["status"] != Status.RETIRED:
        changes["next_review"] = default_next_review(dt.date.today())
    changes = normalise_changes(changes)
    scalars = {name: changes[name] for name in SCALAR_FIELDS}
    dialect = session.connection().dialect
    if dialect.name == "postgresql":
        _refuse_nul_characters(changes)
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


def _insert(model: Any, columns: Sequence[str]) -> _Insert:
    return _Insert(_table(model).name, tuple(columns))


_ACTIVITY_COLUMNS = [column for column in _ACTIVITY_TABLE.columns if not column.primary_key]
_ACTIVITY_SQL = (
    f"INSERT INTO {_ACTIVITY_TABLE.name} ({', '.join(c.name for c in _ACTIVITY_COLUMNS)}) "
    f"VALUES ({', '.join('?' for _ in _ACTIVITY_COLUMNS)}) "
    "ON CONFLICT (reference) DO NOTHING RETURNING id"
)
_EDITABLE_FIELDS = ActivityRecord.editable_fields()


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
_LINK_SQL = _insert(ActivityLink, ["activity_id", "item_id", "position"])
_CONDITION_SQL = _insert(
    ActivityCondition, ["activity_id", "scheme", "code", "explanation", "position"]
)
_TRANSFER_SQL = _insert(
    Transfer, ["activity_id", "destination", "mechanism", "safeguards", "position"]
)
_RETENTION_SQL = _insert(
    RetentionRule, ["activity_id", "period", "trigger", "applies_to", "position"]
)
_EXTRA_FIELD_SQL = _insert(ActivityExtraField, ["activity_id", "position", "name", "value"])
_BASIS_SQL = _insert(ActivityLawfulBasis, ["activity_id", "basis", "explanation", "position"])
_BASIS_LEGISLATION_SQL = _insert(BasisLegislation, ["basis_id", "item_id", "position"])


class ChildRows:
    """The child rows of new activities, written together: a few multi-row statements per
    table for a batch of activities cost far less than several per activity in a large
    import (on a server, each statement is a round trip)."""

    def __init__(self) -> None:
        self._rows: dict[_Insert, list[tuple[Any, ...]]] = {}
        # Rows linking to library items, as (owner id, item, position): an item the import
        # has just created gets its id when the session is flushed, once for the whole batch
        # rather than once for each activity that names a new item.
        self._item_rows: dict[_Insert, list[tuple[int, LibraryItem, int]]] = {}
        # Lawful bases, as (activity id, basis, explanation, position), each with the
        # legislation items it cites: a basis gets its id as the batch is written.
        self._bases: list[tuple[tuple[int, str, str, int], list[LibraryItem]]] = []
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

    def add_items(self, insert: _Insert, rows: Iterable[tuple[int, LibraryItem, int]]) -> None:
        self._item_rows.setdefault(insert, []).extend(rows)

    def add_basis(self, row: tuple[int, str, str, int], legislation: list[LibraryItem]) -> None:
        self._bases.append((row, legislation))

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
            if self._bases:
                self._write_bases(cursor)
            if self._item_rows:
                session.flush()  # new library items need their ids before they can be linked
                for insert, item_rows in self._item_rows.items():
                    self.add(insert, [(owner, item.id, at) for owner, item, at in item_rows])
                self._item_rows.clear()
            for insert, rows in self._rows.items():
                cursor.insert_rows(insert.table, insert.columns, rows)
        finally:
            cursor.close()
        self._rows.clear()
        self.activities = 0

    def _write_bases(self, cursor: RawCursor) -> None:
        """The bases in one go; their ids, matched by activity and position, go to the rows
        of the legislation they cite."""
        returned = cursor.insert_rows(
            _BASIS_SQL.table,
            _BASIS_SQL.columns,
            [row for row, _legislation in self._bases],
            returning=("id", "activity_id", "position"),
        )
        ids = {(activity_id, position): basis_id for basis_id, activity_id, position in returned}
        for (activity_id, _basis, _explanation, position), legislation in self._bases:
            basis_id = ids[(activity_id, position)]
            self.add_items(
                _BASIS_LEGISLATION_SQL,
                [(basis_id, item, index) for index, item in enumerate(legislation)],
            )
        self._bases.clear()


def _insert_children(
    session: Session,
    activity_id: int,
    changes: dict[str, Any],
    resolver: LibraryResolver,
    pending: ChildRows,
) -> None:
    linked = {name: resolver.resolve(kind, changes[name]) for name, kind in LINK_FIELDS.items()}
    legislation = [
        resolver.resolve(LibraryKind.LEGISLATION, entry.legislation)
        for entry in changes["lawful_bases"]
    ]
    pending.add_items(
        _LINK_SQL,
        [
            (activity_id, item, position)
            for items in linked.values()
            for position, item in enumerate(items)
        ],
    )
    pending.add(
        _CONDITION_SQL,
        [
            (activity_id, scheme, entry.code, entry.explanation, position)
            for scheme in ("article9", "schedule1")
            for position, entry in enumerate(changes[scheme])
        ],
    )
    pending.add(
        _TRANSFER_SQL,
        [
            (activity_id, entry.destination, entry.mechanism, entry.safeguards, position)
            for position, entry in enumerate(changes["transfers"])
        ],
    )
    pending.add(
        _RETENTION_SQL,
        [
            (activity_id, entry.period, entry.trigger, entry.applies_to, position)
            for position, entry in enumerate(changes["retention"])
        ],
    )
    pending.add(
        _EXTRA_FIELD_SQL,
        [
            (activity_id, position, name, value)
            for position, (name, value) in enumerate(changes["extra_fields"].items())
        ],
    )
    for position, (entry, items) in enumerate(
        zip(changes["lawful_bases"], legislation, strict=True)
    ):
        pending.add_basis((activity_id, entry.basis, entry.explanation, position), items)
    pending.activities += 1


def update_activity(
    session: Session,
    activity: Activity,
    changes: dict[str, Any],
    resolver: LibraryResolver,
    log: ChangeLog,
) -> bool:
    """Apply changes to a loaded activity; return whether anything actually changed.

    A change of content after an approval also sends the activity back for review
    (ropa.review_rules.changes_after_edit).  `changed_since_approval` is never typed: only
    the review steps pass it (approving clears it)."""
    changes = dict(changes)
    review_flag = changes.pop("changed_since_approval", None)
    changes = normalise_changes(changes)
    if session.connection().dialect.name == "postgresql":
        _refuse_nul_characters(changes)
    if "reference" in changes:
        _check_reference_free(session, changes["reference"], activity.id)
    before = to_record(activity)
    changed = {
        name: value for name, value in changes.items() if _differs(getattr(before, name), value)
    }
    if review_flag is None:
        changed.update(changes_after_edit(activity.status, activity.approved_on, changed))
    elif review_flag != activity.changed_since_approval:
        changed["changed_since_approval"] = review_flag
    if not changed:
        return False
    _apply(activity, changed, resolver)
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


def to_record(activity: Activity) -> ActivityRecord:
    values: dict[str, Any] = {name: getattr(activity, name) for name in SCALAR_FIELDS}
    linked: dict[str, Any] = {name: [] for name in LINK_FIELDS}
    for link in activity.links:
        linked[_KIND_TO_FIELD[link.item.kind]].append(link.item.name)
    conditions: dict[str, Any] = {"article9": [], "schedule1": []}
    for condition in activity.conditions:
        conditions[condition.scheme].append(ConditionEntry(condition.code, condition.explanation))
    return ActivityRecord(
        **values,
        **linked,
        **conditions,
        lawful_bases=[
            LawfulBasisEntry(
                basis.basis, basis.explanation, [link.item.name for link in basis.legislation_links]
            )
            for basis in activity.lawful_bases
        ],
        transfers=[
            TransferEntry(transfer.destination, transfer.mechanism, transfer.safeguards)
            for transfer in activity.transfers
        ],
        retention=[
            RetentionEntry(rule.period, rule.trigger, rule.applies_to)
            for rule in activity.retention_rules
        ],
        extra_fields={row.name: row.value for row in activity.extra_field_rows},
        id=activity.id,
        version=activity.version,
        changed_since_approval=activity.changed_since_approval,
        created_at=activity.created_at,
        updated_at=activity.updated_at,
    )


# --- internals ----------------------------------------------------------------------------


def _apply(activity: Activity, changes: dict[str, Any], resolver: LibraryResolver) -> None:
    for name, value in changes.items():
        if name in LINK_FIELDS:
            _set_links(activity, LINK_FIELDS[name], resolver.resolve(LINK_FIELDS[name], value))
        elif name == "lawful_bases":
            activity.lawful_bases = [
                ActivityLawfulBasis(
                    basis=entry.basis,
                    explanation=entry.explanation,
                    position=position,
                    legislation_links=[
                        BasisLegislation(item=item, position=index)
                        for index, item in enumerate(
                            resolver.resolve(LibraryKind.LEGISLATION, entry.legislation)
                        )
                    ],
                )
                for position, entry in enumerate(value)
            ]
        elif name in ("article9", "schedule1"):
            kept = [c for c in activity.conditions if c.scheme != name]
            activity.conditions = kept + [
                ActivityCondition(
                    scheme=name, code=entry.code, explanation=entry.explanation, position=position
                )
                for position, entry in enumerate(value)
            ]
        elif name == "transfers":
            activity.transfers = [
                Transfer(
                    destination=entry.destination,
                    mechanism=entry.mechanism,
                    safeguards=entry.safeguards,
                    position=position,
                )
                for position, entry in enumerate(value)
            ]
        elif name == "extra_fields":
            _set_extra_fields(activity, value)
        elif name == "retention":
            activity.retention_rules = [
                RetentionRule(
                    period=entry.period,
                    trigger=entry.trigger,
                    applies_to=entry.applies_to,
                    position=position,
                )
                for position, entry in enumerate(value)
            ]
        else:
            setattr(activity, name, value)


def _set_extra_fields(activity: Activity, fields: dict[str, str]) -> None:
    # The rows are keyed by position: the existing ones are rewritten in place, so the
    # flush never inserts a row whose key a row still waiting to be deleted holds.
    rows = activity.extra_field_rows
    for position, (name, value) in enumerate(fields.items()):
        if position < len(rows):
            rows[position].name, rows[position].value = name, value
        else:
            rows.append(ActivityExtraField(name=name, value=value, position=position))
    del rows[len(fields) :]


def _set_links(activity: Activity, kind: LibraryKind, items: list[LibraryItem]) -> None:
    existing = {
        link.item.id: link
        for link in activity.links
        if link.item.kind == kind and link.item.id is not None
    }
    others = [link for link in activity.links if link.item.kind != kind]
    fresh = []
    for position, item in enumerate(items):
        link = existing.get(item.id) if item.id is not None else None
        if link is None:
            link = ActivityLink(item=item)
        link.position = position
        fresh.append(link)
    activity.links = others + fresh


_REFERENCE_SQL = f"SELECT id FROM {_ACTIVITY_TABLE.name} WHERE reference = ?"


def _check_reference_free(session: Session, reference: str, own_id: int | None) -> None:
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


def _refuse_nul_characters(changes: dict[str, Any]) -> None:
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


__all__ = ["ActivityService", "Role", "Status", "insert_activity", "to_record", "update_activity"]
