"""The activities list: its rows, its business functions and the text search looks through.

Read with plain SQL over the driver's connection (Store.plain_reading, SQL spelled once
for SQLite and PostgreSQL as db/raw.py says), never SQLAlchemy, so that the main window can
show a large register file before SQLAlchemy has been imported.
Every query here names its tables and columns as db/models.py declares them (the child
tables' from their description, db/activity_tables.py, which needs no SQLAlchemy);
tests/unit/test_activity_list.py checks the results against the services that read the same
activities through the ORM.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from db.activity_tables import ACTIVITY_CHILD_TABLES, Shape
from db.enums import Role, Status
from db.raw import stored_date, stored_datetime
from ropa.records import SCALAR_FIELDS, ActivityRecord, ActivitySummary

if TYPE_CHECKING:
    from db.raw import RawConnection
    from ropa.store import Store

_STATUSES = {status.value: status for status in Status}
_ROLES = {role.value: role for role in Role}

_SUMMARY_QUERY = """
    SELECT id, reference, name, business_function, status, role, next_review, last_reviewed,
           updated_at, version, changed_since_approval
    FROM activities {where} ORDER BY reference
"""

# The ids of the activities linked to at least one library item with the flag set (through
# the index on activity_links.item_id: flagged items are few, their links many).
_FLAGGED_QUERY = """
    SELECT DISTINCT activity_id FROM activity_links
    WHERE item_id IN (SELECT id FROM library_items WHERE {flag} = TRUE)
"""


def _child_text_queries() -> list[str]:
    """For each child table (db/activity_tables.py), the text its rows hold for search, as
    (activity id, text): the names of linked library items, and the columns searched."""
    queries = []
    for child in ACTIVITY_CHILD_TABLES:
        if child.shape is Shape.LIBRARY_ITEMS:
            queries.append(
                f"SELECT {child.table}.{child.parent_key}, library_items.name FROM {child.table}"
                f" JOIN library_items ON library_items.id = {child.table}.{child.item_key}"
            )
        queries.extend(
            f"SELECT {child.parent_key}, {column} FROM {child.table}" for column in child.searched
        )
    return queries


# Text held in rows of their own, searched with the activity they belong to.
_CHILD_TEXT_QUERIES = _child_text_queries()

# The activity's own columns that hold text (so none of its flags, numbers or dates).
_TEXT_COLUMNS = [name for name in SCALAR_FIELDS if isinstance(getattr(ActivityRecord(), name), str)]


class ActivityList:
    """Reads what the activities list shows; one consistent snapshot per call."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def summaries(self, *, include_retired: bool = True) -> list[ActivitySummary]:
        """The rows of the activities list, in reference order, without loading everything."""
        where = "" if include_retired else "WHERE status != ?"
        parameters = () if include_retired else (Status.RETIRED.value,)
        with self.store.plain_reading() as connection:
            special = _flagged(connection, "special_category")
            criminal = _flagged(connection, "criminal_offence")
            rows = connection.execute(_SUMMARY_QUERY.format(where=where), parameters).fetchall()
        try:
            return self._summaries_of(rows, special, criminal)
        except KeyError:
            # A status or role the app has no meaning for: say which activity holds it.  Imported
            # here, as it imports SQLAlchemy, which this module keeps out of the window's start.
            from ropa.storage.unreadable_values import unreadable_listed

            unreadable = unreadable_listed((row[1], row[2], row[4], row[5]) for row in rows)
            if unreadable is None:
                raise
            raise unreadable from None

    @staticmethod
    def _summaries_of(
        rows: Sequence[Any], special: set[int], criminal: set[int]
    ) -> list[ActivitySummary]:
        return [
            ActivitySummary(
                id=activity_id,
                reference=reference,
                name=name,
                business_function=function,
                status=_STATUSES[status],
                role=_ROLES[role],
                next_review=stored_date(next_review),
                last_reviewed=stored_date(last_reviewed),
                updated_at=stored_datetime(updated_at),
                has_special_category=activity_id in special,
                has_criminal_offence=activity_id in criminal,
                version=version,
                changed_since_approval=bool(changed),
            )
            for (
                activity_id,
                reference,
                name,
                function,
                status,
                role,
                next_review,
                last_reviewed,
                updated_at,
                version,
                changed,
            ) in rows
        ]

    def business_functions(self) -> list[str]:
        """Every business function in use, each once, in alphabetical order."""
        with self.store.plain_reading() as connection:
            rows = connection.execute(
                "SELECT DISTINCT business_function FROM activities"
                " WHERE business_function != '' ORDER BY business_function"
            ).fetchall()
        return [row[0] for row in rows]

    def search_texts(self) -> dict[int, str]:
        """All the text of each activity, case-folded, for search-as-you-type."""
        parts: dict[int, list[str]] = defaultdict(list)
        with self.store.plain_reading() as connection:
            columns = ", ".join(_TEXT_COLUMNS)
            for row in connection.execute(f"SELECT id, {columns} FROM activities"):
                parts[row[0]].extend(value for value in row[1:] if value)
            for query in _CHILD_TEXT_QUERIES:
                for activity_id, value in connection.execute(query):
                    if value:
                        parts[activity_id].append(value)
        return {activity_id: "\n".join(texts).casefold() for activity_id, texts in parts.items()}


def _flagged(connection: RawConnection, flag: str) -> set[int]:
    return {row[0] for row in connection.execute(_FLAGGED_QUERY.format(flag=flag))}
