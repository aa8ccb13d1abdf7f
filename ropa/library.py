"""Library items: reusable purposes, categories, recipients, Acts and the like.

Activities link to items by id, so renaming an item renames it in every activity and every
notice at once.  An item in use cannot be deleted; it can be merged into another.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, func, literal, select, update
from sqlalchemy.orm import Session

from db.models import (
    Activity,
    ActivityLink,
    BasisLegislation,
    LibraryItem,
    LibraryKind,
    utc_now,
)
from ropa.errors import ConflictError, InUseError, NotFoundError, ValidationError
from ropa.fields import KIND_LABELS
from ropa.history import ChangeLog
from ropa.records import LibraryItemRecord
from ropa.wording import count_of

if TYPE_CHECKING:
    from ropa.store import Store

# The details an item may carry besides its name (which kinds use which: see db.models).
ITEM_FIELDS = (
    "description",
    "special_category",
    "criminal_offence",
    "contract_link",
    "link",
    "adequacy",
)
MAX_NAMES_IN_MESSAGE = 8


def clean_name(name: str) -> str:
    return name.strip()


@functools.lru_cache(maxsize=65_536)
def name_key(name: str) -> str:
    """How names are matched: trimmed, spacing folded, case-insensitive.

    Cached: checks and imports ask for the same few hundred names hundreds of thousands of
    times over a large register."""
    return " ".join(name.split()).casefold()


def to_record(item: LibraryItem, usage_count: int = 0) -> LibraryItemRecord:
    return LibraryItemRecord(
        kind=item.kind,
        name=item.name,
        description=item.description,
        special_category=item.special_category,
        criminal_offence=item.criminal_offence,
        contract_link=item.contract_link,
        link=item.link,
        adequacy=item.adequacy,
        id=item.id,
        version=item.version,
        usage_count=usage_count,
    )


class LibraryResolver:
    """Finds library items by name within one transaction, creating the missing ones."""

    def __init__(self, session: Session, log: ChangeLog) -> None:
        self.session = session
        self.log = log
        self._cache: dict[LibraryKind, dict[str, LibraryItem]] = {}
        # Names as typed, to their items: an import names the same few hundred items tens
        # of thousands of times, as typed, and each is then found without working out its key.
        self._as_typed: dict[LibraryKind, dict[str, LibraryItem]] = {}

    def _items(self, kind: LibraryKind) -> dict[str, LibraryItem]:
        if kind not in self._cache:
            items = self.session.scalars(select(LibraryItem).where(LibraryItem.kind == kind))
            self._cache[kind] = {item.name_key: item for item in items}
        return self._cache[kind]

    def find(self, kind: LibraryKind, name: str) -> LibraryItem | None:
        return self._items(kind).get(name_key(name))

    def resolve(self, kind: LibraryKind, names: Iterable[str]) -> list[LibraryItem]:
        """The items for these names, in order, without repeats; blank names are skipped."""
        result: list[LibraryItem] = []
        seen: set[int] = set()  # one item per name key, so the items themselves
        as_typed = self._as_typed.setdefault(kind, {})
        for raw in names:
            item = as_typed.get(raw)
            if item is None:
                item = self._find_or_create(kind, raw)
                if item is None:
                    continue  # a blank name
                as_typed[raw] = item
            if id(item) not in seen:
                seen.add(id(item))
                result.append(item)
        return result

    def _find_or_create(self, kind: LibraryKind, raw: str) -> LibraryItem | None:
        name = clean_name(raw)
        key = name_key(name)
        if not key:
            return None
        items = self._items(kind)
        item = items.get(key)
        if item is None:
            item = LibraryItem(kind=kind, name=name, name_key=key)
            self.session.add(item)
            items[key] = item
            self.log.add("library_item", None, f"{kind.value}: {name}", "create")
        return item


class LibraryService:
    def __init__(self, store: Store) -> None:
        self.store = store

    def items(
        self, kind: LibraryKind | None = None, *, with_usage: bool = True
    ) -> list[LibraryItemRecord]:
        """Items (of one kind, or all) in name order, each with how many activities use it
        (counting them reads every link: `with_usage=False` leaves the counts at 0)."""
        if with_usage:
            usage = _usage_counts_query()
            query = (
                select(LibraryItem, func.coalesce(usage.c.count, 0))
                .outerjoin(usage, usage.c.item_id == LibraryItem.id)
                .order_by(LibraryItem.kind, LibraryItem.name_key)
            )
        else:
            query = select(LibraryItem, literal(0)).order_by(LibraryItem.kind, LibraryItem.name_key)
        if kind is not None:
            query = query.where(LibraryItem.kind == kind)
        with self.store.reading() as session:
            return [to_record(item, count) for item, count in session.execute(query)]

    def get(self, item_id: int) -> LibraryItemRecord:
        with self.store.reading() as session:
            return to_record(_load(session, item_id), len(_users(session, item_id)))

    def where_used(self, item_id: int) -> list[tuple[int, str, str]]:
        """(id, reference, name) of each activity using the item."""
        with self.store.reading() as session:
            _load(session, item_id)
            return _users(session, item_id)

    def create(self, record: LibraryItemRecord) -> LibraryItemRecord:
        name = clean_name(record.name)
        _check_name(record.kind, name)
        with self.store.transaction() as session:
            _check_unique(session, record.kind, name, None)
            item = LibraryItem(kind=record.kind, name=name, name_key=name_key(name))
            for attribute in ITEM_FIELDS:
                setattr(item, attribute, getattr(record, attribute))
            session.add(item)
            session.flush()
            ChangeLog(session).add("library_item", item.id, _label(item), "create")
            return to_record(item)

    def update(
        self, item_id: int, changes: dict[str, Any], expected_version: int | None = None
    ) -> LibraryItemRecord:
        """Change an item's name or details; a rename reaches every activity using it."""
        allowed = {"name", *ITEM_FIELDS}
        unknown = set(changes) - allowed
        if unknown:
            raise ValidationError(f"Library items have no field {sorted(unknown)[0]!r}.")
        with self.store.transaction() as session:
            item = _load(session, item_id)
            _check_version(item, expected_version)
            log = ChangeLog(session)
            label = _label(item)
            changed = False
            for attribute, value in changes.items():
                if attribute == "name":
                    value = clean_name(value)
                    _check_name(item.kind, value)
                    _check_unique(session, item.kind, value, item.id)
                    item.name_key = name_key(value)
                old = getattr(item, attribute)
                if old != value:
                    changed = True
                    setattr(item, attribute, value)
                    log.add(
                        "library_item",
                        item.id,
                        label,
                        "rename" if attribute == "name" else "update",
                        attribute,
                        old,
                        value,
                    )
            if changed:
                item.version += 1
                _touch_users(session, item.id)
            session.flush()
            return to_record(item, len(_users(session, item_id)))

    def delete(self, item_id: int) -> None:
        """Delete an unused item; an item in use is refused, naming who uses it."""
        with self.store.transaction() as session:
            item = _load(session, item_id)
            users = _users(session, item_id)
            if users:
                singular = KIND_LABELS[item.kind][0]
                raise InUseError(
                    f"The {singular} \u201c{item.name}\u201d cannot be deleted: "
                    f"{_describe_users(users)} use it. Remove it from them first, "
                    "or merge it into another item."
                )
            ChangeLog(session).add("library_item", item.id, _label(item), "delete")
            session.delete(item)

    def merge(self, source_id: int, target_id: int) -> LibraryItemRecord:
        """Move every use of `source` onto `target`, then delete `source`."""
        if source_id == target_id:
            raise ValidationError("An item cannot be merged into itself.")
        with self.store.transaction() as session:
            source = _load(session, source_id)
            target = _load(session, target_id)
            if source.kind != target.kind:
                raise ValidationError(
                    f"\u201c{source.name}\u201d and \u201c{target.name}\u201d are different "
                    "kinds of item and cannot be merged."
                )
            _touch_users(session, source.id)
            _relink(session, ActivityLink, ActivityLink.activity_id, source.id, target.id)
            _relink(session, BasisLegislation, BasisLegislation.basis_id, source.id, target.id)
            ChangeLog(session).add(
                "library_item",
                target.id,
                _label(target),
                "merge",
                "name",
                source.name,
                target.name,
            )
            session.delete(source)
            target.version += 1
            session.flush()
            return to_record(target, len(_users(session, target.id)))


def _touch_users(session: Session, item_id: int) -> None:
    """The activities using an item changed with it: a new version, so that an editor still
    holding the old name must reload rather than quietly put the old name back, and a new
    updated_at, so that notices covering them show as changed since publication."""
    users = [activity_id for activity_id, _reference, _name in _users(session, item_id)]
    if users:
        session.execute(
            update(Activity)
            .where(Activity.id.in_(users))
            .values(version=Activity.version + 1, updated_at=utc_now())
            .execution_options(synchronize_session=False)
        )


def _relink(
    session: Session, table: Any, owner_column: Any, source_id: int, target_id: int
) -> None:
    """Point links at `target`, dropping those whose owner already links to it."""
    already = select(owner_column).where(table.item_id == target_id)
    session.execute(delete(table).where(table.item_id == source_id, owner_column.in_(already)))
    session.execute(update(table).where(table.item_id == source_id).values(item_id=target_id))


def _usage_counts_query() -> Any:
    from db.models import ActivityLawfulBasis

    direct = select(ActivityLink.item_id.label("item_id"), ActivityLink.activity_id.label("aid"))
    via_basis = select(
        BasisLegislation.item_id.label("item_id"), ActivityLawfulBasis.activity_id.label("aid")
    ).join(ActivityLawfulBasis, ActivityLawfulBasis.id == BasisLegislation.basis_id)
    uses = direct.union(via_basis).subquery()
    return (
        select(uses.c.item_id, func.count(func.distinct(uses.c.aid)).label("count"))
        .group_by(uses.c.item_id)
        .subquery()
    )


def _users(session: Session, item_id: int) -> list[tuple[int, str, str]]:
    from db.models import ActivityLawfulBasis

    direct = select(ActivityLink.activity_id).where(ActivityLink.item_id == item_id)
    via_basis = (
        select(ActivityLawfulBasis.activity_id)
        .join(BasisLegislation, BasisLegislation.basis_id == ActivityLawfulBasis.id)
        .where(BasisLegislation.item_id == item_id)
    )
    rows = session.execute(
        select(Activity.id, Activity.reference, Activity.name)
        .where(Activity.id.in_(direct.union(via_basis)))
        .order_by(Activity.reference)
    )
    return [(row[0], row[1], row[2]) for row in rows]


def _describe_users(users: Sequence[tuple[int, str, str]]) -> str:
    shown = [f"{reference} {name}".strip() for _id, reference, name in users[:MAX_NAMES_IN_MESSAGE]]
    text = ", ".join(shown)
    if len(users) > MAX_NAMES_IN_MESSAGE:
        text += f" and {len(users) - MAX_NAMES_IN_MESSAGE} more"
    count = count_of(len(users), "activity", "activities")
    return f"{count} ({text})"


def _load(session: Session, item_id: int) -> LibraryItem:
    item = session.get(LibraryItem, item_id)
    if item is None:
        raise NotFoundError(f"Library item {item_id} is no longer in the register.")
    return item


def _check_version(item: LibraryItem, expected_version: int | None) -> None:
    if expected_version is not None and item.version != expected_version:
        raise ConflictError(
            f"\u201c{item.name}\u201d was changed by someone else since you opened it. "
            "Reload it to see their change, then make yours again."
        )


def _check_name(kind: LibraryKind, name: str) -> None:
    if not name:
        raise ValidationError(f"Give the {KIND_LABELS[kind][0]} a name.", field="name")


def _check_unique(session: Session, kind: LibraryKind, name: str, own_id: int | None) -> None:
    clash = session.scalar(
        select(LibraryItem).where(LibraryItem.kind == kind, LibraryItem.name_key == name_key(name))
    )
    if clash is not None and clash.id != own_id:
        raise ValidationError(
            f"There is already a {KIND_LABELS[kind][0]} called \u201c{clash.name}\u201d. "
            "Use that one, or merge the two.",
            field="name",
        )


def _label(item: LibraryItem) -> str:
    return f"{item.kind.value}: {item.name}"
