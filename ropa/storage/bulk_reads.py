"""Loading many full activity records at once, fast.

Exports, notices and checks read thousands of activities.  Building ORM objects for each
activity and each of its links costs most of the time, so this reads the same rows with
plain Core queries (activities, links, bases, basis legislation, conditions, transfers,
retention and the organisation's own fields) and assembles the records directly.
ActivityService.get() still goes through the ORM for one activity; a test checks that both
produce the same records.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

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
    Transfer,
)
from ropa.records import (
    LINK_FIELDS,
    ActivityRecord,
    ConditionEntry,
    LawfulBasisEntry,
    RetentionEntry,
    TransferEntry,
)

_KIND_TO_FIELD = {kind: name for name, kind in LINK_FIELDS.items()}
_SYSTEM_COLUMNS = ("id", "version", "created_at", "updated_at", "changed_since_approval")


def load_records(
    session: Session, activities: Select[Any], scalar_fields: list[str]
) -> list[ActivityRecord]:
    """Full records for the activities `activities` selects (a select of Activity.id)."""
    ids = activities.subquery()
    columns = [getattr(Activity, name) for name in (*scalar_fields, *_SYSTEM_COLUMNS)]
    rows = session.execute(
        select(*columns).where(Activity.id.in_(select(ids.c.id))).order_by(Activity.reference)
    ).all()
    if not rows:
        return []

    links: dict[int, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    reasons: dict[int, dict[str, str]] = defaultdict(dict)
    for activity_id, kind, name, reason in session.execute(
        select(ActivityLink.activity_id, LibraryItem.kind, LibraryItem.name, ActivityLink.reason)
        .join(LibraryItem, LibraryItem.id == ActivityLink.item_id)
        .where(ActivityLink.activity_id.in_(select(ids.c.id)))
        .order_by(ActivityLink.activity_id, ActivityLink.position)
    ):
        links[activity_id][_KIND_TO_FIELD[kind]].append(name)
        if kind == LibraryKind.RECIPIENT and reason:
            reasons[activity_id][name] = reason

    legislation: dict[int, list[str]] = defaultdict(list)
    for basis_id, name in session.execute(
        select(BasisLegislation.basis_id, LibraryItem.name)
        .join(LibraryItem, LibraryItem.id == BasisLegislation.item_id)
        .join(ActivityLawfulBasis, ActivityLawfulBasis.id == BasisLegislation.basis_id)
        .where(ActivityLawfulBasis.activity_id.in_(select(ids.c.id)))
        .order_by(BasisLegislation.basis_id, BasisLegislation.position)
    ):
        legislation[basis_id].append(name)

    bases: dict[int, list[LawfulBasisEntry]] = defaultdict(list)
    for basis_id, activity_id, basis, explanation, annex1, outside in session.execute(
        select(
            ActivityLawfulBasis.id,
            ActivityLawfulBasis.activity_id,
            ActivityLawfulBasis.basis,
            ActivityLawfulBasis.explanation,
            ActivityLawfulBasis.annex1_condition,
            ActivityLawfulBasis.outside_tasks_reason,
        )
        .where(ActivityLawfulBasis.activity_id.in_(select(ids.c.id)))
        .order_by(ActivityLawfulBasis.activity_id, ActivityLawfulBasis.position)
    ):
        bases[activity_id].append(
            LawfulBasisEntry(basis, explanation, legislation[basis_id], annex1, outside)
        )

    conditions: dict[int, dict[str, list[ConditionEntry]]] = defaultdict(
        lambda: {"article9": [], "schedule1": []}
    )
    for activity_id, scheme, code, explanation in session.execute(
        select(
            ActivityCondition.activity_id,
            ActivityCondition.scheme,
            ActivityCondition.code,
            ActivityCondition.explanation,
        )
        .where(ActivityCondition.activity_id.in_(select(ids.c.id)))
        .order_by(ActivityCondition.activity_id, ActivityCondition.position)
    ):
        conditions[activity_id][scheme].append(ConditionEntry(code, explanation))

    transfers: dict[int, list[TransferEntry]] = defaultdict(list)
    for activity_id, *transfer in session.execute(
        select(
            Transfer.activity_id,
            Transfer.destination,
            Transfer.mechanism,
            Transfer.safeguards,
            Transfer.data_protection_test,
            Transfer.data_protection_test_date,
            Transfer.data_protection_test_link,
        )
        .where(Transfer.activity_id.in_(select(ids.c.id)))
        .order_by(Transfer.activity_id, Transfer.position)
    ):
        transfers[activity_id].append(TransferEntry(*transfer))

    retention: dict[int, list[RetentionEntry]] = defaultdict(list)
    for activity_id, period, trigger, applies_to in session.execute(
        select(
            RetentionRule.activity_id,
            RetentionRule.period,
            RetentionRule.trigger,
            RetentionRule.applies_to,
        )
        .where(RetentionRule.activity_id.in_(select(ids.c.id)))
        .order_by(RetentionRule.activity_id, RetentionRule.position)
    ):
        retention[activity_id].append(RetentionEntry(period, trigger, applies_to))

    extra_fields: dict[int, dict[str, str]] = defaultdict(dict)
    for activity_id, name, value in session.execute(
        select(ActivityExtraField.activity_id, ActivityExtraField.name, ActivityExtraField.value)
        .where(ActivityExtraField.activity_id.in_(select(ids.c.id)))
        .order_by(ActivityExtraField.activity_id, ActivityExtraField.position)
    ):
        extra_fields[activity_id][name] = value

    records = []
    for row in rows:
        values = dict(zip((*scalar_fields, *_SYSTEM_COLUMNS), row, strict=True))
        activity_id = values["id"]
        activity_conditions = conditions.get(activity_id, {"article9": [], "schedule1": []})
        linked: dict[str, Any] = {
            name: list(links[activity_id].get(name, [])) for name in LINK_FIELDS
        }
        records.append(
            ActivityRecord(
                **values,
                **linked,
                lawful_bases=bases.get(activity_id, []),
                article9=activity_conditions["article9"],
                schedule1=activity_conditions["schedule1"],
                transfers=transfers.get(activity_id, []),
                retention=retention.get(activity_id, []),
                extra_fields=dict(extra_fields.get(activity_id, {})),
                recipient_reasons=dict(reasons.get(activity_id, {})),
            )
        )
    return records
