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

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

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
from ropa.storage.bulk_reads import load_records
from ropa.storage.new_activities import (
    ChildRows,
    ReferenceAllocator,
    check_reference_free,
    insert_activity,
    reasons_by_name_key,
    refuse_nul_characters,
)
from ropa.validation import normalise, normalise_changes

if TYPE_CHECKING:
    from ropa.store import Store

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
    def __init__(self, store: Store) -> None:
        self.store = store

    # --- reading -------------------------------------------------------------------------

    def get(self, activity_id: int) -> ActivityRecord:
        with self.store.reading() as session:
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
        query = select(Activity.id)
        if ids is not None:
            query = query.where(Activity.id.in_(list(ids)))
        if not include_retired:
            query = query.where(Activity.status != Status.RETIRED)
        with self.store.reading() as session:
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


def to_record(activity: Activity) -> ActivityRecord:
    values: dict[str, Any] = {name: getattr(activity, name) for name in SCALAR_FIELDS}
    linked: dict[str, Any] = {name: [] for name in LINK_FIELDS}
    reasons: dict[str, str] = {}
    for link in activity.links:
        linked[_KIND_TO_FIELD[link.item.kind]].append(link.item.name)
        if link.item.kind == LibraryKind.RECIPIENT and link.reason:
            reasons[link.item.name] = link.reason
    conditions: dict[str, Any] = {"article9": [], "schedule1": []}
    for condition in activity.conditions:
        conditions[condition.scheme].append(ConditionEntry(condition.code, condition.explanation))
    return ActivityRecord(
        **values,
        **linked,
        **conditions,
        lawful_bases=[
            LawfulBasisEntry(
                basis.basis,
                basis.explanation,
                [link.item.name for link in basis.legislation_links],
                basis.annex1_condition,
                basis.outside_tasks_reason,
            )
            for basis in activity.lawful_bases
        ],
        transfers=[
            TransferEntry(
                transfer.destination,
                transfer.mechanism,
                transfer.safeguards,
                transfer.data_protection_test,
                transfer.data_protection_test_date,
                transfer.data_protection_test_link,
            )
            for transfer in activity.transfers
        ],
        retention=[
            RetentionEntry(rule.period, rule.trigger, rule.applies_to)
            for rule in activity.retention_rules
        ],
        extra_fields={row.name: row.value for row in activity.extra_field_rows},
        recipient_reasons=reasons,
        id=activity.id,
        version=activity.version,
        changed_since_approval=activity.changed_since_approval,
        created_at=activity.created_at,
        updated_at=activity.updated_at,
    )


# --- internals ----------------------------------------------------------------------------


def _apply(activity: Activity, changes: dict[str, Any], resolver: LibraryResolver) -> None:
    for name, value in changes.items():
        if name == "recipient_reasons":
            continue  # after the recipients themselves, below
        if name in LINK_FIELDS:
            _set_links(activity, LINK_FIELDS[name], resolver.resolve(LINK_FIELDS[name], value))
        elif name == "lawful_bases":
            activity.lawful_bases = [
                ActivityLawfulBasis(
                    basis=entry.basis,
                    explanation=entry.explanation,
                    annex1_condition=entry.annex1_condition,
                    outside_tasks_reason=entry.outside_tasks_reason,
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
                    data_protection_test=entry.data_protection_test,
                    data_protection_test_date=entry.data_protection_test_date,
                    data_protection_test_link=entry.data_protection_test_link,
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
    if "recipient_reasons" in changes:
        _set_recipient_reasons(activity, changes["recipient_reasons"])


def _set_recipient_reasons(activity: Activity, reasons: dict[str, str]) -> None:
    """Each recipient link's reason, matched by name as the register spells it or in any
    case and spacing; a recipient not named has its reason cleared."""
    wanted = reasons_by_name_key(reasons)
    for link in activity.links:
        if link.item.kind == LibraryKind.RECIPIENT:
            link.reason = wanted.get(name_key(link.item.name), "")


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
